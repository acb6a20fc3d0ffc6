package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// TestReliability: 1,000 reminders across 50 users fire while the test
// evicts objects, crashes the Go instance, restarts the isolate and makes
// storage fail at random. Every occurrence must fire, at least once and
// never early; the test reports how many were delivered twice.
func TestReliability(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 reminders")
	}
	const users, perUser = 50, 20
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 42))
	t.Logf("seed %d", seed)

	w, clock := newWorker(t)
	var handlerFaults, schedulerFaults atomic.Int64
	faulty := atomic.Bool{}
	w.SetStorageFault(func(op dotest.StorageOp) error {
		if !faulty.Load() {
			return nil
		}
		switch {
		case op.Op == "sql.exec" && strings.Contains(op.Query, "INSERT INTO fired") && rand.IntN(10) == 0:
			handlerFaults.Add(1) // the handler fails: the scheduler retries the event
			return errors.New("injected: the handler's write failed")
		case op.Op == "sql.exec" && strings.Contains(op.Query, "godurable_scheduled_events") &&
			(strings.HasPrefix(op.Query, "DELETE") || strings.HasPrefix(op.Query, "UPDATE")) && rand.IntN(30) == 0:
			schedulerFaults.Add(1) // the handler ran but the scheduler cannot record it: a redelivery
			return errors.New("injected: the scheduler's write failed")
		}
		return nil
	})

	type occurrence struct {
		user, id string
		at       int64
	}
	var want []occurrence
	const horizon = 10 * time.Minute
	for u := range users {
		user := fmt.Sprintf("user%02d", u)
		for i := range perUser {
			at := start.Add(time.Duration(rng.Int64N(int64(horizon)))).Truncate(time.Millisecond)
			id := fmt.Sprintf("r%02d", i)
			do(t, w, "POST", "/users/"+user+"/reminders", fmt.Sprintf(`{"id":%q,"at":%d,"text":"%s %s"}`, id, at.UnixMilli(), user, id), 201, nil)
			want = append(want, occurrence{user, id, at.UnixMilli()})
		}
	}

	faulty.Store(true)
	var evictions, crashes, restarts int
	for now := time.Duration(0); now < horizon+time.Minute; {
		step := time.Duration(1+rng.IntN(30)) * time.Second
		clock.Advance(step)
		now += step
		switch rng.IntN(10) {
		case 0:
			w.Crash()
			crashes++
		case 1:
			w.Restart()
			restarts++
		case 2, 3, 4:
			for range 5 {
				if w.Object("REMINDERS", fmt.Sprintf("user%02d", rng.IntN(users))).Evict() {
					evictions++
				}
			}
		}
	}
	faulty.Store(false)
	clock.Advance(2 * time.Hour) // every retry is due by now

	got := map[occurrence]int{}
	var early int
	for u := range users {
		user := fmt.Sprintf("user%02d", u)
		o := w.Object("REMINDERS", user)
		cur, err := o.Storage().SQL.Exec(`SELECT id, at, fired_at, deliveries FROM fired`)
		if err != nil {
			t.Fatal(err)
		}
		for cur.Next() {
			var id string
			var at, firedAt int64
			var deliveries int
			if err := cur.Scan(&id, &at, &firedAt, &deliveries); err != nil {
				t.Fatal(err)
			}
			got[occurrence{user, id, at}] = deliveries
			if firedAt < at {
				early++
			}
		}
		if p := pending(t, w, user); len(p) != 0 {
			t.Errorf("%s still has pending reminders: %+v", user, p)
		}
	}
	var lost, twice, more int
	for _, oc := range want {
		switch n := got[oc]; {
		case n == 0:
			lost++
			t.Errorf("lost: %+v; the scheduler has of it: %s", oc, scheduled(w, oc.user, oc.id))
		case n == 2:
			twice++
		case n > 2:
			more++
		}
	}
	if early > 0 {
		t.Errorf("%d occurrences fired early", early)
	}
	t.Logf("%d occurrences: %d lost, %d delivered twice, %d more than twice; %d evictions, %d crashes, %d restarts, %d failed handler writes, %d failed scheduler writes",
		len(want), lost, twice, more, evictions, crashes, restarts, handlerFaults.Load(), schedulerFaults.Load())
}

// scheduled describes what the scheduler of user's object keeps of the
// event id (a dead one is left out of the pending list): for the report
// of a lost occurrence.
func scheduled(w *dotest.Worker, user, id string) string {
	cur, err := w.Object("REMINDERS", user).Storage().SQL.Exec(
		`SELECT at, run_at, attempts, dead, last_error FROM godurable_scheduled_events WHERE name = ?`, id)
	if err != nil {
		return err.Error()
	}
	var rows []string
	for cur.Next() {
		var at, runAt, attempts, dead int64
		var lastErr string
		if err := cur.Scan(&at, &runAt, &attempts, &dead, &lastErr); err != nil {
			return err.Error()
		}
		rows = append(rows, fmt.Sprintf("at=%d run_at=%d attempts=%d dead=%d last_error=%q", at, runAt, attempts, dead, lastErr))
	}
	if len(rows) == 0 {
		return "no row (deleted as delivered)"
	}
	return strings.Join(rows, "; ")
}
