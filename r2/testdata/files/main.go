// Command files is a Worker that keeps files in an R2 bucket: PUT
// /files/{key} stores the request's body as it arrives, GET /files/{key}
// serves a file as it comes from R2 (with ranges and conditional
// requests), and GET /files/?prefix=&delimiter= lists them. The r2
// package's examples run it under dotest.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/godurable/godurable/r2"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /files/{key...}", put)
	mux.HandleFunc("GET /files/{key...}", get)
	mux.HandleFunc("GET /files/{$}", list)
	worker.Handle(mux)
}

func bucket() (*r2.Bucket, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	return r2.FromEnv(env, "FILES") // [[r2_buckets]] binding = "FILES"
}

// put stores the body as it arrives: R2 needs its length, which the
// request's Content-Length gives.
func put(w http.ResponseWriter, r *http.Request) {
	b, err := bucket()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	obj, err := b.Put(r.Context(), r.PathValue("key"), r.Body, r.ContentLength, &r2.PutOptions{
		HTTPMetadata: r2.HTTPMetadataFromHeader(r.Header), // Content-Type, Cache-Control, ...
		OnlyIf:       r2.ConditionalFromHeader(r.Header),  // If-Match, If-None-Match: *, ...
	})
	switch {
	case errors.Is(err, r2.ErrPreconditionFailed):
		w.WriteHeader(http.StatusPreconditionFailed)
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		w.Header().Set("ETag", obj.HTTPETag)
		w.WriteHeader(http.StatusCreated)
	}
}

// get serves a file, or the range of it the request asks for, unless the
// request's conditions say the client has it already.
func get(w http.ResponseWriter, r *http.Request) {
	b, err := bucket()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	obj, err := b.Get(r.Context(), r.PathValue("key"), &r2.GetOptions{
		OnlyIf: r2.ConditionalFromHeader(r.Header),
		Range:  r2.RangeFromHeader(r.Header),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if obj == nil {
		http.NotFound(w, r)
		return
	}
	obj.HTTPMetadata.Write(w.Header())
	w.Header().Set("ETag", obj.HTTPETag)
	if obj.Body == nil { // a condition did not hold
		w.WriteHeader(http.StatusNotModified)
		return
	}
	defer obj.Body.Close()
	w.Header().Set("Content-Length", strconv.FormatInt(obj.Range.Length, 10))
	if obj.Range.Length < obj.Size {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", obj.Range.Offset, obj.Range.Offset+obj.Range.Length-1, obj.Size))
		w.WriteHeader(http.StatusPartialContent)
	}
	io.Copy(w, obj.Body)
}

// list writes the directories and files under ?prefix=, one a line, page
// after page.
func list(w http.ResponseWriter, r *http.Request) {
	b, err := bucket()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	opts := &r2.ListOptions{Prefix: q.Get("prefix"), Delimiter: "/", Limit: 2}
	for page, err := range b.Pages(r.Context(), opts) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, dir := range page.DelimitedPrefixes {
			fmt.Fprintln(w, dir)
		}
		for _, f := range page.Objects {
			fmt.Fprintln(w, f.Key, f.Size)
		}
	}
}
