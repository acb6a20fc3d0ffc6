package dotest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/worker"
)

// Options configure a Worker. The zero value builds the package under
// test with the environment of the nearest wrangler configuration.
type Options struct {
	// Package is the Go package to build (a path or a directory relative to
	// the test's directory). Default: ".", the package under test.
	Package string
	// Config is the wrangler configuration (wrangler.toml, wrangler.jsonc
	// or wrangler.json) to read name, [vars] and Durable Object bindings
	// from, with the .dev.vars beside it. Default: the nearest one in the
	// package's directory or above it. "-" reads none.
	Config string
	// Name is the Worker's name, which with the class name derives Durable
	// Object IDs. Default: the name in Config, else "worker".
	Name string
	// Vars are text or JSON variables (strings, numbers, booleans, maps and
	// slices), added to or replacing those of Config.
	Vars map[string]any
	// Secrets are added to or replace the variables, as wrangler secrets.
	Secrets map[string]string
	// Bindings maps Durable Object namespace bindings to class names, added
	// to or replacing those of Config.
	Bindings map[string]string
	// Scripts are the other Workers that bindings with a script_name reach,
	// by their name: a call through such a binding goes to that Worker's
	// objects, as in a wrangler dev of several Workers. A binding whose
	// script is not here is left out, as one whose Worker is not running.
	Scripts map[string]*Worker
	// D1 names D1 database bindings, added to the [[d1_databases]] of
	// Config. Each gets an empty SQLite database, shared by the Worker and
	// its objects; Worker.D1 reaches it from the test.
	D1 []string
	// Fakes are bindings the test plays in Go, by name: a binding of
	// Config that dotest does not emulate (Workers AI, Vectorize, a
	// service of another Worker, ...), or a name of its own. Package
	// jsbridge reaches them as it reaches the JavaScript bindings in
	// workerd. A fake is a *JSObject, or any Go value whose exported
	// methods are the binding's methods (see NewJSObject).
	Fakes map[string]any
	// Fetch serves the Worker's outbound fetches. Nil sends them to the
	// network (a loopback httptest.Server, say) with http.DefaultTransport.
	// A handler may block to hold a fetch open while other events proceed.
	Fetch http.Handler
	// Clock is the clock the guest sees and the one that fires its timers.
	// Nil is the real clock; see NewManualClock.
	Clock *ManualClock
	// Output receives the guest's standard output and error, line by line,
	// and the errors that Fetch turns into 500 responses. Nil logs them
	// with the test's Log (New) or discards them (Start).
	Output io.Writer
	// Timeout bounds how long an event may take, and how long Go may run
	// without returning to its host. Default: 30 seconds.
	Timeout time.Duration
}

// Worker is a godurable Worker running in a test: its stateless handler,
// its Durable Objects and their storage. Its methods are safe for
// concurrent use.
type Worker struct {
	iso      *workerd.Isolate
	opts     Options
	bindings map[string]string  // namespace binding -> class
	peers    map[string]*Worker // namespace binding -> the Worker that hosts its class (Options.Scripts)
	log      func(line string)
	stop     sync.Once

	d1mu  sync.Mutex
	d1dbs map[string]*sql.DB // the test's connections, by binding

	data string // the emulated bindings' files (workerd.BindingConfig.Dir)
}

// ErrCrashed is the Cause of the *worker.Error of an event that was in
// flight when the Go instance crashed.
var ErrCrashed = errors.New("dotest: the Go instance crashed")

// ErrTimeout is wrapped by the error of an event that did not finish in
// Options.Timeout.
var ErrTimeout = errors.New("dotest: the event did not finish in time")

// ErrNoBinding is returned (or, by Object, panicked with) for a name that
// is not a Durable Object namespace binding of the Worker.
var ErrNoBinding = errors.New("dotest: no such Durable Object namespace binding")

