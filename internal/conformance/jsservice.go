package conformance

import (
	"context"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
)

// JSService is the dotest fake of the JavaScript service of the jsbridge
// scenarios (internal/conformance/jsservice/worker.js, service binding
// JSSVC of the sandbox): the same methods, played in Go.
func JSService() *dotest.JSObject { return dotest.NewJSObject("Fetcher", jsService{}) }

type jsService struct{}

// Echo returns its argument.
func (jsService) Echo(ctx context.Context, v any) any { return v }

// Counter returns a class instance, which crosses by reference: the stub
// of an RpcTarget, an I/O object of the request that got it.
func (jsService) Counter(ctx context.Context, start int64) *dotest.JSObject {
	o := dotest.NewJSObject("Counter", &counter{n: start})
	o.IO = true
	return o
}

// Reject rejects its promise with a RangeError.
func (jsService) Reject(ctx context.Context, message string) error {
	return &worker.Error{Name: "RangeError", Message: message}
}

// ThrowType throws a TypeError (over RPC, a rejected promise as well).
func (jsService) ThrowType(ctx context.Context, message string) error {
	return &worker.Error{Name: "TypeError", Message: message}
}

type counter struct{ n int64 }

// Increment adds by (1 if not given) and returns the count.
func (c *counter) Increment(by ...int64) int64 {
	if len(by) == 0 {
		c.n++
	} else {
		c.n += by[0]
	}
	return c.n
}
