package main

import (
	"net/http"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Unmigrated is a class that no [[migrations]] entry creates (binding
// UNMIGRATED in wrangler.toml, on purpose; wasmbuild check refuses it):
// workerd runs it with the key-value storage backend, whose synchronous
// KV and SQL APIs throw.
type Unmigrated struct{ state *durableobject.State }

func newUnmigrated(state *durableobject.State, env *worker.Env) (*Unmigrated, error) {
	return &Unmigrated{state: state}, nil
}

// Storage reports what its KV and SQL storage answered.
func (u *Unmigrated) Storage() map[string]string {
	_, sqlErr := u.state.Storage.SQL.Exec("SELECT 1")
	return map[string]string{
		"kv":  errString(u.state.Storage.KV.Put("k", 1)),
		"sql": errString(sqlErr),
	}
}

// serveUnmigrated is GET /unmigrated: what the Unmigrated object's storage
// answers.
func serveUnmigrated(w http.ResponseWriter, r *http.Request) {
	stub, err := stubOf("UNMIGRATED", "u")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	var out map[string]string
	if err := stub.Call(r.Context(), "storage", &out); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
