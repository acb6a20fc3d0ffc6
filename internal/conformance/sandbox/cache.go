package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/cache"
	"github.com/godurable/godurable/jsbridge"
)

// The Cache API scenarios' routes: each takes a key prefix (k) that keeps
// its entries apart from those of other runs, does its puts and matches in
// one request, and answers what it saw, as JSON.
func cacheRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /cache/basic", cacheBasic)
	mux.HandleFunc("GET /cache/refused", cacheRefused)
	mux.HandleFunc("GET /cache/rules", cacheRules)
	mux.HandleFunc("GET /cache/methods", cacheMethods)
	mux.HandleFunc("GET /cache/stream", cacheStream)
	mux.HandleFunc("GET /cache/named", cacheNamed)
	mux.HandleFunc("GET /cache/conditional", cacheConditional)
	mux.HandleFunc("GET /cache/put", cachePutOne)
	mux.HandleFunc("GET /cache/match", cacheMatchOne)
}

// cacheURL is the key of an entry of the scenario of r.
func cacheURL(r *http.Request, name string) string {
	return "https://cache.test/" + r.URL.Query().Get("k") + "/" + name
}

func cacheRequest(ctx context.Context, method, url string, header http.Header) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, method, url, nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	return req
}

// textResponse is a response whose body has a known length.
func textResponse(status int, header http.Header, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
}

// described is a matched response as the scenarios compare it: its
// status, the headers they look at, whether it has a Date, and its body.
func described(resp *http.Response, err error) any {
	if err != nil {
		return "error: " + err.Error()
	}
	if resp == nil {
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "error reading the body: " + err.Error()
	}
	h := map[string]any{}
	for _, name := range []string{"Cf-Cache-Status", "Age", "Cache-Control", "Content-Length", "Content-Range", "Content-Type", "Etag", "Set-Cookie", "Vary", "X-A", "X-M"} {
		if v := resp.Header.Values(name); len(v) > 0 {
			h[strings.ToLower(name)] = strings.Join(v, ", ")
		}
	}
	return map[string]any{"status": resp.StatusCode, "headers": h, "date": resp.Header.Get("Date") != "", "body": string(body)}
}

// GET /cache/basic: put then match, a miss, delete.
func cacheBasic(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), cache.Default()
	out := map[string]any{}
	a := cacheRequest(ctx, "GET", cacheURL(r, "a"), nil)
	h := http.Header{"Cache-Control": {"max-age=60"}, "X-A": {"1"}, "X-M": {"1", "2"}, "Content-Type": {"text/plain"}}
	out["put"] = errString(c.Put(ctx, a, textResponse(200, h, "hello")))
	out["hit"] = described(c.Match(ctx, a, nil))
	out["miss"] = described(c.Match(ctx, cacheRequest(ctx, "GET", cacheURL(r, "none"), nil), nil))
	deleted, err := c.Delete(ctx, a, nil)
	out["delete"] = []any{deleted, errString(err)}
	out["afterDelete"] = described(c.Match(ctx, a, nil))
	deleted, err = c.Delete(ctx, a, nil)
	out["deleteAgain"] = []any{deleted, errString(err)}
	_, err = c.Match(ctx, cacheRequest(ctx, "GET", "/relative", nil), nil)
	out["relative"] = errors.Is(err, cache.ErrURL)
	writeJSON(w, http.StatusOK, out)
}

