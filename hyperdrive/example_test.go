package hyperdrive_test

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/godurable/godurable/hyperdrive"
	"github.com/godurable/godurable/sockets"
	"github.com/godurable/godurable/worker"
)

// A Worker queries the database of its Hyperdrive binding with pgx,
// connecting through workerd's sockets.
func Example() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		db, err := hyperdrive.FromEnv(ctx, env, "HYPERDRIVE")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cfg, err := pgx.ParseConfig(db.ConnectionString)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cfg.DialFunc, cfg.LookupFunc = sockets.Dial, sockets.Lookup
		conn, err := pgx.ConnectConfig(ctx, cfg) // a connection per request: Hyperdrive pools them
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer conn.Close(ctx)
		var now string
		if err := conn.QueryRow(ctx, "SELECT now()::text").Scan(&now); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintln(w, now)
	}
	worker.HandleFunc(handler)
}
