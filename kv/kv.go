package kv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/godurable/godurable/internal/kvrules"
	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// BindingKind is what workerd's environment calls a KV namespace binding,
// as worker.Env.BindingKind reports it.
const BindingKind = "KvNamespace"

// ErrNotKV is matched by the error of FromEnv for a name that is not a KV
// namespace binding of the Worker (which matches worker.ErrNoBinding too).
var ErrNotKV = errors.New("kv: not a KV namespace binding")

// ErrNotFound is returned by the gets of a key that does not exist (or
// has expired).
var ErrNotFound = errors.New("kv: key not found")

// The errors of KV's limits. Each is matched (errors.Is) by the *Error
// of a call that breaks the limit, whose message is the one a JavaScript
// caller catches; the package checks them before it sends anything,
// except the length of a PutStream's value, which KV checks as it reads.
var (
	// ErrInvalidKey: an empty key, "." or "..".
	ErrInvalidKey = errors.New("kv: invalid key name")
	// ErrKeyTooLong: a key (or a list's prefix) longer than 512 bytes
	// in UTF-8.
	ErrKeyTooLong = errors.New("kv: key longer than 512 bytes")
	// ErrValueTooLarge: a value longer than 25 MiB.
	ErrValueTooLarge = errors.New("kv: value longer than 25 MiB")
	// ErrMetadataTooLarge: metadata longer than 1,024 bytes as JSON.
	ErrMetadataTooLarge = errors.New("kv: metadata longer than 1024 bytes")
	// ErrExpirationTTL: an ExpirationTTL shorter than 60 seconds.
	ErrExpirationTTL = errors.New("kv: expiration TTL shorter than 60 s")
	// ErrExpiration: an Expiration less than 60 seconds in the future.
	ErrExpiration = errors.New("kv: expiration less than 60 s in the future")
	// ErrCacheTTL: a cache TTL shorter than 30 seconds.
	ErrCacheTTL = errors.New("kv: cache TTL shorter than 30 s")
	// ErrListLimit: a list's Limit beyond 1,000 (or negative).
	ErrListLimit = errors.New("kv: list limit outside 1..1000")
	// ErrTooManyKeys: more than 100 keys in one GetMany.
	ErrTooManyKeys = errors.New("kv: more than 100 keys in one bulk get")
)

var limitErrors = map[kvrules.Limit]error{
	kvrules.InvalidKey:       ErrInvalidKey,
	kvrules.KeyTooLong:       ErrKeyTooLong,
	kvrules.ValueTooLarge:    ErrValueTooLarge,
	kvrules.MetadataTooLarge: ErrMetadataTooLarge,
	kvrules.ExpirationTTL:    ErrExpirationTTL,
	kvrules.Expiration:       ErrExpiration,
	kvrules.CacheTTL:         ErrCacheTTL,
	kvrules.ListLimit:        ErrListLimit,
	kvrules.BulkKeys:         ErrTooManyKeys,
}

// Error is the error of a KV call: the binding, the call, and the
// *worker.Error that KV threw (or would have thrown, for a limit the
// package checks first), with the name and message JavaScript sees.
type Error struct {
	// Binding is the namespace's binding; Op the JavaScript method:
	// "get", "getWithMetadata", "put", "delete" or "list".
	Binding, Op string
	// Err is KV's error, a *worker.Error for an error KV threw.
	Err error

	limit kvrules.Limit
}

// Error returns "kv: ", the binding, the call and KV's message.
func (e *Error) Error() string { return "kv: " + e.Binding + ": " + e.Op + ": " + e.Err.Error() }

// Unwrap returns KV's error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the error of the limit that KV refused the call for
// (ErrKeyTooLong, ErrExpirationTTL, ...).
func (e *Error) Is(target error) bool {
	limit := e.limit
	if limit == kvrules.NoLimit {
		var we *worker.Error
		if !errors.As(e.Err, &we) {
			return false
		}
		limit = kvrules.Classify(we.Message)
	}
	return limit != kvrules.NoLimit && limitErrors[limit] == target
}

