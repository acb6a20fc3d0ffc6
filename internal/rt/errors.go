package rt

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/godurable/godurable/internal/abi"
)

// ErrorFromABI turns an error that crossed the boundary into a Go error. The
// worker package replaces it at init so that callers get a *worker.Error.
var ErrorFromABI = func(e *abi.Error) error { return errors.New(e.Message) }

// ToABI describes err for the host. The name and code come from the first
// error in the chain with an ErrorName() or ErrorCode() method; the chain
// below err becomes the cause.
func ToABI(err error) *abi.Error {
	return toABI(err, 0)
}

func toABI(err error, depth int) *abi.Error {
	e := &abi.Error{Name: "Error", Message: err.Error()}
	var named interface{ ErrorName() string }
	if errors.As(err, &named) && named.ErrorName() != "" {
		e.Name = named.ErrorName()
	}
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		e.Code = coded.ErrorCode()
	}
	if u := errors.Unwrap(err); u != nil && depth < abi.MaxErrorCauses {
		e.Cause = toABI(u, depth+1)
	}
	return e
}

// panicError describes a recovered panic of a handler.
func panicError(what string, v any) *abi.Error {
	return &abi.Error{
		Name:    "Error",
		Message: fmt.Sprintf("%s panicked: %v", what, v),
		Stack:   string(debug.Stack()),
	}
}

func mustMarshal(v any) []byte {
	b, err := abi.Marshal(v)
	if err != nil {
		// Only ABI messages of fixed, known shapes reach here.
		panic("godurable: encoding an ABI message: " + err.Error())
	}
	return b
}
