package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/r2"
	"github.com/godurable/godurable/worker"
)

// R2: the bucket BLOBS (wrangler.toml's [[r2_buckets]]), reached from the
// stateless Worker (GET /r2/{scenario}) and from the Sandbox object (its
// R2 method) by the same code, which reports what it saw as JSON; and
// objects served over HTTP (/r2/objects/{key}), uploaded and downloaded as
// they stream, with the Go instance's memory (GET /r2/memory) to show that
// they do not sit in it.

var r2Scenarios = map[string]func(ctx context.Context, b *r2.Bucket, p string) (map[string]any, error){
	"objects":     r2Objects,
	"conditional": r2Conditional,
	"errors":      r2Errors,
	"list":        r2List,
	"multipart":   r2Multipart,
}

func r2Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /r2/run/{scenario}", func(w http.ResponseWriter, r *http.Request) {
		out, err := runR2(r.Context(), r.PathValue("scenario"), "w/")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("PUT /r2/objects/{key...}", r2Upload)
	mux.HandleFunc("GET /r2/objects/{key...}", r2Download)
	mux.HandleFunc("GET /r2/memory", func(w http.ResponseWriter, r *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		writeJSON(w, http.StatusOK, map[string]uint64{"heapSys": m.HeapSys, "heapInuse": m.HeapInuse, "sys": m.Sys, "totalAlloc": m.TotalAlloc})
	})
}

// R2 runs an R2 scenario inside the object, and returns what it saw as
// JSON, which the scenario compares with the Worker's.
func (s *Sandbox) R2(ctx context.Context, scenario string) (string, error) {
	out, err := runR2(ctx, scenario, "o/")
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func runR2(ctx context.Context, scenario, prefix string) (map[string]any, error) {
	f := r2Scenarios[scenario]
	if f == nil {
		return nil, fmt.Errorf("no R2 scenario %q", scenario)
	}
	b, err := blobs()
	if err != nil {
		return nil, err
	}
	return f(ctx, b, prefix)
}

func blobs() (*r2.Bucket, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	return r2.FromEnv(env, "BLOBS")
}

// r2Upload stores the request's body, as it arrives, under the key of its
// path, with the HTTP metadata and conditions of its headers; it answers
// the object's metadata as JSON.
func r2Upload(w http.ResponseWriter, r *http.Request) {
	b, err := blobs()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	obj, err := b.Put(r.Context(), r.PathValue("key"), r.Body, r.ContentLength, &r2.PutOptions{
		HTTPMetadata: r2.HTTPMetadataFromHeader(r.Header),
		OnlyIf:       r2.ConditionalFromHeader(r.Header),
	})
	switch {
	case errors.Is(err, r2.ErrPreconditionFailed):
		w.WriteHeader(http.StatusPreconditionFailed)
	case err != nil:
		writeError(w, http.StatusBadRequest, err)
	default:
		writeJSON(w, http.StatusOK, describeObject(obj))
	}
}

// r2Download serves the object of the key of its path, as it comes from
// R2, with the conditions and the range of the request's headers.
func r2Download(w http.ResponseWriter, r *http.Request) {
	b, err := blobs()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	obj, err := b.Get(r.Context(), r.PathValue("key"), &r2.GetOptions{
		OnlyIf: r2.ConditionalFromHeader(r.Header),
		Range:  r2.RangeFromHeader(r.Header),
	})
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if obj == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("no object %q", r.PathValue("key")))
		return
	}
	h := w.Header()
	obj.HTTPMetadata.Write(h)
	h.Set("ETag", obj.HTTPETag)
	h.Set("Last-Modified", obj.Uploaded.UTC().Format(http.TimeFormat))
	if obj.Body == nil {
		status := http.StatusPreconditionFailed
		if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
			status = http.StatusNotModified
		}
		w.WriteHeader(status)
		return
	}
	defer obj.Body.Close()
	h.Set("Content-Length", strconv.FormatInt(obj.Range.Length, 10))
	status := http.StatusOK
	if obj.Range.Length != obj.Size {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", obj.Range.Offset, obj.Range.Offset+obj.Range.Length-1, obj.Size))
	}
	w.WriteHeader(status)
	io.Copy(w, obj.Body)
}

