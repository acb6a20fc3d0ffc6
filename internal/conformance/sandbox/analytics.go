package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/godurable/godurable/analytics"
	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// GET /analytics?run=R writes data points to the dataset EVENTS, one
// beyond the limits that the analytics package refuses, and one that
// JavaScript's writeDataPoint takes locally although workerd on Cloudflare
// would refuse it.
func analyticsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /analytics", func(w http.ResponseWriter, r *http.Request) {
		ctx, run := r.Context(), r.URL.Query().Get("run")
		env, err := worker.GetEnv()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		events, err := analytics.FromEnv(env, "EVENTS")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		out := map[string]any{}
		out["write"] = errString(events.WriteDataPoint(ctx, analytics.DataPoint{
			Indexes: []string{run},
			Blobs:   []string{"GET", r.URL.Path, "\xff\xfe"},
			Doubles: []float64{1, 2.5},
		}))
		err = events.WriteDataPoint(ctx, analytics.DataPoint{Indexes: []string{strings.Repeat("i", 97)}})
		out["longIndex"] = []any{errors.Is(err, analytics.ErrLimit), errString(err)}
		err = events.WriteDataPoint(ctx, analytics.DataPoint{Blobs: []string{strings.Repeat("b", 5000), strings.Repeat("b", 121)}})
		out["blobBytes"] = []any{errors.Is(err, analytics.ErrLimit), errString(err)}
		_, err = analytics.FromEnv(env, "LIMITER")
		out["notDataset"] = []any{errors.Is(err, analytics.ErrNotDataset), errors.Is(err, worker.ErrNoBinding)}
		raw, err := jsbridge.Binding("EVENTS")
		if err == nil {
			err = raw.Call(ctx, "writeDataPoint", nil, map[string]any{"indexes": []string{run, "second"}, "doubles": make([]float64, 21)})
		}
		out["jsBeyondLimits"] = errString(err)
		writeJSON(w, http.StatusOK, out)
	})
}
