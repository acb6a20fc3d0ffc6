// Command r2 is the Go Worker of the benchmark's R2 row: GET /?size=N
// answers the object "bench-N" of N bytes, with its ETag, as it comes from
// the bucket (it stores the object first if the bucket lacks it), through
// the r2 package. Its JavaScript twin is bench/js/r2.js.
package main

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/godurable/godurable/r2"
	"github.com/godurable/godurable/worker"
)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b, err := r2.FromEnv(env, "BLOBS")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		key := "bench-" + strconv.Itoa(size)
		obj, err := b.Get(r.Context(), key, nil)
		if err == nil && obj == nil {
			if _, err = b.Put(r.Context(), key, bytes.NewReader(bytes.Repeat([]byte("r2"), size/2)), -1, nil); err == nil {
				obj, err = b.Get(r.Context(), key, nil)
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer obj.Body.Close()
		w.Header().Set("ETag", obj.HTTPETag)
		io.Copy(w, obj.Body)
	})
}

func main() {}
