package alarm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/storage"
)

// Scheduler keeps named events of one Durable Object in a table of its SQL
// storage and fires them with the object's one alarm, which it keeps at
// the earliest pending event. Each event has a name, a time, an optional
// repeat interval and a payload of type T (encoded as storage.KV encodes
// values). Scheduling a name that exists replaces the event.
//
// # Delivery
//
// Delivery is at least once. The Scheduler removes a one-shot event, or
// advances a repeating one, only after its handler has returned nil; a
// handler that fails (returns an error or panics) gets the event again
// after a backoff ([SchedulerOptions].Backoff, doubling up to
// SchedulerOptions.MaxBackoff) while the other events go on, and after
// SchedulerOptions.MaxAttempts failed attempts the event is kept as dead,
// with the error of its last attempt in [Event].LastError: [Scheduler.Dead]
// lists it, Get returns it, and scheduling its name again revives it. The
// Scheduler writes no log line when an event goes dead; look at Dead (from
// an RPC method, say) to find such events. A crash or a storage failure after
// a handler succeeded and before the Scheduler recorded it delivers the
// event again, so handlers must be idempotent (deduplicate by name and
// Event.At, say).
//
// A repeating event fires at At, At+Every, At+2·Every, ...; occurrences
// missed while nothing ran (the object was evicted with no alarm, or the
// handler kept failing) collapse into one: the next occurrence after a
// success is the first one still in the future.
//
// # The alarm
//
// The Scheduler owns the object's alarm. The class implements Handler and
// calls Run from Alarm, before or after any work of its own; to run its
// own code at a time, it schedules an event rather than calling Set, which
// the Scheduler would overwrite.
type Scheduler[T any] struct {
	sql    *storage.SQL
	table  string
	handle func(ctx context.Context, ev Event[T]) error
	opts   SchedulerOptions
}

// Event is one scheduled event.
type Event[T any] struct {
	Name string
	// At is the time of the event's next occurrence: for a handler, the
	// time of the occurrence it handles. It stays the same while an
	// occurrence is retried.
	At time.Time
	// Retry is when a failed occurrence is attempted again; zero unless
	// Attempts > 0.
	Retry time.Time
	// Every is the repeat interval, 0 for an event that fires once.
	Every   time.Duration
	Payload T
	// Attempts counts the failed attempts of this occurrence.
	Attempts int
	// LastError is the error of the last failed attempt.
	LastError string
	// Dead reports that the event failed MaxAttempts times and is kept
	// only for inspection; schedule its name again to revive it.
	Dead bool
}

// SchedulerOptions tune a Scheduler; the zero value is the default.
type SchedulerOptions struct {
	// Table is the name of the SQL table of the events. Default:
	// godurable_scheduled_events. Two schedulers of one object need two
	// tables, and two alarms: an object has one, so keep to one Scheduler.
	Table string
	// MaxAttempts is how many times an occurrence is attempted before it
	// is kept as dead. Default: 5.
	MaxAttempts int
	// Backoff is the delay after an occurrence's first failure; it doubles
	// after each further failure, up to MaxBackoff. Defaults: 2 s and 1 h.
	Backoff, MaxBackoff time.Duration
	// Batch is how many due events one alarm handles before it sets the
	// alarm again to handle the rest, so that no alarm approaches
	// workerd's 15-minute limit. Default: 100.
	Batch int
}

// Limits of an event.
const (
	// MaxNameBytes is the longest name, in bytes of UTF-8.
	MaxNameBytes = 256
	// MaxPayloadBytes is the largest payload, encoded.
	MaxPayloadBytes = 64 << 10
	// MinEvery is the shortest repeat interval.
	MinEvery = time.Millisecond
)

// Errors of a Scheduler's methods; each is wrapped with the details.
var (
	// ErrBadName reports an empty name, one over MaxNameBytes, or one that
	// is not UTF-8.
	ErrBadName = errors.New("alarm: bad event name")
	// ErrPayloadTooLarge reports a payload over MaxPayloadBytes.
	ErrPayloadTooLarge = errors.New("alarm: payload too large")
	// ErrBadRepeat reports a repeat interval below MinEvery.
	ErrBadRepeat = errors.New("alarm: bad repeat interval")
)

