package hyperdrive_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/jackc/pgx/v5"

	"github.com/godurable/godurable/durableobject/dotest"
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

// A Worker reads its Hyperdrive binding. In wrangler dev and under
// dotest, Host is a name of the binding's own that workerd's connect()
// routes to the database of localConnectionString (testdata/dbinfo's
// wrangler.toml), or of the variable
// CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE.
func ExampleFromEnv() {
	// In the Worker (testdata/dbinfo), on an HTTP request r:
	//
	//	db, err := hyperdrive.FromEnv(r.Context(), env, "HYPERDRIVE")
	//	fmt.Fprintf(w, "...", db.Host, db.Port, db.User, db.Database, ...)
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/dbinfo"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	resp := w.Fetch(httptest.NewRequest("GET", "/", nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, "\n", string(body))
	// Output:
	// 200
	// host *.hyperdrive.local: true
	// port 5432, user app, database appdb
	// connection string names the host: true
}