// describeObject is what the scenarios compare of an object: all but its
// version and upload time, which differ from run to run (their form is
// checked instead).
func describeObject(o *r2.Object) map[string]any {
	if o == nil {
		return nil
	}
	out := map[string]any{
		"key": o.Key, "size": o.Size, "etag": o.ETag, "httpEtag": o.HTTPETag,
		"httpMetadata": o.HTTPMetadata, "customMetadata": o.CustomMetadata, "checksums": o.Checksums,
		"storageClass": o.StorageClass, "hasBody": o.Body != nil,
		"version":  len(o.Version) == 32 && isHex(o.Version),
		"uploaded": !o.Uploaded.IsZero() && o.Uploaded.Equal(o.Uploaded.Truncate(time.Millisecond)),
	}
	if o.Range != nil {
		out["range"] = []int64{o.Range.Offset, o.Range.Length}
	}
	return out
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// r2Error describes an error as the scenarios compare it.
func r2Error(err error) any {
	var re *r2.Error
	var we *worker.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		return map[string]any{"op": re.Op, "code": re.Code, "message": re.Message}
	case errors.Is(err, r2.ErrPreconditionFailed):
		return "ErrPreconditionFailed"
	case errors.Is(err, r2.ErrSize):
		return "ErrSize: " + err.Error()
	case errors.Is(err, r2.ErrUnknownSize):
		return "ErrUnknownSize"
	case errors.As(err, &we):
		return map[string]any{"name": we.Name, "message": we.Message}
	}
	return err.Error()
}

