//go:build !wasip1

package hostcall

import "github.com/godurable/godurable/internal/abi"

// Available reports whether host functions exist: false outside a wasm
// guest, where the functions below are inert stubs and callers must not
// reach them.
const Available = false

// Take is a stub; see the wasip1 version.
func Take(b []byte) { panic(errNoHost) }

// Call is a stub; see the wasip1 version.
func Call(op abi.CallOp, object uint32, req, resp []byte) int32 { panic(errNoHost) }

// Start is a stub; see the wasip1 version.
func Start(op abi.AsyncOp, event int32, req []byte) int32 { panic(errNoHost) }

// Complete is a stub; see the wasip1 version.
func Complete(event int32, status abi.Status, payload []byte) { panic(errNoHost) }

const errNoHost = "godurable: host functions exist only in a wasm guest (GOOS=wasip1); guard calls with hostcall.Available"
