package workerd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
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
// hosts. A service binding's is a stub too (a Fetcher): of host's
// entrypoint entry, or of the fake that plays the binding.
type jsStub struct {
	host  *Isolate
	t     Target
	entry *Entry
	fake  *JSObject
}

// class is the name of the stub's JavaScript class.
func (s *jsStub) class() string {
	if s.entry != nil || s.fake != nil {
		return "Fetcher"
	}
	return "DurableObject"
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
	if t.Service {
		return iso.service(t.Binding)
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
	if s.entry != nil || s.fake != nil {
		return nil, Target{}, errors.New("dotest: the result is a service binding, not a Durable Object's stub")
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

// stubResult reports whether the result of the method jsName of the
// class or entrypoint that s reaches can hold a stub, as the shim's
// Runtime.stubResults has it.
func (iso *Isolate) stubResult(s *jsStub, jsName string) bool {
	c := iso.class(s.t.Class)
	if s.entry != nil {
		_, c = iso.entrypoint(s.entry.Name)
	}
	if c != nil {
		for _, m := range c.Methods {
			if m.JSName == jsName {
				return m.Stubs
			}
		}
	}
	return false
}

// The operations on Durable Object IDs, namespaces and stubs, as the
// shim's features/stubs.js.
func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallIDFromName: idOp(func(iso *Isolate, class string, t *abi.StubTarget) (*jsObject, error) {
			o := jsID(iso.IDFromName(class, t.Name))
			o.set("name", t.Name)
			return o, nil
		}),
		abi.CallIDFromString: idOp(func(iso *Isolate, class string, t *abi.StubTarget) (*jsObject, error) {
			id, err := iso.IDFromString(class, t.ID)
			return jsID(id), err // no name
		}),
		abi.CallJurisdiction: idOp(func(*Isolate, string, *abi.StubTarget) (*jsObject, error) {
			return nil, nil // namespaceOf has refused the jurisdiction
		}),
		abi.CallStubRelease: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var handles []uint32
			if err := decodeRequest(req, &handles); err != nil {
				return nil, err
			}
			iso.release(handles)
			return []byte{}, nil
		},
		abi.CallNewUniqueID: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var r abi.NewUniqueID
			if err := decodeRequest(req, &r); err != nil {
				return nil, err
			}
			host, class, err := iso.namespaceOf(&r.Namespace)
			if err != nil {
				return nil, err
			}
			if r.Jurisdiction != "" {
				return nil, &driver.JSError{Err: errJurisdiction}
			}
			return jsEncode(jsID(host.NewUniqueID(class)))
		},
	})
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		abi.AsyncStubFetch: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var in abi.StubFetch
			if err := decodeRequest(req, &in); err != nil {
				return nil, err
			}
			sent, fail := iso.sending(&in.Request)
			s, err := iso.stubOf(in.Target)
			if err == nil && s.fake != nil {
				err = NewJSError("TypeError", "dotest: the fake of a service binding does not serve fetch")
			}
			if err != nil {
				return fail(err)
			}
			host := s.host
			if _, err := requestFromGo(&in.Request); err != nil {
				return fail(err)
			}
			in.Request.Headers = jsHeadersOfPairs(in.Request.Headers)
			in.Request.Method = normalizeMethod(in.Request.Method)
			if in.Request.Method == "GET" || in.Request.Method == "HEAD" || len(in.Request.Body) == 0 {
				in.Request.Body = nil
			}
			if sent != nil { // it streams on into the object
				in.Request.Rest, in.Request.BodyWriter = sent, 0
			}
			var resp *abi.Response
			if s.entry != nil {
				resp, err = host.EntrypointFetch(context.Background(), *s.entry, &in.Request)
			} else {
				resp, err = host.ObjectFetch(context.Background(), s.t, &in.Request)
			}
			if err != nil {
				return nil, host.RPCError(err)
			}
			h := abi.PairsHeader(resp.Headers)
			if nullBodyStatus[resp.Status] {
				resp.Body = nil
			}
			if resp.Rest == nil && len(resp.Body) > 0 && h.Get("Content-Length") == "" {
				// The shim's responseFromGo gives the length, so that a
				// body up to streamAbove need not stream.
				h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
			}
			switch { // the caller reads a body that streams as it comes, as the shim's
			case resp.Rest != nil:
				resp.BodyReader = iso.readers.add(readCloser{io.MultiReader(bytes.NewReader(resp.Body), resp.Rest), resp.Rest})
				resp.Body, resp.Stream, resp.Rest = nil, false, nil
			case len(resp.Body) > streamAbove:
				resp.BodyReader = iso.readers.add(io.NopCloser(bytes.NewReader(resp.Body)))
				resp.Body = nil
			}
			resp.Headers = JSHeaders(h)
			if resp.Body == nil {
				resp.Body = []byte{}
			}
			return mustMarshal(resp), nil
		},
		abi.AsyncStubCall: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var in abi.StubCall
			if err := decodeRequest(req, &in); err != nil {
				return nil, err
			}
			s, err := iso.stubOf(in.Target)
			switch {
			case err != nil:
				return nil, err
			case s.fake != nil:
				return iso.callFake(s.fake, in.Method, in.Args)
			}
			return s.host.goCall(iso, s, in.Method, iso.passStreams(s.host, in.Args))
		},
	})
}

