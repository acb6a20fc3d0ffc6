package rt

import (
	"context"
	"fmt"
	"reflect"

	"github.com/godurable/godurable/internal/abi"
)

// Call is one RPC call as a method's generated invoker sees it: the
// event's context, the object, and the arguments, already counted. An
// invoker decodes each argument with CallArg, calls the method directly
// and ends the call with CallReturn, CallReturnError or CallDone: no
// reflection for the types generated code names, and the bytes on the
// wire those of the reflective path (callMethod).
type Call struct {
	Ctx  context.Context
	Recv any
	e    *Event
	m    *method
	args [][]byte
}

// Invoker is a method's generated invoker.
type Invoker func(*Call)

// CallArg decodes argument i as a T. If it cannot, it fails the call as
// the reflective path does and returns false: the invoker returns.
func CallArg[T any](c *Call, i int) (T, bool) {
	v, err := abi.DecodeArgAs[T](c.args[i])
	if err != nil {
		c.e.fail(argumentError(c.e, c.m, fmt.Errorf("argument %d (%s): %w", i+1, reflect.TypeFor[T](), err)))
		return v, false
	}
	return v, true
}

// CallReturn ends the call of a method that returns a value (and an
// error: nil for a method without one).
func CallReturn[T any](c *Call, v T, err error) {
	if err != nil {
		c.e.Fail(err)
		return
	}
	finishWithValue(c.e, c.m, v)
}

// CallReturnError ends the call of a method that returns only an error.
func CallReturnError(c *Call, err error) {
	if err != nil {
		c.e.Fail(err)
		return
	}
	c.e.Finish(nil)
}

// CallDone ends the call of a method that returns nothing.
func CallDone(c *Call) { c.e.Finish(nil) }

// argumentError is the error of a call whose arguments do not fit the
// method.
func argumentError(e *Event, m *method, err error) *abi.Error {
	return &abi.Error{Name: "TypeError", Message: fmt.Sprintf("%s (JS %s): %v", e.what(), m.jsName, err)}
}

// finishWithValue ends e with v, the result of m, encoded.
func finishWithValue(e *Event, m *method, v any) {
	b, err := abi.EncodeValue(v)
	if err == nil {
		err = abi.CheckJSSafe(b)
	}
	if err != nil {
		e.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("%s: cannot return its %s result: %v", e.what(), m.result, err)})
		return
	}
	e.Finish(b)
}
