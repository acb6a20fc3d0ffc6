package driver

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/sys"
)

// Traps: what a crash of the guest looks like, with V8's messages.

// CrashError is the error of the events that were in flight when the
// instance crashed, with the message the shim gives them.
type CrashError struct {
	Message string
	Err     error // the trap
}

func (e *CrashError) Error() string { return e.Message }

func (e *CrashError) Unwrap() error { return e.Err }

func crashMessage(err error) string {
	return fmt.Sprintf("godurable: the Go instance crashed (%s); the events in flight were lost, and later events run on a fresh instance", err.Error())
}

// trapError is a wasm trap, with the message V8 gives it.
type trapError struct {
	message string
	detail  string // wazero's description, with the wasm stack
}

func (e *trapError) Error() string { return e.message }

// ErrHang is wrapped by the trap of a guest that ran past its timeout.
var ErrHang = errors.New("the guest ran past its timeout without returning")

var v8Traps = map[string]string{
	"unreachable":                   "unreachable",
	"out of bounds memory access":   "memory access out of bounds",
	"integer divide by zero":        "divide by zero",
	"integer overflow":              "divide result unrepresentable",
	"invalid conversion to integer": "float unrepresentable in integer range",
	"indirect call type mismatch":   "null function or function signature mismatch",
	"invalid table access":          "table index is out of bounds",
	"stack overflow":                "Maximum call stack size exceeded",
}

func describeTrap(err error, timeout time.Duration) error {
	for nt := (*nestedTrap)(nil); errors.As(err, &nt); {
		err = nt.err // the trap inside a transaction's function
	}
	var pe *procExit
	if errors.As(err, &pe) {
		return pe
	}
	var ee *sys.ExitError
	if errors.As(err, &ee) {
		switch ee.ExitCode() {
		case sys.ExitCodeDeadlineExceeded, sys.ExitCodeContextCanceled:
			return fmt.Errorf("%w (%v): an infinite loop, or a wait on something only the host can end?", ErrHang, timeout)
		}
		return &procExit{code: ee.ExitCode()}
	}
	msg := err.Error()
	if strings.Contains(msg, "Go called proc_exit(") {
		i := strings.Index(msg, "Go called proc_exit(")
		j := strings.Index(msg[i:], ")")
		return &trapError{message: msg[i : i+j+1], detail: msg}
	}
	if rest, ok := strings.CutPrefix(msg, "wasm error: "); ok {
		first, _, _ := strings.Cut(rest, "\n")
		if v8, ok := v8Traps[first]; ok {
			return &trapError{message: v8, detail: msg}
		}
		return &trapError{message: first, detail: msg}
	}
	return &trapError{message: msg, detail: msg}
}