// GET /cache/refused: what workerd refuses, from the cache package (which
// refuses it before sending anything) and from JavaScript's put itself
// (through jsbridge, as workerd throws it).
func cacheRefused(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), cache.Default()
	out := map[string]any{}
	maxAge := http.Header{"Cache-Control": {"max-age=60"}}
	refused := func(req *http.Request, resp *http.Response) any {
		err := c.Put(ctx, req, resp)
		return []any{errors.Is(err, cache.ErrUncacheable), errString(err)}
	}
	out["post"] = refused(cacheRequest(ctx, "POST", cacheURL(r, "post"), nil), textResponse(200, maxAge, "x"))
	out["partial"] = refused(cacheRequest(ctx, "GET", cacheURL(r, "206"), nil), textResponse(206, maxAge, "x"))
	out["varyStar"] = refused(cacheRequest(ctx, "GET", cacheURL(r, "vary"), nil), textResponse(200, http.Header{"Vary": {"Accept, *"}}, "x"))
	notModified := cacheRequest(ctx, "GET", cacheURL(r, "304"), nil)
	out["notModified"] = errString(c.Put(ctx, notModified, &http.Response{StatusCode: 304, Header: maxAge, Body: http.NoBody}))
	out["notModifiedMatch"] = described(c.Match(ctx, notModified, nil))

	// The same through JavaScript's own put: workerd's TypeErrors.
	caches, err := jsbridge.Global("caches")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	var def *jsbridge.Value
	if err := caches.Get(ctx, "default", &def); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	js := func(req *http.Request, resp any) any {
		return jsError(def.Call(ctx, "put", nil, req, resp))
	}
	out["jsPost"] = js(cacheRequest(ctx, "POST", cacheURL(r, "post"), nil), textResponse(200, maxAge, "x"))
	out["jsPartial"] = js(cacheRequest(ctx, "GET", cacheURL(r, "206"), nil), textResponse(206, maxAge, "x"))
	out["jsVaryStar"] = js(cacheRequest(ctx, "GET", cacheURL(r, "vary"), nil), textResponse(200, http.Header{"Vary": {"Accept, *"}}, "x"))
	out["jsNotAResponse"] = js(cacheRequest(ctx, "GET", cacheURL(r, "nr"), nil), "a string")

	// What new Response refuses, which Put never asks of it.
	class, err := jsbridge.Global("Response")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	newResponse := func(body any, status int) any {
		var v *jsbridge.Value
		err := class.New(ctx, &v, body, map[string]any{"status": status})
		v.Release()
		return jsError(err)
	}
	out["newResponse204"] = newResponse("x", 204)
	out["newResponse204Empty"] = newResponse([]byte{}, 204)
	out["newResponse99"] = newResponse(nil, 99)
	writeJSON(w, http.StatusOK, out)
}

