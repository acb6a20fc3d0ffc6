// Command hello is the stateless Go Worker of the benchmarks: one route,
// no Durable Object. Its JavaScript twin is bench/js/hello.js.
//
// For the streaming rows, GET ?bytes=N streams N bytes in 64 KiB writes,
// and PUT reads the request body as it comes and answers with its length.
// For the Workers KV row, GET /kv answers the 1 KiB value "1k" of the KV
// namespace KV (putting it first if it is not there). For the Cache API
// row, GET /cache answers a 1 KiB response matched in the default cache
// (putting it there first if it is not).
package main

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/godurable/godurable/cache"
	"github.com/godurable/godurable/kv"
	"github.com/godurable/godurable/worker"
)

var chunk = make([]byte, 64<<10)

// value1k is the value of the Workers KV row: 1,024 bytes.
var value1k = strings.Repeat("0123456789abcdef", 64)

func serveKV(w http.ResponseWriter, r *http.Request) {
	env, err := worker.GetEnv()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ns, err := kv.FromEnv(env, "KV")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v, err := ns.Get(r.Context(), "1k")
	if errors.Is(err, kv.ErrNotFound) {
		v, err = value1k, ns.Put(r.Context(), "1k", value1k, nil)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	io.WriteString(w, v)
}

// cacheKey is the cached response's URL (the twin's is its own).
const cacheKey = "https://bench.cache/go/1k"

func serveCache(w http.ResponseWriter, r *http.Request) {
	ctx, c := r.Context(), cache.Default()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cacheKey, nil)
	resp, err := c.Match(ctx, req, nil)
	if err == nil && resp == nil {
		err = c.Put(ctx, req, &http.Response{
			StatusCode:    http.StatusOK,
			Header:        http.Header{"Cache-Control": {"max-age=86400"}},
			Body:          io.NopCloser(strings.NewReader(value1k)),
			ContentLength: int64(len(value1k)),
		})
		if err == nil {
			resp, err = c.Match(ctx, req, nil)
		}
	}
	if err == nil && resp == nil {
		err = errors.New("the response put is not in the cache")
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case r.URL.Path == "/kv":
			serveKV(w, r)
		case r.URL.Path == "/cache":
			serveCache(w, r)
		case r.Method == http.MethodPut:
			n, err := io.Copy(io.Discard, r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			io.WriteString(w, strconv.FormatInt(n, 10))
		case r.URL.Query().Has("bytes"):
			n, _ := strconv.Atoi(r.URL.Query().Get("bytes"))
			w.(http.Flusher).Flush()
			for ; n > 0; n -= len(chunk) {
				if _, err := w.Write(chunk[:min(n, len(chunk))]); err != nil {
					return
				}
			}
		default:
			io.WriteString(w, "hello\n")
		}
	})
}

func main() {}
