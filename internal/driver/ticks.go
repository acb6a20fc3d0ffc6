package driver

import (
	"context"
	"time"
)

// Go's timers: when every goroutine has parked, the guest's poll says
// when its next timer is due, and the instance calls Go back then
// (abi.ExportTick) in the I/O context of an event in flight.

// tickTimer is the timer armed to call Go back when its next timer is due.
type tickTimer struct {
	at   time.Time
	ev   *Event // in whose I/O context the tick runs
	stop func() bool
}

// scheduleTick makes sure Go is called back at time at, in the I/O
// context of an event in flight (ioEvent's if it is), as the shim's
// scheduleTick; with none in flight, Go's timers wait for the next event,
// as in workerd. It holds inst.mu.
func (inst *Instance) scheduleTick(ioEvent *Event, at time.Time) {
	if inst.tick != nil && !inst.tick.at.After(at) && inst.tick.ev.alive() {
		return
	}
	ev := ioEvent
	if ev == nil || !ev.alive() {
		ev = inst.anyEvent()
	}
	if ev == nil {
		return
	}
	inst.stopTick()
	t := &tickTimer{at: at, ev: ev}
	t.stop = inst.clock.AfterFunc(at.Sub(inst.clock.Now()), func() {
		inst.mu.Lock()
		defer inst.mu.Unlock()
		if inst.tick != t {
			return
		}
		inst.tick = nil
		if inst.dead || !ev.alive() {
			return
		}
		inst.run(ev, func(ctx context.Context) error {
			_, err := inst.fnTick.Call(ctx, uint64(uint32(ev.id)), uint64(ev.object))
			return err
		})
	})
	inst.tick = t
}

// anyEvent returns the event in flight with the lowest ID, or nil.
func (inst *Instance) anyEvent() *Event {
	var first *Event
	for _, ev := range inst.events {
		if ev.alive() && (first == nil || ev.id < first.id) {
			first = ev
		}
	}
	return first
}

// retire forgets an event that has finished and has no WaitUntil work
// left; a tick armed in its context moves to another event's.
func (inst *Instance) retire(ev *Event) {
	delete(inst.events, ev.id)
	if inst.cfg.OnRetire != nil {
		inst.cfg.OnRetire(ev.id, ev.object)
	}
	if t := inst.tick; t != nil && t.ev == ev {
		inst.stopTick()
		inst.scheduleTick(nil, t.at)
	}
}

func (inst *Instance) stopTick() {
	if inst.tick != nil {
		inst.tick.stop()
		inst.tick = nil
	}
}
