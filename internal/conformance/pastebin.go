package conformance

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PastebinMiBEnv sets the size, in MiB, of the paste that RunPastebin
// streams in and out through the Go Worker (default 20), logging the Go
// instance's heap around the transfers.
const PastebinMiBEnv = "GODURABLE_PASTEBIN_MIB"

// RunPastebin checks the contract of examples/pastebin against target
// from outside, as its clients see it: HTTP through the Worker, and the
// RPC methods of its default entrypoint through the JavaScript caller's
// service binding TARGET (the entrypoint Debug, bound as DEBUG, reports
// the Go heap and the bucket's objects).
func RunPastebin(t *testing.T, target Target) {
	p := &pastebin{suite{target: target}}
	t.Run("Contract", p.contract)
	t.Run("Errors", p.errors)
	t.Run("Chunked", p.chunked)
	t.Run("Big", p.big)
	t.Run("RPC", p.rpc)
}

type pastebin struct{ suite }

var pasteID = regexp.MustCompile(`^[a-z0-9]{12}$`)

// create posts body (size -1: chunked) and returns the 201's fields.
func (p *pastebin) create(t *testing.T, query, contentType string, body io.Reader, size int64) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://worker/pastes"+query, body)
	req.ContentLength = size
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	out := decodeJSON(t, expectStatus(t, p.target.Fetch(t, req), 201)).(map[string]any)
	if !pasteID.MatchString(fmt.Sprint(out["id"])) || len(out) != 5 {
		t.Errorf("POST /pastes: %v", out)
	}
	return out
}

// fetch sends a request without compression: workerd gzips a text/plain
// body for a client that accepts it (as Cloudflare does), without its
// Content-Length.
func (p *pastebin) fetch(t *testing.T, method, path string, h http.Header) *Response {
	t.Helper()
	req, _ := http.NewRequest(method, "http://worker"+path, nil)
	req.Header.Set("Accept-Encoding", "identity")
	for k, v := range h {
		req.Header[k] = v
	}
	return p.target.Fetch(t, req)
}

func (p *pastebin) jsonError(t *testing.T, what string, r *Response, status int) {
	t.Helper()
	if r.Status != status || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: %d %s %s, want %d and JSON", what, r.Status, r.Header.Get("Content-Type"), r.Body, status)
		return
	}
	if e, _ := decodeJSON(t, r).(map[string]any); len(e) != 1 || e["error"] == nil {
		t.Errorf("%s: %s, want {\"error\"}", what, r.Body)
	}
}

func (p *pastebin) objects(t *testing.T) []string {
	t.Helper()
	keys, jerr := p.target.Call(t, "DEBUG", ServiceBinding, "objects")
	if jerr != nil {
		t.Fatalf("objects(): %v", jerr)
	}
	var out []string
	for _, k := range keys.([]any) {
		out = append(out, k.(string))
	}
	return out
}

