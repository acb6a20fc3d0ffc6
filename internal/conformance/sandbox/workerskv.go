package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/kv"
	"github.com/godurable/godurable/worker"
)

// Workers KV: the binding KV (wrangler.toml's [[kv_namespaces]]; local KV
// in wrangler dev, dotest's emulator), reached through package kv from
// the stateless Worker (GET /workers-kv/{scenario}) and from the Sandbox
// object (its WorkersKV method) by the same code, which reports what it
// saw as text. Each caller uses keys of its own, prefixed by where it
// runs; "raw" calls the binding through jsbridge as JavaScript would,
// to compare what the emulator refuses with what workerd refuses.

var kvScenarios = map[string]func(ctx context.Context, ns *kv.Namespace, p string) (map[string]string, error){
	"values":     kvValues,
	"metadata":   kvMetadata,
	"expiration": kvExpiration,
	"limits":     kvLimits,
	"list":       kvList,
	"bulk":       kvBulk,
	"raw":        kvRaw,
}

func workersKVRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /workers-kv/{scenario}", func(w http.ResponseWriter, r *http.Request) {
		out, err := runWorkersKV(r.Context(), r.PathValue("scenario"), "w/")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// WorkersKV runs a Workers KV scenario inside the object.
func (s *Sandbox) WorkersKV(ctx context.Context, scenario string) (map[string]string, error) {
	return runWorkersKV(ctx, scenario, "o/")
}

func runWorkersKV(ctx context.Context, scenario, prefix string) (map[string]string, error) {
	f := kvScenarios[scenario]
	if f == nil {
		return nil, fmt.Errorf("no Workers KV scenario %q", scenario)
	}
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	ns, err := kv.FromEnv(env, "KV")
	if err != nil {
		return nil, err
	}
	return f(ctx, ns, prefix+scenario+"/")
}

// kvErr describes err as the scenarios compare it: the name and message
// JavaScript would catch, and which of the package's errors it matches.
func kvErr(err error) string {
	if err == nil {
		return "ok"
	}
	var we *worker.Error
	if !errors.As(err, &we) {
		return "error: " + err.Error()
	}
	var matched []string
	for _, s := range []struct {
		name string
		err  error
	}{
		{"ErrInvalidKey", kv.ErrInvalidKey}, {"ErrKeyTooLong", kv.ErrKeyTooLong}, {"ErrValueTooLarge", kv.ErrValueTooLarge},
		{"ErrMetadataTooLarge", kv.ErrMetadataTooLarge}, {"ErrExpirationTTL", kv.ErrExpirationTTL}, {"ErrExpiration", kv.ErrExpiration},
		{"ErrCacheTTL", kv.ErrCacheTTL}, {"ErrListLimit", kv.ErrListLimit}, {"ErrTooManyKeys", kv.ErrTooManyKeys},
	} {
		if errors.Is(err, s.err) {
			matched = append(matched, s.name)
		}
	}
	return fmt.Sprintf("%s: %s [%s]", we.Name, we.Message, strings.Join(matched, " "))
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// pattern is a reader of n bytes of a repeating pattern, in chunks of
// odd sizes.
type pattern struct{ n, off int }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := min(len(b), p.n-p.off, 40_000)
	for i := range k {
		b[i] = byte((p.off + i) * 7)
	}
	p.off += k
	return k, nil
}

