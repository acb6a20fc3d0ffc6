package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/cron"
	"github.com/godurable/godurable/d1"
	"github.com/godurable/godurable/worker"
)

// Cron triggers: the scheduled handler records every run in the D1
// table scheduled_runs (its cron, scheduledTime and time.Now in ms),
// before it does what the cron asks when it is not an expression: "fail"
// returns an error, "panic" panics, and either with " noretry" calls
// NoRetry first.
// GET /scheduled/runs?time=MS answers the runs of that scheduledTime,
// and ?cron=C those of that cron, as [{"cron", "time", "now"}].

func init() {
	cron.Handle(func(ctx context.Context, e *cron.Event) error {
		db, err := runsDB(ctx)
		if err != nil {
			return err
		}
		if _, err := db.Prepare("INSERT INTO scheduled_runs (cron, time, now) VALUES (?, ?, ?)").Bind(e.Cron, e.ScheduledTime.UnixMilli(), time.Now().UnixMilli()).Run(ctx); err != nil {
			return err
		}
		what, noRetry := strings.CutSuffix(e.Cron, " noretry")
		if noRetry {
			e.NoRetry()
		}
		switch what {
		case "fail":
			return errors.New("the scheduled handler failed")
		case "panic":
			panic("the scheduled handler panicked")
		}
		return nil
	})
}

func runsDB(ctx context.Context) (*d1.Database, error) {
	return tableDB(ctx, "CREATE TABLE IF NOT EXISTS scheduled_runs (cron TEXT, time INTEGER, now INTEGER)")
}

// tableDB returns the D1 database DB, once create (a CREATE TABLE IF NOT
// EXISTS) has run.
func tableDB(ctx context.Context, create string) (*d1.Database, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	db, err := d1.FromEnv(env, "DB")
	if err != nil {
		return nil, err
	}
	_, err = db.Exec(ctx, create)
	return db, err
}

func scheduledRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /scheduled/runs", func(w http.ResponseWriter, r *http.Request) {
		db, err := runsDB(r.Context())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		q := db.Prepare("SELECT cron, time, now FROM scheduled_runs WHERE cron = ? ORDER BY rowid").Bind(r.URL.Query().Get("cron"))
		if t := r.URL.Query().Get("time"); t != "" {
			at, err := strconv.ParseInt(t, 10, 64)
			if err != nil {
				writeError(w, http.StatusBadRequest, err)
				return
			}
			q = db.Prepare("SELECT cron, time, now FROM scheduled_runs WHERE time = ? ORDER BY rowid").Bind(at)
		}
		res, err := q.All(r.Context())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		runs := []map[string]any{}
		for res.Next() {
			var expr string
			var at, now int64
			if err := res.Scan(&expr, &at, &now); err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			runs = append(runs, map[string]any{"cron": expr, "time": at, "now": now})
		}
		writeJSON(w, http.StatusOK, runs)
	})
}