func (p *pastebin) contract(t *testing.T) {
	const text = "abcdefghijklmnopqrstuvwxyz"
	sum := md5.Sum([]byte(text))
	etag := hex.EncodeToString(sum[:])
	made := p.create(t, "?ttl=3600", "text/plain", strings.NewReader(text), int64(len(text)))
	id := made["id"].(string)
	equal(t, "POST /pastes", []any{made["size"], made["content_type"], made["etag"], made["expires_at"] != nil}, []any{26.0, "text/plain", etag, true})
	path := "/pastes/" + id
	quoted := `"` + etag + `"`
	for _, c := range []struct {
		method, rng, inm  string
		status            int
		body, length, crg string
	}{
		{"GET", "", "", 200, text, "26", ""},
		{"HEAD", "", "", 200, "", "26", ""},
		{"GET", "bytes=0-4", "", 206, "abcde", "5", "bytes 0-4/26"},
		{"GET", "bytes=20-", "", 206, "uvwxyz", "6", "bytes 20-25/26"},
		{"GET", "bytes=-3", "", 206, "xyz", "3", "bytes 23-25/26"},
		{"HEAD", "bytes=-3", "", 206, "", "3", "bytes 23-25/26"},
		{"GET", "bytes=0-1,4-5", "", 200, text, "26", ""},
		{"GET", "", quoted, 304, "", "", ""},
		{"GET", "", `"other"`, 200, text, "26", ""},
	} {
		h := http.Header{}
		if c.rng != "" {
			h.Set("Range", c.rng)
		}
		if c.inm != "" {
			h.Set("If-None-Match", c.inm)
		}
		r := p.fetch(t, c.method, path, h)
		what := fmt.Sprintf("%s %s (Range %q, If-None-Match %q)", c.method, path, c.rng, c.inm)
		ct := "text/plain"
		if c.status == 304 {
			ct = ""
		}
		equal(t, what, []any{r.Status, string(r.Body), r.Header.Get("Content-Length"), r.Header.Get("Content-Range"), r.Header.Get("ETag"), r.Header.Get("Content-Type")},
			[]any{c.status, c.body, c.length, c.crg, quoted, ct})
	}
	r := p.fetch(t, "GET", path, http.Header{"Range": {"bytes=26-"}})
	p.jsonError(t, "an unsatisfiable range", r, 416)
	equal(t, "its Content-Range", r.Header.Get("Content-Range"), "bytes */26")

	others := []string{id}
	for range 4 {
		others = append(others, p.create(t, "", "", strings.NewReader("x"), 1)["id"].(string))
	}
	slices.Sort(others)
	var listed []string
	for cursor := ""; ; {
		page := p.getJSON(t, "/pastes?limit=2&cursor="+cursor, 200).(map[string]any)
		for _, e := range page["pastes"].([]any) {
			listed = append(listed, e.(map[string]any)["id"].(string))
		}
		if page["cursor"] == nil {
			break
		}
		cursor = page["cursor"].(string)
	}
	// The paste of another subtest may be listed too.
	for _, id := range others {
		if !slices.Contains(listed, id) {
			t.Errorf("%s not listed: %v", id, listed)
		}
	}
	equal(t, "the list's order", slices.IsSorted(listed), true)

	equal(t, "DELETE", decodeJSON(t, expectStatus(t, p.do(t, "DELETE", "/pastes/"+others[1], "", nil), 200)), map[string]any{"deleted": true})
	equal(t, "DELETE again", decodeJSON(t, expectStatus(t, p.do(t, "DELETE", "/pastes/"+others[1], "", nil), 404)), map[string]any{"deleted": false})
	p.jsonError(t, "GET after DELETE", p.get(t, "/pastes/"+others[1]), 404)
	if slices.Contains(p.objects(t), others[1]) {
		t.Errorf("the object of %s is left after DELETE", others[1])
	}
	st := p.getJSON(t, "/stats", 200).(map[string]any)
	if st["pastes"].(float64) < 4 || st["bytes"].(float64) < 4 { // the four left, of 1 or 26 bytes
		t.Errorf("stats: %v", st)
	}
}

func (p *pastebin) errors(t *testing.T) {
	post := func(query, body string) *Response {
		return p.do(t, "POST", "/pastes"+query, "text/plain", []byte(body))
	}
	for _, ttl := range []string{"abc", "59", "60.5", ""} {
		p.jsonError(t, "ttl="+ttl, post("?ttl="+ttl, "x"), 400)
	}
	p.jsonError(t, "an empty body", post("", ""), 400)
	big := &patternBody{n: 100<<20 + 1}
	req, _ := http.NewRequest("POST", "http://worker/pastes", big)
	req.ContentLength = big.n
	p.jsonError(t, "a Content-Length over 100 MiB", p.target.Fetch(t, req), 413)
	for _, limit := range []string{"0", "1001", "x"} {
		p.jsonError(t, "limit="+limit, p.get(t, "/pastes?limit="+limit), 400)
	}
	p.jsonError(t, "an unknown id", p.get(t, "/pastes/zzzzzzzzzzzz"), 404)
	p.jsonError(t, "an unknown route", p.get(t, "/nope"), 404)
	for path, allow := range map[string]string{"/pastes": "GET, HEAD, POST", "/pastes/zzzzzzzzzzzz": "DELETE, GET, HEAD", "/stats": "GET, HEAD"} {
		r := p.do(t, "PUT", path, "", nil)
		p.jsonError(t, "PUT "+path, r, 405)
		equal(t, "PUT "+path+": Allow", r.Header.Get("Allow"), allow)
	}
}