var tableName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,62}$`)

// NewScheduler returns the Scheduler of the object whose storage s is,
// creating its table if needed, with handle as the handler of its events.
// Call it in the class's constructor. opts may be nil.
func NewScheduler[T any](s *storage.Storage, handle func(ctx context.Context, ev Event[T]) error, opts *SchedulerOptions) (*Scheduler[T], error) {
	if handle == nil {
		return nil, errors.New("alarm: NewScheduler: nil handler")
	}
	if s == nil || s.SQL == nil {
		return nil, errors.New("alarm: NewScheduler: no storage (pass &state.Storage)")
	}
	o := SchedulerOptions{Table: "godurable_scheduled_events", MaxAttempts: 5, Backoff: 2 * time.Second, MaxBackoff: time.Hour, Batch: 100}
	if opts != nil {
		if opts.Table != "" {
			o.Table = opts.Table
		}
		if opts.MaxAttempts > 0 {
			o.MaxAttempts = opts.MaxAttempts
		}
		if opts.Backoff > 0 {
			o.Backoff = opts.Backoff
		}
		if opts.MaxBackoff > 0 {
			o.MaxBackoff = opts.MaxBackoff
		}
		if opts.Batch > 0 {
			o.Batch = opts.Batch
		}
	}
	if !tableName.MatchString(o.Table) || len(o.Table) >= 4 && o.Table[:4] == "_cf_" {
		return nil, fmt.Errorf("alarm: NewScheduler: bad table name %q", o.Table)
	}
	sched := &Scheduler[T]{sql: s.SQL, table: o.Table, handle: handle, opts: o}
	_, err := s.SQL.Exec(`CREATE TABLE IF NOT EXISTS ` + o.Table + ` (
		name TEXT PRIMARY KEY,
		at INTEGER NOT NULL,
		run_at INTEGER NOT NULL,
		every_ms INTEGER NOT NULL,
		payload BLOB NOT NULL,
		attempts INTEGER NOT NULL DEFAULT 0,
		last_error TEXT NOT NULL DEFAULT '',
		dead INTEGER NOT NULL DEFAULT 0,
		version INTEGER NOT NULL DEFAULT 1)`)
	if err == nil {
		_, err = s.SQL.Exec(`CREATE INDEX IF NOT EXISTS ` + o.Table + `_due ON ` + o.Table + ` (dead, run_at)`)
	}
	if err != nil {
		return nil, fmt.Errorf("alarm: NewScheduler: creating the table: %w", err)
	}
	return sched, nil
}

// ScheduleOption adjusts an event being scheduled.
type ScheduleOption func(*scheduleOptions)

type scheduleOptions struct {
	every time.Duration
}

// Every makes the event repeat with interval d (at least MinEvery).
func Every(d time.Duration) ScheduleOption {
	return func(o *scheduleOptions) { o.every = d }
}

// At schedules the event name at time at (in the past: at once) with
// payload, replacing any event of that name (a dead one included), and
// sets the alarm if the event is the earliest. ctx is that of an event of
// the object.
func (s *Scheduler[T]) At(ctx context.Context, name string, at time.Time, payload T, opts ...ScheduleOption) (Event[T], error) {
	var o scheduleOptions
	for _, opt := range opts {
		opt(&o)
	}
	ev := Event[T]{Name: name, At: at.Truncate(time.Millisecond), Every: o.every, Payload: payload}
	if err := checkName(name); err != nil {
		return ev, err
	}
	if o.every != 0 && o.every < MinEvery {
		return ev, fmt.Errorf("%w: %v for %q; use no Every for an event that fires once", ErrBadRepeat, o.every, name)
	}
	raw, err := abi.EncodeValue(payload)
	if err == nil {
		err = abi.CheckStorable(raw)
	}
	if err != nil {
		return ev, fmt.Errorf("alarm: %q: encoding the payload %T: %w", name, payload, err)
	}
	if len(raw) > MaxPayloadBytes {
		return ev, fmt.Errorf("%w: %q: %d bytes, at most %d", ErrPayloadTooLarge, name, len(raw), MaxPayloadBytes)
	}
	_, err = s.sql.Exec(`INSERT INTO `+s.table+` (name, at, run_at, every_ms, payload) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET at = excluded.at, run_at = excluded.run_at, every_ms = excluded.every_ms,
		payload = excluded.payload, attempts = 0, last_error = '', dead = 0, version = version + 1`,
		name, ev.At.UnixMilli(), ev.At.UnixMilli(), o.every.Milliseconds(), raw)
	if err != nil {
		return ev, fmt.Errorf("alarm: scheduling %q: %w", name, err)
	}
	return ev, s.armEarlier(ctx, ev.At)
}

// After is At(ctx, name, time.Now().Add(d), payload, opts...).
func (s *Scheduler[T]) After(ctx context.Context, name string, d time.Duration, payload T, opts ...ScheduleOption) (Event[T], error) {
	return s.At(ctx, name, time.Now().Add(d), payload, opts...)
}

// Cancel removes the event name, pending or dead, and reports whether it
// existed. The alarm is left as it is: if it fires for nothing, Run sets
// it to the next event.
func (s *Scheduler[T]) Cancel(name string) (bool, error) {
	cur, err := s.sql.Exec(`DELETE FROM `+s.table+` WHERE name = ?`, name)
	if err != nil {
		return false, fmt.Errorf("alarm: cancelling %q: %w", name, err)
	}
	return cur.RowsWritten() > 0, nil
}

// Get returns the event name, pending or dead, and whether it exists.
func (s *Scheduler[T]) Get(name string) (Event[T], bool, error) {
	rows, err := s.query(`WHERE name = ?`, name)
	if err != nil || len(rows) == 0 {
		return Event[T]{}, false, err
	}
	return rows[0].ev, true, rows[0].err
}

// List returns the pending events, ordered by At then Name.
func (s *Scheduler[T]) List() ([]Event[T], error) {
	return s.events(`WHERE dead = 0 ORDER BY at, name`)
}

// Dead returns the events kept as dead, ordered by name.
func (s *Scheduler[T]) Dead() ([]Event[T], error) {
	return s.events(`WHERE dead = 1 ORDER BY name`)
}

func (s *Scheduler[T]) events(where string) ([]Event[T], error) {
	rows, err := s.query(where)
	if err != nil {
		return nil, err
	}
	out := make([]Event[T], len(rows))
	for i, r := range rows {
		if r.err != nil {
			return nil, r.err
		}
		out[i] = r.ev
	}
	return out, nil
}

// Run fires the due events, each with the handler, and sets the alarm to
// the next one. Call it from the class's Alarm method with its ctx. It
// returns an error only when the Scheduler could not record what happened
// (a storage failure): workerd then retries the alarm, and events whose
// handler succeeded may be delivered again.
func (s *Scheduler[T]) Run(ctx context.Context, info Info) error {
	now := time.Now()
	due, err := s.query(`WHERE dead = 0 AND run_at <= ? ORDER BY run_at, name LIMIT ?`, now.UnixMilli(), s.opts.Batch)
	if err != nil {
		return err
	}
	for _, r := range due {
		if err := s.fire(ctx, r, now); err != nil {
			return err
		}
	}
	return s.arm(ctx)
}

// maxErrorBytes bounds the error an event keeps.
const maxErrorBytes = 1000

// fire runs the handler of one due event and records the outcome, unless
// the handler rescheduled or cancelled its own event meanwhile.
func (s *Scheduler[T]) fire(ctx context.Context, r row[T], now time.Time) error {
	ev, herr := r.ev, r.err
	permanent := herr != nil // a payload that cannot be decoded stays so
	if herr == nil {
		herr = s.call(ctx, ev)
	}
	const where = ` WHERE name = ? AND version = ?`
	var err error
	switch {
	case herr == nil && ev.Every > 0:
		next := ev.At.Add(ev.Every * (now.Sub(ev.At)/ev.Every + 1))
		_, err = s.sql.Exec(`UPDATE `+s.table+` SET at = ?, run_at = ?, attempts = 0, last_error = ''`+where, next.UnixMilli(), next.UnixMilli(), ev.Name, r.version)
	case herr == nil:
		_, err = s.sql.Exec(`DELETE FROM `+s.table+where, ev.Name, r.version)
	case permanent || ev.Attempts+1 >= s.opts.MaxAttempts:
		_, err = s.sql.Exec(`UPDATE `+s.table+` SET attempts = ?, last_error = ?, dead = 1`+where, ev.Attempts+1, truncate(herr.Error()), ev.Name, r.version)
		if err == nil {
			// Nothing else would tell: the event stops running for good.
			fmt.Fprintf(os.Stderr, "alarm: the scheduled event %q (table %s) is dead after %d attempts, kept for Scheduler.Dead until it is scheduled again; its last error: %v\n",
				ev.Name, s.table, ev.Attempts+1, herr)
		}
	default:
		delay := s.opts.MaxBackoff
		if ev.Attempts < 32 {
			delay = min(s.opts.Backoff<<ev.Attempts, s.opts.MaxBackoff)
		}
		_, err = s.sql.Exec(`UPDATE `+s.table+` SET run_at = ?, attempts = ?, last_error = ?`+where, now.Add(delay).UnixMilli(), ev.Attempts+1, truncate(herr.Error()), ev.Name, r.version)
	}
	if err != nil {
		return fmt.Errorf("alarm: recording the outcome of %q: %w", ev.Name, err)
	}
	return nil
}

func truncate(s string) string {
	if len(s) <= maxErrorBytes {
		return s
	}
	cut := maxErrorBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// call runs the handler, turning a panic into an error.
func (s *Scheduler[T]) call(ctx context.Context, ev Event[T]) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("the handler of %q panicked: %v", ev.Name, v)
		}
	}()
	return s.handle(ctx, ev)
}

// arm sets the alarm to the earliest pending event, or deletes it.
func (s *Scheduler[T]) arm(ctx context.Context) error {
	next, ok, err := s.next()
	if err != nil {
		return err
	}
	if !ok {
		return Delete(ctx)
	}
	return Set(ctx, next)
}

// armEarlier sets the alarm to at unless it is set earlier already.
func (s *Scheduler[T]) armEarlier(ctx context.Context, at time.Time) error {
	cur, ok, err := Get(ctx)
	if err != nil {
		return err
	}
	if ok && !cur.After(at) {
		return nil
	}
	return Set(ctx, at)
}

// next returns the time of the earliest pending event.
func (s *Scheduler[T]) next() (time.Time, bool, error) {
	cur, err := s.sql.Exec(`SELECT min(run_at) FROM ` + s.table + ` WHERE dead = 0`)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("alarm: reading the next event: %w", err)
	}
	var ms *int64
	if err := cur.One(&ms); err != nil || ms == nil {
		return time.Time{}, false, err
	}
	return time.UnixMilli(*ms), true, nil
}

// row is an event as stored: its version tells whether it changed, and
// err whether its payload could not be decoded.
type row[T any] struct {
	ev      Event[T]
	version int64
	err     error
}

// query reads events: SELECT ... FROM the table, then where.
func (s *Scheduler[T]) query(where string, args ...any) ([]row[T], error) {
	cur, err := s.sql.Exec(`SELECT name, at, run_at, every_ms, payload, attempts, last_error, dead, version FROM `+s.table+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("alarm: reading events: %w", err)
	}
	out := []row[T]{}
	for cur.Next() {
		var r row[T]
		var at, runAt, every int64
		var raw []byte
		if err := cur.Scan(&r.ev.Name, &at, &runAt, &every, &raw, &r.ev.Attempts, &r.ev.LastError, &r.ev.Dead, &r.version); err != nil {
			return nil, fmt.Errorf("alarm: reading events: %w", err)
		}
		r.ev.At, r.ev.Every = time.UnixMilli(at), time.Duration(every)*time.Millisecond
		if r.ev.Attempts > 0 {
			r.ev.Retry = time.UnixMilli(runAt)
		}
		if err := abi.DecodeValue(raw, &r.ev.Payload); err != nil {
			r.err = fmt.Errorf("alarm: event %q: decoding its payload (%s) into %T: %w", r.ev.Name, abi.Describe(raw), r.ev.Payload, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrBadName)
	case len(name) > MaxNameBytes:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrBadName, len(name), MaxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %q is not UTF-8", ErrBadName, name)
	}
	return nil
}
