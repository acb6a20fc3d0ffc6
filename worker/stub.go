package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// ErrNoBinding is returned for a binding the environment does not have.
var ErrNoBinding = errors.New("worker: no such binding")

// ErrNoID is the error of a stub made by Get from the zero ObjectID, which
// names no object.
var ErrNoID = errors.New("worker: the zero ObjectID names no Durable Object; make IDs with IDFromName, IDFromString or NewUniqueID")

// Namespace is a Durable Object namespace binding: the way to reach the
// objects of one class. It may be restricted to a jurisdiction (see
// Jurisdiction).
type Namespace struct {
	binding      string
	jurisdiction string
}

// DurableObject returns the Durable Object namespace bound as binding (a
// [[durable_objects.bindings]] name in wrangler.toml).
func (e *Env) DurableObject(binding string) (*Namespace, error) {
	if err := e.Binding(binding, "[[durable_objects.bindings]]", "DurableObjectNamespace"); err != nil {
		return nil, err
	}
	return &Namespace{binding: binding}, nil
}

// ObjectID identifies one Durable Object of a namespace, as a JavaScript
// DurableObjectId does. Make one with the namespace's IDFromName,
// IDFromString or NewUniqueID, and reach its object with Get. Compare IDs
// with Equal: two IDs of one object may differ in Name (an ID parsed from a
// string has none).
type ObjectID struct {
	id, name, jurisdiction string
}

func objectID(m *abi.ObjectID) ObjectID {
	return ObjectID{id: m.ID, name: m.Name, jurisdiction: m.Jurisdiction}
}

// String returns the ID as 64 lower-case hex digits (id.toString() in
// JavaScript), which IDFromString turns back into the ID. It is "" for the
// zero ObjectID.
func (id ObjectID) String() string { return id.id }

// Name returns the name the ID was derived from by IDFromName (id.name in
// JavaScript), or "" for an ID made by IDFromString or NewUniqueID.
func (id ObjectID) Name() string { return id.name }

// Jurisdiction returns the jurisdiction the ID is restricted to as workerd
// reports it (id.jurisdiction), or "" for none. Local workerd has no
// jurisdictions, so there it is always "".
func (id ObjectID) Jurisdiction() string { return id.jurisdiction }

// Equal reports whether id and other name the same object, as
// id.equals(other) does in JavaScript: whether their String forms are
// equal, whatever their names.
func (id ObjectID) Equal(other ObjectID) bool { return id.id == other.id }

// IsZero reports whether id is the zero ObjectID, which names no object.
func (id ObjectID) IsZero() bool { return id.id == "" }

// target names the namespace, and the name or ID in it.
func (ns *Namespace) target(name, id string) *abi.StubTarget {
	return &abi.StubTarget{Binding: ns.binding, Jurisdiction: ns.jurisdiction, Name: name, ID: id}
}

// IDFromName returns the ID of the object called name
// (namespace.idFromName(name) in JavaScript): the same name always gives
// the same ID, and the ID's Name is name.
func (ns *Namespace) IDFromName(name string) (ObjectID, error) {
	m, err := rt.Do(rt.NoObject, abi.OpIDFromName, ns.target(name, ""))
	if err != nil {
		return ObjectID{}, fmt.Errorf("worker: %s.IDFromName(%q): %w", ns.binding, name, err)
	}
	return objectID(&m), nil
}

// IDFromString returns the ID whose String form is s
// (namespace.idFromString(s) in JavaScript), with no Name. s is 64 hex
// digits, in either case. An s that is not, or that is the ID of another
// namespace, is refused with workerd's TypeError (an *Error: "Invalid
// Durable Object ID: must be 64 hex digits", "Durable Object ID is not
// valid for this namespace.").
func (ns *Namespace) IDFromString(s string) (ObjectID, error) {
	m, err := rt.Do(rt.NoObject, abi.OpIDFromString, ns.target("", s))
	if err != nil {
		return ObjectID{}, fmt.Errorf("worker: %s.IDFromString(%q): %w", ns.binding, s, err)
	}
	return objectID(&m), nil
}

// UniqueIDOptions are the options of NewUniqueID.
type UniqueIDOptions struct {
	// Jurisdiction restricts the new object to a jurisdiction ("eu",
	// "fedramp", "fedramp-high", "us" in the pinned workerd's types); ""
	// means none. Local workerd refuses every jurisdiction.
	Jurisdiction string
}

