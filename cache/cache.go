package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/godurable/godurable/internal/jsbody"
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
	caches, err := jsbody.Global("caches")
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
	var resp *http.Response
	err := c.query(ctx, "match", &resp, req, opts)
	return resp, err
}

// Delete deletes the response stored for req, and reports whether there
// was one (an expired one is not). A request whose method is not GET
// deletes nothing, unless opts.IgnoreMethod.
func (c *Cache) Delete(ctx context.Context, req *http.Request, opts *QueryOptions) (bool, error) {
	var deleted bool
	err := c.query(ctx, "delete", &deleted, req, opts)
	return deleted, err
}

// query calls match or delete for req into result.
func (c *Cache) query(ctx context.Context, method string, result any, req *http.Request, opts *QueryOptions) error {
	key, err := keyOf(req)
	if err != nil {
		return err
	}
	v, err := c.value(ctx)
	if err != nil {
		return err
	}
	args := []any{key}
	if opts != nil && opts.IgnoreMethod {
		args = append(args, map[string]any{"ignoreMethod": true})
	}
	if err := v.Call(ctx, method, result, args...); err != nil {
		return fmt.Errorf("cache: %s %s: %w", method, key.URL, err)
	}
	return nil
}

// Put stores resp as the response to req, reading and closing its body:
// a body of known length up to 64 KiB crosses whole, a longer one streams
// through a FixedLengthStream (so that the cache keeps its length), and
// one of unknown length (resp.ContentLength -1, or 0 with a body that is
// not http.NoBody, unless the body's type tells it) streams as it is
// read: no body is held whole in memory. Only the request's URL and
// headers count (Authorization, for one, keeps a response out of the
// cache unless it is public).
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
	class, err := jsbody.Global("Response")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	var sent *jsbody.Body
	var value any // the Response's body: null, bytes, or a stream
	if !nullBodyStatus(status) {
		if sent, err = jsbody.New(ctx, body, lengthOf(resp, body), ErrLength); err != nil {
			return fmt.Errorf("cache: put %s: %w", key.URL, err)
		}
		value = sent.Value
	}
	init := map[string]any{"status": status}
	if len(resp.Header) > 0 {
		init["headers"] = resp.Header
	}
	var r *jsbridge.Value
	err = class.New(ctx, &r, value, init)
	if err == nil {
		err = v.Call(ctx, "put", nil, key, r)
		r.Release()
	}
	if err = sent.Done(err); err != nil {
		return fmt.Errorf("cache: put %s: %w", key.URL, err)
	}
	return nil
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

// lengthOf is the length of a response's body, or -1 if it is unknown:
// its ContentLength, unless that is 0 with a body (which net/http takes
// for unknown), else what the body's type tells.
func lengthOf(resp *http.Response, body io.Reader) int64 {
	if resp.ContentLength > 0 {
		return resp.ContentLength
	}
	return jsbody.LengthOf(body)
}

func nullBodyStatus(status int) bool {
	switch status {
	case 101, 204, 205, 304:
		return true
	}
	return false
}
