package rt

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// ErrEventDone is returned when the event that owns an operation has
// finished before the operation could start.
var ErrEventDone = errors.New("godurable: the event that started this operation has already finished")

const scratchSize = 16 << 10

var scratchPool = sync.Pool{New: func() any { b := make([]byte, scratchSize); return &b }}

// Call performs a synchronous host operation and returns its result. The
// result is a fresh slice the caller owns.
func Call(op abi.CallOp, object uint32, req []byte) ([]byte, error) {
	if !hostcall.Available {
		return nil, ErrNoHost
	}
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

// CallMsg is Call with a request and a result encoded as ABI messages.
// result may be nil when the result is not needed.
func CallMsg(op abi.CallOp, object uint32, req, result any) error {
	var reqBytes []byte
	if req != nil {
		var err error
		if reqBytes, err = abi.Marshal(req); err != nil {
			return fmt.Errorf("godurable: encoding the request: %w", err)
		}
	}
	out, err := Call(op, object, reqBytes)
	if err != nil {
		return err
	}
	if result == nil {
		return nil
	}
	if err := abi.Unmarshal(out, result); err != nil {
		return fmt.Errorf("godurable: host sent a malformed result: %w", err)
	}
	return nil
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

var (
	opsMu sync.Mutex
	ops   = map[int32]chan opResult{}
)

// Await starts the asynchronous host operation op on behalf of the event in
// ctx, parks the goroutine until the host settles it, and returns its
// result. While it waits, other events of the same Durable Object may run.
func Await(ctx context.Context, op abi.AsyncOp, req []byte) ([]byte, error) {
	if !hostcall.Available {
		return nil, ErrNoHost
	}
	ev := eventFrom(ctx)
	if ev == nil {
		return nil, ErrNoEvent
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h := hostcall.Start(op, ev.id, req)
	if h < 0 {
		return nil, ErrEventDone
	}
	ch := make(chan opResult, 1)
	opsMu.Lock()
	ops[h] = ch
	opsMu.Unlock()

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
	ch, ok := ops[op]
	delete(ops, op)
	opsMu.Unlock()
	if ok {
		ch <- opResult{status: status, payload: payload}
	}
	waitIdle()
	if !ok {
		// The waiter gave up (its context ended); the result is dropped.
		return abi.ResultUnknownOp
	}
	return 0
}

func tick() int32 {
	waitIdle()
	return 0
}

func itoa(n int) string { return strconv.Itoa(n) }