// NewUniqueID returns the ID of a new object, unlike any other
// (namespace.newUniqueId(options) in JavaScript); opts may be nil. Local
// workerd (wrangler dev, and dotest as it) refuses a jurisdiction with
// the *Error "Jurisdiction restrictions are not implemented in workerd.".
func (ns *Namespace) NewUniqueID(opts *UniqueIDOptions) (ObjectID, error) {
	req := &abi.NewUniqueID{Namespace: *ns.target("", "")}
	if opts != nil {
		req.Jurisdiction = opts.Jurisdiction
	}
	m, err := rt.Do(rt.NoObject, abi.OpNewUniqueID, req)
	if err != nil {
		return ObjectID{}, fmt.Errorf("worker: %s.NewUniqueID: %w", ns.binding, err)
	}
	return objectID(&m), nil
}

// Jurisdiction returns the namespace of the binding restricted to a
// jurisdiction (namespace.jurisdiction(j) in JavaScript): its IDs are made
// in the jurisdiction, and its objects live there. "" returns the
// namespace unrestricted, as undefined does in JavaScript. workerd checks
// j: local workerd refuses every jurisdiction with the *Error
// "Jurisdiction restrictions are not implemented in workerd.".
func (ns *Namespace) Jurisdiction(j string) (*Namespace, error) {
	if j == "" {
		return &Namespace{binding: ns.binding}, nil
	}
	sub := &Namespace{binding: ns.binding, jurisdiction: j}
	if _, err := rt.Do(rt.NoObject, abi.OpJurisdiction, sub.target("", "")); err != nil {
		return nil, fmt.Errorf("worker: %s.Jurisdiction(%q): %w", ns.binding, j, err)
	}
	return sub, nil
}

// GetOptions are the options of Get.
type GetOptions struct {
	// LocationHint asks workerd to create the object near a region, if
	// it does not exist yet: "wnam", "enam", "sam", "weur", "eeur",
	// "apac", "apac-ne", "apac-se", "oc", "afr" or "me" in the pinned
	// workerd's types. workerd accepts any string but "offpeak" (unless
	// the Worker has the compatibility flag offpeak_location_hint; the
	// floor's workerd, 1.20260426, accepts it too); local workerd ignores
	// the hint.
	LocationHint string
}

// Get returns a stub for the object with the given ID
// (namespace.get(id, options) in JavaScript); opts may be nil. An ID
// made by IDFromName reaches its object by name, so the object's
// State.Name is that name, as with GetByName.
//
// Like GetByName, Get does not reach the object: errors come with the
// stub's first Call or Fetch. Those of the ID are ErrNoID for the zero
// ObjectID, the TypeError "Durable Object ID is not valid for this
// namespace." for an ID made by another namespace, and workerd's
// TypeError "get called on jurisdictional subnamespace with an ID from a
// different jurisdiction" on a namespace restricted to a jurisdiction
// other than the ID's; those of the options are workerd's (a location
// hint that workerd refuses is a TypeError). An ID of a jurisdiction
// reaches its object through an unrestricted namespace too.
func (ns *Namespace) Get(id ObjectID, opts *GetOptions) *Stub {
	if id.IsZero() {
		return &Stub{err: fmt.Errorf("worker: %s.Get: %w", ns.binding, ErrNoID)}
	}
	t := ns.target(id.name, id.id)
	switch {
	case id.jurisdiction == "" || id.jurisdiction == ns.jurisdiction:
	case ns.jurisdiction == "":
		// The shim makes the ID again in the namespace it was made in.
		t.Jurisdiction = id.jurisdiction
	default:
		return &Stub{err: fmt.Errorf("worker: %s.Get: %w", ns.binding,
			NewError("TypeError", "get called on jurisdictional subnamespace with an ID from a different jurisdiction"))}
	}
	if opts != nil {
		t.LocationHint = opts.LocationHint
	}
	return &Stub{conn: &hostStub{target: *t}}
}

// GetByName returns a stub for the object called name
// (namespace.getByName(name) in JavaScript); the same name always reaches
// the same object. For a location hint, Get the ID of IDFromName.
func (ns *Namespace) GetByName(name string) *Stub {
	return &Stub{conn: &hostStub{target: *ns.target(name, "")}}
}

// Caller calls the RPC methods of one Durable Object by name, as Stub.Call
// does. A *Stub is one, and so is the dotest harness's *Object: the typed
// stubs that wasmbuild stubs generates call through a Caller, so that the
// same typed stub serves a Worker and its tests.
type Caller interface {
	Call(ctx context.Context, method string, result any, args ...any) error
}

