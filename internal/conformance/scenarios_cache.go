package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// cacheKey is a key prefix of its own for each run of the Cache API
// scenarios, whose entries outlive a run in a kept wrangler state.
func cacheKey(t testing.TB) string {
	return fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano())
}

// hit is a matched response as the sandbox describes it.
func hit(status float64, body string, headers map[string]any) map[string]any {
	return map[string]any{"status": status, "headers": headers, "date": true, "body": body}
}

// cache: the Cache API through package cache, and JavaScript's put through
// jsbridge (the sandbox's /cache routes), with local workerd's rules.
func (s *suite) cache(t *testing.T) {
	t.Run("PutMatchDelete", func(t *testing.T) {
		got := s.getJSON(t, "/cache/basic?k="+cacheKey(t), 200).(map[string]any)
		equal(t, "put", got["put"], "")
		equal(t, "a hit", got["hit"], hit(200, "hello", map[string]any{
			"cf-cache-status": "HIT", "age": "0", "cache-control": "max-age=60", "content-length": "5",
			"content-type": "text/plain", "x-a": "1", "x-m": "1, 2"}))
		equal(t, "a miss", got["miss"], nil)
		equal(t, "delete", got["delete"], []any{true, ""})
		equal(t, "after delete", got["afterDelete"], nil)
		equal(t, "delete again", got["deleteAgain"], []any{false, ""})
		equal(t, "a relative URL: ErrURL", got["relative"], true)
	})
	t.Run("Refused", func(t *testing.T) {
		got := s.getJSON(t, "/cache/refused?k="+cacheKey(t), 200).(map[string]any)
		equal(t, "a POST's response", got["post"], []any{true, "cache: workerd refuses to cache the response: Cannot cache response to non-GET request."})
		equal(t, "a 206", got["partial"], []any{true, "cache: workerd refuses to cache the response: Cannot cache response to a range request (206 Partial Content)."})
		equal(t, "Vary: *", got["varyStar"], []any{true, "cache: workerd refuses to cache the response: Cannot cache response with 'Vary: *' header."})
		equal(t, "a 304 is dropped", got["notModified"], "")
		equal(t, "the 304 is not stored", got["notModifiedMatch"], nil)
		typeError := func(msg string) map[string]any { return map[string]any{"name": "TypeError", "message": msg} }
		equal(t, "JavaScript's put of a POST's response", got["jsPost"], typeError("Cannot cache response to non-GET request."))
		equal(t, "JavaScript's put of a 206", got["jsPartial"], typeError("Cannot cache response to a range request (206 Partial Content)."))
		equal(t, "JavaScript's put with Vary: *", got["jsVaryStar"], typeError("Cannot cache response with 'Vary: *' header."))
		equal(t, "JavaScript's put of a string", got["jsNotAResponse"], typeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'."))
		equal(t, "new Response with a body and status 204", got["newResponse204"], typeError("Response with null body status (101, 204, 205, or 304) cannot have a body."))
		equal(t, "new Response with an empty body and status 204", got["newResponse204Empty"], "")
		equal(t, "new Response with status 99", got["newResponse99"], map[string]any{"name": "RangeError",
			"message": "Responses may only be constructed with status codes in the range 200 to 599, inclusive."})
	})
	t.Run("Rules", func(t *testing.T) {
		got := s.getJSON(t, "/cache/rules?k="+cacheKey(t), 200).(map[string]any)
		stored := func(name, cacheControl string, status float64, extra map[string]any) {
			t.Helper()
			h := map[string]any{"cf-cache-status": "HIT", "age": "0", "content-type": "text/plain",
				"content-length": fmt.Sprint(len("body of " + name))}
			if cacheControl != "" {
				h["cache-control"] = cacheControl
			}
			for k, v := range extra {
				h[k] = v
			}
			equal(t, name, got[name], hit(status, "body of "+name, h))
		}
		for _, name := range []string{"plain", "maxAge0", "noStore", "noCache", "private", "setCookie", "expiresPast",
			"ageBeyondMaxAge", "status404Plain", "status302Plain", "status500", "authorization"} {
			equal(t, name+" is not stored (or has expired at once)", got[name], nil)
		}
		stored("maxAge", "max-age=60", 200, nil)
		stored("privateSetCookie", ", max-age=60", 200, nil) // its Set-Cookie dropped, its Cache-Control in lower case without private=set-cookie
		stored("sMaxAge", "s-maxage=60, max-age=0", 200, nil)
		stored("expires", "", 200, nil)
		stored("lastModified", "", 200, nil)
		stored("immutable", "immutable", 200, nil)
		stored("age", "max-age=60", 200, map[string]any{"age": "10"})
		stored("status404", "max-age=60", 404, nil)
		stored("status302", "max-age=60", 302, nil)
		stored("authorizationPublic", "public, max-age=60", 200, nil)
		stored("vary", "max-age=60", 200, map[string]any{"vary": "Accept-Language"}) // matched by a request in another language
	})
	t.Run("IgnoreMethod", func(t *testing.T) {
		got := s.getJSON(t, "/cache/methods?k="+cacheKey(t), 200).(map[string]any)
		equal(t, "put", got["put"], "")
		equal(t, "a POST matches nothing", got["post"], nil)
		equal(t, "a HEAD matches nothing", got["head"], nil)
		equal(t, "a POST with IgnoreMethod", got["postIgnoreMethod"], hit(200, "m", map[string]any{
			"cf-cache-status": "HIT", "age": "0", "cache-control": "max-age=60", "content-length": "1"}))
		equal(t, "a POST deletes nothing", got["deletePost"], []any{false, ""})
		equal(t, "a POST with IgnoreMethod deletes", got["deletePostIgnoreMethod"], []any{true, ""})
		equal(t, "after the delete", got["afterDelete"], nil)
	})
	t.Run("StreamedBody", func(t *testing.T) {
		const n = 300 << 10
		got := s.getJSON(t, fmt.Sprintf("/cache/stream?k=%s&n=%d", cacheKey(t), n), 200).(map[string]any)
		digest := got["sha256"]
		equal(t, "a body of unknown length, streamed in and out", got["unknown"], map[string]any{
			"read": float64(n), "sha256": digest, "error": "", "contentLength": -1.0, "contentLengthHeader": ""})
		equal(t, "a body of known length, through a FixedLengthStream", got["known"], map[string]any{
			"read": float64(n), "sha256": digest, "error": "", "contentLength": float64(n), "contentLengthHeader": fmt.Sprint(n)})
		equal(t, "a body shorter than its ContentLength: ErrLength", got["shortBody"], true)
	})
	t.Run("Named", func(t *testing.T) {
		got := s.getJSON(t, "/cache/named?k="+cacheKey(t), 200).(map[string]any)
		equal(t, "put", []any{got["put"], got["putDefault"]}, []any{"", ""})
		h := func(n int) map[string]any {
			return map[string]any{"cf-cache-status": "HIT", "age": "0", "cache-control": "max-age=60", "content-length": fmt.Sprint(n)}
		}
		equal(t, "the named cache", got["one"], hit(200, "in one", h(6)))
		equal(t, "the default cache", got["default"], hit(200, "in the default cache", h(20)))
		equal(t, "a cache named default is not the default cache", got["namedDefault"], nil)
		equal(t, "a name of 1,024 bytes: ErrName", got["longName"], true)
		equal(t, "a name of 1,023 bytes", got["longestName"], []any{true, ""})
	})
	t.Run("Conditional", func(t *testing.T) {
		got := s.getJSON(t, "/cache/conditional?k="+cacheKey(t), 200).(map[string]any)
		equal(t, "put", got["put"], "")
		h := func(extra map[string]any) map[string]any {
			out := map[string]any{"cf-cache-status": "HIT", "age": "0", "cache-control": "max-age=60", "content-length": "10",
				"content-type": "text/plain", "etag": `"v1"`}
			for k, v := range extra {
				out[k] = v
			}
			return out
		}
		equal(t, "If-None-Match", got["ifNoneMatch"], hit(304, "", h(nil)))
		equal(t, "If-None-Match of another tag", got["ifNoneMatchOther"], hit(200, "0123456789", h(nil)))
		equal(t, "If-Modified-Since", got["ifModifiedSince"], hit(304, "", h(nil)))
		equal(t, "a range", got["range"], hit(206, "234", h(map[string]any{"content-length": "3", "content-range": "bytes 2-4/10"})))
		equal(t, "a suffix", got["suffix"], hit(206, "789", h(map[string]any{"content-length": "3", "content-range": "bytes 7-9/10"})))
		equal(t, "a range beyond the end", got["unsatisfiable"], map[string]any{"status": 416.0, "date": false, "body": "",
			"headers": map[string]any{"cf-cache-status": "HIT", "content-range": "bytes */10"}})
		equal(t, "a suffix longer than the body: all of it", got["wholeSuffix"], hit(200, "0123456789", h(nil)))
	})
}
