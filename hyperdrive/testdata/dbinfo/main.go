// Command dbinfo is the Worker of package hyperdrive's runnable example:
// GET / answers the parts of its Hyperdrive binding's configuration.
package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/godurable/godurable/hyperdrive"
	"github.com/godurable/godurable/worker"
)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		db, err := hyperdrive.FromEnv(r.Context(), env, "HYPERDRIVE")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "host *.hyperdrive.local: %v\nport %d, user %s, database %s\nconnection string names the host: %v\n",
			strings.HasSuffix(db.Host, ".hyperdrive.local"), db.Port, db.User, db.Database,
			strings.Contains(db.ConnectionString, "@"+db.Host+":"))
	})
}

func main() {}
