// Command pastebin is a paste bin on Workers KV and R2: a paste's bytes
// stream into the R2 bucket BLOBS, and its record (size, type, ETag,
// expiry) lives in the KV namespace PASTES, which expires it. JSON bodies,
// times in Unix milliseconds:
//
//	POST   /pastes?ttl=SECONDS         the body, streamed into R2 (100 MiB at most; ttl optional, at least 60)
//	                                   -> 201 {"id","size","content_type","etag","expires_at"}; 400, 413
//	GET    /pastes/{id}                the bytes, with Content-Type, Content-Length and ETag; a Range
//	                                   (bytes=a-b, a-, -n) -> 206 (416 if unsatisfiable); If-None-Match -> 304;
//	                                   404 unknown or expired; HEAD too
//	GET    /pastes?limit=N&cursor=C    -> 200 {"pastes":[{"id","size","content_type","expires_at"}...],"cursor"}, by id
//	DELETE /pastes/{id}                -> 200 {"deleted":true}, 404 {"deleted":false}
//	GET    /stats                      -> 200 {"pastes","bytes","last_sweep":{"at","deleted"} or null}
//
// Unknown routes answer 404 and wrong methods 405 (with Allow), with a
// JSON error. The KV record is the truth: a paste whose record has expired
// is gone at once, and the scheduled handler (the cron trigger "*/5 * * *
// *") deletes the R2 objects left without a record, then stores what it did
// under the KV key "sweep:last" (sweep.go).
//
// The default entrypoint (Pastebin) also has the RPC methods stats() and
// put(text, ttlSeconds), which other Workers, JavaScript or Go, call
// through a service binding; the named entrypoint Debug reports the Go
// instance's memory, which the tests use to show that bodies stream, and
// the bucket's objects.
//
// Serve it with
//
//	go run ./cmd/wasmbuild dev ./examples/pastebin
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/cron"
	"github.com/godurable/godurable/kv"
	"github.com/godurable/godurable/r2"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	worker.Entrypoint("", Pastebin{}) // its ServeHTTP is the Worker's fetch handler
	worker.Entrypoint("Debug", Debug{})
	cron.Handle(sweep)
}

const (
	maxSize  = 100 << 20 // bytes of a paste
	minTTL   = 60        // seconds: KV's shortest expirationTtl
	maxTTL   = 1<<31 - 1 // seconds: KV's expirationTtl is a 32-bit number
	idLength = 12        // characters of [a-z0-9]

	recordPrefix = "paste:"     // the KV key of a paste's record is recordPrefix + its id
	sweepKey     = "sweep:last" // the KV key of the last sweep's Sweep
)

// Paste is a paste's record, kept in KV under recordPrefix + ID (as the
// value, and as the key's metadata, which a list returns): what POST
// /pastes and put answer.
type Paste struct {
	ID          string `json:"id"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	ETag        string `json:"etag"`       // R2's, unquoted
	ExpiresAt   *int64 `json:"expires_at"` // Unix milliseconds; nil: never
}

// expired reports whether p has expired at now: KV forgets the record at
// that time too (or a moment after it, as it counts whole seconds from its
// own clock), so that a paste is gone at the time its expires_at says.
func (p *Paste) expired(now time.Time) bool {
	return p.ExpiresAt != nil && *p.ExpiresAt <= now.UnixMilli()
}

// Listed is a paste as GET /pastes lists it.
type Listed struct {
	ID          string `json:"id"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	ExpiresAt   *int64 `json:"expires_at"`
}

// Stats is what GET /stats and stats() answer.
type Stats struct {
	Pastes    int    `json:"pastes"`
	Bytes     int64  `json:"bytes"`
	LastSweep *Sweep `json:"last_sweep"`
}

// Sweep is what a run of the scheduled handler did: when it was due, and
// how many R2 objects it deleted.
type Sweep struct {
	At      int64 `json:"at"`
	Deleted int   `json:"deleted"`
}