// Namespace is a KV namespace binding (env.NAME in JavaScript). It is
// cheap to copy and safe for concurrent use.
type Namespace struct {
	binding  string
	v        *jsbridge.Value
	cacheTTL time.Duration
}

// FromEnv returns the KV namespace bound as binding ([[kv_namespaces]]
// in wrangler.toml). It fails with ErrNotKV if env has no such KV
// binding.
func FromEnv(env *worker.Env, binding string) (*Namespace, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: no environment (worker.GetEnv)", ErrNotKV)
	}
	if err := env.Binding(binding, "[[kv_namespaces]]", BindingKind); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotKV, err)
	}
	v, err := jsbridge.Binding(binding)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotKV, err)
	}
	return &Namespace{binding: binding, v: v}, nil
}

// Binding returns the name of the binding.
func (ns *Namespace) Binding() string { return ns.binding }

// WithCacheTTL returns a copy of ns whose reads ask KV to cache what they
// read for ttl in the location that reads it (JavaScript's cacheTtl),
// rather than KV's default of 60 seconds. KV takes whole seconds (a
// fraction is dropped) and at least 30: a shorter ttl makes every read
// fail with ErrCacheTTL. Zero restores the default.
func (ns *Namespace) WithCacheTTL(ttl time.Duration) *Namespace {
	c := *ns
	c.cacheTTL = ttl
	return &c
}

// Get returns the value of key as text (a value that is not UTF-8 reads
// with U+FFFD for its invalid bytes, as JavaScript's get does), or
// ErrNotFound.
func (ns *Namespace) Get(ctx context.Context, key string) (string, error) {
	return getAs[string](ctx, ns, key, "text")
}

// GetBytes returns the value of key as it was put, or ErrNotFound.
func (ns *Namespace) GetBytes(ctx context.Context, key string) ([]byte, error) {
	return getAs[[]byte](ctx, ns, key, "arrayBuffer")
}

// getAs reads the value of key as typ, into a V.
func getAs[V any](ctx context.Context, ns *Namespace, key, typ string) (V, error) {
	var v *V
	if err := ns.get(ctx, "get", key, typ, &v); err != nil || v == nil {
		var zero V
		if err == nil {
			err = ErrNotFound
		}
		return zero, err
	}
	return *v, nil
}

// GetJSON decodes the value of key, JSON text, into v with encoding/json
// (so integers keep all their 64 bits, and json.Unmarshaler types work),
// or returns ErrNotFound.
func (ns *Namespace) GetJSON(ctx context.Context, key string, v any) error {
	b, err := ns.GetBytes(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("kv: %s: the value of %q: %w", ns.binding, key, err)
	}
	return nil
}

// GetStream returns the value of key as a stream, read as KV sends it
// (for values too large to hold in memory at once), or ErrNotFound. The
// caller must close it.
func (ns *Namespace) GetStream(ctx context.Context, key string) (io.ReadCloser, error) {
	var r io.ReadCloser
	if err := ns.get(ctx, "get", key, "stream", &r); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, ErrNotFound
	}
	return r, nil
}

// GetWithMetadata returns the value of key as text, as Get does, and
// decodes its metadata (JSON) into metadata with encoding/json; a key
// without metadata leaves metadata as it is. A missing key returns
// ErrNotFound.
func (ns *Namespace) GetWithMetadata(ctx context.Context, key string, metadata any) (string, error) {
	return getWithMetadataAs[string](ctx, ns, key, "text", metadata)
}

// GetBytesWithMetadata is GetWithMetadata for a value read as GetBytes
// reads it.
func (ns *Namespace) GetBytesWithMetadata(ctx context.Context, key string, metadata any) ([]byte, error) {
	return getWithMetadataAs[[]byte](ctx, ns, key, "arrayBuffer", metadata)
}

