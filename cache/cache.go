package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/godurable/godurable/jsbridge"
)

// ErrUncacheable is matched by the error of [Cache.Put] for a response
// that workerd refuses to cache: the response to a request whose method
// is not GET, a 206 Partial Content, or one whose Vary header has a "*".
// The error's message is workerd's.
var ErrUncacheable = errors.New("cache: workerd refuses to cache the response")

// ErrURL is matched by the error of an operation whose request's URL is
// not absolute: a cache's keys are full URLs.
var ErrURL = errors.New("cache: the request's URL is not absolute")

// ErrName is matched by the error of [Open] for a name of 1,024 bytes or
// more (workerd's limit).
var ErrName = errors.New("cache: the cache's name is too long")

// ErrLength is matched by the error of [Cache.Put] for a body whose
// length is not the response's ContentLength.
var ErrLength = errors.New("cache: the body's length is not the response's ContentLength")

// maxName is the length a cache's name must stay below.
const maxName = 1024

// wholeBelow is the size up to which a body crosses whole, as bytes,
// rather than as a stream.
const wholeBelow = 64 << 10

// Cache is one of the Worker's caches: the default one ([Default]) or a
// named one ([Open]), JavaScript's Cache. A Cache is safe for concurrent
// use, by any event of the Go instance.
type Cache struct {
	name string // "" for the default cache

	mu sync.Mutex
	v  *jsbridge.Value // the JavaScript Cache, once found
}

// QueryOptions are the options of [Cache.Match] and [Cache.Delete]
// (JavaScript's CacheQueryOptions).
type QueryOptions struct {
	// IgnoreMethod matches the request's URL whatever its method: without
	// it, a request whose method is not GET matches nothing.
	IgnoreMethod bool
}

var (
	defaultCache = &Cache{}
	named        sync.Map // name -> *Cache
)

// Default returns the default cache (caches.default): the one that
// fetch's cache uses too on Cloudflare.
func Default() *Cache { return defaultCache }

// Open returns the cache called name (caches.open(name)), a namespace of
// its own, apart from the default cache (even one called "default"). Its
// error matches ErrName for a name of 1,024 bytes or more.
func Open(ctx context.Context, name string) (*Cache, error) {
	if len(name) >= maxName {
		return nil, fmt.Errorf("%w: %d bytes (Cache name is too long.)", ErrName, len(name))
	}
	c, _ := named.LoadOrStore(name, &Cache{name: name})
	if _, err := c.(*Cache).value(ctx); err != nil {
		return nil, err
	}
	return c.(*Cache), nil
}

// Name returns the cache's name: "" for the default cache.
func (c *Cache) Name() string { return c.name }

