//go:build wasip1 && !godurable_fakehost

package hostcall

import (
	"os"
	"strconv"
	"unsafe"

	"github.com/godurable/godurable/internal/abi"
)

// Available reports whether host functions exist: always, in a wasm guest.
func Available() bool { return true }

//go:wasmimport godurable take
func take(ptr unsafe.Pointer)

//go:wasmimport godurable call
func call(op int32, object uint32, req unsafe.Pointer, reqLen int32, resp unsafe.Pointer, respCap int32) int32

//go:wasmimport godurable start
func start(op int32, event int32, req unsafe.Pointer, reqLen int32) int32

//go:wasmimport godurable complete
func complete(event int32, status int32, ptr unsafe.Pointer, n int32)

// Take copies the payload the host has staged into b, which must have
// exactly the staged length.
func Take(b []byte) {
	take(unsafe.Pointer(unsafe.SliceData(b)))
}

// Call performs the synchronous host operation op for object. It writes the
// result (or, if r < 0, an abi.Error) into resp when it fits, and returns r
// as described in package abi.
func Call(op abi.CallOp, object uint32, req, resp []byte) int32 {
	crossing()
	return call(int32(op), object, unsafe.Pointer(unsafe.SliceData(req)), int32(len(req)),
		unsafe.Pointer(unsafe.SliceData(resp)), int32(cap(resp)))
}

// Start begins the asynchronous host operation op on behalf of event. It
// returns the operation's handle, or a negative number if the host refused.
func Start(op abi.AsyncOp, event int32, req []byte) int32 {
	crossing()
	return start(int32(op), event, unsafe.Pointer(unsafe.SliceData(req)), int32(len(req)))
}

// Complete reports that event has finished with status and payload.
func Complete(event int32, status abi.Status, payload []byte) {
	crossing()
	complete(event, int32(status), unsafe.Pointer(unsafe.SliceData(payload)), int32(len(payload)))
}

var idleFile *os.File

// WaitIdle blocks until every other goroutine has parked or finished: the
// host answers the read of abi.IdleFD only once the Go scheduler, having
// nothing left to run, polls it in a blocking poll_oneoff.
func WaitIdle() {
	if idleFile == nil {
		idleFile = os.NewFile(abi.IdleFD, "godurable-idle")
	}
	var b [1]byte
	if _, err := idleFile.Read(b[:]); err != nil {
		panic("godurable: the host does not implement idle detection on fd " + strconv.Itoa(abi.IdleFD) + ": " + err.Error())
	}
}

//go:wasmexport godurable_abi_version
func abiVersion() int32 { return abi.Version }

//go:wasmexport godurable_manifest
func exportManifest() uint64 {
	manifest = Handlers.Manifest()
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(manifest))))<<32 | uint64(len(manifest))
}

//go:wasmexport godurable_object
func exportObject(handle uint32, size int32) int32 {
	crossing()
	return Handlers.Object(handle, size)
}

//go:wasmexport godurable_drop
func exportDrop(handle uint32) {
	crossing()
	Handlers.Drop(handle)
}

//go:wasmexport godurable_event
func exportEvent(event, kind int32, object, arg uint32, size int32) int32 {
	crossing()
	return Handlers.Event(event, abi.EventKind(kind), object, arg, size)
}

//go:wasmexport godurable_resume
func exportResume(op, status, size int32) int32 {
	crossing()
	return Handlers.Resume(op, abi.Status(status), size)
}

//go:wasmexport godurable_tick
func exportTick(event int32, object uint32) int32 {
	crossing()
	return Handlers.Tick(event, object)
}

//go:wasmexport godurable_transaction
func exportTransaction(id int32) int32 {
	crossing()
	return Handlers.Transaction(id)
}

//go:wasmexport godurable_cancel
func exportCancel(event int32) int32 {
	crossing()
	return Handlers.Cancel(event)
}