// getWithMetadataAs reads the value of key as typ, into a V, and its
// metadata into metadata.
func getWithMetadataAs[V any](ctx context.Context, ns *Namespace, key, typ string, metadata any) (V, error) {
	var res struct {
		Value    *V  `json:"value"`
		Metadata any `json:"metadata"`
	}
	var zero V
	if err := ns.get(ctx, "getWithMetadata", key, typ, &res); err != nil {
		return zero, err
	}
	if res.Value == nil {
		return zero, ErrNotFound
	}
	return *res.Value, ns.decodeMetadata(key, res.Metadata, metadata)
}

func (ns *Namespace) decodeMetadata(key string, m, into any) error {
	if m == nil || into == nil {
		return nil
	}
	raw, err := kvrules.JSON(m)
	if err == nil {
		err = json.Unmarshal(raw, into)
	}
	if err != nil {
		return fmt.Errorf("kv: %s: the metadata of %q: %w", ns.binding, key, err)
	}
	return nil
}

// get reads one key with JavaScript's method (get or getWithMetadata) as
// typ ("text", "arrayBuffer", "stream") into result.
func (ns *Namespace) get(ctx context.Context, method, key, typ string, result any) error {
	if r := kvrules.Key(kvrules.OpGet, key); r != nil {
		return ns.refused(method, r)
	}
	opts, err := ns.getOptions(method, kvrules.OpGet, typ)
	if err != nil {
		return err
	}
	return ns.call(ctx, method, result, key, opts)
}

// getOptions returns the options of a read: its type and cacheTtl.
func (ns *Namespace) getOptions(method, op, typ string) (map[string]any, error) {
	opts := map[string]any{"type": typ}
	if ns.cacheTTL != 0 {
		ttl, r := kvrules.Int32(kvrules.CacheTTL, ns.cacheTTL.Seconds())
		if r == nil {
			r = kvrules.CacheTTLSeconds(op, ttl)
		}
		if r != nil {
			return nil, ns.refused(method, r)
		}
		opts["cacheTtl"] = ttl
	}
	return opts, nil
}

// GetMany returns the values of keys as text, in one call (JavaScript's
// get of an array of keys): at most 100 keys, else ErrTooManyKeys. A key
// that does not exist is not in the map. No keys need no call.
func (ns *Namespace) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	if len(keys) == 0 {
		return map[string]string{}, nil
	}
	const method = "get"
	if r := kvrules.BulkCount(len(keys)); r != nil {
		return nil, ns.refused(method, r)
	}
	opts, err := ns.getOptions(method, kvrules.OpGetBulk, "text")
	for _, k := range keys {
		// Local KV checks each key, then the options, in turn.
		if r := kvrules.BulkKey(k); r != nil {
			return nil, ns.refused(method, r)
		}
		if err != nil {
			return nil, err
		}
	}
	var got map[string]*string
	if err := ns.call(ctx, method, &got, keys, opts); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(got))
	for k, v := range got {
		if v != nil {
			out[k] = *v
		}
	}
	return out, nil
}

// PutOptions are the options of a put. The zero value of each means
// none.
type PutOptions struct {
	// Expiration is when the key expires, at least 60 seconds from now
	// (ErrExpiration); KV keeps whole seconds.
	Expiration time.Time
	// ExpirationTTL is how long from now the key expires, at least 60
	// seconds (ErrExpirationTTL); whole seconds, a fraction dropped as
	// JavaScript's put drops it. With Expiration too, ExpirationTTL
	// wins (local KV's rule).
	ExpirationTTL time.Duration
	// Metadata is stored with the key, as the JSON text that
	// encoding/json makes of it (an object's keys sorted), at most
	// 1,024 bytes of it (ErrMetadataTooLarge). Null is none.
	Metadata any
}

// Put stores value under key.
func (ns *Namespace) Put(ctx context.Context, key, value string, opts *PutOptions) error {
	return ns.put(ctx, key, value, int64(len(value)), opts)
}

