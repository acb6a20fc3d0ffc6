// Command pastes is a paste bin on Workers KV, the Worker of package kv's
// example and tests:
//
//	PUT    /pastes/{id}?ttl=SECONDS  stores the body (its Content-Type as metadata)
//	GET    /pastes/{id}              the paste, with its Content-Type
//	DELETE /pastes/{id}
//	GET    /pastes                   the ids, one per line, with when each expires
package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/godurable/godurable/kv"
	"github.com/godurable/godurable/worker"
)

// meta is a paste's metadata.
type meta struct {
	ContentType string `json:"contentType"`
}

// handle serves pattern with f, given the namespace PASTES.
func handle(mux *http.ServeMux, pattern string, f func(w http.ResponseWriter, r *http.Request, pastes *kv.Namespace)) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		pastes, err := kv.FromEnv(env, "PASTES")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f(w, r, pastes)
	})
}

func init() {
	mux := http.NewServeMux()
	handle(mux, "PUT /pastes/{id}", func(w http.ResponseWriter, r *http.Request, pastes *kv.Namespace) {
		opts := &kv.PutOptions{Metadata: meta{ContentType: r.Header.Get("Content-Type")}}
		if ttl, err := strconv.Atoi(r.URL.Query().Get("ttl")); err == nil {
			opts.ExpirationTTL = time.Duration(ttl) * time.Second
		}
		err := pastes.PutStream(r.Context(), r.PathValue("id"), r.Body, opts)
		switch {
		case errors.Is(err, kv.ErrExpirationTTL), errors.Is(err, kv.ErrInvalidKey), errors.Is(err, kv.ErrKeyTooLong), errors.Is(err, kv.ErrValueTooLarge):
			http.Error(w, err.Error(), http.StatusBadRequest)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusCreated)
		}
	})
	handle(mux, "GET /pastes/{id}", func(w http.ResponseWriter, r *http.Request, pastes *kv.Namespace) {
		var m meta
		body, err := pastes.GetBytesWithMetadata(r.Context(), r.PathValue("id"), &m)
		switch {
		case errors.Is(err, kv.ErrNotFound):
			http.NotFound(w, r)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", m.ContentType)
			w.Write(body)
		}
	})
	handle(mux, "DELETE /pastes/{id}", func(w http.ResponseWriter, r *http.Request, pastes *kv.Namespace) {
		if err := pastes.Delete(r.Context(), r.PathValue("id")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	handle(mux, "GET /pastes", func(w http.ResponseWriter, r *http.Request, pastes *kv.Namespace) {
		for k, err := range pastes.Keys(r.Context(), nil) {
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, k.Name)
			if !k.Expiration.IsZero() {
				fmt.Fprint(w, " expires ", k.Expiration.UTC().Format(time.RFC3339))
			}
			fmt.Fprintln(w)
		}
	})
	worker.Handle(mux)
}

func main() {}