// readBody reads an object's body, if it has one, and closes it.
func readBody(o *r2.Object, err error) any {
	switch {
	case err != nil:
		return r2Error(err)
	case o == nil:
		return nil
	case o.Body == nil:
		return "no body"
	}
	defer o.Body.Close()
	b, err := io.ReadAll(o.Body)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

func r2Objects(ctx context.Context, b *r2.Bucket, p string) (map[string]any, error) {
	out := map[string]any{}
	key := p + "objects/hello.txt"
	sum := sha256.Sum256([]byte("hello world"))
	put, err := b.Put(ctx, key, strings.NewReader("hello world"), -1, &r2.PutOptions{
		HTTPMetadata:   r2.HTTPMetadata{ContentType: "text/plain", CacheExpiry: time.UnixMilli(1_700_000_000_000)},
		CustomMetadata: map[string]string{"x": "1", "y": "é"},
		Checksums:      r2.Checksums{SHA256: sum[:]},
	})
	if err != nil {
		return nil, err
	}
	out["put"] = describeObject(put)
	head, err := b.Head(ctx, key)
	out["head"], out["headErr"] = describeObject(head), r2Error(err)
	get, err := b.Get(ctx, key, nil)
	out["get"], out["getErr"] = describeObject(get), r2Error(err)
	out["body"] = readBody(get, err)
	ranges := map[string]*r2.Range{
		"offsetLength": {Offset: 2, Length: 3},
		"offset":       {Offset: 6},
		"length":       {Length: 5},
		"suffix":       {Suffix: 5},
		"longSuffix":   {Suffix: 100},
		"pastEnd":      {Offset: 5, Length: 100},
		"header":       r2.RangeFromHeader(http.Header{"Range": {"bytes=1-3"}}),
		"headerOpen":   r2.RangeFromHeader(http.Header{"Range": {"bytes=4-"}}),
		"headerSuffix": r2.RangeFromHeader(http.Header{"Range": {"bytes=-2"}}),
		"headerMany":   r2.RangeFromHeader(http.Header{"Range": {"bytes=0-1,3-4"}}),
		"headerBeyond": r2.RangeFromHeader(http.Header{"Range": {"bytes=20-30"}}),
	}
	got := map[string]any{}
	for name, rng := range ranges {
		o, err := b.Get(ctx, key, &r2.GetOptions{Range: rng})
		r := []any{readBody(o, err)}
		if o != nil {
			r = append(r, o.Range.Offset, o.Range.Length)
		}
		got[name] = r
	}
	out["ranges"] = got
	missing, err := b.Get(ctx, p+"objects/missing", nil)
	out["getMissing"] = []any{missing == nil, r2Error(err)}
	missingHead, err := b.Head(ctx, p+"objects/missing")
	out["headMissing"] = []any{missingHead == nil, r2Error(err)}

	// HTTP metadata from a request's headers, and back into headers.
	h := http.Header{"Content-Type": {"text/html"}, "Content-Language": {"en"}, "Content-Disposition": {"inline"},
		"Content-Encoding": {"gzip"}, "Cache-Control": {"no-cache"}, "Expires": {"Wed, 21 Oct 2015 07:28:00 GMT"}}
	withHeaders, err := b.Put(ctx, p+"objects/headers", bytes.NewReader([]byte("<p>")), -1, &r2.PutOptions{HTTPMetadata: r2.HTTPMetadataFromHeader(h)})
	if err != nil {
		return nil, err
	}
	written := http.Header{}
	withHeaders.HTTPMetadata.Write(written)
	out["headers"] = written
	out["empty"] = describeObject(must(b.Put(ctx, p+"objects/empty", nil, 0, nil)))

	// Delete one, then many (one of which does not exist).
	var errs []error
	for _, k := range []string{"a", "b", "c"} {
		_, err := b.Put(ctx, p+"objects/del/"+k, strings.NewReader(k), 1, nil)
		errs = append(errs, err)
	}
	errs = append(errs, b.Delete(ctx, p+"objects/del/a"))
	errs = append(errs, b.Delete(ctx, p+"objects/del/b", p+"objects/del/c", p+"objects/del/none"))
	left := 0
	for _, k := range []string{"a", "b", "c"} {
		o, err := b.Head(ctx, p+"objects/del/"+k)
		errs = append(errs, err)
		if o != nil {
			left++
		}
	}
	out["deleted"] = []any{left, r2Error(errors.Join(errs...))}
	return out, nil
}

func must(o *r2.Object, err error) *r2.Object {
	if err != nil {
		panic(err)
	}
	return o
}

func r2Conditional(ctx context.Context, b *r2.Bucket, p string) (map[string]any, error) {
	key := p + "cond/x"
	obj, err := b.Put(ctx, key, strings.NewReader("conditional"), -1, nil)
	if err != nil {
		return nil, err
	}
	when := obj.Uploaded
	gets := map[string]*r2.Conditional{
		"etagMatches":           {ETagMatches: obj.ETag},
		"etagMatchesOther":      {ETagMatches: "other"},
		"etagMatchesAny":        {ETagMatches: "*"},
		"etagDoesNotMatch":      {ETagDoesNotMatch: obj.ETag},
		"etagDoesNotMatchOther": {ETagDoesNotMatch: "other"},
		"uploadedBefore":        {UploadedBefore: when},
		"uploadedBeforeLater":   {UploadedBefore: when.Add(time.Millisecond)},
		"uploadedBeforeSeconds": {UploadedBefore: when.Truncate(time.Second).Add(999 * time.Millisecond), SecondsGranularity: true},
		"uploadedAfter":         {UploadedAfter: when},
		"uploadedAfterEarlier":  {UploadedAfter: when.Add(-time.Millisecond)},
		"quoted":                {ETagMatches: obj.HTTPETag},
		"ifMatch":               r2.ConditionalFromHeader(http.Header{"If-Match": {`"other", ` + obj.HTTPETag}}),
		"ifMatchWeak":           r2.ConditionalFromHeader(http.Header{"If-Match": {"W/" + obj.HTTPETag}}),
		"ifMatchAny":            r2.ConditionalFromHeader(http.Header{"If-Match": {"*"}}),
		"ifNoneMatch":           r2.ConditionalFromHeader(http.Header{"If-None-Match": {obj.HTTPETag}}),
		"ifNoneMatchWeak":       r2.ConditionalFromHeader(http.Header{"If-None-Match": {"W/" + obj.HTTPETag}}),
		"ifNoneMatchOther":      r2.ConditionalFromHeader(http.Header{"If-None-Match": {`"other"`}}),
		"ifModifiedSince":       r2.ConditionalFromHeader(http.Header{"If-Modified-Since": {when.UTC().Format(http.TimeFormat)}}),
		"ifModifiedSincePast":   r2.ConditionalFromHeader(http.Header{"If-Modified-Since": {"Wed, 21 Oct 2015 07:28:00 GMT"}}),
		"ifUnmodifiedSincePast": r2.ConditionalFromHeader(http.Header{"If-Unmodified-Since": {"Wed, 21 Oct 2015 07:28:00 GMT"}}),
		"unquoted":              r2.ConditionalFromHeader(http.Header{"If-Match": {"abc"}}),
		"unclosed":              r2.ConditionalFromHeader(http.Header{"If-Match": {`"abc`}}),
		"noComma":               r2.ConditionalFromHeader(http.Header{"If-Match": {`"a" "b"`}}),
		"badWeak":               r2.ConditionalFromHeader(http.Header{"If-Match": {`W"a"`}}),
	}
	out := map[string]any{}
	for name, c := range gets {
		o, err := b.Get(ctx, key, &r2.GetOptions{OnlyIf: c})
		r := readBody(o, err)
		if o != nil && o.Body == nil {
			r = []any{r, o.Range.Offset, o.Range.Length} // the metadata R2 answered with
		}
		out["get "+name] = r
	}
	puts := map[string]*r2.Conditional{
		"etagMatchesOther":    {ETagMatches: "other"},
		"etagDoesNotMatchAny": {ETagDoesNotMatch: "*"},
		"ifMatchHeader":       r2.ConditionalFromHeader(http.Header{"If-Match": {`"other"`}}),
	}
	for name, c := range puts {
		o, err := b.Put(ctx, key, strings.NewReader("replaced"), -1, &r2.PutOptions{OnlyIf: c})
		out["put "+name] = []any{o == nil, r2Error(err)}
	}
	if err := b.Delete(ctx, p+"cond/new"); err != nil {
		return nil, err
	}
	o, err := b.Put(ctx, p+"cond/new", strings.NewReader("new"), -1, &r2.PutOptions{OnlyIf: &r2.Conditional{ETagDoesNotMatch: "*"}})
	out["put new etagDoesNotMatchAny"] = []any{o != nil, r2Error(err)}
	o, err = b.Put(ctx, p+"cond/none", strings.NewReader("none"), -1, &r2.PutOptions{OnlyIf: &r2.Conditional{ETagMatches: "x"}})
	out["put none etagMatches"] = []any{o == nil, r2Error(err)}
	o, err = b.Put(ctx, key, strings.NewReader("replaced"), -1, &r2.PutOptions{OnlyIf: &r2.Conditional{ETagMatches: obj.ETag}})
	out["put etagMatches"] = []any{o != nil, r2Error(err)}
	out["after"] = readBody(b.Get(ctx, key, nil))
	return out, nil
}

func r2Errors(ctx context.Context, b *r2.Bucket, p string) (map[string]any, error) {
	out := map[string]any{}
	key := p + "errors/x"
	put := func(body io.Reader, size int64, opts *r2.PutOptions) any {
		_, err := b.Put(ctx, key, body, size, opts)
		return r2Error(err)
	}
	zeros := make([]byte, 32)
	out["badSHA256"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{SHA256: zeros}})
	out["badMD5"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{MD5: zeros[:16]}})
	out["shortSHA1"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{SHA1: zeros[:2]}})
	out["twoChecksums"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{MD5: zeros[:16], SHA1: zeros[:20]}})
	s384, s512 := sha512.Sum384([]byte("hello")), sha512.Sum512([]byte("hello"))
	out["goodSHA384"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{SHA384: s384[:]}})
	out["goodSHA512"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{SHA512: s512[:]}})
	out["badSHA384"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{SHA384: s512[:48]}})
	md := md5.Sum([]byte("hello"))
	out["goodMD5"] = put(strings.NewReader("hello"), 5, &r2.PutOptions{Checksums: r2.Checksums{MD5: md[:]}})
	out["metadataTooLarge"] = put(nil, 0, &r2.PutOptions{CustomMetadata: map[string]string{"a": strings.Repeat("x", 8200)}})
	_, err := b.Put(ctx, strings.Repeat("k", 1025), nil, 0, nil)
	out["keyTooLong"] = r2Error(err)
	_, err = b.Head(ctx, strings.Repeat("k", 1025))
	out["headKeyTooLong"] = r2Error(err)
	out["deleteKeyTooLong"] = r2Error(b.Delete(ctx, "fine", strings.Repeat("k", 1025)))
	out["shortBody"] = put(strings.NewReader("abc"), 5, nil)
	out["longBody"] = put(strings.NewReader("abcdef"), 5, nil)
	out["unknownSize"] = put(io.MultiReader(strings.NewReader("abc")), -1, nil)
	big := int64(100 << 10) // a body that streams
	out["shortStream"] = put(newSeeded(big-1, 0, nil), big, nil)
	out["longStream"] = put(newSeeded(big+1, 0, nil), big, nil)
	out["failingStream"] = put(io.MultiReader(newSeeded(big/2, 0, nil), failingReader{}), big, nil)
	out["afterFailures"] = describeObject(must(b.Head(ctx, key)))
	for name, rng := range map[string]*r2.Range{
		"rangeOffsetBeyond":   {Offset: 20},
		"rangeNegative":       {Offset: -1},
		"rangeNegativeSuffix": {Suffix: -1},
		"rangeSuffixOffset":   {Offset: 1, Suffix: 1},
	} {
		_, err := b.Get(ctx, key, &r2.GetOptions{Range: rng})
		out[name] = r2Error(err)
	}
	return out, nil
}

