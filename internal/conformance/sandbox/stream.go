package main

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server-sent events that wait for the client: event i+1 is written only
// after the client has acknowledged event i (GET /ack?key=K), so a stream
// that held its body back would never get past the first one (the
// handler gives up after 10 s and says so in the stream).

var acks sync.Map // key -> chan struct{}

func ackChannel(key string) chan struct{} {
	ch, _ := acks.LoadOrStore(key, make(chan struct{}, 16))
	return ch.(chan struct{})
}

// serveEvents streams n events (?n=, default 3) under ?key=.
func serveEvents(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if n <= 0 {
		n = 3
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher := w.(http.Flusher)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "data: %d\n\n", i)
		flusher.Flush()
		if i == n {
			break
		}
		select {
		case <-ackChannel(key):
		case <-r.Context().Done():
			return
		case <-time.After(10 * time.Second):
			fmt.Fprint(w, "data: no ack in 10 s: the stream did not reach the client\n\n")
			return
		}
	}
}

func streamRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /events", serveEvents)
	mux.HandleFunc("GET /ack", func(w http.ResponseWriter, r *http.Request) {
		ackChannel(r.URL.Query().Get("key")) <- struct{}{}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		// 8 MiB without a Flush: it streams past 64 KiB.
		chunk := make([]byte, 64<<10)
		for i := range chunk {
			chunk[i] = byte('a' + i%26)
		}
		for i := 0; i < 128; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
}
