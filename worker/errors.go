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
// Over Workers RPC, workerd keeps the name only for the standard JavaScript
// error types (Error, TypeError, RangeError, ...): another name arrives
// prefixed to the message, as "Name: message", and the code does not
// arrive at all. Callers in the same Worker see both.
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
