// Package hostcall holds every go:wasmimport and go:wasmexport declaration
// of a godurable guest, and stand-ins for them on other platforms so that
// user packages build and unit-test on the host. Nothing else in the module
// declares imports or exports.
//
// The exports only forward to the functions in Handlers, which the guest
// runtime (internal/rt) sets during package initialization. On other
// platforms the imports reach the Host installed with SetHost, if any: the
// boundary benchmarks use that to drive the real runtime natively.
package hostcall

import (
	"sync/atomic"

	"github.com/godurable/godurable/internal/abi"
)

// Handlers are the guest runtime's implementations of the exports.
var Handlers struct {
	Manifest func() []byte
	Object   func(handle uint32, size int32) int32
	Drop     func(handle uint32)
	Event    func(event int32, kind abi.EventKind, object, arg uint32, size int32) int32
	Resume   func(op int32, status abi.Status, size int32) int32
	Tick     func(event int32, object uint32) int32
	// Transaction runs a transaction's function (ExportTransaction).
	Transaction func(id int32) int32
	// Cancel cancels an event's context (ExportCancel).
	Cancel func(event int32) int32
}

// manifest keeps the bytes returned by godurable_manifest alive.
var manifest []byte

// epoch counts the crossings of the boundary: every call of an import
// that reaches the host's code (call, start, complete) and every call of
// an export into Go.
var epoch atomic.Uint64

// Epoch returns the number of boundary crossings so far. The host acts
// (on storage, say) only while Go is in an import or between exports, so
// two equal readings mean the host did nothing in between: storage/sqldb
// relies on it to read SQLite's changes() and last_insert_rowid() after
// a statement only when they still describe it.
func Epoch() uint64 { return epoch.Load() }

func crossing() { epoch.Add(1) }
