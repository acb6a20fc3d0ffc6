package dotest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/worker"
)

// The Worker's Durable Objects: reaching one by name or ID, its fetch and
// RPC calls, its alarm, its eviction and hibernation.

// Object returns the Durable Object called name in the namespace bound as
// binding, as namespace.getByName(name) does. It panics with an error
// wrapping ErrNoBinding if binding is not a Durable Object namespace of
// the Worker: a mistake in the test, like a bad URL for
// httptest.NewRequest.
func (w *Worker) Object(binding, name string) *Object {
	class, host := w.mustClass(binding), w.host(binding)
	return &Object{w: host, t: workerd.Target{Class: class, ID: host.iso.IDFromName(class, name), Name: name}}
}

// host returns the Worker that hosts the class of binding: a script's of
// Options.Scripts, else w.
func (w *Worker) host(binding string) *Worker {
	if p := w.peers[binding]; p != nil {
		return p
	}
	return w
}

func peerIsolates(peers map[string]*Worker) map[string]*workerd.Isolate {
	out := make(map[string]*workerd.Isolate, len(peers))
	for b, p := range peers {
		out[b] = p.iso
	}
	return out
}

// ObjectByID returns the Durable Object with the given hex ID in the
// namespace bound as binding, or the error idFromString would throw.
func (w *Worker) ObjectByID(binding, id string) (*Object, error) {
	class, err := w.class(binding)
	if err != nil {
		return nil, err
	}
	host := w.host(binding)
	id2, err := host.iso.IDFromString(class, id)
	if err != nil {
		return nil, guestError(err)
	}
	return &Object{w: host, t: workerd.Target{Class: class, ID: id2}}, nil
}

// IDFromName returns the ID of the object called name, as workerd's
// idFromName: the same as wrangler dev gives for the same Worker name. It
// panics, as Object does, if binding is not a namespace of the Worker.
func (w *Worker) IDFromName(binding, name string) string {
	return w.host(binding).iso.IDFromName(w.mustClass(binding), name)
}

// NewUniqueID returns a new random ID in the namespace. It panics, as
// Object does, if binding is not a namespace of the Worker.
func (w *Worker) NewUniqueID(binding string) string {
	return w.host(binding).iso.NewUniqueID(w.mustClass(binding))
}

// IDs returns the IDs of the objects of the namespace that have storage,
// as vitest's listDurableObjectIds does. It panics, as Object does, if
// binding is not a namespace of the Worker.
func (w *Worker) IDs(binding string) []string {
	return w.host(binding).iso.IDs(w.mustClass(binding))
}

func (w *Worker) class(binding string) (string, error) {
	class, ok := w.bindings[binding]
	if !ok {
		return "", fmt.Errorf("%w %q: set Options.Bindings or declare it in the wrangler configuration (bindings: %s; classes: %s)",
			ErrNoBinding, binding, strings.Join(slices.Sorted(maps.Keys(w.bindings)), ", "), classList(w.iso.Manifest()))
	}
	return class, nil
}

func (w *Worker) mustClass(binding string) string {
	class, err := w.class(binding)
	if err != nil {
		panic(err)
	}
	return class
}

// Object is one Durable Object of a Worker. Getting an Object does not
// create it: its first event does, as in workerd.
type Object struct {
	w *Worker
	t workerd.Target
}

// ID returns the object's ID in hex.
func (o *Object) ID() string { return o.t.ID }

// Name returns the name the object was reached by, or "" if by ID.
func (o *Object) Name() string { return o.t.Name }

// Do sends req to the object's ServeHTTP, as stub.fetch(req) in
// JavaScript, within req.Context() and Options.Timeout. An error thrown
// by the object is returned as a *worker.Error as a JavaScript caller
// catches it.
func (o *Object) Do(req *http.Request) (*http.Response, error) {
	return o.w.fetch(req, func(ctx context.Context, in *abi.Request) (*abi.Response, error) {
		return o.w.iso.ObjectFetch(ctx, o.t, in)
	})
}

