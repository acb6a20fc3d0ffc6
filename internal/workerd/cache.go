package workerd

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// The Cache API (the caches global: caches.default and caches.open(name)),
// as local workerd runs it: workerd's own checks (cache.c++: what put
// refuses with a TypeError, what it drops silently, what match and delete
// answer for a method other than GET), and the rules of wrangler dev's
// cache (miniflare's cache worker, with http-cache-semantics 4.1.1 as a
// shared cache): what it stores, for how long, with which headers, and
// how it answers conditional and range requests. Time is the Worker's
// clock, so a test's manual clock makes an entry expire. The caches live
// as long as the Isolate, across Restart and Crash, as wrangler dev keeps
// them in its state directory.

// cacheStore is the Cache API of an Isolate.
type cacheStore struct {
	clock interface{ Now() time.Time }

	mu      sync.Mutex
	entries map[string]map[string]*cacheEntry // by namespace, by URL
	storage *JSObject                         // the caches global
}

// cacheEntry is one stored response: its headers as miniflare stores them
// (names in lower case), and when it expires.
type cacheEntry struct {
	status  int
	header  http.Header
	body    []byte
	expires time.Time
}

// cacheMaxName is the length a cache's name must stay below (cache.c++).
const cacheMaxName = 1024

// cacheStorage returns the caches global of iso.
func (iso *Isolate) cacheStorage() *JSObject {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.caches == nil {
		iso.caches = newCacheStore(iso.cfg.Clock)
	}
	return iso.caches.storage
}

func newCacheStore(clock interface{ Now() time.Time }) *cacheStore {
	s := &cacheStore{clock: clock, entries: map[string]map[string]*cacheEntry{}}
	s.storage = &JSObject{Class: "CacheStorage", Props: map[string]any{"default": s.cache("default")}}
	s.storage.Methods = map[string]any{
		"open": func(_ context.Context, name string) (*JSObject, error) {
			if len(name) >= cacheMaxName {
				return nil, NewJSError("TypeError", "Cache name is too long.")
			}
			return s.cache("named:" + name), nil
		},
	}
	return s
}

// now is the time of the cache's clock, at the millisecond, as Date.now.
func (s *cacheStore) now() time.Time { return time.UnixMilli(s.clock.Now().UnixMilli()) }

// cache returns a Cache object of the namespace ns: "default" is
// caches.default, "named:<name>" what caches.open(name) opens.
func (s *cacheStore) cache(ns string) *JSObject {
	return &JSObject{Class: "Cache", Methods: map[string]any{
		"match": func(_ context.Context, req any, opts map[string]any) (any, error) {
			return s.match(ns, req, truthy(opts["ignoreMethod"]))
		},
		"put": func(_ context.Context, req, resp any) error {
			return s.put(ns, req, resp)
		},
		"delete": func(_ context.Context, req any, opts map[string]any) (bool, error) {
			return s.delete(ns, req, truthy(opts["ignoreMethod"]))
		},
		"add": func(any) error {
			return NewJSError("Error", "Failed to execute 'add' on 'Cache': the method is not implemented.")
		},
		"addAll": func(any) error {
			return NewJSError("Error", "Failed to execute 'addAll' on 'Cache': the method is not implemented.")
		},
	}}
}

// cacheKey is a request as the Cache API takes one: a URL or a Request.
type cacheKey struct {
	method string
	url    string
	header http.Header
}

// cacheKeyOf coerces v, a URL or a Request, as workerd's Request::coerce.
func cacheKeyOf(v any) (*cacheKey, error) {
	switch x := v.(type) {
	case string:
		u, err := url.Parse(x)
		if err != nil || !u.IsAbs() {
			return nil, NewJSError("TypeError", "Invalid URL: "+x)
		}
		return &cacheKey{method: http.MethodGet, url: u.String(), header: http.Header{}}, nil
	case *http.Request:
		return &cacheKey{method: normalizeMethod(x.Method), url: x.URL.String(), header: x.Header}, nil
	}
	if f := fetchOf(v, true); f != nil {
		return &cacheKey{method: f.method, url: f.url, header: f.header}, nil
	}
	return nil, NewJSError("TypeError", fmt.Sprintf("Failed to execute on 'Cache': %s is not a URL or a Request", jsDescribe(v)))
}

