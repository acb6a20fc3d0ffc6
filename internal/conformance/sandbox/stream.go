package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godurable/godurable/worker"
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

// Uploads that stream: serveUpload notes how much of the body it has read
// so far under ?key=, which GET /upload-progress reports, so that a client
// can hold the rest of its body back until the handler has read the start
// (a body that arrived whole before the handler ran would never show
// progress).
var uploads sync.Map // key -> *atomic.Int64

func uploadProgress(key string) *atomic.Int64 {
	n, _ := uploads.LoadOrStore(key, new(atomic.Int64))
	return n.(*atomic.Int64)
}

// serveUpload reads the request body as it comes and answers with its
// length and SHA-256, or the error that cut it short.
func serveUpload(w http.ResponseWriter, r *http.Request) {
	progress := uploadProgress(r.URL.Query().Get("key"))
	h := sha256.New()
	buf := make([]byte, 16<<10)
	var total int64
	for {
		n, err := r.Body.Read(buf)
		h.Write(buf[:n])
		total += int64(n)
		progress.Store(total)
		if err == io.EOF {
			break
		}
		if err != nil {
			writeJSON(w, http.StatusOK, map[string]any{"error": err.Error(), "bytes": total})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"bytes": total, "sha256": hex.EncodeToString(h.Sum(nil)), "contentLength": r.ContentLength})
}

// serveRelay fetches the upstream's server-sent events at ?url= and
// writes each one on as soon as it has read it, acknowledging it to the
// upstream (?ack=) first: an upstream body held back until its end would
// never be acknowledged.
func serveRelay(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	get := func(url string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		return worker.Fetch(req)
	}
	resp, err := get(q.Get("url"))
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Upstream-Length", strconv.FormatInt(resp.ContentLength, 10))
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		fmt.Fprintln(w, lines.Text())
		if lines.Text() != "" {
			continue
		}
		w.(http.Flusher).Flush()
		ack, err := get(q.Get("ack"))
		if err != nil {
			fmt.Fprintf(w, "data: ack failed: %v\n\n", err)
			return
		}
		ack.Body.Close()
	}
	if err := lines.Err(); err != nil {
		var we *worker.Error
		if errors.As(err, &we) {
			fmt.Fprintf(w, "data: %s: %s\n\n", we.Name, we.Message)
		} else {
			fmt.Fprintf(w, "data: reading the upstream: %v\n\n", err)
		}
	}
}

func streamRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /upload", serveUpload)
	mux.HandleFunc("GET /upload-progress", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, uploadProgress(r.URL.Query().Get("key")).Load())
	})
	mux.HandleFunc("GET /relay", serveRelay)
	mux.HandleFunc("POST /forward", func(w http.ResponseWriter, r *http.Request) {
		// The request's body, as it comes, to ?url=; its response back.
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, r.URL.Query().Get("url"), r.Body)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		req.ContentLength = r.ContentLength
		resp, err := worker.Fetch(req)
		if err != nil {
			writeError(w, http.StatusBadGateway, err)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
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
