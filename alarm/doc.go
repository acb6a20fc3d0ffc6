// Package alarm is a Durable Object's alarm, and a scheduler of many named
// events on top of it.
//
// # The alarm
//
// workerd gives each Durable Object one alarm: a time at which it calls
// the object's alarm handler, waking it if it was evicted (its constructor
// runs first) and surviving restarts. A class receives it by implementing
// [Handler]:
//
//	func (s *Session) Touch(ctx context.Context) error {
//		return alarm.Set(ctx, time.Now().Add(time.Hour)) // a time in the past fires at once
//	}
//
//	func (s *Session) Alarm(ctx context.Context, info alarm.Info) error {
//		return s.state.Storage.DeleteAll() // info.ScheduledTime, info.RetryCount, info.IsRetry
//	}
//
// [Set], [Get] and [Delete] reach the alarm from the ctx of any event of the
// object (an RPC method's ctx, r.Context() in ServeHTTP, the ctx of
// Alarm); they wait on the host, as workerd's alarm operations return
// promises. A time in the past fires at once. While the handler runs, the
// alarm is cleared: Get reports none unless the handler set a new one.
// storage.Storage.DeleteAll deletes the alarm too.
//
// # Retries
//
// If Alarm returns an error or panics, workerd runs it again with the
// same ScheduledTime and IsRetry set, after 2, 4, 8, 16, 32 and 64 seconds
// (plus up to 25% jitter): seven attempts in all, RetryCount counting the
// failed ones (0 to 6). After the seventh failure the alarm is dropped. If
// the handler set a new alarm before failing, that alarm replaces the
// retries. A handler runs for at most 15 minutes of wall time. Delivery is
// at least once: a handler whose storage writes were made can run again
// after a crash, so handlers must be idempotent. The dotest harness fires
// alarms on the Worker's clock and retries them after 2, 4, 8, ... seconds
// (without workerd's jitter); its Object.RunAlarm runs one now.
//
// # The Scheduler
//
// For many timed events, a [Scheduler] keeps named events with a payload of
// type T in a table of the object's SQL storage, and the alarm at the
// earliest of them. [Scheduler.At] and [Scheduler.After] schedule ([Every]
// repeats; the same name replaces the event), [Scheduler.Cancel],
// [Scheduler.Get], [Scheduler.List] and [Scheduler.Dead] inspect, and the
// class's Alarm calls [Scheduler.Run], which fires what is due:
//
//	func newDigest(state *durableobject.State, env *worker.Env) (*Digest, error) {
//		d := &Digest{state: state}
//		var err error
//		d.sched, err = alarm.NewScheduler(&state.Storage, d.run, nil) // run(ctx, alarm.Event[Job]) error
//		return d, err
//	}
//
//	func (d *Digest) Alarm(ctx context.Context, info alarm.Info) error { return d.sched.Run(ctx, info) }
//
// Delivery is at least once: an event is removed (or, repeating, advanced)
// only after its handler returns nil. A failing event is retried after
// 2 s, doubling up to 1 h, while the others go on ([SchedulerOptions] tunes
// both). After five failed attempts (SchedulerOptions.MaxAttempts) the
// event goes dead: it stops running, the Scheduler writes a line to the
// Worker's log (console.error in workerd) with its name and last error,
// keeps it with that error in [Event].LastError, Dead lists it, and
// scheduling its name again revives it. An error no retry can cure (an
// integer out of JavaScript's range bound to SQL, say) goes dead the
// same way, after the same attempts: watch the log, or Dead.
//
// Missed occurrences of a repeating event collapse into one: after a
// success, the next occurrence is the first still in the future. A crash or
// a storage failure between a handler's success and the Scheduler's record
// of it delivers the event again, so handlers must be idempotent (the
// reminders example deduplicates by name and time). Limits: names of 1 to
// [MaxNameBytes] (256) bytes, payloads up to [MaxPayloadBytes] (64 KiB)
// encoded, repeats of at least [MinEvery] (1 ms).
//
// The Scheduler owns the object's alarm: a class that uses one schedules an
// event instead of calling Set, which the Scheduler would overwrite. An
// object has one alarm, so it has at most one Scheduler.
//
// examples/reminders (go run ./cmd/wasmbuild dev ./examples/reminders) is
// a reminders service on a Scheduler: POST /users/{user}/reminders with
// {"id", "in_ms" or "at", "every_ms", "text"}, GET .../reminders,
// DELETE .../reminders/{id}, GET .../fired. In local workerd its reminders
// fired 0 to 6 ms after their time (median 2 ms over 20), and they fire
// after a restart of workerd. Under dotest, 1,000 reminders on 50 objects,
// with evictions, crashes, restarts and injected storage failures (10% of
// the handlers' writes, 3% of the Scheduler's), none was lost and none
// fired early (TestReliability, whose seed changes each run; in the run that
// RATIONALE.md records, 36 were delivered twice and 2 three times, all
// after a failed write of the Scheduler).
package alarm
