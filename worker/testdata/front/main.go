// Command front is the Worker of worker's service binding example: it
// calls the Worker testdata/auth through its service bindings.
package main

import (
	"fmt"
	"net/http"

	"github.com/godurable/godurable/worker"
)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		auth, err := env.Service("AUTH") // the default entrypoint
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var user string
		if err := auth.Call(r.Context(), "check", &user, r.URL.Query().Get("token")); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized) // a *worker.Error, code E_TOKEN
			return
		}
		admin, err := env.Service("AUTH_ADMIN") // the entrypoint Admin, with props
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var realm string
		if err := admin.Call(r.Context(), "realm", &realm); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "%s of %s", user, realm)
	})
}

func main() {}