// cacheRuleCases are responses that the cache stores or drops by its
// rules: each is put, then matched.
var cacheRuleCases = []struct {
	name    string
	status  int
	header  http.Header
	request http.Header // the put's request's headers
}{
	{name: "plain", status: 200},
	{name: "maxAge", status: 200, header: http.Header{"Cache-Control": {"max-age=60"}}},
	{name: "maxAge0", status: 200, header: http.Header{"Cache-Control": {"max-age=0"}}},
	{name: "noStore", status: 200, header: http.Header{"Cache-Control": {"no-store, max-age=60"}}},
	{name: "noCache", status: 200, header: http.Header{"Cache-Control": {"no-cache, max-age=60"}}},
	{name: "private", status: 200, header: http.Header{"Cache-Control": {"private, max-age=60"}}},
	{name: "setCookie", status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Set-Cookie": {"a=b"}}},
	{name: "privateSetCookie", status: 200, header: http.Header{"Cache-Control": {"private=set-cookie, max-age=60"}, "Set-Cookie": {"a=b"}}},
	{name: "sMaxAge", status: 200, header: http.Header{"Cache-Control": {"s-maxage=60, max-age=0"}}},
	{name: "expires", status: 200},
	{name: "expiresPast", status: 200, header: http.Header{"Expires": {"Thu, 01 Jan 1970 00:00:00 GMT"}}},
	{name: "lastModified", status: 200, header: http.Header{"Last-Modified": {"Thu, 01 Jan 2015 00:00:00 GMT"}}},
	{name: "immutable", status: 200, header: http.Header{"Cache-Control": {"immutable"}}},
	{name: "age", status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Age": {"10"}}},
	{name: "ageBeyondMaxAge", status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Age": {"61"}}},
	{name: "status404", status: 404, header: http.Header{"Cache-Control": {"max-age=60"}}},
	{name: "status404Plain", status: 404},
	{name: "status302", status: 302, header: http.Header{"Cache-Control": {"max-age=60"}, "Location": {"/x"}}},
	{name: "status302Plain", status: 302, header: http.Header{"Location": {"/x"}}},
	{name: "status500", status: 500, header: http.Header{"Cache-Control": {"max-age=60"}}},
	{name: "authorization", status: 200, header: http.Header{"Cache-Control": {"max-age=60"}}, request: http.Header{"Authorization": {"Bearer x"}}},
	{name: "authorizationPublic", status: 200, header: http.Header{"Cache-Control": {"public, max-age=60"}}, request: http.Header{"Authorization": {"Bearer x"}}},
	{name: "vary", status: 200, header: http.Header{"Cache-Control": {"max-age=60"}, "Vary": {"Accept-Language"}}, request: http.Header{"Accept-Language": {"en"}}},
}

// GET /cache/rules: what the cache stores, and for how long (a match
// right after the put: an entry with no freshness has expired already).
// The match of "vary" asks for another language: the cache ignores Vary.
func cacheRules(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), cache.Default()
	out := map[string]any{}
	for _, tc := range cacheRuleCases {
		header := tc.header.Clone()
		if header == nil {
			header = http.Header{}
		}
		header.Set("Content-Type", "text/plain")
		if tc.name == "expires" {
			header.Set("Expires", time.Now().Add(time.Minute).UTC().Format(http.TimeFormat))
		}
		req := cacheRequest(ctx, "GET", cacheURL(r, tc.name), tc.request)
		if err := c.Put(ctx, req, textResponse(tc.status, header, "body of "+tc.name)); err != nil {
			out[tc.name] = "put: " + err.Error()
			continue
		}
		out[tc.name] = described(c.Match(ctx, cacheRequest(ctx, "GET", cacheURL(r, tc.name), http.Header{"Accept-Language": {"fr"}}), nil))
	}
	writeJSON(w, http.StatusOK, out)
}

// GET /cache/methods: a request whose method is not GET matches and
// deletes only with IgnoreMethod.
func cacheMethods(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), cache.Default()
	out := map[string]any{}
	url := cacheURL(r, "m")
	out["put"] = errString(c.Put(ctx, cacheRequest(ctx, "GET", url, nil), textResponse(200, http.Header{"Cache-Control": {"max-age=60"}}, "m")))
	post, head := cacheRequest(ctx, "POST", url, nil), cacheRequest(ctx, "HEAD", url, nil)
	ignore := &cache.QueryOptions{IgnoreMethod: true}
	out["post"] = described(c.Match(ctx, post, nil))
	out["head"] = described(c.Match(ctx, head, nil))
	out["postIgnoreMethod"] = described(c.Match(ctx, post, ignore))
	deleted, err := c.Delete(ctx, post, nil)
	out["deletePost"] = []any{deleted, errString(err)}
	deleted, err = c.Delete(ctx, post, ignore)
	out["deletePostIgnoreMethod"] = []any{deleted, errString(err)}
	out["afterDelete"] = described(c.Match(ctx, cacheRequest(ctx, "GET", url, nil), nil))
	writeJSON(w, http.StatusOK, out)
}

// chunks is a body of unknown length: n bytes, produced as they are read.
type chunks struct{ n, i int }

func (c *chunks) Read(p []byte) (int, error) {
	if c.i >= c.n {
		return 0, io.EOF
	}
	m := min(len(p), c.n-c.i, 4096)
	for k := range m {
		p[k] = byte('a' + (c.i+k)%26)
	}
	c.i += m
	return m, nil
}

// GET /cache/stream?n=N: bodies of N bytes that stream into the cache,
// one of unknown length and one of known length; each matched, with what
// Go saw of its length, and the digest of its bytes.
func cacheStream(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), cache.Default()
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	want := sha256.New()
	io.Copy(want, &chunks{n: n})
	out := map[string]any{"sha256": hex.EncodeToString(want.Sum(nil))}
	for _, known := range []bool{false, true} {
		name := "unknown"
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Cache-Control": {"max-age=60"}}, Body: io.NopCloser(&chunks{n: n}), ContentLength: -1}
		if known {
			name, resp.ContentLength = "known", int64(n)
		}
		req := cacheRequest(ctx, "GET", cacheURL(r, name), nil)
		if err := c.Put(ctx, req, resp); err != nil {
			out[name] = "put: " + err.Error()
			continue
		}
		got, err := c.Match(ctx, req, nil)
		if err != nil || got == nil {
			out[name] = []any{"match", errString(err)}
			continue
		}
		h := sha256.New()
		read, err := io.Copy(h, got.Body)
		got.Body.Close()
		out[name] = map[string]any{"read": read, "sha256": hex.EncodeToString(h.Sum(nil)), "error": errString(err),
			"contentLength": got.ContentLength, "contentLengthHeader": got.Header.Get("Content-Length")}
	}
	short := &http.Response{StatusCode: 200, Header: http.Header{"Cache-Control": {"max-age=60"}}, Body: io.NopCloser(bytes.NewReader(make([]byte, 10))), ContentLength: 20}
	err := c.Put(ctx, cacheRequest(ctx, "GET", cacheURL(r, "short"), nil), short)
	out["shortBody"] = errors.Is(err, cache.ErrLength)
	writeJSON(w, http.StatusOK, out)
}

