package alarm

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Handler is implemented by a Durable Object class that receives its
// alarm: workerd's alarm(alarmInfo). An error or a panic makes workerd
// retry it (see the package documentation).
type Handler interface {
	Alarm(ctx context.Context, info Info) error
}

// Info describes the alarm being delivered, as workerd's alarmInfo does.
type Info struct {
	// ScheduledTime is the time the alarm was set for; a retry keeps it.
	ScheduledTime time.Time
	// RetryCount counts the failed attempts before this one.
	RetryCount int
	// IsRetry reports RetryCount > 0.
	IsRetry bool
}

func init() {
	rt.HandleEvent(abi.EventAlarm, rt.EventSpec{
		Interface: reflect.TypeFor[Handler](),
		Method:    "Alarm",
		Run:       runAlarm,
	})
}

func runAlarm(ctx context.Context, e *rt.Event, payload []byte) {
	var in abi.AlarmInfo
	if err := abi.Unmarshal(payload, &in); err != nil {
		e.FailWith(&abi.Error{Name: "TypeError", Message: "godurable: malformed alarm: " + err.Error()})
		return
	}
	e.Describe("Alarm")
	info := Info{ScheduledTime: time.UnixMilli(int64(in.ScheduledTime)), RetryCount: in.RetryCount, IsRetry: in.IsRetry}
	if err := e.Value().(Handler).Alarm(ctx, info); err != nil {
		e.Fail(err)
		return
	}
	e.Finish(nil)
}

// ErrNoObject is returned by Set, Get and Delete when ctx belongs to the
// stateless Worker, not to one of a Durable Object's events.
var ErrNoObject = rt.ErrNoObject

// Set sets the alarm of the Durable Object whose event ctx belongs to, to
// at, replacing any alarm set before. A time in the past fires at once.
// The class must implement Handler (workerd refuses otherwise).
func Set(ctx context.Context, at time.Time) error {
	ms := float64(at.UnixMilli())
	if _, err := rt.AwaitOp(ctx, abi.OpAlarmSet, &ms); err != nil {
		return fmt.Errorf("alarm: set %s: %w", at.UTC().Format(time.RFC3339Nano), err)
	}
	return nil
}

// Get returns the time of the alarm of the Durable Object whose event ctx
// belongs to, and false if none is set (or, inside Alarm, if the handler
// has set none since it began).
func Get(ctx context.Context) (time.Time, bool, error) {
	ms, err := rt.AwaitOp(ctx, abi.OpAlarmGet, nil)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("alarm: get: %w", err)
	}
	if ms == nil {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(int64(*ms)), true, nil
}

// Delete deletes the alarm of the Durable Object whose event ctx belongs
// to, if one is set.
func Delete(ctx context.Context) error {
	if _, err := rt.AwaitOp(ctx, abi.OpAlarmDel, nil); err != nil {
		return fmt.Errorf("alarm: delete: %w", err)
	}
	return nil
}
