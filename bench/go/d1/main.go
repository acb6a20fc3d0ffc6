// Command d1 is the Go Worker of the benchmark's D1 row: GET /?n=N answers
// the value of SELECT ?1 + 1 bound to N, through the d1 package. Its
// JavaScript twin is bench/js/d1.js.
package main

import (
	"net/http"
	"strconv"

	"github.com/godurable/godurable/d1"
	"github.com/godurable/godurable/worker"
)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		db, err := d1.FromEnv(env, "DB")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		var v int64
		if err := db.Prepare("SELECT ?1 + 1 AS v").Bind(n).First(r.Context(), &v); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(strconv.AppendInt(nil, v, 10))
	})
}

func main() {}