func r2List(ctx context.Context, b *r2.Bucket, p string) (map[string]any, error) {
	p += "list/"
	for _, k := range []string{"a", "b/1", "b/2", "c", "d/1", "d/e/2", "e"} {
		if _, err := b.Put(ctx, p+k, strings.NewReader(k), -1, &r2.PutOptions{
			HTTPMetadata:   r2.HTTPMetadata{ContentType: "text/" + k},
			CustomMetadata: map[string]string{"k": k},
		}); err != nil {
			return nil, err
		}
	}
	out := map[string]any{}
	pages := func(name string, opts *r2.ListOptions) {
		var all []any
		for page, err := range b.Pages(ctx, opts) {
			if err != nil {
				all = append(all, r2Error(err))
				break
			}
			keys := []string{}
			for _, o := range page.Objects {
				keys = append(keys, strings.TrimPrefix(o.Key, p))
			}
			all = append(all, map[string]any{"keys": keys, "prefixes": page.DelimitedPrefixes, "truncated": page.Truncated, "cursor": page.Cursor != ""})
		}
		out[name] = all
	}
	pages("all", &r2.ListOptions{Prefix: p})
	pages("limit 3", &r2.ListOptions{Prefix: p, Limit: 3})
	pages("delimiter", &r2.ListOptions{Prefix: p, Delimiter: "/"})
	pages("delimiter limit 2", &r2.ListOptions{Prefix: p, Delimiter: "/", Limit: 2})
	pages("nested prefix", &r2.ListOptions{Prefix: p + "d/", Delimiter: "/"})
	pages("startAfter", &r2.ListOptions{Prefix: p, StartAfter: p + "b/2"})
	pages("limit too large", &r2.ListOptions{Prefix: p, Limit: 1001})

	meta := func(opts *r2.ListOptions) any {
		page, err := b.List(ctx, opts)
		if err != nil {
			return r2Error(err)
		}
		o := page.Objects[0]
		return []any{o.HTTPMetadata, o.CustomMetadata, o.Checksums, o.Size, o.Range == nil}
	}
	out["without include"] = meta(&r2.ListOptions{Prefix: p, Limit: 1})
	out["include http"] = meta(&r2.ListOptions{Prefix: p, Limit: 1, IncludeHTTPMetadata: true})
	out["include both"] = meta(&r2.ListOptions{Prefix: p, Limit: 1, IncludeHTTPMetadata: true, IncludeCustomMetadata: true})
	first, err := b.List(ctx, &r2.ListOptions{Prefix: p, Limit: 2})
	if err != nil {
		return nil, err
	}
	rest, err := b.List(ctx, &r2.ListOptions{Prefix: p, Limit: 2, Cursor: first.Cursor})
	if err != nil {
		return nil, err
	}
	out["cursor"] = []string{first.Cursor, rest.Objects[0].Key[len(p):]}
	return out, nil
}

