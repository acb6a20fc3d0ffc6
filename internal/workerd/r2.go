package workerd

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/driver"
)

// The emulator of R2 buckets ([[r2_buckets]]), as local R2 runs them in
// wrangler dev: workerd's R2Bucket checks the arguments (its TypeErrors and
// RangeErrors) and miniflare's bucket stores the objects (its rules, limits
// and error messages, which workerd throws as "op: message (code)").
// Objects' bytes are files in the binding's directory; their metadata is
// kept in memory, for as long as the Isolate.

func init() { RegisterEmulator("r2_buckets", newR2Bucket) }

// Local R2's limits (miniflare's R2Limits).
const (
	r2MaxKeySize      = 1024
	r2MaxValueSize    = 5363466240 // 5 GiB - 5 MiB
	r2MaxMetadataSize = 8192
	r2MaxListKeys     = 1000
	r2MinPartSize     = 5 << 20
)

// r2Error is an error of local R2, as workerd throws it.
type r2Error struct {
	message string
	code    int
}

var (
	r2Internal        = &r2Error{"We encountered an internal error. Please try again.", 10001}
	r2EntityTooLarge  = &r2Error{"Your proposed upload exceeds the maximum allowed object size.", 100100}
	r2EntityTooSmall  = &r2Error{"Your proposed upload is smaller than the minimum allowed object size.", 10011}
	r2MetadataTooBig  = &r2Error{"Your metadata headers exceed the maximum allowed metadata size.", 10012}
	r2InvalidName     = &r2Error{"The specified object name is not valid.", 10020}
	r2InvalidMaxKeys  = &r2Error{"MaxKeys params must be positive integer <= 1000.", 10022}
	r2NoSuchUpload    = &r2Error{"The specified multipart upload does not exist.", 10024}
	r2InvalidPart     = &r2Error{"One or more of the specified parts could not be found.", 10025}
	r2InvalidRange    = &r2Error{"The requested range is not satisfiable", 10039}
	r2BadUpload       = &r2Error{"There was a problem with the multipart upload.", 10048}
	errR2Precondition = errors.New("precondition failed")
)

// throw is e as workerd throws it for operation op.
func (e *r2Error) throw(op string) error {
	return NewJSError("Error", fmt.Sprintf("%s: %s (%d)", op, e.message, e.code))
}

func (e *r2Error) Error() string { return e.message }

// r2Fail is err, an error of operation op, as workerd throws it.
func r2Fail(op string, err error) error {
	var e *r2Error
	if errors.As(err, &e) {
		return e.throw(op)
	}
	return err
}

type r2Bucket struct {
	dir   string
	clock driver.Clock

	mu      sync.Mutex
	objects map[string]*r2Object
	uploads map[string]*r2Upload
}

// r2Object is a stored object: its metadata, and its bytes in blobs (one
// for a put, the parts of a multipart upload).
type r2Object struct {
	key, version, etag string
	size               int64
	uploaded           int64             // milliseconds
	checksums          map[string][]byte // by algorithm: "md5", "sha1", ...
	http               r2HTTPMetadata
	custom             map[string]string
	blobs              []r2Blob
}

type r2Blob struct {
	path string
	size int64
}

type r2HTTPMetadata struct {
	contentType, contentLanguage, contentDisposition, contentEncoding, cacheControl string
	cacheExpiry                                                                     *int64 // milliseconds
}

type r2Upload struct {
	key    string
	http   r2HTTPMetadata
	custom map[string]string
	state  int // r2InProgress, r2Completed, r2Aborted
	parts  map[int]*r2Part
}

const (
	r2InProgress = iota
	r2Completed
	r2Aborted
)

type r2Part struct {
	number int
	blob   r2Blob
	etag   string
	md5    []byte
}

func newR2Bucket(c BindingConfig) (*JSObject, error) {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, err
	}
	b := &r2Bucket{dir: c.Dir, clock: c.Clock, objects: map[string]*r2Object{}, uploads: map[string]*r2Upload{}}
	return &JSObject{Class: "R2Bucket", Methods: map[string]any{
		"head":                  b.head,
		"get":                   b.get,
		"put":                   b.put,
		"delete":                b.delete,
		"list":                  b.list,
		"createMultipartUpload": b.createMultipartUpload,
		"resumeMultipartUpload": b.resumeMultipartUpload,
	}}, nil
}

func (b *r2Bucket) now() int64 { return b.clock.Now().UnixMilli() }

func r2CheckKey(key string) error {
	if len(key) > r2MaxKeySize {
		return r2InvalidName
	}
	return nil
}

