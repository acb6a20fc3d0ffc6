//go:build !wasip1 || godurable_fakehost

package hostcall

import "github.com/godurable/godurable/internal/abi"

// Host is the host side of the imports, for code that drives the runtime
// natively or, with the build tag godurable_fakehost, in a wasm program of
// its own (the boundary benchmarks): what workerd's shim does in a guest.
type Host interface {
	Take(b []byte)
	Call(op abi.CallOp, object uint32, req, resp []byte) int32
	Start(op abi.AsyncOp, event int32, req []byte) int32
	Complete(event int32, status abi.Status, payload []byte)
	// WaitIdle returns once every goroutine the current export started
	// has parked or finished.
	WaitIdle()
}

var host Host

// SetHost installs h as the host of the imports outside a wasm guest; nil
// removes it. It is not safe to call while an export runs.
func SetHost(h Host) { host = h }

// Available reports whether host functions exist: outside a wasm guest,
// only while a Host is installed.
func Available() bool { return host != nil }

// Take copies the staged payload into b.
func Take(b []byte) { mustHost().Take(b) }

// Call performs a synchronous host operation; see the wasip1 version.
func Call(op abi.CallOp, object uint32, req, resp []byte) int32 {
	crossing()
	return mustHost().Call(op, object, req, resp)
}

// Start begins an asynchronous host operation; see the wasip1 version.
func Start(op abi.AsyncOp, event int32, req []byte) int32 {
	crossing()
	return mustHost().Start(op, event, req)
}

// Complete reports that an event has finished; see the wasip1 version.
func Complete(event int32, status abi.Status, payload []byte) {
	crossing()
	mustHost().Complete(event, status, payload)
}

// WaitIdle blocks until every goroutine has parked or finished.
func WaitIdle() { mustHost().WaitIdle() }

func mustHost() Host {
	if host == nil {
		panic("godurable: host functions exist only in a wasm guest (GOOS=wasip1), or with hostcall.SetHost; guard calls with hostcall.Available")
	}
	return host
}