// partSize is the size of the multipart scenario's parts but the last: R2's
// least.
const partSize = 5 << 20

// seeded is a reader of n bytes of a pattern that differs from one
// object to another (seed), hashed as it is read.
type seeded struct {
	n, off int64
	seed   byte
	h      hash.Hash
}

func newSeeded(n int64, seed byte, h hash.Hash) *seeded { return &seeded{n: n, seed: seed, h: h} }

func (r *seeded) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n-r.off)]
	for i := range p {
		p[i] = byte(r.off+int64(i)) ^ r.seed
	}
	r.off += int64(len(p))
	if r.h != nil {
		r.h.Write(p)
	}
	return len(p), nil
}

func r2Multipart(ctx context.Context, b *r2.Bucket, p string) (map[string]any, error) {
	key := p + "multipart/x"
	out := map[string]any{}
	up, err := b.CreateMultipartUpload(ctx, key, &r2.MultipartOptions{
		HTTPMetadata:   r2.HTTPMetadata{ContentType: "application/x-parts"},
		CustomMetadata: map[string]string{"parts": "2"},
	})
	if err != nil {
		return nil, err
	}
	out["upload"] = []any{up.Key == key, len(up.UploadID) > 100}
	whole := sha256.New()
	p1, err := up.UploadPart(ctx, 1, newSeeded(partSize, 1, whole), partSize) // streams
	if err != nil {
		return nil, err
	}
	// The rest in another request would resume the upload by its ID.
	resumed := b.ResumeMultipartUpload(key, up.UploadID)
	p2, err := resumed.UploadPart(ctx, 2, newSeeded(1000, 2, whole), -1)
	out["unknownSize"] = r2Error(err)
	p2, err = resumed.UploadPart(ctx, 2, newSeeded(1000, 2, whole), 1000)
	if err != nil {
		return nil, err
	}
	out["parts"] = []any{p1.PartNumber, len(p1.ETag), p2.PartNumber, p1.ETag != p2.ETag}
	_, err = up.UploadPart(ctx, 0, strings.NewReader("x"), 1)
	out["partZero"] = r2Error(err)
	_, err = up.Complete(ctx, []r2.UploadedPart{p1, {PartNumber: 2, ETag: "wrong"}})
	out["wrongETag"] = r2Error(err)
	obj, err := up.Complete(ctx, []r2.UploadedPart{p1, p2})
	if err != nil {
		return nil, err
	}
	out["object"] = describeObject(obj)
	parts := md5.New()
	for _, seed := range []byte{1, 2} {
		h := md5.New()
		io.Copy(h, newSeeded(map[byte]int64{1: partSize, 2: 1000}[seed], seed, nil))
		parts.Write(h.Sum(nil))
	}
	out["etagIsMD5OfParts"] = obj.ETag == fmt.Sprintf("%x-2", parts.Sum(nil))
	got, err := b.Get(ctx, key, nil)
	if err != nil {
		return nil, err
	}
	read := sha256.New()
	n, err := io.Copy(read, got.Body)
	got.Body.Close()
	out["read"] = []any{n, hex.EncodeToString(read.Sum(nil)) == hex.EncodeToString(whole.Sum(nil)), r2Error(err), describeObject(got)}
	tail, err := b.Get(ctx, key, &r2.GetOptions{Range: &r2.Range{Suffix: 1001}})
	out["tail"] = []any{readBody(tail, err) == string(append(patternBytes(partSize, 1)[partSize-1:], patternBytes(1000, 2)...))}
	_, err = up.UploadPart(ctx, 3, strings.NewReader("late"), 4)
	out["afterComplete"] = r2Error(err)
	_, err = up.Complete(ctx, []r2.UploadedPart{p1, p2})
	out["completeTwice"] = r2Error(err)

	// Parts that are too small, an aborted upload, an unknown one.
	small, err := b.CreateMultipartUpload(ctx, p+"multipart/small", nil)
	if err != nil {
		return nil, err
	}
	s1, err1 := small.UploadPart(ctx, 1, strings.NewReader("a"), 1)
	s2, err2 := small.UploadPart(ctx, 2, strings.NewReader("b"), 1)
	_, err = small.Complete(ctx, []r2.UploadedPart{s1, s2})
	out["tooSmall"] = []any{r2Error(errors.Join(err1, err2)), r2Error(err)}
	out["abort"] = []any{r2Error(small.Abort(ctx)), r2Error(small.Abort(ctx))}
	_, err = small.UploadPart(ctx, 1, strings.NewReader("a"), 1)
	out["afterAbort"] = r2Error(err)
	unknown := b.ResumeMultipartUpload(p+"multipart/unknown", "no-such-upload")
	_, err = unknown.UploadPart(ctx, 1, strings.NewReader("a"), 1)
	out["unknownPart"] = r2Error(err)
	_, err = unknown.Complete(ctx, nil)
	out["unknownComplete"] = r2Error(err)
	out["unknownAbort"] = r2Error(unknown.Abort(ctx))
	empty, err := b.CreateMultipartUpload(ctx, p+"multipart/empty", nil)
	if err != nil {
		return nil, err
	}
	out["empty"] = describeObject(must(empty.Complete(ctx, nil)))
	return out, nil
}

func patternBytes(n int64, seed byte) []byte {
	b, _ := io.ReadAll(newSeeded(n, seed, nil))
	return b
}
