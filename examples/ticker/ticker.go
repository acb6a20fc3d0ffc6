// Command ticker is a Worker whose Durable Object class Ticker streams
// ticks over RPC, and whose route forwards them as a chunked HTTP
// response, one JSON line per tick, each flushed as it comes:
//
//	GET /tick/{n}?every=ms   {"n":1,"of":3}\n{"n":2,"of":3}\n{"n":3,"of":3}\n
//
// Ticks come a second apart unless ?every= says otherwise. From
// JavaScript, ticker.tick(n, everyMs) returns a ReadableStream of the same
// lines; from Go, the typed stub TickerStub (ticker_stub.go, written by
// wasmbuild stubs) returns an iter.Seq2[Tick, error]:
//
//go:generate go run ../../cmd/wasmbuild stubs -go ticker_stub.go -ts ticker.d.ts -config wrangler.toml
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Ticker streams ticks.
type Ticker struct {
	state *durableobject.State
}

// Tick is one tick: the nth of Of.
type Tick struct {
	N  int `json:"n"`
	Of int `json:"of"`
}

// Tick streams n ticks, everyMs milliseconds apart (a second if 0). The
// stream stops early, and the loop with it, when the caller cancels it.
func (t *Ticker) Tick(ctx context.Context, n, everyMs int) iter.Seq[Tick] {
	every := time.Second
	if everyMs > 0 {
		every = time.Duration(everyMs) * time.Millisecond
	}
	return func(yield func(Tick) bool) {
		for i := 1; i <= n; i++ {
			if i > 1 && worker.Sleep(ctx, every) != nil {
				return // the caller went away
			}
			if !yield(Tick{N: i, Of: n}) {
				return
			}
		}
	}
}

func init() {
	durableobject.Register("Ticker", func(state *durableobject.State, env *worker.Env) (*Ticker, error) {
		return &Ticker{state: state}, nil
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tick/{n}", serveTicks)
	worker.Handle(mux)
}

// serveTicks forwards the ticks of the object "ticker" as they come.
func serveTicks(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		http.Error(w, "n must be a non-negative integer", http.StatusBadRequest)
		return
	}
	every, _ := strconv.Atoi(r.URL.Query().Get("every"))
	env, err := worker.GetEnv()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ns, err := env.DurableObject("TICKER")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ticks, err := NewTickerStub(ns.GetByName("ticker")).Tick(r.Context(), n, every)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for tick, err := range ticks {
		if err != nil {
			fmt.Fprintf(w, "{\"error\":%q}\n", err.Error())
			return
		}
		enc.Encode(tick)
		w.(http.Flusher).Flush()
	}
}

func main() {}