// value returns the JavaScript Cache, found at its first use and kept for
// the Go instance's life (a Cache is no I/O object of one request).
func (c *Cache) value(ctx context.Context) (*jsbridge.Value, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.v != nil {
		return c.v, nil
	}
	caches, err := global("caches")
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	var v *jsbridge.Value
	if c == defaultCache {
		err = caches.Get(ctx, "default", &v)
	} else {
		err = caches.Call(ctx, "open", &v, c.name)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	c.v = v
	return v, nil
}

// Match returns the response stored for req, or nil (and no error) if
// there is none. Its body streams, as a fetch's does; close it. A
// request whose method is not GET matches nothing, unless
// opts.IgnoreMethod; the request's headers make a conditional request
// (If-None-Match, If-Modified-Since: a 304) or a range request (Range: a
// 206, or a 416) of the stored response.
func (c *Cache) Match(ctx context.Context, req *http.Request, opts *QueryOptions) (*http.Response, error) {
	key, err := keyOf(req)
	if err != nil {
		return nil, err
	}
	v, err := c.value(ctx)
	if err != nil {
		return nil, err
	}
	var resp *http.Response
	if err := v.Call(ctx, "match", &resp, queryArgs(key, opts)...); err != nil {
		return nil, fmt.Errorf("cache: match %s: %w", key.URL, err)
	}
	return resp, nil
}

// Delete deletes the response stored for req, and reports whether there
// was one (an expired one is not). A request whose method is not GET
// deletes nothing, unless opts.IgnoreMethod.
func (c *Cache) Delete(ctx context.Context, req *http.Request, opts *QueryOptions) (bool, error) {
	key, err := keyOf(req)
	if err != nil {
		return false, err
	}
	v, err := c.value(ctx)
	if err != nil {
		return false, err
	}
	var deleted bool
	if err := v.Call(ctx, "delete", &deleted, queryArgs(key, opts)...); err != nil {
		return false, fmt.Errorf("cache: delete %s: %w", key.URL, err)
	}
	return deleted, nil
}

// Put stores resp as the response to req, reading and closing its body:
// a body of known length up to 64 KiB crosses whole, a longer one streams
// through a FixedLengthStream (so that the cache keeps its length), and
// one of unknown length (resp.ContentLength -1, or 0 with a body that is
// not http.NoBody) streams as it is read: no body is held whole in
// memory. Only the
// request's URL and headers count (Authorization, for one, keeps a
// response out of the cache unless it is public).
//
// Put returns an error matching ErrUncacheable, before reading the body,
// for what workerd refuses; it drops a 304 silently, as workerd does.
// What the cache decides not to store (Cache-Control no-store or private,
// a Set-Cookie, a status it does not cache, no freshness) is no error:
// the response is read and dropped, and Match finds nothing.
func (c *Cache) Put(ctx context.Context, req *http.Request, resp *http.Response) (err error) {
	body := resp.Body
	if body == nil {
		body = http.NoBody
	}
	defer func() {
		if cerr := body.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("cache: closing the body: %w", cerr)
		}
	}()
	key, err := keyOf(req)
	if err != nil {
		return err
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case key.Method != http.MethodGet:
		return fmt.Errorf("%w: Cannot cache response to non-GET request.", ErrUncacheable)
	case status == http.StatusPartialContent:
		return fmt.Errorf("%w: Cannot cache response to a range request (206 Partial Content).", ErrUncacheable)
	case strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "*"):
		return fmt.Errorf("%w: Cannot cache response with 'Vary: *' header.", ErrUncacheable)
	case status == http.StatusNotModified:
		return nil
	}
	v, err := c.value(ctx)
	if err != nil {
		return err
	}
	r, err := newResponse(ctx, status, resp.Header, body, lengthOf(resp, body))
	if err != nil {
		return fmt.Errorf("cache: put %s: %w", key.URL, err)
	}
	defer r.release()
	if err := v.Call(ctx, "put", nil, key, r.v); err != nil {
		return fmt.Errorf("cache: put %s: %w", key.URL, r.done(err))
	}
	return r.done(nil)
}

