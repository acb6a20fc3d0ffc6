package worker

import (
	"context"
	"fmt"
	"net/http"
	"runtime"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// hostStub is the connection of a *Stub in a guest: it reaches the object
// through the host's operations (stub.fetch, stub.call), by the target the
// shim makes the stub of, or by the handle of a stub the host keeps for
// the Go instance. A test on the host gives its stubs the harness's
// connection instead (rt.KeptStubConn).
type hostStub struct {
	target abi.StubTarget
	kept   *keptHandle // a stub the host keeps for this instance (target.Handle)
}

// noTarget is the connection of the zero Stub, which names no object.
var noTarget = &hostStub{}

// keptHandle is the handle of a stub that the host keeps for the Go
// instance; when no *Stub refers to it any more, the host is told to
// forget the stub.
type keptHandle struct{ handle uint32 }

func init() {
	rt.KeptStubConn = keptConn
}

// keptConn is the connection of a stub that the host keeps for the Go
// instance under t.Handle, until Go forgets it.
func keptConn(t abi.StubTarget) (rt.StubConn, error) {
	h := &hostStub{target: abi.StubTarget{Handle: t.Handle}, kept: &keptHandle{t.Handle}}
	runtime.AddCleanup(h.kept, releaseStub, t.Handle)
	return h, nil
}

// releaseStub tells the host to forget the stub it keeps under handle.
func releaseStub(handle uint32) {
	handles := []uint32{handle}
	rt.Do(rt.NoObject, abi.OpStubRelease, &handles) // nothing to do if it fails: the instance is gone
}

// Target implements rt.StubConn.
func (h *hostStub) Target() abi.StubTarget { return h.target }

// Fetch implements rt.StubConn.
func (h *hostStub) Fetch(req *http.Request) (*http.Response, error) {
	defer runtime.KeepAlive(h.kept) // the host keeps the stub until the fetch has used it
	t := h.target
	return (&rt.Transport{Target: &t}).RoundTrip(req)
}

// Call implements rt.StubConn.
func (h *hostStub) Call(ctx context.Context, method string, result any, args ...any) error {
	defer runtime.KeepAlive(h.kept) // the host keeps the stub until the call has used it
	if args == nil {
		args = []any{}
	}
	args, err := streamArgs(ctx, args)
	if err != nil {
		return fmt.Errorf("worker: %s: %w", method, err)
	}
	raw, err := abi.EncodeValue(args)
	if err == nil {
		err = abi.CheckJSSafe(raw)
	}
	if err != nil {
		return fmt.Errorf("worker: %s: encoding the arguments: %w", method, err)
	}
	res, err := rt.AwaitRaw(ctx, abi.OpStubCall, &abi.StubCall{Target: h.target, Method: rt.JSName(method), Args: raw})
	if err != nil {
		return err
	}
	if ref, ok := abi.StreamOf(res); ok {
		st, ok := result.(*Stream)
		if !ok {
			rt.CancelStream(ref)
			return fmt.Errorf("worker: %s returns a stream: %w", method, ErrWantStream)
		}
		st.set(rt.StreamReader(ctx, ref, "the stream of "+method), ref.Lines)
		return nil
	}
	if _, ok := result.(*Stream); ok {
		return fmt.Errorf("worker: %s: %w", method, ErrNotStream)
	}
	if result == nil || len(res) == 0 {
		return nil
	}
	if err := abi.DecodeValue(res, result); err != nil {
		return fmt.Errorf("worker: %s: decoding the result (%s) into %T: %w", method, abi.Describe(res), result, err)
	}
	return nil
}