// chunked: a body without a Content-Length goes to R2 in parts; one over
// 100 MiB ends in 413 and leaves nothing behind.
func (p *pastebin) chunked(t *testing.T) {
	before := p.objects(t)
	size := int64(11 << 20)
	sum := sha256.New()
	made := p.create(t, "", "application/x-pattern", &patternBody{n: size, hashes: []hash.Hash{sum}}, -1)
	equal(t, "a chunked paste", []any{made["size"], made["content_type"]}, []any{float64(size), "application/x-pattern"})
	p.readBack(t, made["id"].(string), size, sum.Sum(nil))

	req, _ := http.NewRequest("POST", "http://worker/pastes", &patternBody{n: 100<<20 + 1})
	req.ContentLength = -1
	p.jsonError(t, "a chunked body over 100 MiB", p.target.Fetch(t, req), 413)
	equal(t, "the objects after the refused upload", len(p.objects(t)), len(before)+1)
}

// readBack streams the paste back and checks its bytes.
func (p *pastebin) readBack(t *testing.T, id string, size int64, sum []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://worker/pastes/"+id, nil)
	resp := p.target.Stream(t, req)
	defer resp.Body.Close()
	got := sha256.New()
	n, err := io.Copy(got, resp.Body)
	if err != nil {
		t.Fatalf("reading %s back: %v", id, err)
	}
	equal(t, "the paste read back", []any{resp.StatusCode, n, resp.Header.Get("Content-Length"), hex.EncodeToString(got.Sum(nil))},
		[]any{200, size, strconv.FormatInt(size, 10), hex.EncodeToString(sum)})
}

// big streams a paste of PastebinMiBEnv MiB in and out: the Go heap does
// not hold it.
func (p *pastebin) big(t *testing.T) {
	mib := 20
	if v := os.Getenv(PastebinMiBEnv); v != "" {
		mib, _ = strconv.Atoi(v)
	}
	size := int64(mib) << 20
	memory := func() map[string]any {
		m, jerr := p.target.Call(t, "DEBUG", ServiceBinding, "memory")
		if jerr != nil {
			t.Fatalf("memory(): %v", jerr)
		}
		return m.(map[string]any)
	}
	heap := func(m map[string]any) float64 { return m["heap_sys"].(float64) }
	before := memory()
	sum := sha256.New()
	made := p.create(t, "", "", &patternBody{n: size, hashes: []hash.Hash{sum}}, size)
	afterPut := memory()
	p.readBack(t, made["id"].(string), size, sum.Sum(nil))
	afterGet := memory()
	t.Logf("%s: a paste of %d MiB (sha256 %x) streamed in and out: HeapSys %.1f MiB before, %+.1f MiB after the upload, %+.1f MiB after the download",
		p.target.Name(), mib, sum.Sum(nil), heap(before)/(1<<20), (heap(afterPut)-heap(before))/(1<<20), (heap(afterGet)-heap(before))/(1<<20))
	if g := heap(afterGet) - heap(before); g > float64(size)/2 {
		t.Errorf("the Go heap grew by %.1f MiB for a paste of %d MiB: it did not stream", g/(1<<20), mib)
	}
	p.do(t, "DELETE", "/pastes/"+made["id"].(string), "", nil)
}

