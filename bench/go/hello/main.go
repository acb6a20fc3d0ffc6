// Command hello is the stateless Go Worker of the benchmarks: one route,
// no Durable Object. Its JavaScript twin is bench/js/hello.js.
package main

import (
	"io"
	"net/http"

	"github.com/godurable/godurable/worker"
)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "hello\n")
	})
}

func main() {}
