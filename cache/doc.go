// Package cache is the Cache API of a Worker from Go: the default cache
// (JavaScript's caches.default) and named caches (caches.open), which
// keep HTTP responses in the Cloudflare location that serves the request.
// It speaks net/http: a cache's keys are *http.Request values (their URL,
// method and headers), and what it keeps is *http.Response values.
//
//	c := cache.Default()
//	resp, err := c.Match(ctx, r, nil) // nil, nil on a miss
//	// ...
//	err = c.Put(ctx, r, &http.Response{
//		StatusCode:    http.StatusOK,
//		Header:        http.Header{"Cache-Control": {"max-age=60"}},
//		Body:          io.NopCloser(strings.NewReader(page)),
//		ContentLength: int64(len(page)),
//	})
//	deleted, err := c.Delete(ctx, r, nil)
//
// The Cache API needs no binding in wrangler.toml. Every call waits for the
// cache (it is a Promise in JavaScript), so it takes the context of an
// event: r.Context() in an HTTP handler, the ctx of a Durable Object's
// method. A [Cache] is found at its first use and kept for the Go
// instance: [Default] and [Open] are cheap to call per request.
//
// # Bodies
//
// [Cache.Match] returns a response whose body streams as a fetch's does:
// one that the cache knows to be small (its Content-Length at most 64
// KiB) arrives whole, a longer one, or one of unknown length, is read as
// it comes. [Cache.Put] reads the response's body and closes it: a body
// of known length up to 64 KiB crosses whole; a longer one streams
// through a FixedLengthStream, so that the cache keeps its length; one of
// unknown length (ContentLength -1, or 0 with a body other than
// http.NoBody, unless the body is a *bytes.Reader, *bytes.Buffer or
// *strings.Reader) streams as it is read, and the cache keeps no length
// for it (workerd sends a plain stream to the cache chunked), so that
// Match streams it back with ContentLength -1. No body is held whole in
// Go's memory. A body shorter or longer than its ContentLength fails the
// put with [ErrLength].
//
// # What the cache keeps
//
// workerd refuses three kinds of responses: Put returns an error matching
// [ErrUncacheable], with workerd's message, before it reads the body,
// for the response to a request whose method is not GET ("Cannot cache
// response to non-GET request."), a 206 Partial Content, and a response
// whose Vary header has a "*". It drops a 304 Not Modified silently, as
// workerd does.
//
// The cache then decides, as an HTTP cache shared by many clients, what to
// keep and for how long; a response it does not keep is no error (the
// put succeeds, and Match finds nothing):
//
//   - its status must be one of 200, 203, 204, 300, 301, 302, 303, 307,
//     308, 404, 405, 410, 414 and 501;
//   - Cache-Control no-store, or private, keeps it out; so does a
//     Set-Cookie header, unless Cache-Control has private=set-cookie
//     (the cache then drops the Set-Cookie and keeps the response), and
//     an Authorization header in the request, unless the response is
//     public, must-revalidate or has s-maxage;
//   - it stays fresh for s-maxage, else max-age, else until Expires
//     (from its Date), else a tenth of the time since its Last-Modified,
//     less its Age; stale-while-revalidate and stale-if-error add to
//     that, and no-cache or proxy-revalidate take it to nothing. A
//     response with none of these (a plain 200) is fresh for no time:
//     Match does not find it.
//
// Match answers what it finds with the stored status and headers, names in
// lower case, plus CF-Cache-Status: HIT, Age (the response's at the
// put), Date (the time of the put) and, for a body of known length,
// Content-Length; hop-by-hop headers (Connection, Keep-Alive,
// Transfer-Encoding, ...) are dropped. Its request's headers make
// conditional and range requests: If-None-Match or If-Modified-Since that
// the entry satisfies gets a 304; Range gets a 206 with Content-Range (a
// multipart/byteranges body for several ranges), or a 416 for a range
// beyond the body. Vary is stored but does not split entries: a request
// with other Accept-Language finds the same response.
//
// A request whose method is not GET (a HEAD too) matches nothing, and
// deletes nothing; [QueryOptions].IgnoreMethod matches its URL whatever its
// method. A cache's keys are URLs (query included): a request whose URL is
// not absolute is refused with [ErrURL] before anything is sent.
//
// [Open] returns a cache of its own name, apart from the default cache and
// from any other: one called "default" is not the default cache. A name
// has fewer than 1,024 bytes ([ErrName]).
//
// These are the rules of wrangler dev's local cache, measured with wrangler
// 4.164.0 (workerd 1.20261117.1). Deployed, Cloudflare's cache applies
// its own (it may evict any entry at any time, and a Worker on a
// workers.dev route has no cache at all); workerd's refusals are the same.
//
// # Testing
//
// The dotest harness emulates the Cache API as wrangler dev runs it: the
// same refusals and messages, what is kept, for how long, with which
// headers, conditional and range requests. Freshness is the Worker's
// clock: a test that moves a dotest.ManualClock past an entry's max-age
// finds it gone (see the Example). The caches live as long as the dotest
// Worker: they survive Restart and Crash, and each New starts empty.
// Differences: Expires, Date and Last-Modified are read in HTTP's date
// formats and RFC 3339 (V8's Date.parse also reads others), and a
// multipart/byteranges boundary is another random one.
package cache
