package r2_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/r2"
	"github.com/godurable/godurable/worker"
)

// A Worker that keeps files in a bucket (testdata/files): it stores an
// upload as it arrives, and serves a file, a range of it, or a 304 to a
// client that has it. dotest runs it on an emulated bucket, as wrangler
// dev's local R2 does.
//
//	// PUT /files/{key}
//	obj, err := b.Put(r.Context(), r.PathValue("key"), r.Body, r.ContentLength, &r2.PutOptions{
//		HTTPMetadata: r2.HTTPMetadataFromHeader(r.Header),
//	})
//
//	// GET /files/{key}
//	obj, err := b.Get(r.Context(), r.PathValue("key"), &r2.GetOptions{
//		OnlyIf: r2.ConditionalFromHeader(r.Header),
//		Range:  r2.RangeFromHeader(r.Header),
//	})
//	obj.HTTPMetadata.Write(w.Header())
//	w.Header().Set("ETag", obj.HTTPETag)
//	if obj.Body == nil { // a condition did not hold
//		w.WriteHeader(http.StatusNotModified)
//		return
//	}
//	defer obj.Body.Close()
//	io.Copy(w, obj.Body)
func Example() {
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/files"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	do := func(method, path, body string, header ...string) *http.Response {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp := w.Fetch(req)
		b, _ := io.ReadAll(resp.Body)
		line := fmt.Sprint(method, " ", path, " ", resp.StatusCode, " ", resp.Header.Get("Content-Type"), " ", resp.Header.Get("Content-Range"), " ", string(b))
		fmt.Println(strings.Join(strings.Fields(line), " "))
		return resp
	}
	put := do("PUT", "/files/notes/hello.txt", "hello, world", "Content-Type", "text/plain")
	do("GET", "/files/notes/hello.txt", "")
	do("GET", "/files/notes/hello.txt", "", "Range", "bytes=7-")
	do("GET", "/files/notes/hello.txt", "", "If-None-Match", put.Header.Get("ETag"))
	do("PUT", "/files/notes/hello.txt", "again", "If-None-Match", "*") // create only
	// Output:
	// PUT /files/notes/hello.txt 201
	// GET /files/notes/hello.txt 200 text/plain hello, world
	// GET /files/notes/hello.txt 206 text/plain bytes 7-11/12 world
	// GET /files/notes/hello.txt 304 text/plain
	// PUT /files/notes/hello.txt 412
}

// Pages lists a bucket page after page; with a Delimiter, keys that go on
// past it are grouped as directories.
func ExampleBucket_Pages() {
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/files"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	for _, key := range []string{"a.txt", "docs/1.txt", "docs/2.txt", "img/x.png", "z.txt"} {
		w.Fetch(httptest.NewRequest("PUT", "/files/"+key, strings.NewReader(key))).Body.Close()
	}
	// GET /files/ runs, two objects (or directories) a page:
	//
	//	for page, err := range b.Pages(r.Context(), &r2.ListOptions{Prefix: q.Get("prefix"), Delimiter: "/", Limit: 2}) {
	//		...
	//		for _, dir := range page.DelimitedPrefixes { fmt.Fprintln(w, dir) }
	//		for _, f := range page.Objects { fmt.Fprintln(w, f.Key, f.Size) }
	//	}
	resp := w.Fetch(httptest.NewRequest("GET", "/files/", nil))
	b, _ := io.ReadAll(resp.Body)
	fmt.Print(string(b))
	// Output:
	// docs/
	// a.txt 5
	// img/
	// z.txt 5
}

// An upload of any size streams to R2 as the client sends it: Put reads
// the request's body as it arrives, and R2 needs only its length first.
func ExampleBucket_Put() {
	http.HandleFunc("PUT /videos/{name}", func(w http.ResponseWriter, r *http.Request) {
		env, _ := worker.GetEnv()
		b, err := r2.FromEnv(env, "VIDEOS") // [[r2_buckets]] binding = "VIDEOS"
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if r.ContentLength < 0 { // a chunked upload: its length is unknown
			http.Error(w, "Content-Length required", http.StatusLengthRequired)
			return
		}
		obj, err := b.Put(r.Context(), "videos/"+r.PathValue("name"), r.Body, r.ContentLength, &r2.PutOptions{
			HTTPMetadata:   r2.HTTPMetadata{ContentType: r.Header.Get("Content-Type")},
			CustomMetadata: map[string]string{"uploader": r.Header.Get("X-User")},
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, obj.Key, obj.Size, obj.ETag)
	})
	worker.Handle(http.DefaultServeMux) // in an init function
}

// A checksum given to Put is checked by R2, which stores nothing if the
// body does not have it.
func ExampleChecksums() {
	store := func(ctx context.Context, b *r2.Bucket, key string, data []byte) error {
		sum := sha256.Sum256(data)
		_, err := b.Put(ctx, key, strings.NewReader(string(data)), -1, &r2.PutOptions{
			Checksums: r2.Checksums{SHA256: sum[:]},
		})
		return err // an *r2.Error with Code r2.CodeBadDigest if the bytes changed on the way
	}
	_ = store
}

// A file too large for one request is uploaded in parts, each in a request
// of its own, then put together.
func ExampleMultipartUpload() {
	// POST /uploads/{key}: begin, and answer the upload's ID.
	begin := func(ctx context.Context, b *r2.Bucket, key string) (string, error) {
		up, err := b.CreateMultipartUpload(ctx, key, &r2.MultipartOptions{
			HTTPMetadata: r2.HTTPMetadata{ContentType: "video/mp4"},
		})
		if err != nil {
			return "", err
		}
		return up.UploadID, nil
	}
	// PUT /uploads/{key}/{id}/{n}: one part (at least 5 MiB but the last).
	part := func(r *http.Request, b *r2.Bucket, n int) (r2.UploadedPart, error) {
		up := b.ResumeMultipartUpload(r.PathValue("key"), r.PathValue("id"))
		return up.UploadPart(r.Context(), n, r.Body, r.ContentLength) // streams
	}
	// POST /uploads/{key}/{id}/complete: the parts the client uploaded.
	complete := func(ctx context.Context, b *r2.Bucket, key, id string, parts []r2.UploadedPart) (*r2.Object, error) {
		return b.ResumeMultipartUpload(key, id).Complete(ctx, parts) // ETag: "<md5 of the parts' md5s>-<parts>"
	}
	_, _, _ = begin, part, complete
}