// kvValues: values there and back as text, bytes, JSON and streams; a
// missing key; delete.
func kvValues(ctx context.Context, ns *kv.Namespace, p string) (map[string]string, error) {
	out := map[string]string{}
	if err := ns.Put(ctx, p+"text", "héllo, wörld", nil); err != nil {
		return nil, err
	}
	s, err := ns.Get(ctx, p+"text")
	out["text"] = fmt.Sprintf("%q %s", s, kvErr(err))
	bin := []byte{0, 1, 0xff, 0xfe, 'a'}
	if err := ns.PutBytes(ctx, p+"bytes", bin, nil); err != nil {
		return nil, err
	}
	b, err := ns.GetBytes(ctx, p+"bytes")
	out["bytes"] = fmt.Sprintf("%x %s", b, kvErr(err))
	s, err = ns.Get(ctx, p+"bytes")
	out["bytes as text"] = fmt.Sprintf("%+q %s", s, kvErr(err))
	if err := ns.Put(ctx, p+"empty", "", nil); err != nil {
		return nil, err
	}
	s, err = ns.Get(ctx, p+"empty")
	out["empty"] = fmt.Sprintf("%q %s", s, kvErr(err))
	b, err = ns.GetBytes(ctx, p+"empty")
	out["empty bytes"] = fmt.Sprintf("%d %v %s", len(b), b != nil, kvErr(err))

	// JSON: decoded by encoding/json, so a 64-bit integer keeps its digits.
	if err := ns.Put(ctx, p+"json", `{"n": 9007199254740993, "s": "x", "l": [1, 2]}`, nil); err != nil {
		return nil, err
	}
	var v struct {
		N int64  `json:"n"`
		S string `json:"s"`
		L []int  `json:"l"`
	}
	err = ns.GetJSON(ctx, p+"json", &v)
	out["json"] = fmt.Sprintf("%+v %s", v, kvErr(err))
	err = ns.GetJSON(ctx, p+"text", &v)
	out["json not JSON"] = fmt.Sprint(err != nil && !errors.Is(err, kv.ErrNotFound))

	// Streams, both ways: 3 MB put from an io.Reader, read back as a stream.
	const big = 3_000_017
	if err := ns.PutStream(ctx, p+"stream", &pattern{n: big}, nil); err != nil {
		return nil, err
	}
	want, _ := io.ReadAll(&pattern{n: big})
	r, err := ns.GetStream(ctx, p+"stream")
	if err != nil {
		return nil, err
	}
	got, err := io.ReadAll(r)
	r.Close()
	out["stream"] = fmt.Sprintf("%d %v %s", len(got), sha(got) == sha(want), kvErr(err))
	b, err = ns.GetBytes(ctx, p+"stream")
	out["stream as bytes"] = fmt.Sprintf("%d %v %s", len(b), sha(b) == sha(want), kvErr(err))
	if err := ns.PutStream(ctx, p+"reader", strings.NewReader("from a strings.Reader"), nil); err != nil {
		return nil, err
	}
	s, err = ns.Get(ctx, p+"reader")
	out["reader"] = fmt.Sprintf("%q %s", s, kvErr(err))

	// Unicode keys, and keys with URL characters.
	if err := ns.Put(ctx, p+"é/ü?#% &", "odd key", nil); err != nil {
		return nil, err
	}
	s, err = ns.Get(ctx, p+"é/ü?#% &")
	out["odd key"] = fmt.Sprintf("%q %s", s, kvErr(err))

	// Missing keys, and delete.
	_, err = ns.Get(ctx, p+"missing")
	_, err2 := ns.GetBytes(ctx, p+"missing")
	err3 := ns.GetJSON(ctx, p+"missing", &v)
	rc, err4 := ns.GetStream(ctx, p+"missing")
	_, err5 := ns.GetWithMetadata(ctx, p+"missing", nil)
	out["missing"] = fmt.Sprint(errors.Is(err, kv.ErrNotFound), errors.Is(err2, kv.ErrNotFound), errors.Is(err3, kv.ErrNotFound), errors.Is(err4, kv.ErrNotFound) && rc == nil, errors.Is(err5, kv.ErrNotFound))
	if err := ns.Delete(ctx, p+"text"); err != nil {
		return nil, err
	}
	_, err = ns.Get(ctx, p+"text")
	out["deleted"] = fmt.Sprint(errors.Is(err, kv.ErrNotFound))
	out["delete missing"] = kvErr(ns.Delete(ctx, p+"missing"))
	return out, nil
}

// kvMeta is metadata of the scenarios.
type kvMeta struct {
	Owner string   `json:"owner"`
	Tags  []string `json:"tags"`
	Size  int      `json:"size"`
}

