package worker_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/godurable/godurable/worker"
)

// A handler streams server-sent events: each Flush sends what was written
// so far, and the client reads every event as it is produced. The loop
// ends when the client goes away (the request's context is cancelled).
func ExampleHandle_serverSentEvents() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /clock", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; ; i++ {
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n", i, time.Now().UTC().Format(time.RFC3339))
			w.(http.Flusher).Flush()
			if err := worker.Sleep(r.Context(), time.Second); err != nil {
				return // the client went away
			}
		}
	})
	worker.Handle(mux)
}

// An upload and an outbound response both stream: the handler counts the
// lines of a request body of any size as they arrive, and relays an
// upstream's body line by line as it comes.
func ExampleFetch_streaming() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /lines", func(w http.ResponseWriter, r *http.Request) {
		n := 0
		for lines := bufio.NewScanner(r.Body); lines.Scan(); {
			n++
		}
		fmt.Fprintln(w, n)
	})
	mux.HandleFunc("GET /relay", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://feed.example/events", nil)
		resp, err := worker.Fetch(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			w.Write(buf[:n])
			w.(http.Flusher).Flush()
			if err == io.EOF {
				return
			}
			if err != nil {
				fmt.Fprintf(w, "\n(cut short: %v)\n", err)
				return
			}
		}
	})
	worker.Handle(mux)
}
