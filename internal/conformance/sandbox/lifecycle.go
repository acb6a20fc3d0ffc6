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
	mux.HandleFunc("GET /background", func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		handler := r.Context()
		err := worker.WaitUntil(r.Context(), func(ctx context.Context) {
			werr := worker.Sleep(ctx, 200*time.Millisecond)
			note := fmt.Sprintf("handler: %v; background: %v, %v", context.Cause(handler), ctx.Err(), werr)
			stub, err := sandboxStub("notes")
			if err == nil {
				err = stub.Call(ctx, "note", nil, key, note) // I/O after the response
			}
			if err != nil {
				outcomes.Store(key, "the background call failed: "+err.Error())
			}
		})
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		fmt.Fprint(w, "responded")
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

// Note stores value under key, for the WaitUntil scenarios.
func (s *Sandbox) Note(key, value string) error { return s.state.Storage.KV.Put("note:"+key, value) }

// ReadNote returns what Note stored under key, or "".
func (s *Sandbox) ReadNote(key string) (string, error) {
	var v string
	_, err := s.state.Storage.KV.Get("note:"+key, &v)
	return v, err
}

// NoteLater returns at once and, in WaitUntil work of the call, waits
// 200 ms and notes under key what the call's context and its own said.
func (s *Sandbox) NoteLater(ctx context.Context, key string) error {
	call := ctx
	return worker.WaitUntil(ctx, func(ctx context.Context) {
		werr := worker.Sleep(ctx, 200*time.Millisecond)
		s.Note(key, fmt.Sprintf("call: %v; background: %v, %v", context.Cause(call), ctx.Err(), werr))
	})
}

// held says which Hold calls have started, by object name, in the
// instance's memory, for a caller to know when to look.
var held sync.Map

// Hold writes "start" under the KV key "hold", waits ms milliseconds
// (inside BlockConcurrencyWhile if block), then writes "end".
func (s *Sandbox) Hold(ctx context.Context, ms int64, block bool) error {
	wait := func(ctx context.Context) error {
		if err := s.state.Storage.KV.Put("hold", "start"); err != nil {
			return err
		}
		held.Store(s.state.Name, true)
		if err := worker.Sleep(ctx, time.Duration(ms)*time.Millisecond); err != nil {
			return err
		}
		return s.state.Storage.KV.Put("hold", "end")
	}
	if block {
		return s.state.BlockConcurrencyWhile(ctx, wait)
	}
	return wait(ctx)
}

// HoldState returns what Hold wrote last.
func (s *Sandbox) HoldState() (string, error) {
	var v string
	_, err := s.state.Storage.KV.Get("hold", &v)
	return v, err
}

// Held reports whether a Hold of the object called name has started.
func (s *Sandbox) Held(name string) bool {
	_, ok := held.Load(name)
	return ok
}

// AbortMe resets the object with reason.
func (s *Sandbox) AbortMe(ctx context.Context, reason string) error {
	s.state.Abort(ctx, reason)
	return nil // never reached
}