// kvMetadata: metadata there and back (GetWithMetadata, list), and its
// limit of 1,024 bytes of JSON.
func kvMetadata(ctx context.Context, ns *kv.Namespace, p string) (map[string]string, error) {
	out := map[string]string{}
	m := kvMeta{Owner: "ann <a&b>", Tags: []string{"x", "y"}, Size: 3}
	if err := ns.Put(ctx, p+"a", "value a", &kv.PutOptions{Metadata: m}); err != nil {
		return nil, err
	}
	var got kvMeta
	s, err := ns.GetWithMetadata(ctx, p+"a", &got)
	out["get"] = fmt.Sprintf("%q %+v %s", s, got, kvErr(err))
	var gotAny any
	b, err := ns.GetBytesWithMetadata(ctx, p+"a", &gotAny)
	out["get bytes"] = fmt.Sprintf("%q %v %s", b, gotAny, kvErr(err))
	if err := ns.Put(ctx, p+"b", "value b", &kv.PutOptions{Metadata: "just a string"}); err != nil {
		return nil, err
	}
	if err := ns.Put(ctx, p+"c", "value c", nil); err != nil {
		return nil, err
	}
	untouched := kvMeta{Owner: "before"}
	s, err = ns.GetWithMetadata(ctx, p+"c", &untouched)
	out["none"] = fmt.Sprintf("%q %+v %s", s, untouched, kvErr(err))
	if err := ns.Put(ctx, p+"d", "value d", &kv.PutOptions{Metadata: map[string]any{"z": 1, "a": 2.5, "m": nil}}); err != nil {
		return nil, err
	}
	res, err := ns.List(ctx, &kv.ListOptions{Prefix: p})
	if err != nil {
		return nil, err
	}
	for _, k := range res.Keys {
		out["list "+strings.TrimPrefix(k.Name, p)] = fmt.Sprintf("%s %v", k.Metadata, k.Metadata == nil)
	}

	// The limit: 1,024 bytes of JSON, as JavaScript writes it (a string's
	// quotes count; "<" is one byte, U+2028 three, "\u0001" six).
	for name, md := range map[string]any{
		"1024":        strings.Repeat("a", 1022),
		"1025":        strings.Repeat("a", 1023),
		"html":        strings.Repeat("<", 1023),
		"u2028":       strings.Repeat("\u2028", 341),
		"control":     strings.Repeat("\x01", 170),
		"control too": strings.Repeat("\x01", 171),
	} {
		out["limit "+name] = kvErr(ns.Put(ctx, p+"limit", "v", &kv.PutOptions{Metadata: md}))
	}
	return out, nil
}

// kvExpiration: expirationTtl and expiration as list reports them (in
// whole seconds), and which wins when both are given.
func kvExpiration(ctx context.Context, ns *kv.Namespace, p string) (map[string]string, error) {
	out := map[string]string{}
	now := time.Now()
	if err := ns.Put(ctx, p+"ttl", "v", &kv.PutOptions{ExpirationTTL: 120 * time.Second}); err != nil {
		return nil, err
	}
	at := now.Add(time.Hour).Truncate(time.Second).Add(300 * time.Millisecond)
	if err := ns.Put(ctx, p+"at", "v", &kv.PutOptions{Expiration: at}); err != nil {
		return nil, err
	}
	if err := ns.Put(ctx, p+"both", "v", &kv.PutOptions{Expiration: now.Add(-time.Hour), ExpirationTTL: 90 * time.Second}); err != nil {
		out["both"] = kvErr(err)
	}
	if err := ns.Put(ctx, p+"frac", "v", &kv.PutOptions{ExpirationTTL: 90*time.Second + 700*time.Millisecond}); err != nil {
		return nil, err
	}
	if err := ns.Put(ctx, p+"none", "v", nil); err != nil {
		return nil, err
	}
	res, err := ns.List(ctx, &kv.ListOptions{Prefix: p})
	if err != nil {
		return nil, err
	}
	for _, k := range res.Keys {
		name := strings.TrimPrefix(k.Name, p)
		switch ttl := map[string]int64{"ttl": 120, "both": 90, "frac": 90}[name]; {
		case k.Expiration.IsZero():
			out[name] = "no expiration"
		case name == "at":
			out[name] = fmt.Sprintf("at its second: %v", k.Expiration.Equal(at.Truncate(time.Second)))
		default:
			// KV counts from when the put arrived, a moment after now.
			d := k.Expiration.Unix() - now.Unix()
			out[name] = fmt.Sprintf("in %d s: %v", ttl, d >= ttl && d <= ttl+2)
		}
	}
	return out, nil
}

