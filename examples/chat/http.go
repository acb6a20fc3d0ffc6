package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/godurable/godurable/worker"
)

// route sends /rooms/{room}/... to the room's Durable Object; a WebSocket
// upgrade passes through like any response.
func route(w http.ResponseWriter, r *http.Request) {
	mux := http.NewServeMux()
	mux.HandleFunc("/rooms/{room}/", func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		ns, err := env.DurableObject("CHAT")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		ns.GetByName(r.PathValue("room")).ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no route for %s %s", r.Method, r.URL.Path))
	})
	mux.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