// Pastebin is the Worker's default entrypoint: ServeHTTP serves the HTTP
// API (http.go), and Stats and Put are RPC methods, which a service
// binding reaches (env.PASTEBIN.stats() in JavaScript).
type Pastebin struct{}

// Stats returns the number of pastes, their bytes and the last sweep.
func (Pastebin) Stats(ctx context.Context) (*Stats, error) {
	s, err := open()
	if err != nil {
		return nil, err
	}
	return s.stats(ctx)
}

// Put creates a text/plain paste of text that expires after ttlSeconds
// (null or left out: never), and returns it as POST /pastes does. It
// throws a RangeError for an empty text, one over 100 MiB, or a
// ttlSeconds under 60.
func (Pastebin) Put(ctx context.Context, text string, ttlSeconds *int64) (*Paste, error) {
	var ttl int64
	if ttlSeconds != nil {
		ttl = *ttlSeconds
		if err := checkTTL(ttl); err != nil {
			return nil, worker.NewError("RangeError", err.Error())
		}
	}
	s, err := open()
	if err != nil {
		return nil, err
	}
	p, err := s.create(ctx, strings.NewReader(text), int64(len(text)), "text/plain", ttl)
	if errors.Is(err, errEmpty) || errors.Is(err, errTooLarge) {
		return nil, worker.NewError("RangeError", err.Error())
	}
	return p, err
}

// Debug is the entrypoint Debug, for a Worker bound to it with entrypoint
// = "Debug" (the tests): it has no fetch, so no HTTP request reaches it.
type Debug struct{}