// PutBytes stores value under key.
func (ns *Namespace) PutBytes(ctx context.Context, key string, value []byte, opts *PutOptions) error {
	if value == nil {
		value = []byte{}
	}
	return ns.put(ctx, key, value, int64(len(value)), opts)
}

// PutStream stores what r gives under key, streaming it to KV as a
// ReadableStream as it is read (r is closed at the end if it is an
// io.Closer). Its length is not known beforehand: KV refuses a value
// longer than 25 MiB once it has read that much (ErrValueTooLarge).
func (ns *Namespace) PutStream(ctx context.Context, key string, r io.Reader, opts *PutOptions) error {
	return ns.put(ctx, key, r, -1, opts)
}

func (ns *Namespace) put(ctx context.Context, key string, value any, n int64, opts *PutOptions) error {
	o, err := ns.putOptions(key, n, opts)
	if err != nil {
		if c, ok := value.(io.Closer); ok {
			c.Close()
		}
		return err
	}
	if len(o) == 0 {
		return ns.call(ctx, "put", nil, key, value)
	}
	return ns.call(ctx, "put", nil, key, value, o)
}

// putOptions checks a put of a value of n bytes (-1: unknown) in the
// order JavaScript's put and local KV do (workerd converts the numbers to
// 32 bits, checks the key, then KV checks the expiration, the metadata and
// the length), and returns its options object.
func (ns *Namespace) putOptions(key string, n int64, opts *PutOptions) (map[string]any, error) {
	if opts == nil {
		opts = &PutOptions{}
	}
	o := map[string]any{}
	var r *kvrules.Refusal
	number := func(name string, limit kvrules.Limit, f float64) {
		if r == nil {
			var v int64
			v, r = kvrules.Int32(limit, f)
			o[name] = v
		}
	}
	if !opts.Expiration.IsZero() {
		number("expiration", kvrules.Expiration, float64(opts.Expiration.Unix()))
	}
	if opts.ExpirationTTL != 0 {
		number("expirationTtl", kvrules.ExpirationTTL, opts.ExpirationTTL.Seconds())
	}
	if r == nil {
		r = kvrules.Key(kvrules.OpPut, key)
	}
	if ttl, ok := o["expirationTtl"].(int64); ok && r == nil {
		r = kvrules.ExpirationTTLSeconds(ttl)
	} else if exp, ok := o["expiration"].(int64); ok && r == nil {
		r = kvrules.ExpirationSeconds(exp, time.Now().Unix())
	}
	var text []byte
	if opts.Metadata != nil && r == nil {
		var err error
		if text, err = kvrules.JSON(opts.Metadata); err != nil {
			return nil, fmt.Errorf("kv: %s: put: the metadata: %w", ns.binding, err)
		}
		r = kvrules.Metadata(text)
	}
	if n >= 0 && r == nil {
		r = kvrules.Value(n)
	}
	if r != nil {
		return nil, ns.refused("put", r)
	}
	if text != nil && string(text) != "null" {
		m, err := sortedValue(text)
		if err != nil {
			return nil, fmt.Errorf("kv: %s: put: the metadata: %w", ns.binding, err)
		}
		o["metadata"] = m
	}
	return o, nil
}

