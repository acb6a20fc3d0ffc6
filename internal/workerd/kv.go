package workerd

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/kvrules"
)

// Workers KV namespaces as wrangler dev has them: workerd's KvNamespace
// (its checks of key names, its conversion of options to 32-bit integers)
// in front of local KV (miniflare's KV namespace object: its limits and
// messages, its expiry and list cursors), measured with wrangler 4.164.
// A namespace's entries live in memory as long as the dotest Worker, so
// they survive Restart and Crash; expirations follow the Worker's clock.

func init() { RegisterEmulator("kv_namespaces", newKVNamespace) }

// kvEntry is a stored value.
type kvEntry struct {
	value []byte
	// expiration is in milliseconds since the epoch (whole seconds, as
	// local KV keeps it); 0: none.
	expiration int64
	// metadata is JSON text; nil: none.
	metadata []byte
}

type kvNamespace struct {
	clock   driver.Clock
	mu      sync.Mutex
	entries map[string]kvEntry
}

func newKVNamespace(c BindingConfig) (*JSObject, error) {
	ns := &kvNamespace{clock: c.Clock, entries: map[string]kvEntry{}}
	return &JSObject{Class: "KvNamespace", Methods: map[string]any{
		"get":             ns.get,
		"getWithMetadata": ns.getWithMetadata,
		"put":             ns.put,
		"delete":          ns.delete,
		"list":            ns.list,
	}}, nil
}

func refused(r *kvrules.Refusal) error { return NewJSError(r.Name, r.Message) }

func (ns *kvNamespace) nowMillis() int64 { return ns.clock.Now().UnixMilli() }

// lookup returns the entry of key, forgetting it if it has expired (as
// local KV's get does).
func (ns *kvNamespace) lookup(key string) (kvEntry, bool) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	e, ok := ns.entries[key]
	if ok && e.expiration != 0 && e.expiration <= ns.nowMillis() {
		delete(ns.entries, key)
		return kvEntry{}, false
	}
	return e, ok
}

// kvGetOptions are the options of get and getWithMetadata: a type, or an
// object with a type and a cacheTtl.
type kvGetOptions struct {
	typ      string
	cacheTTL *int64
}

func kvGetOptionsOf(v any) (kvGetOptions, error) {
	var o kvGetOptions
	switch x := v.(type) {
	case string:
		o.typ = x
	case map[string]any:
		if t, ok := x["type"].(string); ok {
			o.typ = t
		}
		if n, ok := jsNumber(x["cacheTtl"]); ok {
			ttl, r := kvrules.Int32(kvrules.CacheTTL, n)
			if r != nil {
				return o, refused(r)
			}
			o.cacheTTL = &ttl
		}
	}
	return o, nil
}

// jsNumber returns v, a value decoded into an any, as a number, if it is
// one.
func jsNumber(v any) (float64, bool) {
	switch r := reflect.ValueOf(v); r.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(r.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(r.Uint()), true
	case reflect.Float32, reflect.Float64:
		return r.Float(), true
	}
	return 0, false
}

// jsString converts v to a string as a JavaScript string parameter does.
func jsString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	case bool:
		return fmt.Sprint(x)
	}
	if n, ok := jsNumber(v); ok {
		return jsNumberString(n)
	}
	return "[object Object]"
}

func (ns *kvNamespace) get(ctx context.Context, key, options any) (any, error) {
	return ns.read(key, options, false)
}

func (ns *kvNamespace) getWithMetadata(ctx context.Context, key, options any) (any, error) {
	return ns.read(key, options, true)
}

