package driver

import (
	"context"
	"fmt"
	"time"

	"github.com/godurable/godurable/internal/abi"
)

// Asynchronous operations: run starts those Go began during a call into
// it, each on a goroutine of its own (launch), and resume hands each
// result back to Go in the I/O context of the event that started it.

// op is an asynchronous operation Go started, until its result is back
// in Go.
type op struct {
	id      int32
	kind    abi.AsyncOp
	ev      *Event
	payload []byte
	what    string
}

var orphaned = mustMarshal(&abi.Error{Name: "Error", Message: "godurable: the event that started this operation has already finished", Code: abi.CodeOrphaned})

// run calls an export on behalf of the event in whose I/O context the
// host calls it (nil for none), then starts the operations Go began and
// arms Go's timers, as the shim's Instance.run. It holds inst.mu.
func (inst *Instance) run(ioEvent *Event, fn func(ctx context.Context) error) error {
	inst.ioEvent = ioEvent
	err := inst.guard(fn)
	inst.ioEvent = nil
	if err != nil {
		return err
	}
	started := inst.started
	inst.started = nil
	for _, o := range started {
		if !o.ev.alive() {
			inst.orphans = append(inst.orphans, o)
		} else {
			inst.launch(o)
		}
	}
	if inst.timerNs >= 0 {
		d := time.Duration(inst.timerNs)
		if r := d % time.Millisecond; r != 0 {
			d += time.Millisecond - r
		}
		inst.scheduleTick(ioEvent, inst.clock.Now().Add(d))
	}
	for len(inst.orphans) > 0 && !inst.dead {
		o := inst.orphans[0]
		inst.orphans = inst.orphans[1:]
		inst.resume(o, abi.StatusError, orphaned)
	}
	return nil
}

func (inst *Instance) launch(o *op) {
	o.what = describeOp(o.kind, o.payload)
	o.ev.ops[o.id] = o
	go func() {
		res, err := inst.startOp(o)
		status := abi.StatusOK
		if err != nil {
			status = abi.StatusError
			res = mustMarshal(ErrorFromGo(err))
		}
		inst.mu.Lock()
		defer inst.mu.Unlock()
		delete(o.ev.ops, o.id)
		inst.resume(o, status, res)
	}()
}

func (inst *Instance) startOp(o *op) (res []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("godurable: host operation panicked: %v", v)
		}
	}()
	if inst.cfg.Start == nil {
		return nil, NewJSError("TypeError", fmt.Sprintf("godurable: unknown async operation %d", o.kind))
	}
	return inst.cfg.Start(o.kind, o.ev.object, o.payload)
}

func describeOp(kind abi.AsyncOp, payload []byte) string {
	switch kind {
	case abi.AsyncFetch:
		var r abi.Request
		if abi.Unmarshal(payload, &r) == nil {
			return "fetch " + r.Method + " " + r.URL
		}
	case abi.AsyncStubFetch:
		var r abi.StubFetch
		if abi.Unmarshal(payload, &r) == nil {
			return "fetch " + r.Request.Method + " " + r.Request.URL + " on " + describeTarget(r.Target)
		}
	case abi.AsyncStubCall:
		var r abi.StubCall
		if abi.Unmarshal(payload, &r) == nil {
			return r.Method + "() on " + describeTarget(r.Target)
		}
	}
	return kind.String()
}

func describeTarget(t abi.StubTarget) string {
	ns := t.Binding
	if t.Jurisdiction != "" {
		ns += " (" + t.Jurisdiction + ")"
	}
	if t.Name == "" && t.ID != "" {
		return fmt.Sprintf("%s object %s", ns, t.ID)
	}
	return fmt.Sprintf("%s object %q", ns, t.Name)
}

// resume hands a settled operation to Go. It holds inst.mu.
func (inst *Instance) resume(o *op, status abi.Status, payload []byte) {
	if inst.dead {
		return
	}
	inst.staged = payload
	inst.run(o.ev, func(ctx context.Context) error {
		_, err := inst.fnResume.Call(ctx, uint64(uint32(o.id)), uint64(uint32(status)), uint64(len(payload)))
		return err
	})
}