// GET /cache/named: named caches are apart from the default cache and
// from each other; "default" is a name like another.
func cacheNamed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	out := map[string]any{}
	one, err := cache.Open(ctx, "one")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	named, err := cache.Open(ctx, "default")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	maxAge := http.Header{"Cache-Control": {"max-age=60"}}
	req := cacheRequest(ctx, "GET", cacheURL(r, "n"), nil)
	out["put"] = errString(one.Put(ctx, req, textResponse(200, maxAge, "in one")))
	out["putDefault"] = errString(cache.Default().Put(ctx, req, textResponse(200, maxAge, "in the default cache")))
	out["one"] = described(one.Match(ctx, req, nil))
	out["default"] = described(cache.Default().Match(ctx, req, nil))
	out["namedDefault"] = described(named.Match(ctx, req, nil))
	_, err = cache.Open(ctx, strings.Repeat("x", 1024))
	out["longName"] = errors.Is(err, cache.ErrName)
	long, err := cache.Open(ctx, strings.Repeat("x", 1023))
	out["longestName"] = []any{long != nil, errString(err)}
	writeJSON(w, http.StatusOK, out)
}

// GET /cache/conditional: conditional and range requests of an entry.
func cacheConditional(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), cache.Default()
	out := map[string]any{}
	url := cacheURL(r, "etag")
	h := http.Header{"Cache-Control": {"max-age=60"}, "Etag": {`"v1"`}, "Last-Modified": {"Thu, 01 Jan 2015 00:00:00 GMT"}, "Content-Type": {"text/plain"}}
	out["put"] = errString(c.Put(ctx, cacheRequest(ctx, "GET", url, nil), textResponse(200, h, "0123456789")))
	for name, header := range map[string]http.Header{
		"ifNoneMatch":      {"If-None-Match": {`"v0", W/"v1"`}},
		"ifNoneMatchOther": {"If-None-Match": {`"v0"`}},
		"ifModifiedSince":  {"If-Modified-Since": {"Fri, 02 Jan 2015 00:00:00 GMT"}},
		"range":            {"Range": {"bytes=2-4"}},
		"suffix":           {"Range": {"bytes=-3"}},
		"unsatisfiable":    {"Range": {"bytes=20-30"}},
		"wholeSuffix":      {"Range": {"bytes=-20"}},
	} {
		out[name] = described(c.Match(ctx, cacheRequest(ctx, "GET", url, header), nil))
	}
	writeJSON(w, http.StatusOK, out)
}

// GET /cache/put?k=K&name=N&maxage=S puts an entry fresh for S seconds;
// GET /cache/match?k=K&name=N matches it (the scenarios of the cache's
// clock).
func cachePutOne(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req := cacheRequest(ctx, "GET", cacheURL(r, r.URL.Query().Get("name")), nil)
	h := http.Header{"Cache-Control": {"max-age=" + r.URL.Query().Get("maxage")}}
	if err := cache.Default().Put(ctx, req, textResponse(200, h, "at "+time.Now().UTC().Format(time.RFC3339))); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func cacheMatchOne(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req := cacheRequest(ctx, "GET", cacheURL(r, r.URL.Query().Get("name")), nil)
	writeJSON(w, http.StatusOK, described(cache.Default().Match(ctx, req, nil)))
}