// lookup returns the object stored under key, for operation op.
func (b *r2Bucket) lookup(op, key string) (*r2Object, error) {
	if err := r2CheckKey(key); err != nil {
		return nil, r2Fail(op, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.objects[key], nil
}

func (b *r2Bucket) head(_ context.Context, key string) (any, error) {
	o, err := b.lookup("head", key)
	if o == nil || err != nil {
		return nil, err
	}
	return o.js("HeadResult", &r2Range{0, o.size}, true, true), nil
}

type r2GetOptions struct {
	OnlyIf any `json:"onlyIf"`
	Range  any `json:"range"`
}

func (b *r2Bucket) get(_ context.Context, key string, opts r2GetOptions) (any, error) {
	cond, err := r2Conditional(opts.OnlyIf)
	if err != nil {
		return nil, err
	}
	want, err := r2RangeOption(opts.Range)
	if err != nil {
		return nil, err
	}
	o, err := b.lookup("get", key)
	if o == nil || err != nil {
		return nil, err
	}
	if !cond.holds(o) {
		return o.js("HeadResult", &r2Range{0, o.size}, true, true), nil
	}
	rng, err := want.resolve(o.size)
	if err != nil {
		return nil, r2Fail("get", err)
	}
	body, err := o.open(rng)
	if err != nil {
		return nil, err
	}
	res := o.js("GetResult", &rng, true, true)
	res.Props["body"] = &jsStream{r: body}
	var used sync.Once
	read := func() (b []byte, err error) {
		err = NewJSError("TypeError", "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.")
		used.Do(func() {
			defer body.Close()
			b, err = io.ReadAll(body)
		})
		return b, err
	}
	res.Methods = map[string]any{
		"arrayBuffer": func(context.Context) ([]byte, error) { return read() },
		"text": func(context.Context) (string, error) {
			b, err := read()
			return string(b), err
		},
	}
	return res, nil
}

// open returns a reader of the bytes of rng, from files opened now (so
// that a delete or a put of the key meanwhile does not cut it short).
func (o *r2Object) open(rng r2Range) (io.ReadCloser, error) {
	r := &r2Reader{}
	var parts []io.Reader
	start := int64(0)
	for _, bl := range o.blobs {
		lo, hi := max(rng.offset, start), min(rng.offset+rng.length, start+bl.size)
		if lo < hi {
			f, err := os.Open(bl.path)
			if err != nil {
				r.Close()
				return nil, err
			}
			r.files = append(r.files, f)
			parts = append(parts, io.NewSectionReader(f, lo-start, hi-lo))
		}
		start += bl.size
	}
	r.Reader = io.MultiReader(parts...)
	return r, nil
}

// r2Reader reads a range of an object from the files it holds open.
type r2Reader struct {
	io.Reader
	files []*os.File
}

func (r *r2Reader) Close() error {
	for _, f := range r.files {
		f.Close()
	}
	return nil
}

type r2PutOptions struct {
	OnlyIf         any            `json:"onlyIf"`
	HTTPMetadata   any            `json:"httpMetadata"`
	CustomMetadata map[string]any `json:"customMetadata"`
	MD5            any            `json:"md5"`
	SHA1           any            `json:"sha1"`
	SHA256         any            `json:"sha256"`
	SHA384         any            `json:"sha384"`
	SHA512         any            `json:"sha512"`
	StorageClass   string         `json:"storageClass"`
}

// r2Hashes are the checksums R2 knows, as put's options and R2Checksums
// name them, with their names in messages and their sizes.
var r2Hashes = []struct {
	field, name string
	size        int
	new         func() hash.Hash
}{
	{"md5", "MD5", 16, md5.New},
	{"sha1", "SHA-1", 20, sha1.New},
	{"sha256", "SHA-256", 32, sha256.New},
	{"sha384", "SHA-384", 48, sha512.New384},
	{"sha512", "SHA-512", 64, sha512.New},
}

func (b *r2Bucket) put(_ context.Context, key string, value any, opts r2PutOptions) (any, error) {
	cancel := func() { r2Cancel(value) }
	cond, err := r2Conditional(opts.OnlyIf)
	if err != nil {
		cancel()
		return nil, err
	}
	httpMD := r2HTTPOption(opts.HTTPMetadata)
	custom := r2Custom(opts.CustomMetadata)
	given := map[string][]byte{}
	for i, v := range []any{opts.MD5, opts.SHA1, opts.SHA256, opts.SHA384, opts.SHA512} {
		if v == nil {
			continue
		}
		h := r2Hashes[i]
		if len(given) > 0 {
			cancel()
			return nil, NewJSError("TypeError", "You cannot specify multiple hashing algorithms.")
		}
		sum, err := r2Checksum(h.name, h.size, v)
		if err != nil {
			cancel()
			return nil, err
		}
		given[h.field] = sum
	}
	blob, sums, err := b.store(value, "put", slices.Collect(maps.Keys(given)))
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(blob.path)
		}
	}()
	if err := errors.Join(r2CheckKey(key), r2CheckSize(blob.size), r2CheckMetadata(custom)); err != nil {
		return nil, r2Fail("put", err)
	}
	checksums := map[string][]byte{"md5": sums["md5"]}
	for _, h := range r2Hashes {
		if want, ok := given[h.field]; ok {
			if got := sums[h.field]; string(got) != string(want) {
				return nil, NewJSError("Error", fmt.Sprintf("put: The %[1]s checksum you specified did not match what we received.\nYou provided a %[1]s checksum with value: %[2]x\nActual %[1]s was: %[3]x (10037)", h.name, want, got))
			}
			checksums[h.field] = given[h.field]
		}
	}
	o := &r2Object{key: key, version: r2Random(16, hex.EncodeToString), etag: hex.EncodeToString(sums["md5"]), size: blob.size,
		uploaded: b.now(), checksums: checksums, http: httpMD, custom: custom, blobs: []r2Blob{blob}}
	if err := b.replace(o, cond); errors.Is(err, errR2Precondition) {
		return nil, nil
	}
	keep = true
	return o.js("HeadResult", nil, true, true), nil
}