// lookup returns the entry of key in ns, forgetting it if it has expired
// (expired reports that).
func (s *cacheStore) lookup(ns, key string, forget bool) (e *cacheEntry, expired bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e = s.entries[ns][key]
	if e == nil {
		return nil, false
	}
	expired = !e.expires.After(s.now())
	if expired || forget {
		delete(s.entries[ns], key)
	}
	if expired {
		return nil, true
	}
	return e, false
}

func (s *cacheStore) match(ns string, req any, ignoreMethod bool) (any, error) {
	k, err := cacheKeyOf(req)
	if err != nil {
		return nil, err
	}
	if !ignoreMethod && k.method != http.MethodGet {
		return jsUndefined{}, nil
	}
	e, _ := s.lookup(ns, k.url, false)
	if e == nil {
		return jsUndefined{}, nil
	}
	return matchResponse(k.header, e), nil
}

// matchResponse answers a hit as local workerd's cache does: the stored
// response with CF-Cache-Status: HIT, or a 304 for a conditional request
// that the entry satisfies, or a part of it for a range request.
func matchResponse(req http.Header, e *cacheEntry) *JSObject {
	h := e.header.Clone()
	h.Set("Cf-Cache-Status", "HIT")
	size := len(e.body)
	var ranges [][2]int
	if r := req.Get("Range"); r != "" {
		var ok bool
		if ranges, ok = parseRanges(r, size); !ok {
			return newFetchObject(&fetchObject{status: http.StatusRequestedRangeNotSatisfiable, statusText: "Range Not Satisfiable",
				header: http.Header{"Content-Range": {fmt.Sprintf("bytes */%d", size)}, "Cf-Cache-Status": {"HIT"}}})
		}
	}
	notModified := &fetchObject{status: http.StatusNotModified, statusText: "Not Modified", header: h}
	if inm, etag := req.Get("If-None-Match"), h.Get("Etag"); inm != "" && etag != "" {
		if tag, ok := parseETag(etag); ok {
			if strings.TrimSpace(inm) == "*" {
				return newFetchObject(notModified)
			}
			for _, t := range strings.Split(inm, ",") {
				if u, ok := parseETag(t); ok && u == tag {
					return newFetchObject(notModified)
				}
			}
		}
	}
	if ims, lm := req.Get("If-Modified-Since"), h.Get("Last-Modified"); ims != "" && lm != "" {
		since, ok1 := parseUTCDate(ims)
		modified, ok2 := parseUTCDate(lm)
		if ok1 && ok2 && !modified.After(since) {
			return newFetchObject(notModified)
		}
	}
	f := &fetchObject{status: e.status, statusText: http.StatusText(e.status), header: h}
	switch len(ranges) {
	case 0:
		f.body, f.length = wholeStream(e.body)
	case 1:
		start, end := ranges[0][0], ranges[0][1]
		f.status, f.statusText = http.StatusPartialContent, "Partial Content"
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
		h.Set("Content-Length", strconv.Itoa(end-start+1))
		f.body, f.length = wholeStream(e.body[start : end+1])
	default:
		// Parts as miniflare writes them (its Content-Length stays the
		// whole entry's).
		f.status, f.statusText = http.StatusPartialContent, "Partial Content"
		boundary := "miniflare-boundary-" + randomUUID()
		var b strings.Builder
		for i, r := range ranges {
			if i > 0 {
				b.WriteString("\r\n")
			}
			fmt.Fprintf(&b, "--%s\r\n", boundary)
			if ct := e.header.Get("Content-Type"); ct != "" {
				fmt.Fprintf(&b, "Content-Type: %s\r\n", ct)
			}
			fmt.Fprintf(&b, "Content-Range: bytes %d-%d/%d\r\n\r\n", r[0], r[1], size)
			b.Write(e.body[r[0] : r[1]+1])
		}
		fmt.Fprintf(&b, "\r\n--%s--", boundary)
		h.Set("Content-Type", "multipart/byteranges; boundary="+boundary)
		f.body, f.length = wholeStream([]byte(b.String()))
	}
	return newFetchObject(f)
}

