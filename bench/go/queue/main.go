// Command queue is the Go Worker of the benchmark's queue row: POST
// /run?n=N sends N messages ({"i": k}) to its queue in batches of 100 with
// SendBatch, one batch after the other, and answers when they are sent;
// its queue handler decodes each message and acknowledges it; GET /count
// answers how many it consumed since the last run, when the run started
// and when the last batch was consumed (ms). Its JavaScript twin is
// bench/js/queue.js.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/godurable/godurable/queues"
	"github.com/godurable/godurable/worker"
)

type message struct {
	I int `json:"i"`
}

var (
	mu                 sync.Mutex
	count              int
	started, lastBatch int64
)

func init() {
	queues.Handle(func(ctx context.Context, b *queues.Batch) error {
		for _, m := range b.Messages {
			var body message
			if err := m.Decode(&body); err != nil {
				return err
			}
			m.Ack()
		}
		mu.Lock()
		count += len(b.Messages)
		lastBatch = time.Now().UnixMilli()
		mu.Unlock()
		return nil
	})
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/run":
			run(w, r)
		case "/count":
			mu.Lock()
			out := map[string]any{"count": count, "started": started, "last": lastBatch}
			mu.Unlock()
			json.NewEncoder(w).Encode(out)
		default:
			http.NotFound(w, r)
		}
	})
}

func run(w http.ResponseWriter, r *http.Request) {
	env, err := worker.GetEnv()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	q, err := queues.FromEnv(env, "Q")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	mu.Lock()
	count, started, lastBatch = 0, time.Now().UnixMilli(), 0
	mu.Unlock()
	t0 := time.Now()
	msgs := make([]queues.SendMessage, 0, queues.MaxBatchMessages)
	for i := 0; i < n; i += queues.MaxBatchMessages {
		msgs = msgs[:0]
		for k := i; k < min(n, i+queues.MaxBatchMessages); k++ {
			msgs = append(msgs, queues.SendMessage{Body: message{I: k}})
		}
		if _, err := q.SendBatch(r.Context(), msgs, nil); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"sent": n, "ms": time.Since(t0).Milliseconds()})
}

func main() {}
