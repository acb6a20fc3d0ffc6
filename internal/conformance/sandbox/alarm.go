package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/internal/conformance/fixture"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/worker"
)

// The alarm: Sandbox implements alarm.Handler and records every delivery
// in its SQL table alarm_runs, failing as many deliveries as FailAlarms
// asked for.

// AlarmRun is one delivery of the alarm, as the handler saw it.
type AlarmRun struct {
	Scheduled  int64 `json:"scheduled"` // info.ScheduledTime, ms
	RetryCount int64 `json:"retryCount"`
	IsRetry    bool  `json:"isRetry"`
	At         int64 `json:"at"` // time.Now() in the handler, ms
	// During is what alarm.Get reported inside the handler: -1 for none.
	During int64 `json:"during"`
	Failed bool  `json:"failed"`
}

func (s *Sandbox) ensureAlarmTable() error {
	_, err := s.state.Storage.SQL.Exec(`CREATE TABLE IF NOT EXISTS alarm_runs (
		seq INTEGER PRIMARY KEY AUTOINCREMENT, scheduled INTEGER, retry_count INTEGER,
		is_retry INTEGER, at INTEGER, during INTEGER, failed INTEGER)`)
	return err
}

// Alarm implements alarm.Handler.
func (s *Sandbox) Alarm(ctx context.Context, info alarm.Info) error {
	if err := s.ensureAlarmTable(); err != nil {
		return err
	}
	during := int64(-1)
	if at, ok, err := alarm.Get(ctx); err != nil {
		return err
	} else if ok {
		during = at.UnixMilli()
	}
	var fail int64
	if _, err := s.state.Storage.KV.Get("alarm-fail", &fail); err != nil {
		return err
	}
	if fail > 0 {
		if err := s.state.Storage.KV.Put("alarm-fail", fail-1); err != nil {
			return err
		}
	}
	if _, err := s.state.Storage.SQL.Exec(`INSERT INTO alarm_runs (scheduled, retry_count, is_retry, at, during, failed) VALUES (?, ?, ?, ?, ?, ?)`,
		info.ScheduledTime.UnixMilli(), info.RetryCount, info.IsRetry, time.Now().UnixMilli(), during, fail > 0); err != nil {
		return err
	}
	if fail > 0 {
		return errors.New("the alarm fails on purpose")
	}
	return nil
}

// SetAlarm sets the alarm inMs milliseconds from now (negative: in the
// past) and returns the time asked for, in ms.
func (s *Sandbox) SetAlarm(ctx context.Context, inMs int64) (int64, error) {
	at := time.Now().Add(time.Duration(inMs) * time.Millisecond)
	return at.UnixMilli(), alarm.Set(ctx, at)
}

// GetAlarm returns the alarm's time in ms, or -1 if none is set.
func (s *Sandbox) GetAlarm(ctx context.Context) (int64, error) {
	at, ok, err := alarm.Get(ctx)
	if err != nil || !ok {
		return -1, err
	}
	return at.UnixMilli(), nil
}

// DeleteAlarm deletes the alarm.
func (s *Sandbox) DeleteAlarm(ctx context.Context) error { return alarm.Delete(ctx) }

// FailAlarms makes the next n deliveries of the alarm fail.
func (s *Sandbox) FailAlarms(n int64) error { return s.state.Storage.KV.Put("alarm-fail", n) }

