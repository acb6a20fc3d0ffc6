package driver

import (
	"context"
	"fmt"
)

// WaitUntil work: an event whose Go code called worker.WaitUntil lives on
// after its result until the work is done.

// ExtendEvent keeps the event with the given ID alive after its result
// until ReleaseEvent (workerd's ctx.waitUntil, abi.CallWaitUntil). Only
// Config.Call may call it.
func (inst *Instance) ExtendEvent(id int32) error {
	ev, ok := inst.events[id]
	if !ok || !ev.alive() {
		return NewJSError("Error", "godurable: WaitUntil: the event has already finished")
	}
	ev.extended++
	inst.background++
	return nil
}

// ReleaseEvent ends one ExtendEvent (abi.CallWaitUntilDone). Only
// Config.Call may call it.
func (inst *Instance) ReleaseEvent(id int32) {
	ev, ok := inst.events[id]
	if !ok || ev.extended == 0 {
		return
	}
	ev.extended--
	inst.background--
	if ev.extended == 0 && ev.finished {
		inst.retire(ev)
	}
	if inst.background == 0 {
		inst.backgroundDone.Broadcast()
	}
}

// WaitBackground waits until no event has WaitUntil work left, or ctx is
// done, or the instance dies.
func (inst *Instance) WaitBackground(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		inst.mu.Lock()
		inst.backgroundDone.Broadcast()
		inst.mu.Unlock()
	})
	defer stop()
	inst.mu.Lock()
	defer inst.mu.Unlock()
	for inst.background > 0 && !inst.dead {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("godurable: WaitUntil work still running: %w", err)
		}
		inst.backgroundDone.Wait()
	}
	return nil
}
