package driver

import (
	"errors"

	"github.com/godurable/godurable/internal/abi"
)

// The errors that cross the boundary: a JavaScript exception, and how a
// Go error of the host reaches the guest.

// JSError is a JavaScript exception: the error an event finished with,
// or what a host operation throws.
type JSError struct{ Err *abi.Error }

func (e *JSError) Error() string { return e.Err.Message }

// NewJSError returns a *JSError with name and message.
func NewJSError(name, message string) *JSError {
	return &JSError{&abi.Error{Name: name, Message: message}}
}

// ErrorFromGo describes err for the guest, as the shim describes a thrown
// JavaScript value.
func ErrorFromGo(err error) *abi.Error {
	var je *JSError
	if errors.As(err, &je) {
		return je.Err
	}
	return &abi.Error{Name: "Error", Message: err.Error()}
}

func mustMarshal(v any) []byte {
	b, err := abi.Marshal(v)
	if err != nil {
		panic("godurable: encoding an ABI message: " + err.Error())
	}
	return b
}
