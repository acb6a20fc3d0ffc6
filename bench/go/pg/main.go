// Command pg is the Go Worker of the benchmark's PostgreSQL row: GET /?q=N
// connects pgx to the database of the Hyperdrive binding HYPERDRIVE
// through package sockets, runs SELECT 1 N times, closes the connection
// and answers N. Its JavaScript twin is bench/js/pg/pg.js.
package main

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/godurable/godurable/hyperdrive"
	"github.com/godurable/godurable/sockets"
	"github.com/godurable/godurable/worker"
)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h, err := hyperdrive.FromEnv(ctx, env, "HYPERDRIVE")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cfg, err := pgx.ParseConfig(h.ConnectionString)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cfg.DialFunc, cfg.LookupFunc = sockets.Dial, sockets.Lookup
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer conn.Close(ctx)
		q, _ := strconv.Atoi(r.URL.Query().Get("q"))
		sum := 0
		for range q {
			var v int
			if err := conn.QueryRow(ctx, "SELECT 1").Scan(&v); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			sum += v
		}
		w.Write(strconv.AppendInt(nil, int64(sum), 10))
	})
}

func main() {}