// read is get and getWithMetadata, of one key or (an array) many.
func (ns *kvNamespace) read(key, options any, withMetadata bool) (any, error) {
	o, err := kvGetOptionsOf(options)
	if err != nil {
		return nil, err
	}
	if keys, ok := key.([]any); ok {
		return ns.readBulk(keys, o, withMetadata)
	}
	k := jsString(key)
	if r := kvrules.Key(kvrules.OpGet, k); r != nil {
		return nil, refused(r)
	}
	if o.cacheTTL != nil {
		if r := kvrules.CacheTTLSeconds(kvrules.OpGet, *o.cacheTTL); r != nil {
			return nil, refused(r)
		}
	}
	e, found := ns.lookup(k)
	var value any
	if found {
		if value, err = kvValue(e.value, o.typ); err != nil {
			return nil, err
		}
	}
	if !withMetadata {
		return value, nil
	}
	res := map[string]any{"value": value, "metadata": nil, "cacheStatus": nil}
	if found && e.metadata != nil {
		if res["metadata"], err = jsonParse(e.metadata); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// kvValue returns a stored value as a get of type typ gives it.
func kvValue(b []byte, typ string) (any, error) {
	switch typ {
	case "", "text":
		return driver.DecodeUTF8(b), nil
	case "arrayBuffer":
		return slices.Clone(b), nil
	case "json":
		return jsonParse(b)
	case "stream":
		return io.NopCloser(bytes.NewReader(slices.Clone(b))), nil
	}
	return nil, NewJSError("TypeError", `Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".`)
}

// readBulk is a get of many keys, which local KV answers with an object
// of each key's value (or null) that workerd turns into a Map.
func (ns *kvNamespace) readBulk(keys []any, o kvGetOptions, withMetadata bool) (any, error) {
	if r := kvrules.BulkType(o.typ); r != nil {
		return nil, refused(r)
	}
	if r := kvrules.BulkCount(len(keys)); r != nil {
		return nil, refused(r)
	}
	out := map[string]any{}
	var total int64
	for _, key := range keys {
		k := jsString(key)
		if r := kvrules.BulkKey(k); r != nil {
			return nil, refused(r)
		}
		if o.cacheTTL != nil {
			if r := kvrules.CacheTTLSeconds(kvrules.OpGetBulk, *o.cacheTTL); r != nil {
				return nil, refused(r)
			}
		}
		e, found := ns.lookup(k)
		if !found {
			out[k] = nil
			continue
		}
		text := driver.DecodeUTF8(e.value)
		total += int64(len(utf16.Encode([]rune(text))))
		var v any = text
		if o.typ == "json" {
			var err error
			if v, err = jsonParse([]byte(text)); err != nil {
				return nil, refused(kvrules.BulkNotJSON())
			}
		}
		if withMetadata {
			var m any
			if e.metadata != nil {
				m, _ = jsonParse(e.metadata)
			}
			v = map[string]any{"value": v, "metadata": m}
		}
		out[k] = v
	}
	if r := kvrules.BulkTotal(total); r != nil {
		return nil, refused(r)
	}
	return out, nil
}

// kvPutOptions are the options of put.
type kvPutOptions struct {
	Expiration    *float64 `json:"expiration"`
	ExpirationTTL *float64 `json:"expirationTtl"`
	Metadata      any      `json:"metadata"`
}

func (ns *kvNamespace) put(ctx context.Context, key, value any, options kvPutOptions) error {
	if r, ok := value.(io.Closer); ok {
		defer r.Close()
	}
	// workerd converts the options, checks the key and the value's type.
	exp, err := int32Option(options.Expiration, kvrules.Expiration)
	if err != nil {
		return err
	}
	ttl, err := int32Option(options.ExpirationTTL, kvrules.ExpirationTTL)
	if err != nil {
		return err
	}
	k := jsString(key)
	if r := kvrules.Key(kvrules.OpPut, k); r != nil {
		return refused(r)
	}
	var body io.Reader
	switch v := value.(type) {
	case []byte:
		body = bytes.NewReader(v)
	case io.Reader:
		body = v
	case map[string]any, []any:
		return NewJSError("TypeError", "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.")
	default:
		body = strings.NewReader(jsString(v))
	}
	// Local KV checks the expiration, the metadata and the length.
	now := ns.nowMillis()
	e := kvEntry{}
	if ttl != nil {
		if r := kvrules.ExpirationTTLSeconds(*ttl); r != nil {
			return refused(r)
		}
		e.expiration = (now/1000 + *ttl) * 1000
	} else if exp != nil {
		if r := kvrules.ExpirationSeconds(*exp, now/1000); r != nil {
			return refused(r)
		}
		e.expiration = *exp * 1000
	}
	if options.Metadata != nil {
		text, err := kvrules.JSON(options.Metadata)
		if err != nil {
			return NewJSError("TypeError", err.Error())
		}
		if r := kvrules.Metadata(text); r != nil {
			return refused(r)
		}
		e.metadata = text
	}
	// A value of unknown length is read whole, and counted past the limit
	// for the message, as local KV does.
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(body, kvrules.MaxValueBytes+1))
	if err == nil && n > kvrules.MaxValueBytes {
		var rest int64
		rest, err = io.Copy(io.Discard, body)
		n += rest
	}
	if err != nil {
		return err
	}
	if r := kvrules.Value(n); r != nil {
		return refused(r)
	}
	e.value = buf.Bytes()
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.entries[k] = e
	return nil
}

// int32Option converts a number option as workerd does, if it is given.
func int32Option(n *float64, limit kvrules.Limit) (*int64, error) {
	if n == nil {
		return nil, nil
	}
	v, r := kvrules.Int32(limit, *n)
	if r != nil {
		return nil, refused(r)
	}
	return &v, nil
}

func (ns *kvNamespace) delete(ctx context.Context, key any) error {
	k := jsString(key)
	if r := kvrules.Key(kvrules.OpDelete, k); r != nil {
		return refused(r)
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	delete(ns.entries, k)
	return nil
}

// kvListOptions are the options of list.
type kvListOptions struct {
	Limit  *float64 `json:"limit"`
	Prefix *string  `json:"prefix"`
	Cursor *string  `json:"cursor"`
}

func (ns *kvNamespace) list(ctx context.Context, options kvListOptions) (any, error) {
	limit := int64(kvrules.MaxListLimit)
	n, err := int32Option(options.Limit, kvrules.ListLimit)
	if err != nil {
		return nil, err
	}
	if n != nil && *n > 0 { // workerd sends only a positive limit
		if r := kvrules.ListLimitCount(*n); r != nil {
			return nil, refused(r)
		}
		limit = *n
	}
	var prefix, after string
	if options.Prefix != nil {
		prefix = *options.Prefix
		if r := kvrules.Prefix(prefix); r != nil {
			return nil, refused(r)
		}
	}
	if options.Cursor != nil {
		after = decodeCursor(*options.Cursor)
	}

	ns.mu.Lock()
	now := ns.nowMillis()
	var names []string
	for k, e := range ns.entries {
		switch {
		case e.expiration != 0 && e.expiration < now:
			delete(ns.entries, k)
		case strings.HasPrefix(k, prefix) && k > after:
			names = append(names, k)
		}
	}
	slices.Sort(names)
	more := int64(len(names)) > limit
	if more {
		names = names[:limit]
	}
	keys := make([]any, len(names))
	for i, k := range names {
		e := ns.entries[k]
		key := map[string]any{"name": k}
		if e.expiration != 0 {
			key["expiration"] = e.expiration / 1000
		}
		if e.metadata != nil {
			key["metadata"], _ = jsonParse(e.metadata)
		}
		keys[i] = key
	}
	ns.mu.Unlock()

	res := map[string]any{"keys": keys, "list_complete": !more, "cacheStatus": nil}
	if more {
		res["cursor"] = base64.StdEncoding.EncodeToString([]byte(names[len(names)-1]))
	}
	return res, nil
}

// decodeCursor decodes a list cursor as local KV does (Node's lenient
// base64: either alphabet, padding optional, other characters skipped).
func decodeCursor(c string) string {
	var b strings.Builder
	for _, r := range c {
		if r == '=' {
			break
		}
		switch {
		case r == '-':
			b.WriteByte('+')
		case r == '_':
			b.WriteByte('/')
		case r == '+' || r == '/' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s)%4 == 1 {
		s = s[:len(s)-1]
	}
	raw, _ := base64.RawStdEncoding.DecodeString(s)
	return driver.DecodeUTF8(raw)
}
