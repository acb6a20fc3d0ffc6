// Package hostcall holds every go:wasmimport and go:wasmexport declaration
// of a godurable guest, and stubs of them for other platforms so that user
// packages build and unit-test on the host. Nothing else in the module
// declares imports or exports.
//
// The exports only forward to the functions in Handlers, which the guest
// runtime (internal/rt) sets during package initialization.
package hostcall

import "github.com/godurable/godurable/internal/abi"

// Handlers are the guest runtime's implementations of the exports.
var Handlers struct {
	Manifest func() []byte
	Event    func(event, size int32) int32
	Resume   func(op int32, status abi.Status, size int32) int32
	Tick     func() int32
}

// manifest keeps the bytes returned by godurable_manifest alive.
var manifest []byte
