package rt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

func init() {
	hostcall.Handlers.Manifest = manifestBytes
	hostcall.Handlers.Object = declareObject
	hostcall.Handlers.Drop = dropObject
	hostcall.Handlers.Event = startEvent
	hostcall.Handlers.Resume = resume
	hostcall.Handlers.Tick = tick
	hostcall.Handlers.Cancel = cancelEvent
}

// ErrClientGone is the cause (context.Cause) of an event's context when the
// host cancels the event because its client went away.
var ErrClientGone = errors.New("godurable: the client went away")

// errEventFinished is the cause of an event's context once the event has
// finished, as net/http cancels a request's context when ServeHTTP returns.
var errEventFinished = errors.New("godurable: the event has finished")

var (
	liveMu sync.Mutex
	live   = map[int32]*Event{} // events in flight, by ID
)

// An EventHandler runs one event of its kind and finishes it (Finish or
// Fail) before it returns. For an object's event, the object has been
// built and the event holds its turn.
type EventHandler func(ctx context.Context, e *Event, payload []byte)

// EventSpec is what a feature package registers for a kind of event.
type EventSpec struct {
	// Interface is, for a capability of Durable Objects, the interface a
	// class implements to receive the event (http.Handler for fetch), and
	// Method the name of its one method (ServeHTTP), which is never an
	// RPC method. (The name is given, not read from Interface: calling
	// reflect.Type.Method anywhere makes the linker keep every exported
	// method of the program.)
	Interface reflect.Type
	Method    string
	// Registered is, for a capability of the Worker, whether the Worker
	// has a handler for it.
	Registered func() bool
	// Run runs one event.
	Run EventHandler
}

var (
	eventsMu sync.Mutex
	handlers = map[abi.EventKind]*EventSpec{}
)

// HandleEvent registers how events of kind run. Feature packages call it
// from an init function, once per kind; it panics on a kind that is not
// in the table, on a second registration, or on a spec that does not fit
// the kind (a capability without its interface, say).
func HandleEvent(kind abi.EventKind, spec EventSpec) {
	info, ok := kind.Info()
	if !ok {
		panic(fmt.Sprintf("godurable: HandleEvent(%v): not in the ABI table", kind))
	}
	switch {
	case spec.Run == nil:
		panic(fmt.Sprintf("godurable: HandleEvent(%v): no Run", kind))
	case info.Capability && info.Target == abi.TargetObject && (spec.Interface == nil || spec.Interface.Kind() != reflect.Interface || spec.Method == ""):
		panic(fmt.Sprintf("godurable: HandleEvent(%v): a capability of objects needs its interface and its method", kind))
	case info.Capability && info.Target == abi.TargetWorker && spec.Registered == nil:
		panic(fmt.Sprintf("godurable: HandleEvent(%v): a capability of the Worker needs Registered", kind))
	}
	eventsMu.Lock()
	defer eventsMu.Unlock()
	if handlers[kind] != nil {
		panic(fmt.Sprintf("godurable: HandleEvent(%v) called twice", kind))
	}
	s := spec
	handlers[kind] = &s
}

func handlerOf(kind abi.EventKind) *EventSpec {
	eventsMu.Lock()
	defer eventsMu.Unlock()
	return handlers[kind]
}

// Event is one event in flight.
type Event struct {
	id   int32
	kind abi.EventKind
	arg  uint32
	obj  *object // nil for the stateless Worker
	// entry is the entrypoint of an EventWorkerCall, once found.
	entry *entrypoint
	// owner names what the event is for in messages: the object's
	// class, "worker", or a named entrypoint.
	owner string
	// method names the event in messages, qualified by the object's
	// class when they are written ("Counter.ServeHTTP").
	method string

	ctx    context.Context // the event's context; cancelled when it finishes
	cancel context.CancelCauseFunc
	root   eventRoot // ctx's parent: carries the event, never done

	mu   sync.Mutex
	done bool

	// On turnsMu (turn.go):
	blocking  int  // BlockConcurrencyWhile calls in progress: the turn stays
	displaced bool // the turn was given away while the event waited on Go
}

// Arg returns the event's small argument (see abi.EventInfo.Arg).
func (e *Event) Arg() uint32 { return e.arg }

// Value returns the Go value of the event's Durable Object, or nil for an
// event of the stateless Worker.
func (e *Event) Value() any {
	if e.obj == nil {
		return nil
	}
	return e.obj.value
}

// Class returns the name of the event's Durable Object class, or "".
func (e *Event) Class() string {
	if e.obj == nil {
		return ""
	}
	return e.obj.info.Class
}

// Describe sets the name of the method that handles the event, which
// messages about the event use ("ServeHTTP" for Counter.ServeHTTP).
func (e *Event) Describe(method string) { e.method = method }

// what names the event in messages: "Counter.Increment",
// "worker.ServeHTTP", "Admin.Stats" (a named entrypoint's).
func (e *Event) what() string { return e.owner + "." + e.method }