// replace stores o under its key, if cond holds for the object there,
// and deletes what the object it replaces stored.
func (b *r2Bucket) replace(o *r2Object, cond *r2Cond) error {
	b.mu.Lock()
	old := b.objects[o.key]
	if old == nil && !cond.holdsForNone() || old != nil && !cond.holds(old) {
		b.mu.Unlock()
		return errR2Precondition
	}
	b.objects[o.key] = o
	b.mu.Unlock()
	old.remove()
	return nil
}

// remove deletes the object's files (nil: nothing). A reader that opened
// them (a get in flight) goes on reading.
func (o *r2Object) remove() {
	if o == nil {
		return
	}
	for _, bl := range o.blobs {
		os.Remove(bl.path)
	}
}

// store writes value (put's or uploadPart's: nil, a string, bytes, or a
// ReadableStream of known length, which a fake's any parameter takes as an
// io.ReadCloser) into a new file of the bucket, with its MD5 and the
// checksums of algorithms.
func (b *r2Bucket) store(value any, op string, algorithms []string) (r2Blob, map[string][]byte, error) {
	var r io.Reader
	switch v := value.(type) {
	case nil:
		r = strings.NewReader("")
	case string:
		r = strings.NewReader(v)
	case []byte:
		r = bytes.NewReader(v)
	case *fixedLengthReader:
		defer v.Close()
		r = v
	case io.ReadCloser:
		v.Close()
		return r2Blob{}, nil, NewJSError("TypeError", "Provided readable stream must have a known length (request/response body or readable half of FixedLengthStream)")
	default:
		return r2Blob{}, nil, NewJSError("TypeError", fmt.Sprintf("Failed to execute '%s' on 'R2Bucket': parameter 2 is not of type 'ReadableStream or ArrayBuffer or ArrayBufferView or string or Blob'.", op))
	}
	f, err := os.CreateTemp(b.dir, "blob-")
	if err != nil {
		return r2Blob{}, nil, err
	}
	defer f.Close()
	hashes := map[string]hash.Hash{"md5": md5.New()}
	writers := []io.Writer{f, hashes["md5"]}
	for _, h := range r2Hashes {
		if slices.Contains(algorithms, h.field) && h.field != "md5" {
			hashes[h.field] = h.new()
			writers = append(writers, hashes[h.field])
		}
	}
	n, err := io.Copy(io.MultiWriter(writers...), r)
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		os.Remove(f.Name())
		var je *driver.JSError
		if errors.As(err, &je) {
			return r2Blob{}, nil, je // the stream's error, which the put rejects with
		}
		return r2Blob{}, nil, jsThrown(err)
	}
	sums := map[string][]byte{}
	for k, h := range hashes {
		sums[k] = h.Sum(nil)
	}
	return r2Blob{path: f.Name(), size: n}, sums, nil
}

// r2Cancel cancels value if it is a stream that an operation failing
// before it reads the stream leaves unread, as workerd's put does.
func r2Cancel(value any) {
	if r, ok := value.(io.Closer); ok {
		r.Close()
	}
}

func r2CheckSize(n int64) error {
	if n > r2MaxValueSize {
		return r2EntityTooLarge
	}
	return nil
}

// r2CheckMetadata applies local R2's limit to custom metadata, counting
// each key and value as miniflare does: its length, doubled if it has a
// character beyond U+00FF.
func r2CheckMetadata(custom map[string]string) error {
	n := 0
	for k, v := range custom {
		n += r2SerialisedLength(k) + r2SerialisedLength(v)
	}
	if n > r2MaxMetadataSize {
		return r2MetadataTooBig
	}
	return nil
}

func r2SerialisedLength(s string) int {
	units := 0
	wide := false
	for _, r := range s {
		units++
		if r > 0xffff {
			units++ // a surrogate pair
		}
		wide = wide || r >= 256
	}
	if wide {
		return 2 * units
	}
	return units
}

