// Command pages is a Worker that renders pages and keeps them in the
// default cache for a minute: GET /pages/{name} answers from the cache
// when it can (X-Cache: HIT), and renders the page otherwise (MISS).
// DELETE /pages/{name} purges it. The cache package's examples run it
// under dotest.
package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/godurable/godurable/cache"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pages/{name}", page)
	mux.HandleFunc("DELETE /pages/{name}", purge)
	worker.Handle(mux)
}

func page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := cache.Default()
	if resp, err := c.Match(ctx, r, nil); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	} else if resp != nil {
		defer resp.Body.Close()
		w.Header().Set("X-Cache", resp.Header.Get("Cf-Cache-Status")) // HIT
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		return
	}
	body := render(r.PathValue("name"))
	resp := &http.Response{
		StatusCode: http.StatusOK,
		Header: http.Header{
			"Content-Type":  {"text/plain; charset=utf-8"},
			"Cache-Control": {"max-age=60"}, // fresh for a minute
		},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
	if err := c.Put(ctx, r, resp); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-Cache", "MISS")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, body)
}

func purge(w http.ResponseWriter, r *http.Request) {
	key, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, r.URL.String(), nil)
	deleted, err := cache.Default().Delete(r.Context(), key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, deleted)
}

// render is the expensive part that the cache saves.
func render(name string) string { return "page " + strings.ToUpper(name) + "\n" }