func (s *cacheStore) put(ns string, req, resp any) error {
	r := fetchOf(resp, false)
	if r == nil {
		if hr, ok := resp.(*http.Response); ok {
			r = responseObject(hr).fetch
		}
	}
	if r == nil {
		return NewJSError("TypeError", "Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.")
	}
	k, err := cacheKeyOf(req)
	if err != nil {
		return err
	}
	switch {
	case k.method != http.MethodGet:
		return NewJSError("TypeError", "Cannot cache response to non-GET request.")
	case r.status == http.StatusPartialContent:
		return NewJSError("TypeError", "Cannot cache response to a range request (206 Partial Content).")
	case strings.Contains(strings.Join(r.header.Values("Vary"), ","), "*"):
		return NewJSError("TypeError", "Cannot cache response with 'Vary: *' header.")
	case r.status == http.StatusNotModified:
		return nil // dropped silently, as workerd does
	}
	known := r.body == nil || r.length >= 0
	body, err := r.readBody()
	if err != nil {
		return err
	}
	// The response as workerd serializes it for the cache: its connection
	// headers are kj's (a known length, else chunked, which the cache
	// drops).
	header := r.header.Clone()
	for _, name := range []string{"Connection", "Keep-Alive", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length"} {
		header.Del(name)
	}
	if known {
		header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	now := s.now()
	p := newCachePolicy(now, k.header, r.status, header)
	if !p.storable() {
		return nil // the cache answers 413, which workerd takes as a put that stored nothing
	}
	e := &cacheEntry{status: r.status, header: p.storedHeaders(), body: body, expires: now.Add(p.timeToLive())}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries[ns] == nil {
		s.entries[ns] = map[string]*cacheEntry{}
	}
	s.entries[ns][k.url] = e
	return nil
}

func (s *cacheStore) delete(ns string, req any, ignoreMethod bool) (bool, error) {
	k, err := cacheKeyOf(req)
	if err != nil {
		return false, err
	}
	if !ignoreMethod && k.method != http.MethodGet {
		return false, nil
	}
	e, _ := s.lookup(ns, k.url, true)
	return e != nil, nil
}

// cachePolicy is what the local cache decides of a response, as
// http-cache-semantics 4.1.1 decides it for a shared cache of a GET
// (miniflare's getExpiration): headers are single strings under lower-case
// names, Cache-Control directives are kept as written (their names are not
// folded), and JavaScript's truthiness decides whether a directive is set.
type cachePolicy struct {
	now    time.Time
	status int
	res    map[string]string
	cc     map[string]ccValue
	noAuth bool
}

// ccValue is a Cache-Control directive: true without a value, else its
// value.
type ccValue struct {
	flag  bool
	value string
}

// set is the directive's JavaScript truthiness.
func (v ccValue) set() bool { return v.flag || v.value != "" }

// number is toNumberOrZero of the directive: parseInt of its value.
func (v ccValue) number() float64 {
	if v.flag {
		return 0
	}
	return parseIntOrZero(v.value)
}

var (
	understoodStatus       = statusSet(200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501)
	cacheableByDefault     = statusSet(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501)
	hopByHop               = []string{"date", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"}
	privateSetCookie       = regexp.MustCompile(`(?i)private=set-cookie;?`)
	etagPattern            = regexp.MustCompile(`^(W/)?"(.+)"$`)
	utcDatePattern         = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d\d\d \d\d:\d\d:\d\d GMT$`)
	rangePrefix            = regexp.MustCompile(`(?i)^ *bytes *=`)
	rangeSpec              = regexp.MustCompile(`^ *(\d+)? *- *(\d+)? *$`)
	warning1xx             = regexp.MustCompile(`^\s*1[0-9][0-9]`)
	immutableMinTTLSeconds = 24 * 3600 * 1e3 // http-cache-semantics' default, in milliseconds, compared with seconds
)

func statusSet(codes ...int) map[int]bool {
	m := map[int]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// singleValues is a Headers object's iteration as a map: names in lower
// case, repeated values joined.
func singleValues(h http.Header) map[string]string {
	out := map[string]string{}
	for _, kv := range JSHeaders(h) {
		out[kv[0]] = kv[1] // the last Set-Cookie, which Headers keeps apart
	}
	return out
}

func newCachePolicy(now time.Time, req http.Header, status int, res http.Header) *cachePolicy {
	p := &cachePolicy{now: now, status: status, res: singleValues(res)}
	p.noAuth = singleValues(req)["authorization"] == ""
	if cc := p.res["cache-control"]; strings.Contains(strings.ToLower(cc), "private=set-cookie") {
		loc := privateSetCookie.FindStringIndex(strings.ToLower(cc))
		lower := strings.ToLower(cc)
		p.res["cache-control"] = lower[:loc[0]] + lower[loc[1]:]
		delete(p.res, "set-cookie")
	}
	p.cc = parseCacheControl(p.res["cache-control"])
	if _, ok := p.res["cache-control"]; !ok && strings.Contains(p.res["pragma"], "no-cache") {
		p.cc["no-cache"] = ccValue{flag: true}
	}
	return p
}

// parseCacheControl parses a Cache-Control header as http-cache-semantics
// does: split at commas, each directive at its first two "=".
func parseCacheControl(h string) map[string]ccValue {
	cc := map[string]ccValue{}
	if h == "" {
		return cc
	}
	for _, part := range strings.Split(strings.TrimSpace(h), ",") {
		kv := strings.SplitN(part, "=", 3)
		k := strings.TrimSpace(kv[0])
		if len(kv) == 1 {
			cc[k] = ccValue{flag: true}
			continue
		}
		v := strings.TrimSpace(kv[1])
		v = strings.TrimPrefix(v, `"`)
		v = strings.TrimSuffix(v, `"`)
		cc[k] = ccValue{value: v}
	}
	return cc
}

// storable is http-cache-semantics' storable() of a GET in a shared
// cache, and miniflare's refusal of a Set-Cookie.
func (p *cachePolicy) storable() bool {
	cc := p.cc
	switch {
	case !understoodStatus[p.status], cc["no-store"].set(), cc["private"].set():
		return false
	case !p.noAuth && !cc["must-revalidate"].set() && !cc["public"].set() && !cc["s-maxage"].set():
		return false
	case !(p.res["expires"] != "" || cc["max-age"].set() || cc["s-maxage"].set() || cc["public"].set() || cacheableByDefault[p.status]):
		return false
	}
	_, cookie := p.res["set-cookie"]
	return !cookie
}

// date is the response's Date, or now.
func (p *cachePolicy) date() time.Time {
	if t, ok := parseDate(p.res["date"]); ok {
		return t
	}
	return p.now
}

// age is the response's Age, in seconds (no time has passed since it was
// received).
func (p *cachePolicy) age() float64 { return parseIntOrZero(p.res["age"]) }

// maxAge is http-cache-semantics' maxAge(), in seconds.
func (p *cachePolicy) maxAge() float64 {
	cc := p.cc
	_, cookie := p.res["set-cookie"]
	switch {
	case !p.storable() || cc["no-cache"].set():
		return 0
	case cookie && !cc["public"].set() && !cc["immutable"].set():
		return 0
	case p.res["vary"] == "*", cc["proxy-revalidate"].set():
		return 0
	case cc["s-maxage"].set():
		return cc["s-maxage"].number()
	case cc["max-age"].set():
		return cc["max-age"].number()
	}
	minTTL := 0.0
	if cc["immutable"].set() {
		minTTL = immutableMinTTLSeconds
	}
	server := p.date()
	if e := p.res["expires"]; e != "" {
		expires, ok := parseDate(e)
		if !ok || expires.Before(server) {
			return 0
		}
		return math.Max(minTTL, expires.Sub(server).Seconds())
	}
	if lm := p.res["last-modified"]; lm != "" {
		if modified, ok := parseDate(lm); ok && server.After(modified) {
			return math.Max(minTTL, server.Sub(modified).Seconds()*0.1)
		}
	}
	return minTTL
}

// hasExplicitExpiration is http-cache-semantics' _hasExplicitExpiration().
func (p *cachePolicy) hasExplicitExpiration() bool {
	return p.cc["s-maxage"].set() || p.cc["max-age"].set() || p.res["expires"] != ""
}

// timeToLive is http-cache-semantics' timeToLive(): how long the entry
// is kept.
func (p *cachePolicy) timeToLive() time.Duration {
	fresh := p.maxAge() - p.age()
	ttl := math.Max(math.Max(0, fresh), math.Max(fresh+p.cc["stale-if-error"].number(), fresh+p.cc["stale-while-revalidate"].number()))
	return time.Duration(ttl * float64(time.Second))
}

// storedHeaders is http-cache-semantics' responseHeaders(): the headers
// the entry keeps, without the hop-by-hop ones, with Age and Date.
func (p *cachePolicy) storedHeaders() http.Header {
	h := http.Header{}
	for k, v := range p.res {
		h[k] = []string{v}
	}
	for _, k := range hopByHop {
		delete(h, k)
	}
	if c := p.res["connection"]; c != "" {
		for _, t := range strings.Split(strings.TrimSpace(c), ",") {
			delete(h, strings.TrimSpace(t))
		}
	}
	if w, ok := h["warning"]; ok {
		var keep []string
		for _, x := range strings.Split(w[0], ",") {
			if !warning1xx.MatchString(x) {
				keep = append(keep, x)
			}
		}
		if len(keep) > 0 {
			h["warning"] = []string{strings.TrimSpace(strings.Join(keep, ","))}
		} else {
			delete(h, "warning")
		}
	}
	age := p.age()
	if age > 24*3600 && !p.hasExplicitExpiration() && p.maxAge() > 24*3600 {
		w := `113 - "rfc7234 5.5.4"`
		if old, ok := h["warning"]; ok {
			w = old[0] + ", " + w
		}
		h["warning"] = []string{w}
	}
	h["age"] = []string{strconv.FormatFloat(math.Floor(age+0.5), 'f', -1, 64)}
	h["date"] = []string{p.now.UTC().Format(http.TimeFormat)}
	// Canonical names, for http.Header's Get; the names cross to Go in
	// lower case in any case.
	out := http.Header{}
	for k, vs := range h {
		out[http.CanonicalHeaderKey(k)] = vs
	}
	return out
}

// parseIntOrZero is toNumberOrZero: JavaScript's parseInt(s, 10) (leading
// white space, a sign and digits), or 0.
func parseIntOrZero(s string) float64 {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	digits := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == digits {
		return 0
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// parseDate is Date.parse for the dates of HTTP headers (the formats of
// RFC 9110, and ISO 8601).
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := http.ParseTime(s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// parseUTCDate is miniflare's strict parse of the dates of conditional
// requests.
func parseUTCDate(s string) (time.Time, bool) {
	if !utcDatePattern.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(http.TimeFormat, s)
	return t, err == nil
}

// parseETag is an ETag's opaque tag, weak or not.
func parseETag(s string) (string, bool) {
	m := etagPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	return m[2], true
}

// parseRanges is miniflare's parseRanges: the ranges a Range header asks
// of size bytes (none: the whole body), or false if they cannot be
// satisfied.
func parseRanges(header string, size int) ([][2]int, bool) {
	loc := rangePrefix.FindStringIndex(header)
	if loc == nil {
		return nil, false
	}
	rest := header[loc[1]:]
	if strings.TrimLeft(rest, " \t\n\r") == "" {
		return nil, true
	}
	var out [][2]int
	for _, r := range strings.Split(rest, ",") {
		m := rangeSpec.FindStringSubmatch(r)
		if m == nil {
			return nil, false
		}
		start, end := -1, -1
		if m[1] != "" {
			start = atoiSaturating(m[1])
		}
		if m[2] != "" {
			end = atoiSaturating(m[2])
		}
		switch {
		case start >= 0 && end >= 0:
			if start > end || start >= size {
				return nil, false
			}
			out = append(out, [2]int{start, min(end, size-1)})
		case start >= 0:
			if start >= size {
				return nil, false
			}
			out = append(out, [2]int{start, size - 1})
		case end >= 0:
			if end >= size {
				return nil, true
			}
			if end == 0 {
				continue
			}
			out = append(out, [2]int{size - end, size - 1})
		default:
			return nil, false
		}
	}
	return out, true
}

func atoiSaturating(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return math.MaxInt
	}
	return n
}

// truthy is JavaScript's truthiness of a value decoded into an any.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if n, ok := numberOf(v); ok {
		return n != 0 && !math.IsNaN(n)
	}
	return true
}
