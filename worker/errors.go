package worker

import (
	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Error is an error with the parts a JavaScript Error has. Return one (or
// an error that wraps one) from a Durable Object method to choose the name
// and code a JavaScript caller sees; errors from JavaScript (a failed fetch,
// a Durable Object method that threw) reach Go as *Error too.
//
// What a JavaScript caller over Workers RPC receives depends on the
// Worker's compatibility date: from 2026-04-21 (workerd's
// enhanced_error_serialization) the name, whatever it is, the message, the
// code and the cause arrive; before, only the standard JavaScript error
// types (Error, TypeError, RangeError, ...) keep their name, another name
// arrives prefixed to the message ("Name: message"), and the code does
// not arrive. A Go caller (Stub.Call) of a Go object always gets the
// error whole.
type Error struct {
	Name    string // e.g. "TypeError"; "Error" when empty
	Message string
	Code    string // optional, e.g. "E_NEGATIVE"
	Stack   string // the JavaScript or Go stack, when known
	Cause   error
}

// NewError returns an *Error with the given name and message.
func NewError(name, message string) *Error {
	return &Error{Name: name, Message: message}
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// ErrorName returns the JavaScript name of the error.
func (e *Error) ErrorName() string {
	if e.Name == "" {
		return "Error"
	}
	return e.Name
}

// ErrorCode returns the code of the error.
func (e *Error) ErrorCode() string { return e.Code }

func init() {
	rt.ErrorFromABI = func(e *abi.Error) error { return fromABI(e, 0) }
}

func fromABI(e *abi.Error, depth int) *Error {
	out := &Error{Name: e.Name, Message: e.Message, Code: e.Code, Stack: e.Stack}
	if e.Cause != nil && depth < 8 {
		out.Cause = fromABI(e.Cause, depth+1)
	}
	return out
}

// ErrClientGone is the cause (context.Cause) of an HTTP handler's context
// when its client went away: workerd aborted the request's signal, which
// it does with the enable_request_signal compatibility flag in
// wrangler.toml. The context's Err is then context.Canceled, and
// operations waiting on it return it. A handler's context is also
// cancelled, with another cause, once the handler has returned, as
// net/http's is.
var ErrClientGone = rt.ErrClientGone

// ErrNoEventInFlight is wrapped by the error of an operation on an I/O
// object (a Durable Object's storage or sockets, an outbound WebSocket)
// made when no event that owns it is in flight: by code that outlived its
// event, such as a goroutine of its own still running after the response.
// workerd performs I/O only on behalf of an event; do the work inside one,
// or keep the event alive with WaitUntil.
var ErrNoEventInFlight = rt.ErrNoEventInFlight
