package rt

import (
	"context"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
)

// The typed calls of host operations: an operation's descriptor (abi.Sync,
// abi.Async) gives the types of its request and its result, so that no
// call pairs an operation with other types. The generic functions are
// thin: the work is done once, on values of type any, so that the module
// does not carry a copy of it per message type.

// Do performs the synchronous operation op on c with req and returns its
// result. req is nil for an operation whose request is abi.Empty, and only
// for one.
func Do[Req, Res any](c Conn, op abi.Sync[Req, Res], req *Req) (res Res, err error) {
	err = callMsg(c, op.Code, req, &res)
	return
}

// AwaitOp performs the asynchronous operation op with req (nil for an
// abi.Empty request) on behalf of the event in ctx, as await does, and
// returns its result.
func AwaitOp[Req, Res any](ctx context.Context, op abi.Async[Req, Res], req *Req) (res Res, err error) {
	err = awaitResult(ctx, op.Code, req, &res)
	return
}

// AwaitRaw is AwaitOp for a caller that takes the result's bytes as they
// are: a Raw or a Value without the allocation of AwaitOp's result (a stub
// call's result, a chunk of a body), or a result the caller decodes its
// own way.
func AwaitRaw[Req, Res any](ctx context.Context, op abi.Async[Req, Res], req *Req) ([]byte, error) {
	return awaitMsg(ctx, op.Code, req)
}

// callMsg performs op on c with req, a pointer to the request or nil, and
// decodes the result into result, a pointer.
func callMsg(c Conn, op abi.CallOp, req, result any) error {
	b, err := abi.MarshalRequest(req)
	if err != nil {
		return fmt.Errorf("godurable: encoding the request: %w", err)
	}
	out, err := c.Call(op, b)
	if err != nil {
		return err
	}
	return decodeResult(out, result)
}

// awaitResult is awaitMsg that decodes the result into result, a pointer.
func awaitResult(ctx context.Context, op abi.AsyncOp, req, result any) error {
	out, err := awaitMsg(ctx, op, req)
	if err != nil {
		return err
	}
	return decodeResult(out, result)
}

// awaitMsg is await with req, a pointer to the request or nil.
func awaitMsg(ctx context.Context, op abi.AsyncOp, req any) ([]byte, error) {
	b, err := abi.MarshalRequest(req)
	if err != nil {
		return nil, fmt.Errorf("godurable: encoding the request: %w", err)
	}
	return await(ctx, op, b)
}

// decodeResult decodes an operation's result into result, a pointer: a
// Layout (Raw, a storage layout) or a Value takes the bytes as they are,
// an Empty nothing.
func decodeResult(out []byte, result any) error {
	switch r := result.(type) {
	case *abi.Empty:
	case abi.Layout:
		*r.LayoutBytes() = out
	case *abi.Value:
		*r = out
	default:
		if err := abi.Unmarshal(out, result); err != nil {
			return fmt.Errorf("godurable: host sent a malformed result: %w", err)
		}
	}
	return nil
}