// keyOf is the request as the cache sees it: its method, URL and headers,
// without its body (which the cache never reads).
func keyOf(req *http.Request) (*http.Request, error) {
	if req == nil || req.URL == nil || !req.URL.IsAbs() {
		u := ""
		if req != nil && req.URL != nil {
			u = req.URL.String()
		}
		return nil, fmt.Errorf("%w: %q", ErrURL, u)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	return &http.Request{Method: method, URL: req.URL, Header: req.Header}, nil
}

// queryArgs are the arguments of match and delete.
func queryArgs(key *http.Request, opts *QueryOptions) []any {
	if opts == nil || !opts.IgnoreMethod {
		return []any{key}
	}
	return []any{key, map[string]any{"ignoreMethod": true}}
}

// lengthOf is the length of a response's body, or -1 if it is unknown.
func lengthOf(resp *http.Response, body io.Reader) int64 {
	if body == http.NoBody {
		return 0
	}
	if resp.ContentLength > 0 {
		return resp.ContentLength
	}
	switch b := body.(type) {
	case *bytes.Reader:
		return int64(b.Len())
	case *bytes.Buffer:
		return int64(b.Len())
	case *strings.Reader:
		return int64(b.Len())
	}
	return -1
}

// response is a JavaScript Response made of a Go body.
type response struct {
	v     *jsbridge.Value
	sized *sizedReader
	extra []*jsbridge.Value // values to release with it
}

// newResponse builds new Response(body, {status, headers}) on behalf of
// the event of ctx, from a body of length bytes (-1: unknown).
func newResponse(ctx context.Context, status int, header http.Header, body io.Reader, length int64) (*response, error) {
	class, err := global("Response")
	if err != nil {
		return nil, err
	}
	r := &response{}
	var value any // the body: null, bytes, or a ReadableStream
	switch {
	case length == 0 || nullBodyStatus(status):
		value = nil
	case length < 0:
		value = body
	case length <= wholeBelow:
		r.sized = &sizedReader{r: body, size: length}
		b, err := io.ReadAll(r.sized)
		if err != nil {
			return nil, err
		}
		value = b
	default:
		// Object(body) is the ReadableStream Go writes the body into,
		// piped through new FixedLengthStream(length), whose readable
		// half has the length that the cache then stores (workerd sends
		// a plain ReadableStream to the cache chunked, without one).
		r.sized = &sizedReader{r: body, size: length}
		readable, err := fixedLength(ctx, r.sized, length, r)
		if err != nil {
			r.release()
			return nil, err
		}
		value = readable
	}
	init := map[string]any{"status": status}
	if len(header) > 0 {
		init["headers"] = header
	}
	if err := class.New(ctx, &r.v, value, init); err != nil {
		r.release()
		return nil, err
	}
	return r, nil
}

// fixedLength returns the readable half of new FixedLengthStream(length)
// that body is piped into; r keeps the values to release.
func fixedLength(ctx context.Context, body io.Reader, length int64, r *response) (*jsbridge.Value, error) {
	fls, err := global("FixedLengthStream")
	if err != nil {
		return nil, err
	}
	object, err := global("Object")
	if err != nil {
		return nil, err
	}
	var pair, src, readable *jsbridge.Value
	if err := fls.New(ctx, &pair, length); err != nil {
		return nil, err
	}
	r.extra = append(r.extra, pair)
	if err := object.Invoke(ctx, &src, body); err != nil {
		return nil, err
	}
	r.extra = append(r.extra, src)
	if err := src.Call(ctx, "pipeThrough", &readable, pair); err != nil {
		return nil, err
	}
	r.extra = append(r.extra, readable)
	return readable, nil
}

func (r *response) release() {
	r.v.Release()
	for _, v := range r.extra {
		v.Release()
	}
}

// done returns the error of the put that sent the body, which was err:
// the body's own (ErrLength, a read error) if it failed.
func (r *response) done(err error) error {
	if r.sized != nil && r.sized.err != nil {
		return r.sized.err
	}
	return err
}

func nullBodyStatus(status int) bool {
	switch status {
	case 101, 204, 205, 304:
		return true
	}
	return false
}

// sizedReader reads a body that must have size bytes, neither fewer nor
// more; err is why it does not, or the body's read error.
type sizedReader struct {
	r       io.Reader
	size, n int64
	err     error
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.n == s.size {
		var one [1]byte
		if n, _ := io.ReadFull(s.r, one[:]); n > 0 {
			s.err = fmt.Errorf("%w: it has more than %d bytes", ErrLength, s.size)
			return 0, s.err
		}
		return 0, io.EOF
	}
	if rest := s.size - s.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	switch {
	case err == io.EOF && s.n < s.size:
		s.err = fmt.Errorf("%w: it ended after %d of %d bytes", ErrLength, s.n, s.size)
	case err != nil && err != io.EOF:
		s.err = err
	}
	if err == io.EOF && s.err == nil {
		err = nil // the end is told at the next Read, once the size is checked
	}
	return n, s.err
}

var globals struct {
	sync.Mutex
	byName map[string]*jsbridge.Value
}

// global returns the global called name, found once per Go instance.
func global(name string) (*jsbridge.Value, error) {
	globals.Lock()
	defer globals.Unlock()
	if v := globals.byName[name]; v != nil {
		return v, nil
	}
	v, err := jsbridge.Global(name)
	if err != nil {
		return nil, err
	}
	if globals.byName == nil {
		globals.byName = map[string]*jsbridge.Value{}
	}
	globals.byName[name] = v
	return v, nil
}
