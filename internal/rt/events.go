package rt

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

func init() {
	hostcall.Handlers.Manifest = manifestBytes
	hostcall.Handlers.Event = startEvent
	hostcall.Handlers.Resume = resume
	hostcall.Handlers.Tick = tick
}

// event is one fetch or RPC call in flight.
type event struct {
	id  int32
	obj *object // nil for the stateless Worker

	mu       sync.Mutex
	holdTurn bool // whether this event holds obj's turn
	done     bool
}

type eventKey struct{}

func eventFrom(ctx context.Context) *event {
	if ctx == nil {
		return nil
	}
	ev, _ := ctx.Value(eventKey{}).(*event)
	return ev
}

// releaseTurn gives up the object's turn if this event holds it, and
// reports whether it did; the caller then takes it back with acquireTurn.
func (ev *event) releaseTurn() bool {
	if ev.obj == nil {
		return false
	}
	ev.mu.Lock()
	held := ev.holdTurn
	ev.holdTurn = false
	ev.mu.Unlock()
	if held {
		<-ev.obj.turn
	}
	return held
}

func (ev *event) acquireTurn() {
	ev.obj.turn <- struct{}{}
	ev.mu.Lock()
	ev.holdTurn = true
	ev.mu.Unlock()
}

// finish completes the event with the host, once, and gives back the turn.
func (ev *event) finish(status abi.Status, payload []byte) {
	ev.mu.Lock()
	if ev.done {
		ev.mu.Unlock()
		return
	}
	ev.done = true
	ev.mu.Unlock()
	ev.releaseTurn()
	hostcall.Complete(ev.id, status, payload)
}

func (ev *event) fail(e *abi.Error) {
	ev.finish(abi.StatusError, mustMarshal(e))
}

// startEvent is the godurable_event export.
func startEvent(id, size int32) int32 {
	payload := make([]byte, size)
	hostcall.Take(payload)
	var msg abi.Event
	if err := abi.Unmarshal(payload, &msg); err != nil {
		hostcall.Complete(id, abi.StatusError, mustMarshal(&abi.Error{
			Name: "TypeError", Message: "godurable: malformed event: " + err.Error()}))
		return abi.ResultBadPayload
	}
	spawn(func() { runEvent(id, &msg) })
	waitIdle()
	return 0
}

func runEvent(id int32, msg *abi.Event) {
	ev := &event{id: id}
	what := "event"
	defer func() {
		if v := recover(); v != nil {
			e := panicError(what, v)
			fmt.Fprintf(os.Stderr, "godurable: %s\n%s", e.Message, e.Stack)
			ev.fail(e)
		}
	}()
	if len(msg.Dropped) > 0 {
		dropObjects(msg.Dropped)
	}
	ctx := context.WithValue(context.Background(), eventKey{}, ev)
	switch msg.Kind {
	case abi.EventWorkerFetch:
		what = "the Worker's handler"
		if workerHandler == nil {
			ev.fail(&abi.Error{Name: "Error", Message: "godurable: no Worker handler is registered (call worker.Handle in an init function)"})
			return
		}
		serveHTTP(ctx, ev, msg.Request, workerHandler)
	case abi.EventObjectFetch, abi.EventObjectCall:
		if msg.Object == nil {
			ev.fail(&abi.Error{Name: "TypeError", Message: "godurable: event without an object"})
			return
		}
		obj, err := enterObject(ctx, ev, msg.Object)
		if err != nil {
			ev.fail(err)
			return
		}
		if msg.Kind == abi.EventObjectFetch {
			what = obj.class.name + ".ServeHTTP"
			h := obj.fetchHandler()
			if h == nil {
				ev.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: %s does not serve HTTP: it has no ServeHTTP method", obj.class.name)})
				return
			}
			serveHTTP(ctx, ev, msg.Request, h)
		} else {
			what = obj.class.name + "." + msg.Method
			callMethod(ctx, ev, obj, msg.Method, msg.Args)
		}
	default:
		ev.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: unknown event kind %d", msg.Kind)})
	}
}
