package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/ratelimit"
	"github.com/godurable/godurable/worker"
)

// GET /ratelimit?binding=B&key=K&n=N&period=P calls the rate limiter B N
// times for K and answers the results, and the windows of P seconds that
// the first call and the last began and ended in (a run that crosses from
// one window into the next is run again by the scenario). GET
// /ratelimit/options calls JavaScript's limit with options it refuses.
func rateLimitRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /ratelimit", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		env, err := worker.GetEnv()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		l, err := ratelimit.FromEnv(env, q.Get("binding"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		n, _ := strconv.Atoi(q.Get("n"))
		period, _ := strconv.ParseInt(q.Get("period"), 10, 64)
		window := func() int64 { return time.Now().UnixMilli() / (period * 1000) }
		first := window()
		results := []bool{}
		for range n {
			ok, err := l.Limit(r.Context(), q.Get("key"))
			if err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			results = append(results, ok)
		}
		writeJSON(w, http.StatusOK, map[string]any{"results": results, "oneWindow": first == window()})
	})
	mux.HandleFunc("GET /ratelimit/options", func(w http.ResponseWriter, r *http.Request) {
		l, err := jsbridge.Binding("LIMITER")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		ctx := r.Context()
		out := map[string]any{}
		for name, options := range map[string]any{
			"unknown": map[string]any{"key": "x", "foo": 1},
			"key":     map[string]any{"key": 5},
			"period":  map[string]any{"key": "x", "period": 30},
			"none":    nil,
		} {
			out[name] = jsError(l.Call(ctx, "limit", nil, options))
		}
		writeJSON(w, http.StatusOK, out)
	})
}