// idOp is an operation on the namespace that a StubTarget names, given
// the Isolate that hosts its class. Its
// result is an abi.ObjectID as the shim's encodeID writes it (a name only
// when the DurableObjectId has one), or empty when nil.
func idOp(id func(iso *Isolate, class string, t *abi.StubTarget) (*jsObject, error)) syncOp {
	return func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		var t abi.StubTarget
		if err := decodeRequest(req, &t); err != nil {
			return nil, err
		}
		host, class, err := iso.namespaceOf(&t)
		if err != nil {
			return nil, err
		}
		m, err := id(host, class, &t)
		switch {
		case err != nil:
			return nil, err
		case m == nil:
			return []byte{}, nil
		}
		return jsEncode(m)
	}
}

// jsID is the abi.ObjectID of a DurableObjectId with no name and, as in
// local workerd, no jurisdiction.
func jsID(id string) *jsObject {
	o := newJSObject()
	o.set("id", id)
	return o
}

// goCall is a Go caller's call of a Go object's method, as the shim makes
// it through __godurableCall: the arguments go through JavaScript from the
// caller's Isolate, the result and the error come back as Go wrote them
// (name and code kept), unless the method's result can hold a stub: then
// it goes through JavaScript too, exactly, to be the caller's.
func (iso *Isolate) goCall(caller *Isolate, s *jsStub, jsName string, args []byte) ([]byte, error) {
	var out []byte
	var err error
	if s.entry != nil {
		out, err = iso.entryCall(context.Background(), *s.entry, jsName, args, false, caller)
	} else {
		out, err = iso.call(context.Background(), s.t, jsName, args, false, caller)
	}
	if err != nil {
		var ce *driver.CrashError
		if errors.As(err, &ce) {
			return nil, &driver.JSError{Err: &abi.Error{Name: "Error", Message: ce.Message, Code: abi.CodeCrashed}}
		}
		var je *driver.JSError
		if errors.As(err, &je) {
			return nil, &driver.JSError{Err: withoutStack(je.Err)}
		}
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	if ref, ok := abi.StreamOf(out); ok && caller != iso {
		// The caller reads it: from its own table, as the caller's shim
		// makes a body of the ReadableStream it receives.
		ref.Reader = caller.readers.add(iso.readers.take(ref.Reader))
		return abi.EncodeStream(ref), nil
	}
	if _, ok := abi.StreamOf(out); !ok && len(out) > 0 && iso.stubResult(s, jsName) {
		return jsPass(out, iso, caller, true)
	}
	return out, nil
}