var _ Caller = (*Stub)(nil)

// ErrNilStub is the error of a call through a nil *Stub: an RPC method
// whose *Stub parameter the caller left out, or passed null.
var ErrNilStub = errors.New("worker: a nil *Stub reaches no Durable Object")

// Stub sends requests and RPC calls to one Durable Object.
//
// A *Stub is also an RPC value, as a stub is in JavaScript: an RPC method
// may take one as an argument (a JavaScript caller passes a stub of
// env.NAMESPACE.get(...), a Go caller a *Stub), return one, or hold one in
// a struct, slice or map. The object that receives a stub may keep it and
// call it in later events. A stub that arrives over RPC names its object
// only through the stub itself: as in JavaScript, its ID and name are
// not known to the receiver (workerd gives it as a plain Fetcher). The
// host keeps such a stub for the Go instance as long as the *Stub (or a
// copy of it) is reachable. A stub cannot be stored (storage refuses it
// with storage.ErrStubNotStorable): keep the object's name or ID in
// storage instead, and get its stub from the namespace.
type Stub struct {
	// conn is how the stub reaches its object: through the host's
	// operations (hostStub), or through the harness's model in a test on
	// the host (rt.KeptStubConn); nil for the zero Stub.
	conn rt.StubConn
	err  error // a stub that reaches no object (see Get)
}

func init() {
	abi.RegisterStub(stubTarget, keptStub, true)
}

// stubTarget is what a *Stub crosses RPC as.
func stubTarget(s *Stub) (abi.StubTarget, error) {
	if s.err != nil {
		return abi.StubTarget{}, s.err
	}
	return s.c().Target(), nil
}

// keptStub is the *Stub of a stub that reached Go over RPC.
func keptStub(t abi.StubTarget) (*Stub, error) {
	if t.Handle == 0 {
		return nil, errors.New("worker: a Durable Object stub from the host without a handle")
	}
	conn, err := rt.KeptStubConn(t)
	return &Stub{conn: conn}, err
}

// c returns the stub's connection: the zero Stub's names no object, and
// the host says so.
func (s *Stub) c() rt.StubConn {
	if s.conn == nil {
		return noTarget
	}
	return s.conn
}

// Fetch sends req to the object's ServeHTTP (or JavaScript fetch) on behalf
// of the event in req.Context().
func (s *Stub) Fetch(req *http.Request) (*http.Response, error) {
	if err := s.usable(); err != nil {
		if req != nil && req.Body != nil {
			req.Body.Close() // as a RoundTripper does, even when it fails
		}
		return nil, err
	}
	return s.c().Fetch(req)
}

// usable returns the error of a stub that reaches no object.
func (s *Stub) usable() error {
	if s == nil {
		return ErrNilStub
	}
	return s.err
}

// ServeHTTP forwards r to the object and writes the object's response to
// w, a WebSocket upgrade included: the way a Worker hands a request to an
// object, as JavaScript's `return stub.fetch(request)` does. An error
// reaching the object is answered 502 Bad Gateway with its text; use Fetch
// to answer it otherwise.
func (s *Stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp, err := s.Fetch(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	header := w.Header()
	for k, vs := range resp.Header {
		header[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	if f, ok := w.(http.Flusher); ok && resp.ContentLength < 0 {
		// A body that streams goes on as it comes, and the status and
		// headers go out now, before its first byte, as the object sent
		// them: a feed that waits for its first event has its client
		// waiting for the headers otherwise.
		f.Flush()
		io.Copy(flushWriter{w, f}, resp.Body)
		return
	}
	io.Copy(w, resp.Body)
}

// flushWriter flushes each write.
type flushWriter struct {
	w io.Writer
	f http.Flusher
}

func (fw flushWriter) Write(p []byte) (int, error) {
	n, err := fw.w.Write(p)
	fw.f.Flush()
	return n, err
}

// Call calls the object's RPC method with args and decodes its result into
// result, which may be nil to discard it. method is the JavaScript name
// ("increment"); a Go name ("Increment") is accepted too. An error thrown
// by the method is returned as an *Error. An io.Reader argument streams
// to the method as a ReadableStream, read from a goroutine of its own. A
// method that returns a stream (a ReadableStream) needs a *Stream as
// result, which it reads on behalf of the event of ctx.
func (s *Stub) Call(ctx context.Context, method string, result any, args ...any) error {
	if err := s.usable(); err != nil {
		return err
	}
	return s.c().Call(ctx, method, result, args...)
}
