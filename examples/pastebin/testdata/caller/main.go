// Command caller is a Go Worker that calls the pastebin's RPC methods
// through its service binding PASTEBIN:
//
//	POST /put?ttl=SECONDS   put(body, ttl) -> 201 the paste; 400 {"error"} for a RangeError
//	GET  /stats             stats() -> 200 the stats
package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /put", func(w http.ResponseWriter, r *http.Request) {
		text, err := io.ReadAll(r.Body)
		if err != nil {
			reply(w, http.StatusCreated, nil, err)
			return
		}
		var ttl *int64
		if s := r.URL.Query().Get("ttl"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				reply(w, http.StatusCreated, nil, err)
				return
			}
			ttl = &n
		}
		var paste map[string]any
		err = call(r, "put", &paste, string(text), ttl)
		reply(w, http.StatusCreated, paste, err)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		var stats map[string]any
		err := call(r, "stats", &stats)
		reply(w, http.StatusOK, stats, err)
	})
	worker.Handle(mux)
}

// call calls the pastebin's RPC method.
func call(r *http.Request, method string, result any, args ...any) error {
	env, err := worker.GetEnv()
	if err != nil {
		return err
	}
	pastebin, err := env.Service("PASTEBIN")
	if err != nil {
		return err
	}
	return pastebin.Call(r.Context(), method, result, args...)
}

// reply writes v as JSON with status, or err as {"error"}: 400 for a
// RangeError, 500 for another.
func reply(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		status = http.StatusInternalServerError
		if e := (*worker.Error)(nil); errors.As(err, &e) && e.Name == "RangeError" {
			status = http.StatusBadRequest
		}
		v = map[string]string{"error": err.Error()}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