// kvLimits: each limit, refused with JavaScript's error before anything
// is sent, but for a stream's length, which KV finds as it reads.
func kvLimits(ctx context.Context, ns *kv.Namespace, p string) (map[string]string, error) {
	out := map[string]string{}
	long := strings.Repeat("k", 513)
	wide := strings.Repeat("é", 257) // 514 bytes
	_, err := ns.Get(ctx, "")
	out["get empty key"] = kvErr(err)
	out["put ."] = kvErr(ns.Put(ctx, ".", "v", nil))
	out["delete .."] = kvErr(ns.Delete(ctx, ".."))
	_, err = ns.Get(ctx, long)
	out["get long key"] = kvErr(err)
	out["put wide key"] = kvErr(ns.Put(ctx, wide, "v", nil))
	out["delete long key"] = kvErr(ns.Delete(ctx, long))
	out["put 512-byte key"] = kvErr(ns.Put(ctx, p+strings.Repeat("k", 512-len(p)), "v", nil))
	_, err = ns.List(ctx, &kv.ListOptions{Prefix: strings.Repeat("p", 600)})
	out["list long prefix"] = kvErr(err)

	out["put 25 MiB + 1"] = kvErr(ns.PutBytes(ctx, p+"big", make([]byte, 25<<20+1), nil))
	out["put stream 25 MiB + 5"] = kvErr(ns.PutStream(ctx, p+"bigstream", &pattern{n: 25<<20 + 5}, nil))
	out["put 25 MiB"] = kvErr(ns.PutStream(ctx, p+"max", &pattern{n: 25 << 20}, nil))

	out["ttl 30 s"] = kvErr(ns.Put(ctx, p+"t", "v", &kv.PutOptions{ExpirationTTL: 30 * time.Second}))
	out["ttl 0.5 s"] = kvErr(ns.Put(ctx, p+"t", "v", &kv.PutOptions{ExpirationTTL: 500 * time.Millisecond}))
	out["ttl -5 s"] = kvErr(ns.Put(ctx, p+"t", "v", &kv.PutOptions{ExpirationTTL: -5 * time.Second}))
	out["ttl 60 s"] = kvErr(ns.Put(ctx, p+"t", "v", &kv.PutOptions{ExpirationTTL: 60 * time.Second}))
	out["ttl 2^31 s"] = kvErr(ns.Put(ctx, p+"t", "v", &kv.PutOptions{ExpirationTTL: (1 << 31) * time.Second}))
	// An expiration's message names its second: shown as <exp>.
	for name, at := range map[string]time.Time{
		"expiration in 10 s":  time.Now().Add(10 * time.Second),
		"expiration 10 s ago": time.Now().Add(-10 * time.Second),
		"expiration in 2040":  time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		"expiration in 1 h":   time.Now().Add(time.Hour),
	} {
		msg := kvErr(ns.Put(ctx, p+"e", "v", &kv.PutOptions{Expiration: at}))
		out[name] = strings.ReplaceAll(msg, strconv.FormatInt(at.Unix(), 10), "<exp>")
	}

	_, err = ns.WithCacheTTL(10*time.Second).Get(ctx, p+"t")
	out["cache ttl 10 s"] = kvErr(err)
	_, err = ns.WithCacheTTL(30*time.Second).Get(ctx, p+"t")
	out["cache ttl 30 s"] = kvErr(err)
	_, err = ns.WithCacheTTL(29*time.Second).GetMany(ctx, []string{p + "t"})
	out["bulk cache ttl 29 s"] = kvErr(err)

	_, err = ns.List(ctx, &kv.ListOptions{Limit: 1001})
	out["list limit 1001"] = kvErr(err)
	_, err = ns.List(ctx, &kv.ListOptions{Limit: -1})
	out["list limit -1"] = kvErr(err)
	_, err = ns.List(ctx, &kv.ListOptions{Prefix: p, Limit: 1000})
	out["list limit 1000"] = kvErr(err)

	keys := make([]string, 101)
	for i := range keys {
		keys[i] = fmt.Sprintf("%sk%d", p, i)
	}
	_, err = ns.GetMany(ctx, keys)
	out["bulk 101 keys"] = kvErr(err)
	_, err = ns.GetMany(ctx, keys[:100])
	out["bulk 100 keys"] = kvErr(err)
	_, err = ns.GetMany(ctx, []string{p + "a", ""})
	out["bulk empty key"] = kvErr(err)
	_, err = ns.GetMany(ctx, []string{".."})
	out["bulk .."] = kvErr(err)
	_, err = ns.GetMany(ctx, []string{long})
	out["bulk long key"] = kvErr(err)
	return out, nil
}

