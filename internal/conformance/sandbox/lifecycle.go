package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/godurable/godurable/worker"
)

// outcomes keeps what the /hang requests saw, by key, in the instance's
// memory: a client that went away cannot read its own response.
var outcomes sync.Map

// lifecycleRoutes are the routes of the lifecycle scenarios:
//
//	GET /hang?key=K      waits up to 30 s for its client to go away, then
//	                     records what its context said under K
//	GET /outcome?key=K   that record, or 404
func lifecycleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /hang", func(w http.ResponseWriter, r *http.Request) {
		err := worker.Sleep(r.Context(), 30*time.Second)
		outcomes.Store(r.URL.Query().Get("key"), fmt.Sprintf("%v; cause: %v", err, context.Cause(r.Context())))
		fmt.Fprint(w, "done")
	})
	mux.HandleFunc("GET /outcome", func(w http.ResponseWriter, r *http.Request) {
		v, ok := outcomes.Load(r.URL.Query().Get("key"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, v)
	})
}