// AlarmRuns returns the deliveries of the alarm, in order.
func (s *Sandbox) AlarmRuns() ([]AlarmRun, error) {
	if err := s.ensureAlarmTable(); err != nil {
		return nil, err
	}
	cur, err := s.state.Storage.SQL.Exec(`SELECT scheduled, retry_count, is_retry, at, during, failed FROM alarm_runs ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	runs := []AlarmRun{}
	for cur.Next() {
		var r AlarmRun
		if err := cur.Scan(&r.Scheduled, &r.RetryCount, &r.IsRetry, &r.At, &r.During, &r.Failed); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// Plain is a Durable Object class with RPC methods only: no fetch, no
// alarm handler; and an Initializer.
type Plain struct {
	state *durableobject.State
	ready bool
}

// Init waits (giving up the turn, were it not inside
// BlockConcurrencyWhile), then counts itself in storage; it fails for
// objects whose name starts with "broken".
func (p *Plain) Init(ctx context.Context) error {
	if err := worker.Sleep(ctx, 100*time.Millisecond); err != nil {
		return err
	}
	if strings.HasPrefix(p.state.Name, "broken") {
		return &worker.Error{Name: "RangeError", Message: "no configuration for " + p.state.Name}
	}
	var n int
	if _, err := p.state.Storage.KV.Get("inits", &n); err != nil {
		return err
	}
	p.ready = true
	return p.state.Storage.KV.Put("inits", n+1)
}

// Whoami says which Worker hosts the object (the peer Worker's Plain
// says otherwise), and its ID and name.
func (p *Plain) Whoami() map[string]any {
	return map[string]any{"script": "godurable-sandbox", "id": p.state.ID, "name": p.state.Name}
}

// Count counts its calls in the object's storage.
func (p *Plain) Count() (int, error) { return fixture.Count(&p.state.Storage) }

// Initialized reports whether Init had run when the call arrived, and how
// many times it has run for this object.
func (p *Plain) Initialized() (map[string]any, error) {
	var n int
	_, err := p.state.Storage.KV.Get("inits", &n)
	return map[string]any{"ready": p.ready, "inits": n}, err
}

func newPlain(state *durableobject.State, env *worker.Env) (*Plain, error) {
	return &Plain{state: state}, nil
}

// Ping answers pong.
func (p *Plain) Ping() string { return "pong" }

// SetAlarm tries to set an alarm, which workerd refuses to a class
// without an alarm handler.
func (p *Plain) SetAlarm(ctx context.Context) error {
	return alarm.Set(ctx, time.Now().Add(time.Minute))
}

// FetchPlain fetches / from the Plain object called name, to see what
// stub.fetch does to a class without ServeHTTP.
func (p *Plain) FetchPlain(ctx context.Context, name string) (string, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return "", err
	}
	ns, err := env.DurableObject("PLAIN")
	if err != nil {
		return "", err
	}
	req, err := newRequest(ctx, "http://plain/")
	if err != nil {
		return "", err
	}
	resp, err := ns.GetByName(name).Fetch(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return fmt.Sprint(resp.StatusCode), nil
}

// ReadJS reads keys as the object's KV holds them, whoever stored them
// (TestWorkerdJSValues stores them from JavaScript first): for each, the
// Go type KV.Get gives an `any`, and the value, with times in RFC 3339 and
// byte slices as lists of numbers; or KV.Get's error and the bytes
// KV.GetRaw gives.
func (p *Plain) ReadJS(keys []string) (map[string]any, error) {
	out := map[string]any{}
	for _, k := range keys {
		var v any
		found, err := p.state.Storage.KV.Get(k, &v)
		if err == nil {
			out[k] = map[string]any{"found": found, "type": fmt.Sprintf("%T", v), "value": jsonable(v)}
			continue
		}
		raw, rawErr := p.state.Storage.KV.GetRaw(k)
		if rawErr != nil {
			return nil, rawErr
		}
		out[k] = map[string]any{"found": found, "error": err.Error(), "notOneValue": errors.Is(err, storage.ErrNotOneValue), "raw": jsonable(raw)}
	}
	return out, nil
}

// jsonable makes what KV.Get decodes comparable as JSON: numbers become
// their Go type and value ("int64 42").
func jsonable(v any) any {
	switch v := v.(type) {
	case time.Time:
		return "time " + v.UTC().Format(time.RFC3339Nano)
	case []byte:
		out := make([]any, len(v))
		for i, b := range v {
			out[i] = int(b)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = jsonable(e)
		}
		return out
	case nil, bool, string:
		return v
	}
	return fmt.Sprintf("%T %v", v, v) // numbers, with their Go type
}