// r2Checksum reads a checksum of put's options: bytes, or hex text.
func r2Checksum(name string, size int, v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		if len(x) != size {
			return nil, NewJSError("TypeError", fmt.Sprintf("%s is %d bytes, not %d", name, size, len(x)))
		}
		return x, nil
	case string:
		if len(x) != 2*size {
			return nil, NewJSError("TypeError", fmt.Sprintf("%s is %d hex characters, not %d", name, 2*size, len(x)))
		}
		b, err := hex.DecodeString(x)
		if err != nil {
			return nil, NewJSError("TypeError", fmt.Sprintf("Provided %s wasn't a valid hex string", name))
		}
		return b, nil
	}
	return nil, NewJSError("TypeError", fmt.Sprintf("Incorrect type for the '%s' field on 'PutOptions': the provided value is not of type 'ArrayBuffer or ArrayBufferView or string'.", strings.ToLower(strings.ReplaceAll(name, "-", ""))))
}

// r2Custom is custom metadata as workerd takes it: every value a string.
func r2Custom(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = jsString(v)
	}
	return out
}

// r2HTTPOption reads httpMetadata: an object, or Headers of a request.
func r2HTTPOption(v any) r2HTTPMetadata {
	var m r2HTTPMetadata
	if h := r2Headers(v); h != nil {
		m = r2HTTPMetadata{contentType: h.Get("Content-Type"), contentLanguage: h.Get("Content-Language"),
			contentDisposition: h.Get("Content-Disposition"), contentEncoding: h.Get("Content-Encoding"), cacheControl: h.Get("Cache-Control")}
		if e, ok := h["Expires"]; ok {
			ms := int64(0) // a date JavaScript cannot read is the epoch, as workerd stores it
			if t, ok := r2ParseDate(e[0]); ok {
				ms = t
			}
			m.cacheExpiry = &ms
		}
		return m
	}
	o, _ := v.(map[string]any)
	for k, p := range map[string]*string{"contentType": &m.contentType, "contentLanguage": &m.contentLanguage,
		"contentDisposition": &m.contentDisposition, "contentEncoding": &m.contentEncoding, "cacheControl": &m.cacheControl} {
		if s, ok := o[k].(string); ok {
			*p = s
		}
	}
	if t, ok := o["cacheExpiry"].(time.Time); ok {
		ms := t.UnixMilli()
		m.cacheExpiry = &ms
	}
	return m
}

// r2Headers is v as an http.Header, if it is Headers.
func r2Headers(v any) http.Header {
	switch h := v.(type) {
	case http.Header:
		return h
	case *http.Header:
		return *h
	}
	return nil
}

// r2ParseDate parses an HTTP date as JavaScript's Date does the usual
// ones, in milliseconds.
func r2ParseDate(s string) (int64, bool) {
	t, err := http.ParseTime(s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return 0, false
		}
	}
	return t.UnixMilli(), true
}

func (b *r2Bucket) delete(_ context.Context, keys any) error {
	var list []string
	switch k := keys.(type) {
	case string:
		list = []string{k}
	case []any:
		for _, e := range k {
			s, ok := e.(string)
			if !ok {
				s = fmt.Sprint(e)
			}
			list = append(list, s)
		}
	default:
		list = []string{fmt.Sprint(keys)}
	}
	for _, k := range list {
		if err := r2CheckKey(k); err != nil {
			return r2Fail("delete", err)
		}
	}
	b.mu.Lock()
	var gone []*r2Object
	for _, k := range list {
		gone = append(gone, b.objects[k])
		delete(b.objects, k)
	}
	b.mu.Unlock()
	for _, o := range gone {
		o.remove()
	}
	return nil
}

type r2ListOptions struct {
	Limit      *float64 `json:"limit"`
	Prefix     string   `json:"prefix"`
	Cursor     *string  `json:"cursor"`
	Delimiter  string   `json:"delimiter"`
	StartAfter *string  `json:"startAfter"`
	Include    []string `json:"include"`
}