// kvList: pages of a list with a small limit and their cursors, the
// order of keys (by their bytes), and the iterator over every page.
func kvList(ctx context.Context, ns *kv.Namespace, p string) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range []string{"b", "a", "Z", "é", "a/1", "a/2", "c"} {
		if err := ns.Put(ctx, p+k, "v", nil); err != nil {
			return nil, err
		}
	}
	names := func(keys []kv.Key) string {
		var s []string
		for _, k := range keys {
			s = append(s, strings.TrimPrefix(k.Name, p))
		}
		return strings.Join(s, " ")
	}
	opts := &kv.ListOptions{Prefix: p, Limit: 3}
	for page := 1; page <= 4; page++ {
		res, err := ns.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		out[fmt.Sprintf("page %d", page)] = fmt.Sprintf("%s | complete %v, cursor %v", names(res.Keys), res.Complete, res.Cursor != "")
		if res.Complete {
			break
		}
		opts.Cursor = res.Cursor
	}
	res, err := ns.List(ctx, &kv.ListOptions{Prefix: p + "a"})
	if err != nil {
		return nil, err
	}
	out["prefix a"] = fmt.Sprintf("%s | complete %v", names(res.Keys), res.Complete)

	var all []kv.Key
	for k, err := range ns.Keys(ctx, &kv.ListOptions{Prefix: p, Limit: 2}) {
		if err != nil {
			return nil, err
		}
		all = append(all, k)
	}
	out["keys"] = names(all)
	all = nil
	for k := range ns.Keys(ctx, &kv.ListOptions{Prefix: p, Limit: 2}) {
		all = append(all, k)
		if len(all) == 3 {
			break
		}
	}
	out["keys, stopped"] = names(all)
	for _, err := range ns.Keys(ctx, &kv.ListOptions{Limit: 5000}) {
		out["keys error"] = kvErr(err)
	}
	return out, nil
}

// kvBulk: many keys in one get.
func kvBulk(ctx context.Context, ns *kv.Namespace, p string) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range []string{"1", "2", "empty"} {
		v := "value " + k
		if k == "empty" {
			v = ""
		}
		if err := ns.Put(ctx, p+k, v, nil); err != nil {
			return nil, err
		}
	}
	got, err := ns.WithCacheTTL(time.Minute).GetMany(ctx, []string{p + "1", p + "2", p + "missing", p + "empty", p + "1"})
	out["get"] = kvErr(err)
	for k, v := range got {
		out[strings.TrimPrefix(k, p)] = fmt.Sprintf("%q", v)
	}
	none, err := ns.GetMany(ctx, nil)
	out["no keys"] = fmt.Sprintf("%d %s", len(none), kvErr(err))
	return out, nil
}