// fetch sends req through do, as a stub's fetch, as Object.Do describes it.
func (w *Worker) fetch(req *http.Request, do func(ctx context.Context, in *abi.Request) (*abi.Response, error)) (*http.Response, error) {
	in, err := workerd.RequestToGo(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := w.eventContext(req.Context())
	defer cancel()
	out, err := do(ctx, in)
	if err != nil {
		return nil, guestError(w.iso.RPCError(err))
	}
	return workerd.ResponseFromGo(out, req), nil
}

// Call calls the object's RPC method with args, as a JavaScript Worker
// calls stub.method(...args) over Workers RPC, and decodes the result into
// result (nil to discard it). An io.Reader argument is passed as a
// ReadableStream of its bytes; a method that returns a stream needs a
// *worker.Stream as result. An *Object argument is passed as its stub
// (a *worker.Stub parameter), and a stub the method returns decodes into
// an *Object, to call in turn (or into a *worker.Stub that calls through
// one: see Stub). method is the JavaScript name ("increment");
// the Go name is accepted too. The arguments and the result go through
// JavaScript values as in workerd (every number is a float64 there, maps
// become objects with string keys). An error the method returns arrives
// as the *worker.Error a JavaScript caller catches, which depends on the
// compatibility date and flags of the wrangler configuration: from
// 2026-04-21 (enhanced_error_serialization) its name, code and cause
// arrive as the Go code set them; before, the standard error names
// (Error, TypeError, RangeError, ...) were kept, another name was prefixed
// to the message, and the code was lost.
func (o *Object) Call(ctx context.Context, method string, result any, args ...any) error {
	return o.w.call(ctx, method, result, args, func(ctx context.Context, jsName string, raw []byte) ([]byte, error) {
		return o.w.iso.ObjectCall(ctx, o.t, jsName, raw)
	})
}

// call makes an RPC call, as Object.Call describes it, through do.
func (w *Worker) call(ctx context.Context, method string, result any, args []any, do func(ctx context.Context, jsName string, raw []byte) ([]byte, error)) error {
	if args == nil {
		args = []any{}
	}
	args = w.streamArgs(args)
	raw, err := abi.EncodeValue(args)
	if err != nil {
		return fmt.Errorf("dotest: %s: encoding the arguments: %w", method, err)
	}
	ctx, cancel := w.eventContext(ctx)
	defer cancel()
	out, err := do(ctx, rt.JSName(method), raw)
	if err != nil {
		return guestError(w.iso.RPCError(err))
	}
	if r, lines, ok := w.iso.TakeStream(out); ok {
		st, ok := result.(*worker.Stream)
		if !ok {
			r.Close()
			return fmt.Errorf("dotest: %s returns a stream: %w", method, worker.ErrWantStream)
		}
		*st = *worker.NewStream(guestReader{r}, lines)
		return nil
	}
	if _, ok := result.(*worker.Stream); ok {
		return fmt.Errorf("dotest: %s: %w", method, worker.ErrNotStream)
	}
	if result == nil || len(out) == 0 {
		return nil
	}
	if err := abi.DecodeValue(out, result); err != nil {
		return fmt.Errorf("dotest: %s: decoding the result (%s) into %T: %w", method, abi.Describe(out), result, err)
	}
	return nil
}

// guestReader is a stream from the guest, whose errors are what dotest
// returns.
type guestReader struct{ io.ReadCloser }

func (r guestReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = guestError(err)
	}
	return n, err
}

// streamArgs turns the io.Reader arguments into the streams a JavaScript
// caller's ReadableStreams are.
func (w *Worker) streamArgs(args []any) []any {
	out, _ := abi.ReplaceReaders(args, func(r io.ReadCloser) ([]byte, error) { return w.iso.AddStream(r), nil })
	return out
}

var _ worker.Caller = (*Object)(nil) // a typed stub wraps an Object in a test as it wraps a *worker.Stub

// Alarm returns the time of the object's alarm, and false if none is set
// (while the alarm's handler runs: unless the handler set a new one).
func (o *Object) Alarm() (time.Time, bool, error) {
	return o.w.iso.Alarm(o.t.Class, o.t.ID)
}

// RunAlarm runs the object's alarm now, if one is set, as vitest's
// runDurableObjectAlarm does, and reports whether one ran, with the error
// its handler failed with. What follows is what follows an alarm workerd
// fires: after a failure, a retry on the Worker's clock (2, 4, 8, ... s
// later, without workerd's jitter); after a success, nothing. The alarm
// is run within ctx and Options.Timeout.
func (o *Object) RunAlarm(ctx context.Context) (bool, error) {
	ctx, cancel := o.w.eventContext(ctx)
	defer cancel()
	ran, err := o.w.iso.RunAlarm(ctx, o.t.Class, o.t.ID)
	if err != nil {
		err = guestError(err)
	}
	return ran, err
}

// Hibernate evicts the object while its WebSockets stay open, as workerd
// hibernates an idle object: its Go value is forgotten, and the next event
// (a message on one of its sockets, say) builds it anew, with the same
// sockets. It reports whether the object was live.
func (o *Object) Hibernate() bool { return o.Evict() }

// WebSockets returns the IDs of the object's open hibernatable sockets, in
// the order it accepted them.
func (o *Object) WebSockets() []string { return o.w.iso.Sockets(o.t.Class, o.t.ID) }

// Evict drops the object as workerd does with an idle one: its Go value is
// forgotten and rebuilt from storage on its next event. It reports whether
// the object was live.
func (o *Object) Evict() bool { return o.w.iso.Evict(o.t.Class, o.t.ID) }

// Live reports whether the object has a live Go value, between its first
// event and its eviction (or a restart).
func (o *Object) Live() bool { return o.w.iso.Live(o.t.Class, o.t.ID) }
