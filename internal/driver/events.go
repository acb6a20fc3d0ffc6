package driver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/godurable/godurable/internal/abi"
)

// Events: Send delivers one to Go, Wait waits for its result, Cancel
// cancels it, as the shim's dispatch does (internal/shim/js/instance.js,
// events.js).

// Event is one event in flight in an instance.
type Event struct {
	id       int32
	object   uint32
	what     string
	finished bool
	status   abi.Status
	payload  []byte
	done     chan struct{}
	ops      map[int32]*op // operations in flight, for reports
	extended int           // WaitUntil work in progress: the event lives on after its result
	props    any           // Message.Props
}

// alive reports whether the event may still start operations: until its
// result, and after it while WaitUntil work goes on.
func (ev *Event) alive() bool { return !ev.finished || ev.extended > 0 }

// Message is an event to deliver to Go.
type Message struct {
	Kind abi.EventKind
	// Object is the handle of the event's Durable Object, 0 for the
	// stateless Worker; Ref describes it, for the first event of the
	// handle on this instance.
	Object uint32
	Ref    abi.ObjectRef
	Arg    uint32
	// Payload is the event's message (see abi.EventInfo).
	Payload []byte
	// Dropped are the handles of objects the host no longer holds.
	Dropped []uint32
	// Props is what the host keeps with the event for its operations to
	// read back by the event's ID (EventProps): the props of a Worker's
	// event.
	Props any
	// What describes the event in errors ("Counter.increment()").
	What string
}

// Dispatch delivers an event to Go and waits until it finishes or ctx is
// done. It returns the event's result, a *JSError if the event failed, or
// a *CrashError.
func (inst *Instance) Dispatch(ctx context.Context, msg *Message) ([]byte, error) {
	_, out, err := inst.DispatchEvent(ctx, msg)
	return out, err
}

// DispatchEvent is Dispatch that returns the event too, whose ID names it
// in the host operations that follow its result (a streamed body's).
func (inst *Instance) DispatchEvent(ctx context.Context, msg *Message) (*Event, []byte, error) {
	ev, err := inst.Send(msg)
	if err != nil {
		return nil, nil, err
	}
	out, err := inst.Wait(ctx, ev)
	if info, _ := msg.Kind.Info(); info.Cancelable && errors.Is(err, ErrTimeout) {
		inst.Cancel(ev) // the client went away, as workerd aborts request.signal
	}
	return ev, out, err
}

// EventProps returns the Props of the event with the given ID, and false
// if no such event is in flight. Only Config.Call may call it.
func (inst *Instance) EventProps(id int32) (any, bool) {
	ev, ok := inst.events[id]
	if !ok || !ev.alive() {
		return nil, false
	}
	return ev.props, true
}

// ID returns the event's ID, as the guest knows it.
func (ev *Event) ID() int32 { return ev.id }

// Cancel cancels ev's context in Go (abi.ExportCancel), as the shim does
// when the request's signal aborts; the event goes on until its handler
// returns.
func (inst *Instance) Cancel(ev *Event) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.dead || !ev.alive() {
		return
	}
	inst.run(ev, func(ctx context.Context) error {
		_, err := inst.wasm.ExportedFunction(abi.ExportCancel).Call(ctx, uint64(uint32(ev.id)))
		return err
	})
}

// Send delivers an event to Go without waiting for it to finish.
func (inst *Instance) Send(msg *Message) (*Event, error) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.dead {
		return nil, ErrCrashed
	}
	for _, h := range msg.Dropped {
		if !inst.known[h] {
			continue
		}
		delete(inst.known, h)
		if err := inst.guard(func(ctx context.Context) error {
			_, err := inst.fnDrop.Call(ctx, uint64(h))
			return err
		}); err != nil {
			return nil, err
		}
	}
	if msg.Object != 0 && !inst.known[msg.Object] {
		ref, err := abi.Marshal(&msg.Ref)
		if err != nil {
			return nil, err
		}
		inst.staged = ref
		var res []uint64
		if err := inst.guard(func(ctx context.Context) (err error) {
			res, err = inst.fnObject.Call(ctx, uint64(msg.Object), uint64(len(ref)))
			return err
		}); err != nil {
			return nil, err
		}
		if int32(res[0]) < 0 {
			return nil, NewJSError("TypeError", fmt.Sprintf("godurable: the module refused object %s %s", msg.Ref.Class, msg.Ref.ID))
		}
		inst.known[msg.Object] = true
	}
	inst.nextEvent++
	ev := &Event{id: inst.nextEvent, object: msg.Object, what: msg.What, done: make(chan struct{}), ops: map[int32]*op{}, props: msg.Props}
	inst.events[ev.id] = ev
	inst.staged = msg.Payload
	if err := inst.run(ev, func(ctx context.Context) error {
		_, err := inst.fnEvent.Call(ctx, uint64(uint32(ev.id)), uint64(msg.Kind), uint64(msg.Object), uint64(msg.Arg), uint64(len(msg.Payload)))
		return err
	}); err != nil {
		return nil, err
	}
	return ev, nil
}

// ErrTimeout is wrapped by the error of Wait when ctx ends first.
var ErrTimeout = errors.New("the event did not finish")

// Wait waits for ev to finish or ctx to be done.
func (inst *Instance) Wait(ctx context.Context, ev *Event) ([]byte, error) {
	select {
	case <-ev.done:
	case <-ctx.Done():
		inst.mu.Lock()
		pending := ev.describeOps()
		inst.mu.Unlock()
		return nil, fmt.Errorf("%w: %s: %v; still waiting for %s", ErrTimeout, ev.what, ctx.Err(), pending)
	}
	if ev.status == abi.StatusOK {
		return ev.payload, nil
	}
	var e abi.Error
	if err := abi.Unmarshal(ev.payload, &e); err != nil {
		return nil, fmt.Errorf("godurable: the guest failed the event with a malformed error: %w", err)
	}
	if e.Code == abi.CodeCrashed {
		return nil, &CrashError{Message: e.Message}
	}
	return nil, &JSError{&e}
}

func (ev *Event) describeOps() string {
	if len(ev.ops) == 0 {
		return "nothing the host knows of (the guest itself has not completed it)"
	}
	var parts []string
	for _, o := range ev.ops {
		parts = append(parts, o.what)
	}
	return strings.Join(parts, ", ")
}

func (ev *Event) settle(status abi.Status, payload []byte) {
	if ev.finished {
		return
	}
	ev.finished = true
	ev.status = status
	ev.payload = payload
	close(ev.done)
}