// kvRaw calls the binding through jsbridge, as JavaScript calls it,
// with what package kv refuses before sending: what the emulator
// answers must be what workerd and local KV answer.
func kvRaw(ctx context.Context, _ *kv.Namespace, p string) (map[string]string, error) {
	out := map[string]string{}
	b, err := jsbridge.Binding("KV")
	if err != nil {
		return nil, err
	}
	t, err := b.Type(ctx)
	out["type"] = fmt.Sprintf("%s %s %s", t.Of, t.Class, kvErr(err))
	raw := func(name, method string, result any, args ...any) {
		err := b.Call(ctx, method, result, args...)
		if err != nil {
			out[name] = kvErr(err)
		}
	}
	raw("get empty", "get", nil, "")
	raw("get long", "get", nil, strings.Repeat("x", 513))
	raw("get cache ttl", "get", nil, p+"a", map[string]any{"cacheTtl": 10})
	raw("get cache ttl frac", "get", nil, p+"a", map[string]any{"cacheTtl": 29.9})
	raw("put ttl", "put", nil, p+"a", "v", map[string]any{"expirationTtl": 30})
	raw("put ttl 0", "put", nil, p+"a", "v", map[string]any{"expirationTtl": 0})
	raw("put ttl range", "put", nil, p+"a", "v", map[string]any{"expirationTtl": 1 << 31})
	raw("put expiration 0", "put", nil, p+"a", "v", map[string]any{"expiration": 0})
	raw("put metadata", "put", nil, p+"a", "v", map[string]any{"metadata": strings.Repeat("m", 1100)})
	raw("put object", "put", nil, p+"a", map[string]any{"a": 1})
	raw("put bytes too long", "put", nil, p+"a", make([]byte, 25<<20+1))
	raw("list limit", "list", nil, map[string]any{"limit": 1001})
	raw("list prefix", "list", nil, map[string]any{"prefix": strings.Repeat("p", 513)})
	raw("bulk type", "get", nil, []string{p + "a"}, "arrayBuffer")
	raw("bulk none", "get", nil, []string{})
	raw("bulk 101", "get", nil, make([]string, 101))
	raw("bulk dot", "get", nil, []string{"."})

	// What succeeds: a number put as text, results' shapes.
	raw("put number", "put", nil, p+"n", 5)
	var s string
	raw("get number", "get", &s, p+"n")
	out["get number"] = s
	raw("put meta", "put", nil, p+"m", "mv", map[string]any{"metadata": map[string]any{"k": []any{1, "two"}}, "expirationTtl": 600})
	var gwm map[string]any
	raw("getWithMetadata", "getWithMetadata", &gwm, p+"m")
	out["getWithMetadata"] = fmt.Sprint(gwm)
	gwm = nil
	raw("getWithMetadata missing", "getWithMetadata", &gwm, p+"missing")
	out["getWithMetadata missing"] = fmt.Sprint(gwm)
	var list map[string]any
	raw("list", "list", &list, map[string]any{"prefix": p})
	for _, k := range list["keys"].([]any) {
		if m := k.(map[string]any); m["expiration"] != nil {
			m["expiration"] = "set"
		}
	}
	out["list"] = fmt.Sprint(list)
	var bulk map[string]any
	raw("bulk", "get", &bulk, []string{p + "n", p + "missing"})
	out["bulk"] = fmt.Sprint(bulk)
	bulk = nil
	raw("bulk with metadata", "getWithMetadata", &bulk, []string{p + "m", p + "n", p + "missing"})
	out["bulk with metadata"] = fmt.Sprint(bulk)
	bulk = nil
	raw("bulk json", "get", &bulk, []string{p + "n"}, "json")
	out["bulk json"] = fmt.Sprint(bulk)
	raw("bulk json not json", "get", nil, []string{p + "m"}, "json")
	var missing any
	raw("get missing", "get", &missing, p+"missing", "stream")
	out["get missing"] = fmt.Sprint(missing)
	return out, nil
}