// sortedValue returns JSON text as the MessagePack of its value, with
// the keys of its objects sorted, so that JavaScript gets the same object
// each time.
func sortedValue(text []byte) (msgpack.RawMessage, error) {
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.SetSortMapKeys(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Delete deletes key; deleting a key that does not exist is not an
// error.
func (ns *Namespace) Delete(ctx context.Context, key string) error {
	const method = "delete"
	if r := kvrules.Key(kvrules.OpDelete, key); r != nil {
		return ns.refused(method, r)
	}
	return ns.call(ctx, method, nil, key)
}

// ListOptions select the keys of a list.
type ListOptions struct {
	// Prefix lists only the keys that start with it (at most 512
	// bytes: ErrKeyTooLong).
	Prefix string
	// Limit is the most keys of one page: 1 to 1,000 (ErrListLimit);
	// 0 means 1,000.
	Limit int
	// Cursor continues a list where the page before ended
	// (ListResult.Cursor).
	Cursor string
}

// ListResult is a page of keys.
type ListResult struct {
	// Keys are the page's keys, in the byte order of their UTF-8.
	Keys []Key
	// Complete reports the last page (JavaScript's list_complete).
	Complete bool
	// Cursor, if not Complete, is where the next page starts.
	Cursor string
}

// Key is a key of a list, with its expiration and metadata.
type Key struct {
	Name string
	// Expiration is when the key expires, in whole seconds; zero if it
	// does not.
	Expiration time.Time
	// Metadata is the key's metadata as JSON text (an object's keys
	// sorted), or nil if it has none.
	Metadata json.RawMessage
}

// List returns a page of the keys (nil opts: the first 1,000), sorted
// by their bytes. KV may give a page fewer keys than the limit (expired
// keys, say) with more to come: the end is Complete.
func (ns *Namespace) List(ctx context.Context, opts *ListOptions) (*ListResult, error) {
	const method = "list"
	o := map[string]any{}
	if opts != nil {
		if opts.Limit != 0 {
			n, r := kvrules.Int32(kvrules.ListLimit, float64(opts.Limit))
			if r == nil {
				r = kvrules.ListLimitCount(n)
			}
			if r != nil {
				return nil, ns.refused(method, r)
			}
			o["limit"] = n
		}
		if opts.Prefix != "" {
			if r := kvrules.Prefix(opts.Prefix); r != nil {
				return nil, ns.refused(method, r)
			}
			o["prefix"] = opts.Prefix
		}
		if opts.Cursor != "" {
			o["cursor"] = opts.Cursor
		}
	}
	var res struct {
		Keys []struct {
			Name       string `json:"name"`
			Expiration int64  `json:"expiration"`
			Metadata   any    `json:"metadata"`
		} `json:"keys"`
		Complete bool   `json:"list_complete"`
		Cursor   string `json:"cursor"`
	}
	if err := ns.call(ctx, method, &res, o); err != nil {
		return nil, err
	}
	out := &ListResult{Keys: make([]Key, len(res.Keys)), Complete: res.Complete, Cursor: res.Cursor}
	for i, k := range res.Keys {
		out.Keys[i].Name = k.Name
		if k.Expiration != 0 {
			out.Keys[i].Expiration = time.Unix(k.Expiration, 0)
		}
		if k.Metadata != nil {
			m, err := kvrules.JSON(k.Metadata)
			if err != nil {
				return nil, fmt.Errorf("kv: %s: the metadata of %q: %w", ns.binding, k.Name, err)
			}
			out.Keys[i].Metadata = m
		}
	}
	return out, nil
}

// Keys returns every key that opts selects (nil: all), page after page
// (each of opts.Limit keys, or 1,000), starting at opts.Cursor. An error
// ends the sequence.
func (ns *Namespace) Keys(ctx context.Context, opts *ListOptions) iter.Seq2[Key, error] {
	return func(yield func(Key, error) bool) {
		var o ListOptions
		if opts != nil {
			o = *opts
		}
		for {
			page, err := ns.List(ctx, &o)
			if err != nil {
				yield(Key{}, err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.Complete || page.Cursor == "" {
				return
			}
			o.Cursor = page.Cursor
		}
	}
}

// call calls the binding's method and wraps what it throws in an *Error.
func (ns *Namespace) call(ctx context.Context, method string, result any, args ...any) error {
	if err := ns.v.Call(ctx, method, result, args...); err != nil {
		var we *worker.Error
		if errors.As(err, &we) {
			err = we
		}
		return &Error{Binding: ns.binding, Op: method, Err: err}
	}
	return nil
}

// refused is the *Error of a call that KV's rules refuse before it is
// sent, as KV would have thrown it.
func (ns *Namespace) refused(method string, r *kvrules.Refusal) error {
	return &Error{Binding: ns.binding, Op: method, Err: worker.NewError(r.Name, r.Message), limit: r.Limit}
}
