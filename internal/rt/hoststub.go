package rt

import (
	"context"
	"net/http"

	"github.com/godurable/godurable/internal/abi"
)

// StubConn is how a *worker.Stub reaches its Durable Object: in a guest,
// through the host's operations (stub.fetch, stub.call); in a test on the
// host, through the harness (dotest's Object), which runs the object
// itself.
type StubConn interface {
	Call(ctx context.Context, method string, result any, args ...any) error
	Fetch(req *http.Request) (*http.Response, error)
	// Target is what the stub crosses RPC as (abi.ExtStub).
	Target() abi.StubTarget
}

// KeptStubConn returns the connection of a stub that reached Go over RPC
// (abi.ExtStub), named by its handle. Package worker sets the guest's,
// which the host keeps the stub for until Go forgets it; a test harness on
// the host (dotest) replaces it with its own.
var KeptStubConn func(t abi.StubTarget) (StubConn, error)