// Objects returns the keys of the bucket's objects, which the sweep
// deletes once their records are gone.
func (Debug) Objects(ctx context.Context) ([]string, error) {
	s, err := open()
	if err != nil {
		return nil, err
	}
	keys := []string{}
	for page, err := range s.blobs.Pages(ctx, nil) {
		if err != nil {
			return nil, err
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
	}
	return keys, nil
}

// Memory is the Go instance's memory, from runtime.MemStats.
type Memory struct {
	HeapSys    uint64 `json:"heap_sys"`
	HeapInuse  uint64 `json:"heap_inuse"`
	TotalAlloc uint64 `json:"total_alloc"`
}

// Memory returns the memory of the Go instance that runs the call.
func (Debug) Memory() Memory {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return Memory{HeapSys: m.HeapSys, HeapInuse: m.HeapInuse, TotalAlloc: m.TotalAlloc}
}

var (
	errEmpty    = errors.New("the paste is empty")
	errTooLarge = fmt.Errorf("the paste is over %d bytes (100 MiB)", maxSize)
)

// checkTTL checks a ttl in seconds.
func checkTTL(ttl int64) error {
	switch {
	case ttl < minTTL:
		return fmt.Errorf("ttl must be at least %d seconds, not %d", minTTL, ttl)
	case ttl > maxTTL:
		return fmt.Errorf("ttl must be at most %d seconds, not %d", maxTTL, ttl)
	}
	return nil
}

// store is the Worker's bindings.
type store struct {
	records *kv.Namespace
	blobs   *r2.Bucket
}

func open() (*store, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	records, err := kv.FromEnv(env, "PASTES")
	if err != nil {
		return nil, err
	}
	blobs, err := r2.FromEnv(env, "BLOBS")
	if err != nil {
		return nil, err
	}
	return &store{records, blobs}, nil
}

// create stores a new paste of size bytes read from body (-1: until its
// end; upload.go), then its record, which expires after ttl seconds (0:
// never), and returns the record.
func (s *store) create(ctx context.Context, body io.Reader, size int64, contentType string, ttl int64) (*Paste, error) {
	id, err := newID()
	if err != nil {
		return nil, err
	}
	obj, err := s.upload(ctx, id, body, size, contentType)
	if err != nil {
		return nil, err
	}
	p := &Paste{ID: id, Size: obj.Size, ContentType: contentType, ETag: obj.ETag}
	opts := &kv.PutOptions{}
	if ttl > 0 {
		// KV counts its expirationTtl from its clock's whole second.
		at := (time.Now().Unix() + ttl) * 1000
		p.ExpiresAt = &at
		opts.ExpirationTTL = time.Duration(ttl) * time.Second
	}
	value, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if len(value) <= maxMetadata {
		opts.Metadata = p
	}
	if err := s.records.PutBytes(ctx, recordPrefix+id, value, opts); err != nil {
		s.blobs.Delete(context.WithoutCancel(ctx), id) // or the next sweep will
		return nil, err
	}
	return p, nil
}

// maxMetadata is the most bytes of JSON that KV keeps as a key's
// metadata: a record with a longer Content-Type is listed from its value.
const maxMetadata = 1024

// get returns the paste called id, or nil if there is none (or it has
// expired).
func (s *store) get(ctx context.Context, id string) (*Paste, error) {
	if !validID(id) {
		return nil, nil
	}
	var p Paste
	err := s.records.GetJSON(ctx, recordPrefix+id, &p)
	if errors.Is(err, kv.ErrNotFound) || err == nil && p.expired(time.Now()) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// listed returns the paste of a key that a list of recordPrefix gave, from
// its metadata (or its value, for a record too long for metadata), or nil
// if it has expired since.
func (s *store) listed(ctx context.Context, k kv.Key) (*Paste, error) {
	if k.Metadata == nil {
		return s.get(ctx, strings.TrimPrefix(k.Name, recordPrefix))
	}
	var p Paste
	if err := json.Unmarshal(k.Metadata, &p); err != nil {
		return nil, fmt.Errorf("the record of %s: %w", k.Name, err)
	}
	if p.expired(time.Now()) {
		return nil, nil
	}
	return &p, nil
}

// list returns up to limit pastes after cursor, by id, and the cursor of
// the next page ("" if this is the last).
func (s *store) list(ctx context.Context, limit int, cursor string) ([]Listed, string, error) {
	page, err := s.records.List(ctx, &kv.ListOptions{Prefix: recordPrefix, Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	out := []Listed{}
	for _, k := range page.Keys {
		p, err := s.listed(ctx, k)
		if err != nil {
			return nil, "", err
		}
		if p != nil {
			out = append(out, Listed{ID: p.ID, Size: p.Size, ContentType: p.ContentType, ExpiresAt: p.ExpiresAt})
		}
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}

// stats counts the pastes and their bytes, and reads the last sweep.
func (s *store) stats(ctx context.Context) (*Stats, error) {
	st := &Stats{}
	for k, err := range s.records.Keys(ctx, &kv.ListOptions{Prefix: recordPrefix}) {
		if err != nil {
			return nil, err
		}
		p, err := s.listed(ctx, k)
		if err != nil {
			return nil, err
		}
		if p != nil {
			st.Pastes++
			st.Bytes += p.Size
		}
	}
	var last Sweep
	switch err := s.records.GetJSON(ctx, sweepKey, &last); {
	case err == nil:
		st.LastSweep = &last
	case !errors.Is(err, kv.ErrNotFound):
		return nil, err
	}
	return st, nil
}

// remove deletes the paste called id, its object then its record, and
// reports whether there was one.
func (s *store) remove(ctx context.Context, id string) (bool, error) {
	p, err := s.get(ctx, id)
	if p == nil || err != nil {
		return false, err
	}
	if err := s.blobs.Delete(ctx, id); err != nil {
		return false, err
	}
	return true, s.records.Delete(ctx, recordPrefix+id)
}

// idSpace is the number of ids: 36^12.
var idSpace = new(big.Int).Exp(big.NewInt(36), big.NewInt(idLength), nil)

// newID returns a random id of idLength characters of [a-z0-9].
func newID() (string, error) {
	n, err := rand.Int(rand.Reader, idSpace)
	if err != nil {
		return "", err
	}
	s := strconv.FormatUint(n.Uint64(), 36)
	return strings.Repeat("0", idLength-len(s)) + s, nil
}

// validID reports whether id could be an id newID made.
func validID(id string) bool {
	if len(id) != idLength {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