// New builds the package (once per test process), starts a fresh Worker
// for t and stops it when t and its subtests end. The guest's output goes
// to t.Log unless Options.Output is set. It fails t if the package does
// not build or is not a godurable Worker.
func New(t testing.TB, opts *Options) *Worker {
	t.Helper()
	var log func(string)
	if opts == nil || opts.Output == nil {
		log = func(line string) { t.Log(line) }
	}
	w, err := start(opts, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// Start is New for use outside a test (in an Example, a TestMain or a
// benchmark that spans tests): it returns the error instead of failing a
// test, the guest's output goes to Options.Output (or nowhere), and Close
// stops the Worker.
func Start(opts *Options) (*Worker, error) {
	return start(opts, nil)
}

// Close stops the Worker: events in flight fail, and its storage is gone.
// New's Worker closes when its test ends.
func (w *Worker) Close() {
	w.stop.Do(func() {
		w.closeD1()
		w.iso.Close()
		workers.Delete(w.iso)
		os.RemoveAll(w.data)
	})
}

func start(opts *Options, log func(string)) (*Worker, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Package == "" {
		o.Package = "."
	}
	if o.Timeout <= 0 {
		o.Timeout = driver.DefaultTimeout
	}
	b := load(o.Package)
	if b.err != nil {
		return nil, b.err
	}
	data, err := os.MkdirTemp("", "dotest-bindings-")
	if err != nil {
		return nil, fmt.Errorf("dotest: %w", err)
	}
	env, err := environment(&o, b.dir, data)
	if err != nil {
		os.RemoveAll(data)
		return nil, err
	}
	for binding, class := range env.namespaces {
		if !hasClass(b.module.Manifest, class) {
			return nil, fmt.Errorf("dotest: binding %s names class %s, which %s does not register (classes: %s)", binding, class, o.Package, classList(b.module.Manifest))
		}
	}
	if o.Output != nil {
		var mu sync.Mutex
		out := o.Output
		log = func(line string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(out, line)
		}
	}
	if log == nil {
		log = func(string) {}
	}
	w := &Worker{opts: o, bindings: env.namespaces, peers: env.peers, log: log, data: data}
	cfg := workerd.Config{
		Module:     b.module,
		Script:     env.script,
		Vars:       env.vars,
		Namespaces: env.namespaces,
		Peers:      peerIsolates(env.peers),
		D1:         env.d1,
		Fakes:      env.fakes,
		Unemulated: env.unemulated,
		Fetch:      fetcher(o.Fetch),
		Timeout:    o.Timeout,
		Compat:     env.compat,
		Stdout:     func(line string) { log("guest: " + line) },
		Stderr:     func(line string) { log("guest stderr: " + line) },
	}
	if o.Clock != nil {
		cfg.Clock = o.Clock.c
	}
	w.iso = workerd.NewIsolate(cfg)
	workers.Store(w.iso, w)
	return w, nil
}

// workers maps each running Worker's Isolate to it, for the stubs that
// come back from calls (objectOf).
var workers sync.Map

func init() {
	abi.RegisterStub(objectStub, objectOf, false)
	rt.HostStubs = hostStubs{}
}

// hostStubs makes the *worker.Stub values of a test (Object.Stub, and
// stubs that calls return into a *worker.Stub) call through their Object.
type hostStubs struct{}

func (hostStubs) Stub(t abi.StubTarget) (rt.HostStub, error) { return objectOf(t) }

func (hostStubs) Target(s rt.HostStub) abi.StubTarget {
	t, _ := objectStub(s.(*Object))
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

func hasClass(m *abi.Manifest, class string) bool {
	for _, c := range m.Classes {
		if c.Name == class {
			return true
		}
	}
	return false
}

func classList(m *abi.Manifest) string {
	var names []string
	for _, c := range m.Classes {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// fetcher returns the outbound fetch: h served in process, else the
// network. Both follow redirects, as fetch does.
func fetcher(h http.Handler) func(*http.Request) (*http.Response, error) {
	client := &http.Client{}
	if h != nil {
		client.Transport = handlerTransport{h}
	}
	return client.Do
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if req.Body == nil {
		req.Body = http.NoBody
	}
	req.RequestURI = req.URL.RequestURI()
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// eventContext bounds ctx by Options.Timeout.
func (w *Worker) eventContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, w.opts.Timeout)
}

// Fetch sends req to the Worker's handler and returns its response, as a
// client would get it. If the handler fails (a panic, a crash of the Go
// instance), the response is a 500, as from workerd, and the error goes
// to the Worker's output; use Do to get the error instead. A request
// without a host gets example.com, as with httptest.NewRequest.
func (w *Worker) Fetch(req *http.Request) *http.Response {
	resp, err := w.Do(req)
	if err != nil {
		w.log(fmt.Sprintf("dotest: %s %s: %v", req.Method, req.URL, err))
		return errorResponse(req)
	}
	return resp
}

func errorResponse(req *http.Request) *http.Response {
	body := "Internal Server Error"
	return &http.Response{
		Status: "500 Internal Server Error", StatusCode: 500, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/plain;charset=UTF-8"}, "Content-Length": {fmt.Sprint(len(body))}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// Do sends req to the Worker's handler, within req.Context() and
// Options.Timeout. It returns the error the handler failed with, a
// *worker.Error, or an error wrapping ErrTimeout.
func (w *Worker) Do(req *http.Request) (*http.Response, error) {
	in, err := workerd.RequestToGo(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := w.eventContext(req.Context())
	defer cancel()
	out, err := w.iso.Fetch(ctx, in)
	if err != nil {
		return nil, guestError(err)
	}
	if out.Status == http.StatusSwitchingProtocols {
		// A 101 without a WebSocket client: the socket stays unclaimed.
		out.Headers = withoutHeader(out.Headers, abi.WebSocketHeader)
	}
	return workerd.ResponseFromGo(out, req), nil
}

func withoutHeader(h [][2]string, name string) [][2]string {
	out := make([][2]string, 0, len(h))
	for _, kv := range h {
		if !strings.EqualFold(kv[0], name) {
			out = append(out, kv)
		}
	}
	return out
}

// guestError turns an error of the host into what dotest returns.
func guestError(err error) error {
	if errors.Is(err, driver.ErrTimeout) {
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	var ce *driver.CrashError
	if errors.As(err, &ce) {
		return &worker.Error{Name: "Error", Message: ce.Message, Cause: ErrCrashed}
	}
	var je *driver.JSError
	if errors.As(err, &je) {
		return fromABI(je.Err)
	}
	return err
}

func fromABI(e *abi.Error) *worker.Error {
	out := &worker.Error{Name: e.Name, Message: e.Message, Code: e.Code, Stack: e.Stack}
	if e.Code == abi.CodeCrashed {
		out.Cause = ErrCrashed
	} else if e.Cause != nil {
		out.Cause = fromABI(e.Cause)
	}
	return out
}

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

// Restart restarts the isolate, as a restart of workerd would: the Go
// instance and every Durable Object are discarded (events in flight fail),
// storage is kept. Objects are rebuilt on their next event.
func (w *Worker) Restart() { w.iso.Restart() }

// Crash makes the Go instance fail as if it had trapped: the events in
// flight fail with the shim's crash error, and the next event runs on a
// fresh instance, which rebuilds the objects from their storage. It
// reports whether an instance was running.
func (w *Worker) Crash() bool { return w.iso.Crash("") }

// WaitBackground waits until no event has worker.WaitUntil work left, or
// ctx is done: a test calls it after a request to see what the request's
// background work did (workerd keeps such work for up to 30 seconds after
// the response; so does the harness, as long as the test waits).
func (w *Worker) WaitBackground(ctx context.Context) error { return w.iso.WaitBackground(ctx) }

// StorageOp describes a storage operation of the guest, for SetStorageFault.
type StorageOp struct {
	Binding string // the namespace binding of the object's class
	Class   string
	ID      string
	// Op names the operation as workerd's storage API does: "kv.get",
	// "kv.put", "kv.delete", "kv.list", "kv.getMany", "kv.putMany",
	// "kv.deleteMany" (with no Key), "sql.exec", "sql.databaseSize",
	// "storage.sync", "storage.deleteAll", "storage.transactionSync" (before the
	// transaction's function runs; the operations inside it have faults of
	// their own).
	Op    string
	Key   string // for kv.get, kv.put and kv.delete
	Query string // for sql.exec
}

// SetStorageFault installs f, called before every storage operation of
// the guest: if it returns an error, the operation fails with it, as if
// workerd's storage had thrown it (a *worker.Error keeps its name). Nil
// removes it. The test's own Object.Storage never fails this way.
func (w *Worker) SetStorageFault(f func(StorageOp) error) {
	if f == nil {
		w.iso.SetStorageFault(nil)
		return
	}
	bindings := map[string]string{}
	for b, c := range w.bindings {
		if _, ok := bindings[c]; !ok || b < bindings[c] {
			bindings[c] = b
		}
	}
	w.iso.SetStorageFault(func(op workerd.StorageOp) error {
		err := f(StorageOp{Binding: bindings[op.Class], Class: op.Class, ID: op.ID, Op: op.Op, Key: op.Key, Query: op.Query})
		var we *worker.Error
		if errors.As(err, &we) {
			return workerd.NewJSError(we.ErrorName(), we.Message)
		}
		return err
	})
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
	in, err := workerd.RequestToGo(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := o.w.eventContext(req.Context())
	defer cancel()
	out, err := o.w.iso.ObjectFetch(ctx, o.t, in)
	if err != nil {
		return nil, guestError(o.w.iso.RPCError(err))
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
	if args == nil {
		args = []any{}
	}
	args = o.w.streamArgs(args)
	raw, err := abi.EncodeValue(args)
	if err != nil {
		return fmt.Errorf("dotest: %s: encoding the arguments: %w", method, err)
	}
	ctx, cancel := o.w.eventContext(ctx)
	defer cancel()
	out, err := o.w.iso.ObjectCall(ctx, o.t, rt.JSName(method), raw)
	if err != nil {
		return guestError(o.w.iso.RPCError(err))
	}
	if r, lines, ok := o.w.iso.TakeStream(out); ok {
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

// Storage returns the object's storage for the test to read or seed: a
// storage.Storage, the same type the object itself uses, on the same
// database and through the same operations (with workerd's rules), so
// that test code reads like object code. It outlives evictions and
// restarts, and storage faults never apply to it.
func (o *Object) Storage() *storage.Storage {
	s, _ := storage.FromContext(rt.WithConn(context.Background(), o.w.iso.Conn(o.t.Class, o.t.ID)))
	return s
}

// PutJS stores under key what a JavaScript object's storage.kv.put(key,
// value) leaves for Go to read, for the JavaScript value v stands for:
// nil (null), bool, string, int or float64 (a number), int64 or uint64
// (a bigint), time.Time (a Date), []any (an Array or a Set),
// map[string]any (an object, or a Map with string keys) and []byte (a
// Uint8Array). Use it to test that a Go class reads what an earlier
// JavaScript version of it stored.
func (o *Object) PutJS(key string, v any) error {
	b, err := workerd.StoredJS(v)
	if err == nil {
		// Through the host's kv.put as JavaScript's: the value need not be
		// MessagePack (a Uint8Array is its bytes).
		var req []byte
		if req, err = abi.Marshal(&abi.KVPut{Key: key, Value: b}); err == nil {
			_, err = o.w.iso.Conn(o.t.Class, o.t.ID).Call(abi.CallKVPut, req)
		}
	}
	if err != nil {
		return fmt.Errorf("dotest: PutJS %q: %w", key, err)
	}
	return nil
}

// Get is a shortcut for Fetch of a GET request of path (e.g. "/counter/a")
// that returns the status and the body; it fails t if reading the body
// fails.
func (w *Worker) Get(t testing.TB, path string) (status int, body string) {
	t.Helper()
	return w.roundTrip(t, httptest.NewRequest(http.MethodGet, path, nil))
}

// Post is like Get for a POST request with body, of the given content type.
func (w *Worker) Post(t testing.TB, path, contentType string, body []byte) (status int, respBody string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return w.roundTrip(t, req)
}

func (w *Worker) roundTrip(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp := w.Fetch(req)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("dotest: %s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp.StatusCode, string(b)
}

// ManualClock is a clock that a test moves: the guest's time.Now and its
// timers (worker.Sleep, time.After) follow it. Go timers fire only while
// an event is in flight, as in workerd.
type ManualClock struct{ c *workerd.ManualClock }

// NewManualClock returns a clock that reads start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{c: workerd.NewManualClock(start)}
}

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time { return c.c.Now() }

// Advance moves the clock by d, firing the guest's timers that fall due.
func (c *ManualClock) Advance(d time.Duration) { c.c.Advance(d) }

// Pending returns how many of the guest's timers are armed.
func (c *ManualClock) Pending() int { return c.c.Pending() }