func (b *r2Bucket) list(_ context.Context, opts r2ListOptions) (any, error) {
	var withHTTP, withCustom bool
	for _, f := range opts.Include {
		switch f {
		case "httpMetadata":
			withHTTP = true
		case "customMetadata":
			withCustom = true
		default:
			return nil, NewJSError("RangeError", "Unsupported include value "+f)
		}
	}
	limit := r2MaxListKeys
	if opts.Limit != nil {
		limit = int(math.Trunc(*opts.Limit))
		if limit < 1 || limit > r2MaxListKeys {
			return nil, r2InvalidMaxKeys.throw("list")
		}
	}
	if len(opts.Include) > 0 {
		limit = min(limit, 100)
	}
	startAfter := ""
	if opts.StartAfter != nil {
		startAfter = *opts.StartAfter
	}
	if opts.Cursor != nil {
		if c, err := base64.StdEncoding.DecodeString(*opts.Cursor); err == nil && string(c) > startAfter {
			startAfter = string(c)
		}
	}
	b.mu.Lock()
	var keys []string
	for k := range b.objects {
		if strings.HasPrefix(k, opts.Prefix) && k > startAfter {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	objects := map[string]*r2Object{}
	for _, k := range keys {
		objects[k] = b.objects[k]
	}
	b.mu.Unlock()

	// Rows as miniflare's query has them: a key, or a delimited prefix
	// that stands for its keys, by the last of them; in order of that.
	type row struct{ prefix, last string }
	var rows []row
	for _, k := range keys {
		if i := strings.Index(k[len(opts.Prefix):], opts.Delimiter); opts.Delimiter != "" && i >= 0 {
			p := k[:len(opts.Prefix)+i+len(opts.Delimiter)]
			if n := len(rows); n > 0 && rows[n-1].prefix == p {
				rows[n-1].last = k
				continue
			}
			rows = append(rows, row{p, k})
			continue
		}
		rows = append(rows, row{"", k})
	}
	slices.SortStableFunc(rows, func(a, b row) int { return strings.Compare(a.last, b.last) })
	res := map[string]any{"truncated": false}
	if len(rows) > limit {
		rows = rows[:limit]
		res["truncated"] = true
		res["cursor"] = base64.StdEncoding.EncodeToString([]byte(rows[limit-1].last))
	}
	list := []any{}
	prefixes := []any{}
	for _, r := range rows {
		if r.prefix != "" {
			prefixes = append(prefixes, r.prefix)
		} else {
			list = append(list, objects[r.last].js("HeadResult", nil, withHTTP, withCustom))
		}
	}
	res["objects"] = list
	res["delimitedPrefixes"] = prefixes
	return res, nil
}

type r2MultipartOptions struct {
	HTTPMetadata   any            `json:"httpMetadata"`
	CustomMetadata map[string]any `json:"customMetadata"`
	StorageClass   string         `json:"storageClass"`
}

func (b *r2Bucket) createMultipartUpload(_ context.Context, key string, opts r2MultipartOptions) (*JSObject, error) {
	httpMD := r2HTTPOption(opts.HTTPMetadata)
	custom := r2Custom(opts.CustomMetadata)
	if err := errors.Join(r2CheckKey(key), r2CheckMetadata(custom)); err != nil {
		return nil, r2Fail("createMultipartUpload", err)
	}
	id := r2Random(128, base64.RawURLEncoding.EncodeToString)
	b.mu.Lock()
	b.uploads[id] = &r2Upload{key: key, http: httpMD, custom: custom, parts: map[int]*r2Part{}}
	b.mu.Unlock()
	return b.resumeMultipartUpload(key, id), nil
}

// resumeMultipartUpload is the R2MultipartUpload of key and uploadID;
// nothing is checked until one of its methods runs.
func (b *r2Bucket) resumeMultipartUpload(key, uploadID string) *JSObject {
	u := &r2UploadJS{b: b, key: key, id: uploadID}
	return &JSObject{Class: "R2MultipartUpload", Props: map[string]any{"key": key, "uploadId": uploadID},
		Methods: map[string]any{"uploadPart": u.uploadPart, "complete": u.complete, "abort": u.abort}}
}

type r2UploadJS struct {
	b       *r2Bucket
	key, id string
}

// upload returns the upload, if it is of u's key.
func (u *r2UploadJS) upload() *r2Upload {
	up := u.b.uploads[u.id]
	if up == nil || up.key != u.key {
		return nil
	}
	return up
}

func r2CheckPartNumber(n float64) error {
	if n < 1 || n > 10000 {
		return NewJSError("TypeError", fmt.Sprintf("Part number must be between 1 and 10000 (inclusive). Actual value was: %s", jsNumberString(math.Trunc(n))))
	}
	return nil
}

func (u *r2UploadJS) uploadPart(_ context.Context, partNumber float64, value any) (any, error) {
	if err := r2CheckPartNumber(partNumber); err != nil {
		r2Cancel(value)
		return nil, err
	}
	blob, sums, err := u.b.store(value, "uploadPart", nil)
	if err != nil {
		return nil, err
	}
	if err := r2CheckKey(u.key); err != nil {
		os.Remove(blob.path)
		return nil, r2Fail("uploadPart", err)
	}
	n := int(partNumber)
	part := &r2Part{number: n, blob: blob, etag: r2Random(128, base64.RawURLEncoding.EncodeToString), md5: sums["md5"]}
	u.b.mu.Lock()
	up := u.upload()
	if up == nil || up.state != r2InProgress {
		u.b.mu.Unlock()
		os.Remove(blob.path)
		return nil, r2NoSuchUpload.throw("uploadPart")
	}
	old := up.parts[n]
	up.parts[n] = part
	u.b.mu.Unlock()
	if old != nil {
		os.Remove(old.blob.path)
	}
	return map[string]any{"partNumber": n, "etag": part.etag}, nil
}

type r2UploadedPart struct {
	PartNumber float64 `json:"partNumber"`
	ETag       string  `json:"etag"`
}

func (u *r2UploadJS) complete(_ context.Context, listed []r2UploadedPart) (any, error) {
	for _, p := range listed {
		if err := r2CheckPartNumber(p.PartNumber); err != nil {
			return nil, err
		}
	}
	if err := r2CheckKey(u.key); err != nil {
		return nil, r2Fail("completeMultipartUpload", err)
	}
	u.b.mu.Lock()
	o, old, err := u.completeLocked(listed)
	u.b.mu.Unlock()
	if err != nil {
		return nil, r2Fail("completeMultipartUpload", err)
	}
	old.remove()
	return o.js("HeadResult", nil, true, true), nil
}

// completeLocked makes the object of the parts listed, as miniflare checks
// and assembles them, and returns it with the object it replaces.
func (u *r2UploadJS) completeLocked(listed []r2UploadedPart) (o, old *r2Object, err error) {
	up := u.upload()
	switch {
	case up == nil:
		return nil, nil, r2Internal
	case up.state != r2InProgress:
		return nil, nil, r2NoSuchUpload
	}
	seen := map[int]bool{}
	var parts []*r2Part
	for _, l := range listed {
		n := int(l.PartNumber)
		if seen[n] {
			return nil, nil, r2Internal
		}
		seen[n] = true
		p := up.parts[n]
		if p == nil || p.etag != l.ETag {
			return nil, nil, r2InvalidPart
		}
		parts = append(parts, p)
	}
	for i, p := range parts {
		if i < len(parts)-1 && p.blob.size < r2MinPartSize {
			return nil, nil, r2EntityTooSmall
		}
	}
	slices.SortFunc(parts, func(a, b *r2Part) int { return a.number - b.number })
	for i, p := range parts {
		if i < len(parts)-1 && p.blob.size != parts[0].blob.size || i == len(parts)-1 && i > 0 && p.blob.size > parts[0].blob.size {
			return nil, nil, r2BadUpload
		}
	}
	sum := md5.New()
	o = &r2Object{key: u.key, version: r2Random(16, hex.EncodeToString), uploaded: u.b.now(), checksums: map[string][]byte{},
		http: up.http, custom: up.custom}
	for _, p := range parts {
		sum.Write(p.md5)
		o.size += p.blob.size
		o.blobs = append(o.blobs, p.blob)
		delete(up.parts, p.number)
	}
	o.etag = fmt.Sprintf("%x-%d", sum.Sum(nil), len(parts))
	for _, p := range up.parts { // the parts not listed
		os.Remove(p.blob.path)
	}
	up.parts, up.state = nil, r2Completed
	old = u.b.objects[u.key]
	u.b.objects[u.key] = o
	return o, old, nil
}

func (u *r2UploadJS) abort(context.Context) error {
	if err := r2CheckKey(u.key); err != nil {
		return r2Fail("abortMultipartUpload", err)
	}
	u.b.mu.Lock()
	up := u.upload()
	if up == nil {
		u.b.mu.Unlock()
		return r2Internal.throw("abortMultipartUpload")
	}
	parts := up.parts
	if up.state == r2InProgress {
		up.parts, up.state = nil, r2Aborted
	}
	u.b.mu.Unlock()
	for _, p := range parts {
		os.Remove(p.blob.path)
	}
	return nil
}

// r2Range is a part of an object: length bytes from offset.
type r2Range struct{ offset, length int64 }

// r2RangeWant is the range a get asks for: an object's (offset, length,
// suffix, each -1 when absent) or a Range header's.
type r2RangeWant struct {
	offset, length, suffix int64
	header                 string
	given                  bool
}

// r2RangeOption reads get's range option, with workerd's checks.
func r2RangeOption(v any) (r2RangeWant, error) {
	w := r2RangeWant{offset: -1, length: -1, suffix: -1}
	if v == nil {
		return w, nil
	}
	w.given = true
	if h := r2Headers(v); h != nil {
		w.header = h.Get("Range")
		w.given = w.header != ""
		return w, nil
	}
	o, _ := v.(map[string]any)
	for _, f := range []struct {
		name, what string
		p          *int64
	}{{"offset", "Starting offset", &w.offset}, {"length", "Length", &w.length}, {"suffix", "Suffix", &w.suffix}} {
		x, ok := jsNumber(o[f.name])
		if !ok {
			continue
		}
		n := jsNumberString(x)
		switch {
		case f.name == "suffix" && w.offset >= 0:
			return w, NewJSError("TypeError", "Suffix is incompatible with offset.")
		case f.name == "suffix" && w.length >= 0:
			return w, NewJSError("TypeError", "Suffix is incompatible with length.")
		case x < 0 && f.name == "suffix":
			return w, NewJSError("RangeError", fmt.Sprintf("Invalid suffix. Suffix (%s) must be greater than or equal to 0.", n))
		case x < 0:
			return w, NewJSError("RangeError", fmt.Sprintf("Invalid range. %s (%s) must be greater than or equal to 0.", f.what, n))
		case x != math.Trunc(x):
			return w, NewJSError("RangeError", fmt.Sprintf("Invalid range. %s (%s) must be an integer, not floating point.", f.what, n))
		}
		*f.p = int64(x)
	}
	return w, nil
}

// resolve is the part of an object of size bytes that w chooses, as
// miniflare's validator resolves it.
func (w r2RangeWant) resolve(size int64) (r2Range, error) {
	whole := r2Range{0, size}
	switch {
	case !w.given:
		return whole, nil
	case w.header != "":
		if r, ok := r2ParseRangeHeader(w.header, size); ok {
			return r, nil
		}
		return whole, nil
	}
	offset, length := w.offset, w.length
	if w.suffix >= 0 {
		if w.suffix == 0 {
			return r2Range{}, r2InvalidRange
		}
		s := min(w.suffix, size)
		offset, length = size-s, s
	}
	if offset < 0 {
		offset = 0
	}
	if length < 0 {
		length = size - offset
	}
	if offset > size || length <= 0 {
		return r2Range{}, r2InvalidRange
	}
	return r2Range{offset, min(length, size-offset)}, nil
}

// r2ParseRangeHeader reads a Range header of one range within size bytes,
// as miniflare's parseRanges does; ok is false for anything else (which
// gets the whole object).
func r2ParseRangeHeader(h string, size int64) (r2Range, bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return r2Range{}, false
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return r2Range{}, false
	}
	start, startErr := parseUint(strings.TrimSpace(first))
	end, endErr := parseUint(strings.TrimSpace(last))
	switch {
	case startErr == nil && endErr == nil:
		if start > end || start >= size {
			return r2Range{}, false
		}
		end = min(end, size-1)
	case startErr == nil && last == "":
		if start >= size {
			return r2Range{}, false
		}
		end = size - 1
	case first == "" && endErr == nil:
		if end >= size || end == 0 {
			return r2Range{}, false
		}
		start, end = size-end, size-1
	default:
		return r2Range{}, false
	}
	return r2Range{start, end - start + 1}, true
}

func parseUint(s string) (int64, error) {
	var n int64
	if s == "" {
		return 0, errors.New("empty")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// r2Etag is an ETag of a condition: a strong or weak one, or "*".
type r2Etag struct {
	value          string
	weak, wildcard bool
}

// r2Cond are the conditions of onlyIf (nil: none).
type r2Cond struct {
	etagMatches, etagDoesNotMatch []r2Etag
	before, after                 *int64 // milliseconds
	seconds                       bool
}

// r2Conditional reads onlyIf: an R2Conditional, or Headers of a request,
// with workerd's checks.
func r2Conditional(v any) (*r2Cond, error) {
	if v == nil {
		return nil, nil
	}
	c := &r2Cond{}
	if h := r2Headers(v); h != nil {
		c.seconds = true
		for _, f := range []struct {
			name string
			p    *[]r2Etag
		}{{"if-match", &c.etagMatches}, {"if-none-match", &c.etagDoesNotMatch}} {
			if vals, ok := h[http.CanonicalHeaderKey(f.name)]; ok {
				tags, err := r2ParseEtags(strings.Join(vals, ", "), f.name)
				if err != nil {
					return nil, err
				}
				*f.p = tags
			}
		}
		for name, p := range map[string]**int64{"If-Modified-Since": &c.after, "If-Unmodified-Since": &c.before} {
			if vals, ok := h[name]; ok {
				if ms, ok := r2ParseDate(vals[0]); ok {
					*p = &ms
				}
			}
		}
		return c, nil
	}
	o, _ := v.(map[string]any)
	for _, f := range []struct {
		name string
		p    *[]r2Etag
	}{{"etagMatches", &c.etagMatches}, {"etagDoesNotMatch", &c.etagDoesNotMatch}} {
		e, ok := o[f.name]
		if !ok || e == nil {
			continue
		}
		s, ok := e.(string)
		if !ok {
			return nil, NewJSError("TypeError", fmt.Sprintf("Incorrect type for the '%s' field on 'Conditional': the provided value is not of type 'string'.", f.name))
		}
		if len(s) >= 2 && strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) {
			return nil, NewJSError("TypeError", fmt.Sprintf("Conditional ETag should not be wrapped in quotes (%s).", s))
		}
		*f.p = []r2Etag{{value: s, wildcard: s == "*"}}
	}
	for name, p := range map[string]**int64{"uploadedAfter": &c.after, "uploadedBefore": &c.before} {
		if t, ok := o[name].(time.Time); ok {
			ms := t.UnixMilli()
			*p = &ms
		}
	}
	c.seconds, _ = o["secondsGranularity"].(bool)
	return c, nil
}

// r2ParseEtags reads the ETags of an If-Match or If-None-Match header, as
// workerd does.
func r2ParseEtags(h, name string) ([]r2Etag, error) {
	var tags []r2Etag
	needComma := false
	for {
		star, quote, weak, comma := r2Index(h, '*'), r2Index(h, '"'), r2Index(h, 'W'), r2Index(h, ',')
		switch {
		case quote == math.MaxInt && star == math.MaxInt:
			if len(tags) == 0 {
				return nil, NewJSError("Error", fmt.Sprintf("Invalid ETag in %s header", name))
			}
			return tags, nil
		case comma < star && comma < quote && comma < weak:
			h, needComma = h[comma+1:], false
			continue
		case needComma:
			what := "Encountered a weak quotation character 'W' instead. This would otherwise indicate the start of a new weak etag."
			switch min(star, quote, weak) {
			case star:
				what = "Encountered a wildcard character '*' instead."
			case quote:
				what = "Encountered a double quote character '\"' instead. This would otherwise indicate the start of a new strong etag."
			}
			return nil, NewJSError("Error", "Comma was expected to separate etags. "+what)
		case star < quote:
			return []r2Etag{{wildcard: true}}, nil
		}
		end := strings.IndexByte(h[quote+1:], '"')
		if end < 0 {
			return nil, NewJSError("Error", "Unclosed double quote for Etag")
		}
		t := r2Etag{value: h[quote+1 : quote+1+end]}
		if weak < quote {
			if weak+2 != quote || h[weak+1] != '/' {
				return nil, NewJSError("Error", "Weak etags must start with W/ and their value must be quoted")
			}
			t.weak = true
		}
		tags = append(tags, t)
		h, needComma = h[quote+end+2:], true
	}
}

func r2Index(s string, c byte) int {
	if i := strings.IndexByte(s, c); i >= 0 {
		return i
	}
	return math.MaxInt
}

// holdsForNone reports whether c holds where there is no object.
func (c *r2Cond) holdsForNone() bool {
	return c == nil || c.etagMatches == nil && c.after == nil
}

// holds reports whether c holds for o, as miniflare tests it.
func (c *r2Cond) holds(o *r2Object) bool {
	if c == nil {
		return true
	}
	trunc := func(ms int64) int64 { return ms }
	if c.seconds {
		trunc = func(ms int64) int64 { return ms / 1000 * 1000 }
	}
	includes := func(tags []r2Etag, weak bool) bool {
		for _, t := range tags {
			if t.wildcard || t.value == o.etag && (!t.weak || weak) {
				return true
			}
		}
		return false
	}
	last := trunc(o.uploaded)
	ifMatch := c.etagMatches == nil || includes(c.etagMatches, false)
	ifNoneMatch := c.etagDoesNotMatch == nil || !includes(c.etagDoesNotMatch, true)
	ifModifiedSince := c.after == nil || trunc(*c.after) < last || c.etagDoesNotMatch != nil && ifNoneMatch
	ifUnmodifiedSince := c.before == nil || last < trunc(*c.before) || c.etagMatches != nil && ifMatch
	return ifMatch && ifNoneMatch && ifModifiedSince && ifUnmodifiedSince
}

// js is the object's R2Object (class HeadResult) or R2ObjectBody
// (GetResult), with its range if rng is not nil, and its metadata unless a
// listing left it out.
func (o *r2Object) js(class string, rng *r2Range, withHTTP, withCustom bool) *JSObject {
	httpMD, custom := newJSObject(), newJSObject()
	if withHTTP {
		m := o.http
		for _, f := range []struct{ k, v string }{{"contentType", m.contentType}, {"contentLanguage", m.contentLanguage},
			{"contentDisposition", m.contentDisposition}, {"contentEncoding", m.contentEncoding}, {"cacheControl", m.cacheControl}} {
			if f.v != "" {
				httpMD.set(f.k, f.v)
			}
		}
		if m.cacheExpiry != nil {
			httpMD.set("cacheExpiry", jsDate{ms: float64(*m.cacheExpiry)})
		}
	}
	if withCustom {
		for _, k := range slices.Sorted(maps.Keys(o.custom)) {
			custom.set(k, o.custom[k])
		}
	}
	var r any = jsUndefined{}
	if rng != nil {
		ro := newJSObject()
		ro.set("offset", float64(rng.offset))
		ro.set("length", float64(rng.length))
		r = ro
	}
	sums := &JSObject{Class: "Checksums", Props: map[string]any{}, Methods: map[string]any{}}
	text := map[string]string{}
	for _, h := range r2Hashes {
		var v any = jsUndefined{}
		if b, ok := o.checksums[h.field]; ok {
			v = b
			text[h.field] = hex.EncodeToString(b)
		}
		sums.Props[h.field] = v
	}
	sums.Methods["toJSON"] = func() map[string]string { return text }
	return &JSObject{Class: class, Props: map[string]any{
		"key": o.key, "version": o.version, "size": float64(o.size), "etag": o.etag, "httpEtag": `"` + o.etag + `"`,
		"checksums": sums, "uploaded": jsDate{ms: float64(o.uploaded)}, "httpMetadata": httpMD, "customMetadata": custom,
		"range": r, "storageClass": "", "ssecKeyMd5": jsUndefined{},
	}}
}

// r2Random is n random bytes in the encoding of encode.
func r2Random(n int, encode func([]byte) string) string {
	b := make([]byte, n)
	rand.Read(b)
	return encode(b)
}
