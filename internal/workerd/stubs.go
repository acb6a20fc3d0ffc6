package workerd

import (
	"fmt"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// This file models Durable Object stubs as RPC values (abi.ExtStub), as
// the shim handles them: a stub that reaches Go is kept for the Go
// instance under a handle (Runtime.keep) until Go releases it; a stub Go
// passes names a binding's object or a kept stub; a Go-to-Go result that
// can hold one (abi.Method.Stubs) is decoded and encoded again on the
// caller's side, so that the stub is the caller's.

// jsStub is a JavaScript Durable Object stub: of the object t, which host
// hosts.
type jsStub struct {
	host *Isolate
	t    Target
}

// stubSide is a side of the boundary whose MessagePack names stubs: a Go
// instance (the Isolate: its kept stubs, and its bindings) or the test
// (testStubs).
type stubSide interface {
	// stubOf returns the stub that an ExtStub's StubTarget names.
	stubOf(t abi.StubTarget) (*jsStub, error)
	// keep returns the StubTarget that names s on this side.
	keep(s *jsStub) abi.StubTarget
	// valueOf returns the value that an ExtJSValue's handle names.
	valueOf(h uint32) (any, error)
	// keepValue returns the handle that names v, a value by reference, on
	// this side.
	keepValue(v any) (uint32, error)
}

var errStubGone = NewJSError("Error", "godurable: the Go instance no longer holds this stub")

// stubOf resolves a StubTarget from the guest, as the shim's
// Runtime.stub does.
func (iso *Isolate) stubOf(t abi.StubTarget) (*jsStub, error) {
	if t.Handle != 0 {
		iso.mu.Lock()
		defer iso.mu.Unlock()
		s := iso.kept[t.Handle]
		if s == nil {
			return nil, errStubGone
		}
		return s, nil
	}
	host, target, err := iso.Resolve(t)
	if err != nil {
		return nil, err
	}
	return &jsStub{host: host, t: target}, nil
}

// keep keeps a stub for the guest, as the shim's Runtime.keep does.
func (iso *Isolate) keep(s *jsStub) abi.StubTarget {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.kept == nil {
		iso.kept = map[uint32]*jsStub{}
	}
	iso.nextKept++
	iso.kept[iso.nextKept] = s
	return abi.StubTarget{Handle: iso.nextKept}
}

// KeptStubs returns how many stubs the instance holds.
func (iso *Isolate) KeptStubs() int {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	return len(iso.kept)
}

// KeptValues returns how many values the instance holds by reference
// (abi.ExtJSValue), stubs aside.
func (iso *Isolate) KeptValues() int {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	return len(iso.values)
}

// release forgets kept stubs and values (abi.CallStubRelease).
func (iso *Isolate) release(handles []uint32) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	for _, h := range handles {
		delete(iso.kept, h)
		delete(iso.values, h)
	}
}

var errValueGone = &driver.JSError{Err: &abi.Error{Name: "Error", Message: "godurable: the Go instance no longer holds this value", Code: abi.CodeReleased}}

// valueOf returns the value the instance holds under handle h, as the
// shim's Runtime.kept has it.
func (iso *Isolate) valueOf(h uint32) (any, error) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if v, ok := iso.values[h]; ok {
		return v, nil
	}
	if s := iso.kept[h]; s != nil {
		return s, nil
	}
	return nil, errValueGone
}

// keepValue keeps v for the instance by reference, as the shim's
// Runtime.keep does.
func (iso *Isolate) keepValue(v any) (uint32, error) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.values == nil {
		iso.values = map[uint32]any{}
	}
	iso.nextKept++
	iso.values[iso.nextKept] = v
	return iso.nextKept, nil
}

// testStubs are the stubs that a test passes or receives (dotest's
// *Object as an RPC value): each handle serves one crossing and is
// forgotten when it is taken.
var testStubs = &testSide{byHandle: map[uint32]*jsStub{}}

type testSide struct {
	mu       sync.Mutex
	next     uint32
	byHandle map[uint32]*jsStub
}

func (ts *testSide) stubOf(t abi.StubTarget) (*jsStub, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	s := ts.byHandle[t.Handle]
	if s == nil {
		return nil, fmt.Errorf("godurable: no stub of the test has handle %d", t.Handle)
	}
	delete(ts.byHandle, t.Handle)
	return s, nil
}

func (ts *testSide) keep(s *jsStub) abi.StubTarget {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.next++
	ts.byHandle[ts.next] = s
	return abi.StubTarget{Handle: ts.next}
}

// A test passes and receives JavaScript values by reference as fakes do.
func (ts *testSide) valueOf(h uint32) (any, error) { return fakes.valueOf(h) }

func (ts *testSide) keepValue(v any) (uint32, error) { return fakes.keepValue(v) }

// TestStub returns the StubTarget under which a test passes the stub of
// the object t that host hosts (an ExtStub's data in the arguments of
// ObjectCall).
func TestStub(host *Isolate, t Target) abi.StubTarget {
	return testStubs.keep(&jsStub{host: host, t: t})
}

// TakeTestStub returns the object that a StubTarget in a result of
// ObjectCall names, and the Isolate that hosts it.
func TakeTestStub(t abi.StubTarget) (*Isolate, Target, error) {
	s, err := testStubs.stubOf(t)
	if err != nil {
		return nil, Target{}, err
	}
	return s.host, s.t, nil
}

// jsPass decodes b as the shim does on the side from, and encodes the
// value as the shim does on the side to: what a MessagePack value becomes
// when it crosses through JavaScript from one side to the other. exact
// keeps 64-bit integers as bigints (the shim's exactDecoder).
func jsPass(b []byte, from, to stubSide, exact bool) ([]byte, error) {
	v, err := jsDecodeFrom(b, from, exact)
	if err != nil {
		return nil, err
	}
	return jsEncodeFor(v, to)
}

// stubResult reports whether the result of class's method jsName can
// hold a stub, as the shim's Runtime.stubResults has it.
func (iso *Isolate) stubResult(class, jsName string) bool {
	if c := iso.class(class); c != nil {
		for _, m := range c.Methods {
			if m.JSName == jsName {
				return m.Stubs
			}
		}
	}
	return false
}
