package workerd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// Alarms, as workerd's local alarm scheduler (server/alarm-scheduler.c++)
// and its SQLite-backed storage (io/actor-sqlite.c++) run them: one alarm
// per object, kept in the object's storage (so it outlives restarts,
// crashes and evictions), fired on the isolate's clock, and retried after
// a failure with exponential backoff. dotest adds no jitter to the
// backoff, so that a test on a manual clock knows when a retry comes.

// Alarm retries, as workerd's WorkerInterface::ALARM_RETRY_* constants.
const (
	alarmRetryStart = 2 * time.Second
	alarmMaxRetries = 6
)

// alarmEntry is the scheduler's state of one object's alarm.
type alarmEntry struct {
	key       objKey
	scheduled time.Time // the alarm's time: info.scheduledTime
	stop      func() bool
	running   bool
	queued    *time.Time // set while running: the next alarm
	retries   int        // failed attempts, which the next one reports
}

// alarmOf returns the scheduled time of the alarm of the object of s, and
// false if none is set. While the handler runs, workerd reports only an
// alarm the handler has set.
func (iso *Isolate) alarmOf(s *objectStorage) (time.Time, bool) {
	iso.alarmMu.Lock()
	defer iso.alarmMu.Unlock()
	if e := iso.alarms[objKey{s.class, s.id}]; e != nil && e.running {
		if e.queued == nil {
			return time.Time{}, false
		}
		return *e.queued, true
	}
	return s.db.Alarm()
}

// setAlarm sets (at non-nil) or deletes the alarm of the object of s.
func (iso *Isolate) setAlarm(s *objectStorage, at *time.Time) {
	key := objKey{s.class, s.id}
	iso.alarmMu.Lock()
	defer iso.alarmMu.Unlock()
	s.db.SetAlarm(at)
	e := iso.alarms[key]
	if e != nil && e.running {
		e.queued = at
		return
	}
	if e != nil {
		e.stop()
		delete(iso.alarms, key)
	}
	if at != nil {
		iso.armLocked(&alarmEntry{key: key, scheduled: *at}, *at)
	}
}

// armLocked schedules e to fire at the given time. It holds alarmMu.
func (iso *Isolate) armLocked(e *alarmEntry, at time.Time) {
	if iso.alarmsClosed {
		return
	}
	iso.alarms[e.key] = e
	e.stop = iso.cfg.Clock.AfterFunc(at.Sub(iso.cfg.Clock.Now()), func() { iso.fireAlarm(context.Background(), e) })
}

// fireAlarm runs e's alarm handler within ctx and the isolate's timeout,
// and schedules what follows it: the queued alarm, a retry, or nothing.
func (iso *Isolate) fireAlarm(ctx context.Context, e *alarmEntry) error {
	iso.alarmMu.Lock()
	if iso.alarms[e.key] != e || e.running {
		iso.alarmMu.Unlock()
		return nil
	}
	e.running = true
	retries := e.retries
	iso.alarmMu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, iso.timeout())
	err := iso.runAlarm(ctx, e, retries)
	cancel()

	iso.alarmMu.Lock()
	defer iso.alarmMu.Unlock()
	e.running = false
	if iso.alarms[e.key] != e {
		return err // the storage was deleted meanwhile
	}
	db, dbErr := iso.DB(e.key.class, e.key.id)
	if dbErr != nil {
		return errors.Join(err, dbErr)
	}
	switch {
	case e.queued != nil:
		// A new alarm replaces the retries of this one.
		iso.armLocked(&alarmEntry{key: e.key, scheduled: *e.queued}, *e.queued)
	case err == nil, errors.Is(err, errNoAlarmHandler):
		delete(iso.alarms, e.key)
		db.SetAlarm(nil)
	case e.retries >= alarmMaxRetries:
		iso.log(fmt.Sprintf("godurable: the alarm of %s %s failed %d times and was dropped: %v", e.key.class, e.key.id, e.retries+1, err))
		delete(iso.alarms, e.key)
		db.SetAlarm(nil)
	default:
		delay := alarmRetryStart << e.retries
		e.retries++
		iso.armLocked(e, iso.cfg.Clock.Now().Add(delay))
	}
	return err
}

var errNoAlarmHandler = errors.New("attempted to run a scheduled alarm without a handler")

// runAlarm delivers the alarm event to the object, waking it if needed.
func (iso *Isolate) runAlarm(ctx context.Context, e *alarmEntry, retries int) error {
	c := iso.class(e.key.class)
	if c == nil || !hasCapability(c.Capabilities, "alarm") {
		iso.log("godurable: Attempted to run a scheduled alarm without a handler, did you remember to export an alarm() function?")
		return errNoAlarmHandler
	}
	payload := mustMarshal(&abi.AlarmInfo{ScheduledTime: float64(e.scheduled.UnixMilli()), RetryCount: retries, IsRetry: retries > 0})
	t := Target{Class: e.key.class, ID: e.key.id}
	_, err := iso.objectEvent(ctx, t, abi.EventAlarm, 0, payload, t.Class+".alarm()")
	return err
}

// RunAlarm runs the alarm of the Durable Object of class with id now, if
// one is set, as vitest's runDurableObjectAlarm does, and reports whether
// one ran and the handler's error. What follows is what follows a fired
// alarm: after a failure, a retry.
func (iso *Isolate) RunAlarm(ctx context.Context, class, id string) (bool, error) {
	key := objKey{class, id}
	iso.alarmMu.Lock()
	e := iso.alarms[key]
	if e == nil || e.running {
		iso.alarmMu.Unlock()
		return false, nil
	}
	e.stop()
	iso.alarmMu.Unlock()
	return true, iso.fireAlarm(ctx, e)
}

// Alarm returns the time of the alarm of the Durable Object of class
// with id, and false if none is set.
func (iso *Isolate) Alarm(class, id string) (time.Time, bool, error) {
	db, err := iso.DB(class, id)
	if err != nil {
		return time.Time{}, false, err
	}
	at, ok := iso.alarmOf(&objectStorage{class: class, id: id, db: db})
	return at, ok, nil
}

// The model's alarm operations, as the shim's features/alarms.js.
func init() {
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		abi.AsyncAlarmGet: func(iso *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			at, ok := iso.alarmOf(s)
			if !ok {
				return jsEncode(nil)
			}
			return jsEncode(float64(at.UnixMilli()))
		},
		abi.AsyncAlarmSet: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var ms float64
			if err := decodeRequest(req, &ms); err != nil {
				return nil, err
			}
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			if ms <= 0 {
				return nil, NewJSError("TypeError", "setAlarm() cannot be called with an alarm time <= 0")
			}
			if c := iso.class(s.class); c == nil || !hasCapability(c.Capabilities, "alarm") {
				return nil, NewJSError("TypeError", "Your Durable Object class must have an alarm() handler in order to call setAlarm()")
			}
			// A time in the past is now, as workerd has it.
			at := time.UnixMilli(max(int64(ms), iso.cfg.Clock.Now().UnixMilli()))
			iso.setAlarm(s, &at)
			return []byte{}, nil
		},
		abi.AsyncAlarmDel: func(iso *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			iso.setAlarm(s, nil)
			return []byte{}, nil
		},
	})
}

func (iso *Isolate) timeout() time.Duration {
	if iso.cfg.Timeout > 0 {
		return iso.cfg.Timeout
	}
	return driver.DefaultTimeout
}

func (iso *Isolate) log(line string) {
	if iso.cfg.Stderr != nil {
		iso.cfg.Stderr(line)
	}
}
