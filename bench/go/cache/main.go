// Command cache is the Go Worker of the benchmark's Cache API row: GET /
// answers a 1 KiB response from the default cache (X-Cache: HIT), putting
// it there first if it is not (MISS), through the cache package. Its
// JavaScript twin is bench/js/cache.js.
package main

import (
	"bytes"
	"io"
	"net/http"

	"github.com/godurable/godurable/cache"
	"github.com/godurable/godurable/worker"
)

// body is the cached response's body: 1 KiB, the twin's too.
var body = bytes.Repeat([]byte("0123456789abcdef"), 64)

// key is the cached response's URL (each side its own).
const key = "https://bench.cache/go/1k"

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, key, nil)
		c := cache.Default()
		resp, err := c.Match(ctx, req, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if resp == nil {
			err := c.Put(ctx, req, &http.Response{
				StatusCode:    http.StatusOK,
				Header:        http.Header{"Cache-Control": {"max-age=86400"}, "Content-Type": {"application/octet-stream"}},
				Body:          io.NopCloser(bytes.NewReader(body)),
				ContentLength: int64(len(body)),
			})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("X-Cache", "MISS")
			w.Write(body)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.Header().Set("X-Cache", "HIT")
		io.Copy(w, resp.Body)
	})
}

func main() {}