type eventKey struct{}

// eventRoot is the parent of an event's context: the context that holds
// the event (under eventKey) and is never done, as Background is not. It
// lives inside the Event: WithValue over Background would allocate one
// more context per event, whose chain the cancel at the event's end walks
// (bench/PROFILE.md, 2026-12-01 afternoon).
type eventRoot struct{ e *Event }

func (eventRoot) Deadline() (time.Time, bool) { return time.Time{}, false }
func (eventRoot) Done() <-chan struct{}       { return nil }
func (eventRoot) Err() error                  { return nil }
func (eventRoot) String() string              { return "godurable event" }

func (r *eventRoot) Value(key any) any {
	if key == (eventKey{}) {
		return r.e
	}
	return nil
}

// HasEvent reports whether ctx belongs to an event of a host, on whose
// behalf async operations can start.
func HasEvent(ctx context.Context) bool {
	return hostcall.Available() && eventFrom(ctx) != nil
}

func eventFrom(ctx context.Context) *Event {
	if ctx == nil {
		return nil
	}
	ev, _ := ctx.Value(eventKey{}).(*Event)
	return ev
}

// Finish completes the event with the host, once, with payload as its
// result, and gives back the turn.
func (e *Event) Finish(payload []byte) { e.finish(abi.StatusOK, payload) }

// Fail completes the event with err, described as ToABI describes it.
func (e *Event) Fail(err error) { e.fail(ToABI(err)) }

// FailWith completes the event with an error crossing as it is.
func (e *Event) FailWith(err *abi.Error) { e.fail(err) }

func (e *Event) finish(status abi.Status, payload []byte) {
	e.mu.Lock()
	if e.done {
		e.mu.Unlock()
		return
	}
	e.done = true
	e.mu.Unlock()
	if e.obj != nil {
		turnsMu.Lock()
		e.blocking = 0 // the turn goes with the event
		turnsMu.Unlock()
		e.releaseTurn()
		e.obj.dropLive(e)
	}
	liveMu.Lock()
	delete(live, e.id)
	liveMu.Unlock()
	hostcall.Complete(e.id, status, payload)
	e.cancel(errEventFinished)
}

func (e *Event) fail(err *abi.Error) { e.finish(abi.StatusError, mustMarshal(err)) }

// PanicError reports v, the value of a panic in the handler of e, on
// standard error with its stack, and returns the error that fails the
// event: what happens to a panic that a handler does not recover. A
// feature whose event completes with a result of its own, even when its
// handler fails, recovers the panic and calls it.
func (e *Event) PanicError(v any) *abi.Error {
	err := panicError(e.what(), v)
	fmt.Fprintf(os.Stderr, "godurable: %s\n%s", err.Message, err.Stack)
	return err
}

// startEvent is the godurable_event export.
func startEvent(id int32, kind abi.EventKind, object, arg uint32, size int32) int32 {
	payload := make([]byte, size)
	hostcall.Take(payload)
	e := &Event{id: id, kind: kind, arg: arg, owner: "worker"}
	e.root.e = e
	e.ctx, e.cancel = context.WithCancelCause(&e.root)
	liveMu.Lock()
	live[id] = e
	liveMu.Unlock()
	if object != 0 {
		setContext(objectContext(object))
	} else {
		setContext(e.ioContext())
	}
	spawn(func() { runEvent(e, object, payload) })
	runUntilIdle()
	return 0
}

// cancelEvent is the godurable_cancel export.
func cancelEvent(id int32) int32 {
	liveMu.Lock()
	e := live[id]
	liveMu.Unlock()
	if e != nil {
		setContext(e.ioContext())
		e.cancel(ErrClientGone)
	} else {
		setContext(0)
	}
	runUntilIdle()
	return 0
}

func runEvent(e *Event, object uint32, payload []byte) {
	info, _ := e.kind.Info()
	e.method = info.Name
	defer func() {
		if v := recover(); v != nil {
			if a, ok := v.(aborted); ok {
				fmt.Fprintf(os.Stderr, "godurable: %s aborted the object: %s\n", e.what(), a.reason)
				e.fail(&abi.Error{Name: "Error", Message: a.reason})
				return
			}
			e.fail(e.PanicError(v))
		}
	}()
	spec := handlerOf(e.kind)
	if spec == nil {
		e.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: this module does not handle %v events; is its package linked?", e.kind)})
		return
	}
	ctx := e.ctx
	if info.Target == abi.TargetObject {
		if err := enterObject(ctx, e, object); err != nil {
			e.fail(err)
			return
		}
		if info.Capability && !reflect.TypeOf(e.obj.value).Implements(spec.Interface) {
			e.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: %s does not handle %s events: it does not implement %s", e.obj.info.Class, info.Name, spec.Interface)})
			return
		}
	}
	spec.Run(ctx, e, payload)
}
