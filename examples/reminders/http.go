package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/godurable/godurable/worker"
)

// route sends /users/{user}/... to the user's Durable Object.
func route(w http.ResponseWriter, r *http.Request) {
	mux := http.NewServeMux()
	mux.HandleFunc("/users/{user}/", func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		ns, err := env.DurableObject("REMINDERS")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		ns.GetByName(r.PathValue("user")).ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no route for %s %s", r.Method, r.URL.Path))
	})
	mux.ServeHTTP(w, r)
}

// newReminder is the body of POST /users/{user}/reminders.
type newReminder struct {
	ID      string `json:"id"`
	At      *int64 `json:"at"`
	InMs    *int64 `json:"in_ms"`
	EveryMs int64  `json:"every_ms"`
	Text    string `json:"text"`
}

func (r *Reminders) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /users/{user}/reminders", func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		var in newReminder
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, fmt.Errorf("the body must be a JSON object: %v", err))
			return
		}
		var at int64
		switch {
		case in.At != nil && in.InMs != nil:
			writeError(w, http.StatusBadRequest, errors.New("give either at or in_ms, not both"))
			return
		case in.At == nil && in.InMs == nil:
			writeError(w, http.StatusBadRequest, errors.New("give at or in_ms"))
			return
		case in.InMs != nil && *in.InMs < 0:
			writeError(w, http.StatusBadRequest, fmt.Errorf("in_ms must not be negative, got %d", *in.InMs))
			return
		case in.InMs != nil:
			at = time.Now().UnixMilli() + *in.InMs
		default:
			at = *in.At
		}
		s, err := r.Schedule(req.Context(), in.ID, at, in.EveryMs, in.Text)
		if err != nil {
			writeError(w, statusOf(err), err)
			return
		}
		writeJSON(w, http.StatusCreated, s)
	})
	mux.HandleFunc("GET /users/{user}/reminders", func(w http.ResponseWriter, req *http.Request) {
		list, err := r.List()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, list)
	})
	mux.HandleFunc("DELETE /users/{user}/reminders/{id}", func(w http.ResponseWriter, req *http.Request) {
		cancelled, err := r.Cancel(req.PathValue("id"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		status := http.StatusOK
		if !cancelled {
			status = http.StatusNotFound
		}
		writeJSON(w, status, map[string]bool{"cancelled": cancelled})
	})
	mux.HandleFunc("GET /users/{user}/fired", func(w http.ResponseWriter, req *http.Request) {
		fired, err := r.Fired()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, fired)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no route for %s %s", req.Method, req.URL.Path))
	})
	return mux
}

// statusOf is 400 for bad input, else 500.
func statusOf(err error) int {
	var we *worker.Error
	if errors.As(err, &we) && we.Name == "RangeError" {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