// rpc calls stats() and put(text, ttlSeconds) as a JavaScript Worker does
// through a service binding.
func (p *pastebin) rpc(t *testing.T) {
	got, jerr := p.target.Call(t, "TARGET", ServiceBinding, "put", "from JavaScript", 120)
	if jerr != nil {
		t.Fatalf("put: %v", jerr)
	}
	made := got.(map[string]any)
	sum := md5.Sum([]byte("from JavaScript"))
	equal(t, "put", []any{made["size"], made["content_type"], made["etag"], made["expires_at"] != nil, pasteID.MatchString(fmt.Sprint(made["id"]))},
		[]any{15.0, "text/plain", hex.EncodeToString(sum[:]), true, true})
	r := p.get(t, "/pastes/"+made["id"].(string))
	equal(t, "the paste put", []any{r.Status, string(r.Body), r.Header.Get("Content-Type")}, []any{200, "from JavaScript", "text/plain"})
	// A JavaScript caller may leave out the optional ttl (a *int64 in Go).
	got, jerr = p.target.Call(t, "TARGET", ServiceBinding, "put", "no ttl")
	if jerr != nil {
		t.Fatalf("put without a ttl: %v", jerr)
	}
	equal(t, "put without a ttl", []any{got.(map[string]any)["size"], got.(map[string]any)["expires_at"]}, []any{6.0, nil})
	_, jerr = p.target.Call(t, "TARGET", ServiceBinding, "put", "x", 30)
	if jerr == nil || jerr.Name != "RangeError" {
		t.Errorf("put with a ttl of 30: %+v, want a RangeError", jerr)
	}
	stats, jerr := p.target.Call(t, "TARGET", ServiceBinding, "stats")
	if jerr != nil {
		t.Fatalf("stats: %v", jerr)
	}
	equal(t, "stats() and GET /stats", Normalize(stats), Normalize(p.getJSON(t, "/stats", 200)))
}

// RunPastebinRestart checks that pastes and the last sweep survive a
// restart of the runtime with its state kept.
func RunPastebinRestart(t *testing.T, target Target) {
	p := &pastebin{suite{target: target}}
	const text = "kept across a restart"
	id := p.create(t, "", "text/markdown", strings.NewReader(text), int64(len(text)))["id"].(string)
	at := time.Date(2030, 1, 1, 0, 5, 0, 0, time.UTC)
	equal(t, "the sweep", target.Scheduled(t, "*/5 * * * *", at).Outcome, "ok")
	before := p.getJSON(t, "/stats", 200).(map[string]any)
	equal(t, "the last sweep", before["last_sweep"].(map[string]any)["at"], float64(at.UnixMilli()))
	target.Restart(t)
	r := p.get(t, "/pastes/"+id)
	equal(t, "the paste after a restart", []any{r.Status, string(r.Body), r.Header.Get("Content-Type")}, []any{200, text, "text/markdown"})
	equal(t, "the stats after a restart", p.getJSON(t, "/stats", 200), before)
}

// PastebinExpiring is a paste of a minute, which RunPastebinExpired checks
// once it has expired.
type PastebinExpiring struct {
	ID        string
	ExpiresAt time.Time
}

// StartPastebinExpiry creates a paste that expires after 60 seconds.
func StartPastebinExpiry(t *testing.T, target Target) PastebinExpiring {
	p := &pastebin{suite{target: target}}
	made := p.create(t, "?ttl=60", "", strings.NewReader("a minute"), 8)
	return PastebinExpiring{made["id"].(string), time.UnixMilli(int64(made["expires_at"].(float64)))}
}

// RunPastebinExpired waits (a minute at most) for the paste e to expire:
// it is gone at once, and the sweep deletes its object.
func RunPastebinExpired(t *testing.T, target Target, e PastebinExpiring) {
	p := &pastebin{suite{target: target}}
	if d := time.Until(e.ExpiresAt.Add(time.Second)); d > 0 {
		if d > 75*time.Second {
			t.Fatalf("expires_at %v is too far", e.ExpiresAt)
		}
		time.Sleep(d)
	}
	p.jsonError(t, "GET once expired", p.get(t, "/pastes/"+e.ID), 404)
	equal(t, "DELETE once expired", p.do(t, "DELETE", "/pastes/"+e.ID, "", nil).Status, 404)
	equal(t, "its object before the sweep", slices.Contains(p.objects(t), e.ID), true)
	now := time.Now().UTC().Truncate(time.Millisecond)
	equal(t, "the sweep", target.Scheduled(t, "*/5 * * * *", now).Outcome, "ok")
	equal(t, "its object after the sweep", slices.Contains(p.objects(t), e.ID), false)
	last := p.getJSON(t, "/stats", 200).(map[string]any)["last_sweep"].(map[string]any)
	equal(t, "the last sweep", []any{last["at"], last["deleted"].(float64) >= 1}, []any{float64(now.UnixMilli()), true})
}
