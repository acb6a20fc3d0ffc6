package rt

import (
	"context"
	"fmt"
	"net/http"

	"github.com/godurable/godurable/internal/abi"
)

// Operations on JavaScript values the host keeps for Go (package
// jsbridge). Each runs synchronously in the I/O context of the event it is
// made for, entering it first if another is current; a result that is a
// promise is then awaited there, as every async operation is.

// JS performs op (abi.OpJSCall, OpJSGet, OpJSNew) with req on behalf of
// the event of ctx, and returns its result: the value's bytes, already
// awaited if it was a promise.
func JS(ctx context.Context, op abi.Sync[abi.JSOp, abi.Raw], req *abi.JSOp) ([]byte, error) {
	e := eventFrom(ctx)
	if e == nil {
		return nil, ErrNoEvent
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req.Event = e.id
	out, err := Do(eventConn(e.ioContext()), op, req)
	if err != nil {
		return nil, err
	}
	if p, ok := abi.HandleOfExt(out, abi.ExtJSPromise); ok {
		return AwaitRaw(ctx, abi.OpJSAwait, &abi.JSAwait{Promise: p, As: req.As, Event: e.id})
	}
	return out, nil
}

// JSRef performs op (abi.OpJSBinding, OpJSGlobal), which names a value by
// name and needs no event, and returns the value's handle.
func JSRef(op abi.Sync[string, abi.Raw], name string) (uint32, error) {
	out, err := Do(NoObject, op, &name)
	if err != nil {
		return 0, err
	}
	h, ok := abi.HandleOfExt(out, abi.ExtJSValue)
	if !ok {
		return 0, fmt.Errorf("godurable: the host answered %s for %q with %s, not a handle", op, name, abi.Describe(out))
	}
	return h, nil
}

// JSType asks what a value is (abi.OpJSType), on behalf of the event of
// ctx.
func JSType(ctx context.Context, req *abi.JSOp) (abi.JSType, error) {
	e := eventFrom(ctx)
	if e == nil {
		return abi.JSType{}, ErrNoEvent
	}
	req.Event = e.id
	return Do(eventConn(e.ioContext()), abi.OpJSType, req)
}

// JSSet sets a property (abi.OpJSSet) on behalf of the event of ctx.
func JSSet(ctx context.Context, req *abi.JSOp) error {
	e := eventFrom(ctx)
	if e == nil {
		return ErrNoEvent
	}
	req.Event = e.id
	_, err := Do(eventConn(e.ioContext()), abi.OpJSSet, req)
	return err
}

// ReleaseHandles tells the host to forget the values (stubs included) it
// keeps under handles.
func ReleaseHandles(handles ...uint32) {
	Do(NoObject, abi.OpStubRelease, &handles) // nothing to do if it fails: the instance is gone
}

// ResponseOf turns a response the host described (abi.JSAsResponse, a
// fetch's result) into an *http.Response whose body streams on behalf of
// the event of ctx; what names it in errors.
func ResponseOf(ctx context.Context, b []byte, what string) (*http.Response, error) {
	var in abi.Response
	if err := abi.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("godurable: host sent a malformed response: %w", err)
	}
	return responseFromABI(ctx, &in, what), nil
}
