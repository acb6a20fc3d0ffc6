// Command hello is the stateless Go Worker of the benchmarks: one route,
// no Durable Object. Its JavaScript twin is bench/js/hello.js.
//
// For the streaming rows, GET ?bytes=N streams N bytes in 64 KiB writes,
// and PUT reads the request body as it comes and answers with its length.
package main

import (
	"io"
	"net/http"
	"strconv"

	"github.com/godurable/godurable/worker"
)

var chunk = make([]byte, 64<<10)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
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
