package rt

import (
	"context"
	"net/http"

	"github.com/godurable/godurable/internal/abi"
)

// HostStub is a Durable Object stub that a test harness serves on the
// host, outside a wasm guest (dotest's *Object).
type HostStub interface {
	Call(ctx context.Context, method string, result any, args ...any) error
	Do(req *http.Request) (*http.Response, error)
}

// HostStubs is set by a test harness on the host, never in a guest: it
// turns the StubTarget of a stub in a test's call (abi.ExtStub) into the
// HostStub, and a HostStub into the StubTarget it crosses as.
var HostStubs interface {
	Stub(abi.StubTarget) (HostStub, error)
	Target(HostStub) abi.StubTarget
}
