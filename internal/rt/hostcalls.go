package rt

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

// ErrNoHost is returned by every host operation when the code does not run
// in a wasm guest (GOOS=wasip1), e.g. in a plain unit test on the host.
var ErrNoHost = errors.New("godurable: no host: this runs only inside a Worker or the dotest harness (GOOS=wasip1)")

// ErrNoEvent is returned by an async operation whose context does not come
// from an event, so the host cannot tell on whose behalf to start it.
var ErrNoEvent = errors.New("godurable: the context does not belong to an event; pass the request's Context() or the ctx given to the method")

// ErrNoObject is returned by an operation on a Durable Object's storage
// whose context belongs to the stateless Worker's event, not an object's.
var ErrNoObject = errors.New("godurable: the context belongs to no Durable Object's event; pass the ctx of the object's method or r.Context() in its ServeHTTP")

// ErrEventDone is returned when the event that owns an operation has
// finished before the operation could start.
var ErrEventDone = errors.New("godurable: the event that started this operation has already finished")

const scratchSize = 16 << 10

var scratchPool = sync.Pool{New: func() any { b := make([]byte, scratchSize); return &b }}

// callObject performs a synchronous host operation and returns its
// result. The result is a fresh slice the caller owns. An operation on an
// object runs in the object's I/O context, which it enters first if
// another is current (see enter).
func callObject(op abi.CallOp, object uint32, req []byte) ([]byte, error) {
	if !hostcall.Available() {
		return nil, ErrNoHost
	}
	if object != 0 && !inContext(objectContext(object)) {
		if err := enter(objectContext(object)); err != nil {
			return nil, fmt.Errorf("godurable: %v: %w", op, err)
		}
	}
	return call(op, object, req)
}

func call(op abi.CallOp, object uint32, req []byte) ([]byte, error) {
	bp := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(bp)
	buf := (*bp)[:0]
	r := hostcall.Call(op, object, req, buf)
	n := int(r)
	if r < 0 {
		n = int(-(r + 1))
	}
	var out []byte
	if n <= cap(buf) {
		out = append([]byte(nil), buf[:n]...)
	} else {
		out = make([]byte, n)
		hostcall.Take(out)
	}
	if r < 0 {
		return nil, decodeHostError(out)
	}
	return out, nil
}

// Conn performs the synchronous host operations of one Durable Object:
// its storage. In a guest it is the host's call import; the dotest harness
// gives the storage package one that runs the same operations on its model
// of workerd directly, so that a test reads storage with the code objects
// use.
type Conn interface {
	Call(op abi.CallOp, req []byte) ([]byte, error)
}

type objectConn uint32

// NoObject is the Conn of operations that act on no Durable Object.
var NoObject Conn = objectConn(0)

func (h objectConn) Call(op abi.CallOp, req []byte) ([]byte, error) {
	return callObject(op, uint32(h), req)
}

type connKey struct{}

// WithConn returns a copy of ctx whose ConnFromContext is c.
func WithConn(ctx context.Context, c Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// ConnFromContext returns the conn of the Durable Object that ctx's event
// is for, or the one given to WithConn.
func ConnFromContext(ctx context.Context) (Conn, bool) {
	if e := eventFrom(ctx); e != nil && e.obj != nil {
		return objectConn(e.obj.handle), true
	}
	c, ok := ctx.Value(connKey{}).(Conn)
	return c, ok
}

// EventID returns the host's ID of the event ctx belongs to, and false
// if ctx belongs to no event.
func EventID(ctx context.Context) (int32, bool) {
	if e := eventFrom(ctx); e != nil {
		return e.id, true
	}
	return 0, false
}

func decodeHostError(b []byte) error {
	var e abi.Error
	if err := abi.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("godurable: host reported an error that could not be decoded: %w", err)
	}
	return ErrorFromABI(&e)
}

type opResult struct {
	status  abi.Status
	payload []byte
}

// pendingOp is an async operation Go waits for: the host settles it
// (resume) in the I/O context of the event that started it.
type pendingOp struct {
	ch  chan opResult
	ctx ioContext
}

var (
	opsMu sync.Mutex
	ops   = map[int32]pendingOp{}
)

// await starts the asynchronous host operation op on behalf of the event in
// ctx, parks the goroutine until the host settles it, and returns its
// result. While it waits, other events of the same Durable Object may run.
func await(ctx context.Context, op abi.AsyncOp, req []byte) ([]byte, error) {
	if !hostcall.Available() {
		return nil, ErrNoHost
	}
	e := eventFrom(ctx)
	if e == nil {
		return nil, ErrNoEvent
	}
	if op.Object() && e.obj == nil {
		return nil, ErrNoObject
	}
	if e.obj != nil && inTransaction(e.obj.handle) {
		return nil, ErrTransactionWait
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The waiter is registered before anyone can resume the operation: a
	// host resumes only from another export call, but one that runs Go on
	// threads of its own (the benchmarks' fake host) may do so at once.
	ch := make(chan opResult, 1)
	opsMu.Lock()
	h := hostcall.Start(op, e.id, req)
	if h >= 0 {
		ops[h] = pendingOp{ch: ch, ctx: e.ioContext()}
	}
	opsMu.Unlock()
	if h < 0 {
		return nil, ErrEventDone
	}

	var res opResult
	var canceled bool
	WithoutTurn(ctx, func() {
		select {
		case res = <-ch:
		case <-ctx.Done():
			opsMu.Lock()
			delete(ops, h)
			opsMu.Unlock()
			canceled = true
		}
	})
	if canceled {
		return nil, ctx.Err()
	}
	if res.status != abi.StatusOK {
		return nil, decodeHostError(res.payload)
	}
	return res.payload, nil
}

// resume is the godurable_resume export: it hands the settled result of an
// operation to the goroutine waiting for it.
func resume(op int32, status abi.Status, size int32) int32 {
	payload := make([]byte, size)
	hostcall.Take(payload)
	opsMu.Lock()
	p, ok := ops[op]
	delete(ops, op)
	opsMu.Unlock()
	if ok {
		setContext(p.ctx)
		p.ch <- opResult{status: status, payload: payload}
	} else {
		setContext(0) // the host knows; Go does not need to
	}
	runUntilIdle()
	if !ok {
		// The waiter gave up (its context ended); the result is dropped.
		return abi.ResultUnknownOp
	}
	return 0
}

// tick is the godurable_tick export: Go timers are due, and the host
// runs them on behalf of event (of the object with handle object, or 0).
func tick(event int32, object uint32) int32 {
	if object != 0 {
		setContext(objectContext(object))
	} else {
		setContext(ioContext(-int64(event)))
	}
	runUntilIdle()
	return 0
}

// An EpochConn can tell when its storage was last used: the dotest
// harness's storage counts the operations on the object's database, from
// the guest and from the test alike.
type EpochConn interface {
	Epoch() (epoch uint64, ok bool)
}

// StorageEpoch returns a reading that changes whenever anything may have
// used c's storage: two equal readings mean that no storage operation ran
// in between, the caller's own included. ok is false when c cannot tell.
// In a guest it counts the crossings of the boundary (hostcall.Epoch):
// the host acts only while Go is in an import or between exports. (Under
// dotest, a test that uses the object's storage itself while one of the
// object's events runs goes unseen by the guest's count.)
func StorageEpoch(c Conn) (epoch uint64, ok bool) {
	switch c := c.(type) {
	case EpochConn:
		return c.Epoch()
	case objectConn:
		if c != 0 && hostcall.Available() {
			return hostcall.Epoch(), true
		}
	}
	return 0, false
}
