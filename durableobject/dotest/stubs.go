package dotest

import (
	"errors"
	"net/http"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/worker"
)

// Stubs in a test: a *worker.Stub that calls through an Object, and the
// Object of a stub that a call returns.

// workers maps each running Worker's Isolate to it, for the stubs that
// come back from calls (objectOf).
var workers sync.Map

func init() {
	abi.RegisterStub(objectStub, objectOf, false)
	rt.KeptStubConn = func(t abi.StubTarget) (rt.StubConn, error) {
		o, err := objectOf(t)
		if err != nil {
			return nil, err
		}
		return objectConn{o}, nil
	}
}

// objectConn is the connection of the *worker.Stub values of a test
// (Object.Stub, and the stubs that calls return into a *worker.Stub): they
// call and fetch through their Object, and pass as its stub.
type objectConn struct{ *Object }

// Fetch implements rt.StubConn.
func (c objectConn) Fetch(req *http.Request) (*http.Response, error) { return c.Do(req) }

// Target implements rt.StubConn.
func (c objectConn) Target() abi.StubTarget {
	t, _ := objectStub(c.Object)
	return t
}

// Stub returns a *worker.Stub of the object, for the code that takes one
// (a typed stub's method with a *worker.Stub parameter); its calls and
// fetches are the Object's Call and Do, and as an RPC argument it passes
// the object's stub.
func (o *Object) Stub() *worker.Stub {
	var s *worker.Stub
	b, err := abi.EncodeValue(o)
	if err == nil {
		err = abi.DecodeValue(b, &s)
	}
	if err != nil {
		panic("dotest: a stub of an Object: " + err.Error()) // both are registered in this package
	}
	return s
}

// objectStub is what an *Object passes as: a stub of its object.
func objectStub(o *Object) (abi.StubTarget, error) {
	return workerd.TestStub(o.w.iso, o.t), nil
}

// objectOf is the *Object of a stub that a call returns.
func objectOf(t abi.StubTarget) (*Object, error) {
	iso, target, err := workerd.TakeTestStub(t)
	if err != nil {
		return nil, err
	}
	w, ok := workers.Load(iso)
	if !ok {
		return nil, errors.New("dotest: a stub of a Worker that has been closed")
	}
	return &Object{w: w.(*Worker), t: target}, nil
}
