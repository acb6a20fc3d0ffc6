// Package dotest runs a godurable Worker in a test, the way workerd runs
// it, without Node or workerd: it compiles the package under test to the
// same WebAssembly module that wasmbuild gives wrangler, runs it on the
// pure-Go runtime wazero, and fakes only the environment around it, in the
// spirit of net/http/httptest.
//
//	func TestCounter(t *testing.T) {
//		w := dotest.New(t, nil)
//		resp := w.Fetch(httptest.NewRequest("POST", "/counter/a/increment", nil))
//		// ...
//		var n int64
//		if err := w.Object("COUNTER", "a").Call("get", &n); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// The package is built once per test process and cached on disk (see
// CacheDirEnv), so only the first test run after a change pays for the
// compilation. Each New gets a fresh Go instance and empty storage.
//
// What is real: the module, its Go runtime and scheduler, the continuation
// protocol between Go and its host, SQLite (with workerd's limits,
// authorizer and error messages), Durable Object IDs (the same as wrangler
// dev derives), the values as they cross JavaScript (numbers, objects,
// headers). What is faked: the network (outbound fetch goes to Options.Fetch
// or to the loopback servers a test starts), the clock (see ManualClock),
// and failures, which a test injects: Restart, Crash, Object.Evict and
// SetStorageFault.
package dotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/host"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/worker"
)

// Options configure a Worker. The zero value builds the package under
// test with the environment of the nearest wrangler.toml.
type Options struct {
	// Package is the Go package to build (a path or a directory relative to
	// the test's directory). Default: ".", the package under test.
	Package string
	// Config is the wrangler.toml to read name, [vars] and
	// [[durable_objects.bindings]] from. Default: the nearest wrangler.toml
	// in the package's directory or above it. "-" reads none.
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
	// Fetch serves the Worker's outbound fetches. Nil sends them to the
	// network (a loopback httptest.Server, say) with http.DefaultTransport.
	// A handler may block to hold a fetch open while other events proceed.
	Fetch http.Handler
	// Clock is the clock the guest sees and the one that fires its timers.
	// Nil is the real clock; see NewManualClock.
	Clock *ManualClock
	// Output receives the guest's standard output and error, line by line.
	// Nil logs them with t.Log.
	Output io.Writer
	// Timeout bounds how long an event may take, and how long Go may run
	// without returning to its host. Default: 30 seconds.
	Timeout time.Duration
}

// Worker is a godurable Worker running in a test: its stateless handler,
// its Durable Objects and their storage. Its methods are safe for
// concurrent use.
type Worker struct {
	t        testing.TB
	rt       *host.Runtime
	opts     Options
	timeout  time.Duration
	script   string
	bindings map[string]string // namespace binding -> class
	close    func()
}

// ErrCrashed is the Cause of the *worker.Error of an event that was in
// flight when the Go instance crashed.
var ErrCrashed = errors.New("dotest: the Go instance crashed")

// ErrTimeout is wrapped by the error of an event that did not finish in
// Options.Timeout.
var ErrTimeout = errors.New("dotest: the event did not finish in time")

// New builds the package (once per test process), starts a fresh Worker
// for t and stops it when t ends. It fails t if the package does not
// build or is not a godurable Worker.
func New(t testing.TB, opts *Options) *Worker {
	t.Helper()
	w, err := start(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Start is New for use outside a test (in an Example, a TestMain or a
// benchmark that spans tests): it returns the error instead of failing a
// test, the guest's output goes to Options.Output (or nowhere), methods
// that would fail a test panic, and Close stops the Worker.
func Start(opts *Options) (*Worker, error) {
	nt := &noT{}
	w, err := start(nt, opts)
	if err != nil {
		return nil, err
	}
	w.close = nt.cleanup
	return w, nil
}

// Close stops a Worker made by Start. (One made by New stops when its
// test ends.)
func (w *Worker) Close() {
	if w.close != nil {
		w.close()
	}
}

// noT stands in for a test outside one.
type noT struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
}

func (*noT) Helper()                      {}
func (*noT) Log(args ...any)              {}
func (*noT) Logf(format string, a ...any) {}
func (*noT) Fatal(args ...any)            { panic(fmt.Sprint(args...)) }
func (*noT) Fatalf(format string, a ...any) {
	panic(fmt.Sprintf(format, a...))
}
func (n *noT) Cleanup(f func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cleanups = append(n.cleanups, f)
}
func (n *noT) cleanup() {
	n.mu.Lock()
	fs := n.cleanups
	n.cleanups = nil
	n.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

func start(t testing.TB, opts *Options) (*Worker, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Package == "" {
		o.Package = "."
	}
	if o.Timeout <= 0 {
		o.Timeout = host.DefaultTimeout
	}
	b := load(o.Package)
	if b.err != nil {
		return nil, b.err
	}
	script, vars, namespaces, compat, err := environment(&o, b.dir)
	if err != nil {
		return nil, err
	}
	for binding, class := range namespaces {
		if !hasClass(b.module.Manifest, class) {
			return nil, fmt.Errorf("dotest: binding %s names class %s, which %s does not register (classes: %s)", binding, class, o.Package, classList(b.module.Manifest))
		}
	}
	w := &Worker{t: t, opts: o, timeout: o.Timeout, script: script, bindings: namespaces}
	cfg := host.RuntimeConfig{
		Module:     b.module,
		Script:     script,
		Vars:       vars,
		Namespaces: namespaces,
		Fetch:      fetcher(o.Fetch),
		Timeout:    o.Timeout,
		Compat:     compat,
	}
	if o.Clock != nil {
		cfg.Clock = o.Clock.c
	}
	out := func(prefix string) func(string) {
		if o.Output != nil {
			var mu sync.Mutex
			return func(line string) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintln(o.Output, line)
			}
		}
		if _, ok := t.(*noT); ok {
			return func(string) {}
		}
		return func(line string) { t.Log(prefix + line) }
	}
	cfg.Stdout, cfg.Stderr = out("guest: "), out("guest stderr: ")
	w.rt = host.NewRuntime(cfg)
	t.Cleanup(w.rt.Close)
	return w, nil
}

// environment returns the Worker's name, variables, namespace bindings
// and compatibility behaviour (from its compatibility_date and
// compatibility_flags; the newest without a configuration).
func environment(o *Options, pkgDir string) (script string, vars map[string]any, namespaces map[string]string, compat host.Compat, err error) {
	vars = map[string]any{}
	namespaces = map[string]string{}
	script = "worker"
	compat = host.CompatFor("", nil)
	path := o.Config
	if path == "" {
		path = findConfig(pkgDir)
	}
	if path != "" && path != "-" {
		c, secrets, err := readConfig(path)
		if err != nil {
			return "", nil, nil, compat, err
		}
		compat = host.CompatFor(c.CompatibilityDate, c.CompatibilityFlags)
		if c.Name != "" {
			script = c.Name
		}
		for k, v := range c.Vars {
			vars[k] = v
		}
		for k, v := range secrets {
			vars[k] = v
		}
		for _, b := range c.DurableObjects.Bindings {
			if b.ScriptName != "" {
				continue // a class of another Worker: not served here
			}
			namespaces[b.Name] = b.ClassName
		}
	}
	if o.Name != "" {
		script = o.Name
	}
	for k, v := range o.Vars {
		vars[k] = v
	}
	for k, v := range o.Secrets {
		vars[k] = v
	}
	for k, v := range o.Bindings {
		namespaces[k] = v
	}
	return script, vars, namespaces, compat, nil
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

func (w *Worker) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), w.timeout)
}

// Fetch sends req to the Worker's handler and returns its response, as a
// client would get it. If the handler fails (a panic, a crash of the Go
// instance), the response is a 500, as from workerd, and the error is
// logged; use Do to get the error instead. A request without a host gets
// example.com, as with httptest.NewRequest.
func (w *Worker) Fetch(req *http.Request) *http.Response {
	w.t.Helper()
	resp, err := w.Do(req)
	if err != nil {
		w.t.Logf("dotest: %s %s: %v", req.Method, req.URL, err)
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

// Do sends req to the Worker's handler. It returns the error the handler
// failed with, a *worker.Error, or an error wrapping ErrTimeout.
func (w *Worker) Do(req *http.Request) (*http.Response, error) {
	in, err := host.RequestToGo(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := w.ctx()
	defer cancel()
	out, err := w.rt.Fetch(ctx, in)
	if err != nil {
		return nil, guestError(err)
	}
	return host.ResponseFromGo(out, req), nil
}

// guestError turns an error of the host into what dotest returns.
func guestError(err error) error {
	if errors.Is(err, host.ErrTimeout) {
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	var ce *host.CrashError
	if errors.As(err, &ce) {
		return &worker.Error{Name: "Error", Message: ce.Message, Cause: ErrCrashed}
	}
	var je *host.JSError
	if errors.As(err, &je) {
		return fromABI(je.Err)
	}
	return err
}

func fromABI(e *abi.Error) *worker.Error {
	out := &worker.Error{Name: e.Name, Message: e.Message, Code: e.Code, Stack: e.Stack}
	if strings.HasPrefix(e.Message, "godurable: the Go instance crashed (") {
		out.Cause = ErrCrashed
	} else if e.Cause != nil {
		out.Cause = fromABI(e.Cause)
	}
	return out
}

// Object returns the Durable Object called name in the namespace bound as
// binding, as namespace.getByName(name) does.
func (w *Worker) Object(binding, name string) *Object {
	w.t.Helper()
	class := w.class(binding)
	return &Object{w: w, t: host.Target{Class: class, ID: w.rt.IDFromName(class, name), Name: name}}
}

// ObjectByID returns the Durable Object with the given hex ID in the
// namespace bound as binding. It fails the test if the ID is not one of
// the namespace's.
func (w *Worker) ObjectByID(binding, id string) *Object {
	w.t.Helper()
	class := w.class(binding)
	id2, err := w.rt.IDFromString(class, id)
	if err != nil {
		w.t.Fatalf("dotest: ObjectByID(%q, %q): %v", binding, id, err)
	}
	return &Object{w: w, t: host.Target{Class: class, ID: id2}}
}

// IDFromName returns the ID of the object called name, as workerd's
// idFromName: the same as wrangler dev gives for the same Worker name.
func (w *Worker) IDFromName(binding, name string) string {
	w.t.Helper()
	return w.rt.IDFromName(w.class(binding), name)
}

// NewUniqueID returns a new random ID in the namespace.
func (w *Worker) NewUniqueID(binding string) string {
	w.t.Helper()
	return w.rt.NewUniqueID(w.class(binding))
}

// IDs returns the IDs of the objects of the namespace that have storage.
func (w *Worker) IDs(binding string) []string {
	w.t.Helper()
	return w.rt.IDs(w.class(binding))
}

func (w *Worker) class(binding string) string {
	w.t.Helper()
	class, err := w.rt.Namespace(binding)
	if err != nil {
		var names []string
		for _, c := range w.rt.Manifest().Classes {
			names = append(names, c.Name)
		}
		w.t.Fatalf("dotest: %q is not a Durable Object namespace binding; set Options.Bindings or declare it in wrangler.toml (classes: %s)", binding, strings.Join(names, ", "))
	}
	return class
}

// Restart restarts the isolate, as a restart of workerd would: the Go
// instance and every Durable Object are discarded (events in flight fail),
// storage is kept. Objects are rebuilt on their next event.
func (w *Worker) Restart() { w.rt.Restart() }

// Crash makes the Go instance fail as if it had trapped: the events in
// flight fail with the shim's crash error, and the next event runs on a
// fresh instance, which rebuilds the objects from their storage. It
// reports whether an instance was running.
func (w *Worker) Crash() bool { return w.rt.Crash("") }

// StorageOp describes a storage operation of the guest, for SetStorageFault.
type StorageOp struct {
	Binding string // the namespace binding of the object's class
	Class   string
	ID      string
	// Op is "kv.get", "kv.put", "kv.delete", "kv.list", "sql.exec" or
	// "sql.databaseSize".
	Op    string
	Key   string // for kv.get, kv.put and kv.delete
	Query string // for sql.exec
}

// SetStorageFault installs f, called before every storage operation of
// the guest: if it returns an error, the operation fails with it, as if
// workerd's storage had thrown it (a *worker.Error keeps its name). Nil
// removes it.
func (w *Worker) SetStorageFault(f func(StorageOp) error) {
	if f == nil {
		w.rt.SetStorageFault(nil)
		return
	}
	bindings := map[string]string{}
	for b, c := range w.bindings {
		if _, ok := bindings[c]; !ok || b < bindings[c] {
			bindings[c] = b
		}
	}
	w.rt.SetStorageFault(func(op host.StorageOp) error {
		err := f(StorageOp{Binding: bindings[op.Class], Class: op.Class, ID: op.ID, Op: op.Op, Key: op.Key, Query: op.Query})
		var we *worker.Error
		if errors.As(err, &we) {
			return host.NewJSError(we.ErrorName(), we.Message)
		}
		return err
	})
}

// Object is one Durable Object of a Worker. Getting an Object does not
// create it: its first event does, as in workerd.
type Object struct {
	w *Worker
	t host.Target
}

// ID returns the object's ID in hex.
func (o *Object) ID() string { return o.t.ID }

// Name returns the name the object was reached by, or "" if by ID.
func (o *Object) Name() string { return o.t.Name }

// Fetch sends req to the object's ServeHTTP, as stub.fetch(req) in
// JavaScript. An error fails the test; use Do to get it.
func (o *Object) Fetch(req *http.Request) *http.Response {
	o.w.t.Helper()
	resp, err := o.Do(req)
	if err != nil {
		o.w.t.Fatalf("dotest: %s.fetch %s %s: %v", o.t.Class, req.Method, req.URL, err)
	}
	return resp
}

// Do sends req to the object's ServeHTTP. An error thrown by the object is
// returned as a *worker.Error as a JavaScript caller catches it.
func (o *Object) Do(req *http.Request) (*http.Response, error) {
	in, err := host.RequestToGo(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := o.w.ctx()
	defer cancel()
	out, err := o.w.rt.ObjectFetch(ctx, o.t, in)
	if err != nil {
		return nil, guestError(o.w.rt.RPCError(err))
	}
	return host.ResponseFromGo(out, req), nil
}

// Call calls the object's RPC method with args, as a JavaScript Worker
// calls stub.method(...args) over Workers RPC, and decodes the result into
// result (nil to discard it). method is the JavaScript name ("increment");
// the Go name is accepted too. The arguments and the result go through
// JavaScript values as in workerd (every number is a float64 there, maps
// become objects with string keys). An error the method returns arrives
// as the *worker.Error a JavaScript caller catches, which depends on the
// compatibility date and flags of wrangler.toml: from 2026-04-21
// (enhanced_error_serialization) its name, code and cause arrive as the
// Go code set them; before, the standard error names (Error, TypeError,
// RangeError, ...) were kept, another name was prefixed to the message,
// and the code was lost.
func (o *Object) Call(method string, result any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	raw, err := abi.EncodeValue(args)
	if err != nil {
		return fmt.Errorf("dotest: %s: encoding the arguments: %w", method, err)
	}
	ctx, cancel := o.w.ctx()
	defer cancel()
	out, err := o.w.rt.ObjectCall(ctx, o.t, rt.JSName(method), raw)
	if err != nil {
		return guestError(o.w.rt.RPCError(err))
	}
	if result == nil || len(out) == 0 {
		return nil
	}
	if err := abi.DecodeValue(out, result); err != nil {
		return fmt.Errorf("dotest: %s: decoding the result (%s) into %T: %w", method, abi.Describe(out), result, err)
	}
	return nil
}

// Evict drops the object as workerd does with an idle one: its Go value is
// forgotten and rebuilt from storage on its next event. It reports whether
// the object was live.
func (o *Object) Evict() bool { return o.w.rt.Evict(o.t.Class, o.t.ID) }

// Live reports whether the object has a live Go value, between its first
// event and its eviction (or a restart).
func (o *Object) Live() bool { return o.w.rt.Live(o.t.Class, o.t.ID) }

// Storage returns the object's storage, for a test to read or seed. It
// is the same database the object uses, and outlives restarts.
func (o *Object) Storage() *Storage {
	o.w.t.Helper()
	db, err := o.w.rt.DB(o.t.Class, o.t.ID)
	if err != nil {
		o.w.t.Fatalf("dotest: opening the storage of %s %s: %v", o.t.Class, o.t.ID, err)
	}
	return &Storage{db: db}
}

// Storage is a Durable Object's storage as a test sees it: its KV store and
// its SQL database, with the same rules as the object's own.
type Storage struct{ db *host.DB }

// Get decodes the value stored under key (MessagePack, as storage.KV
// writes it) into v and reports whether the key exists.
func (s *Storage) Get(key string, v any) (bool, error) {
	raw, err := s.db.KVGet(key)
	if err != nil || raw == nil {
		return false, err
	}
	if err := abi.DecodeValue(raw, v); err != nil {
		return true, fmt.Errorf("dotest: decoding %q (%s) into %T: %w", key, abi.Describe(raw), v, err)
	}
	return true, nil
}

// GetRaw returns the bytes stored under key, or nil if there are none.
func (s *Storage) GetRaw(key string) ([]byte, error) { return s.db.KVGet(key) }

// Put stores v under key as storage.KV.Put does.
func (s *Storage) Put(key string, v any) error {
	raw, err := abi.EncodeValue(v)
	if err != nil {
		return fmt.Errorf("dotest: encoding %T: %w", v, err)
	}
	return s.db.KVPut(key, raw)
}

// PutRaw stores bytes under key.
func (s *Storage) PutRaw(key string, raw []byte) error { return s.db.KVPut(key, raw) }

// Delete deletes key and reports whether it existed.
func (s *Storage) Delete(key string) (bool, error) { return s.db.KVDelete(key) }

// Entry is one key and its stored bytes.
type Entry struct {
	Key   string
	Value []byte
}

// Decode decodes the entry's value into v.
func (e Entry) Decode(v any) error { return abi.DecodeValue(e.Value, v) }

// List returns the entries opts select, as storage.KV.List.
func (s *Storage) List(opts ListOptions) ([]Entry, error) {
	es, err := s.db.KVList(host.KVListOptions(opts))
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{Key: e.Key, Value: e.Value}
	}
	return out, nil
}

// ListOptions select keys as storage.ListOptions do.
type ListOptions struct {
	Prefix, Start, StartAfter, End string
	Limit                          int
	Reverse                        bool
}

// SQLResult holds what a statement returned: values are nil, float64,
// string or []byte, as JavaScript sees them.
type SQLResult struct {
	Columns     []string
	Rows        [][]any
	RowsRead    int64
	RowsWritten int64
}

// Exec runs SQL on the object's database with the object's own rules (no
// BEGIN, no _cf_ tables, workerd's limits). Args may be nil, bool, any
// integer or float, string or []byte; numbers are bound as JavaScript
// numbers are, as doubles.
func (s *Storage) Exec(query string, args ...any) (*SQLResult, error) {
	bound := make([]any, len(args))
	for i, a := range args {
		v, err := jsArg(a)
		if err != nil {
			return nil, fmt.Errorf("dotest: argument %d: %w", i+1, err)
		}
		bound[i] = v
	}
	res, err := s.db.Exec(query, bound)
	if err != nil {
		var se *host.SQLError
		if errors.As(err, &se) {
			return nil, &worker.Error{Name: "Error", Message: se.Message}
		}
		return nil, err
	}
	return &SQLResult{Columns: res.Columns, Rows: res.Rows, RowsRead: res.RowsRead, RowsWritten: res.RowsWritten}, nil
}

// DatabaseSize returns the size of the database as
// ctx.storage.sql.databaseSize does.
func (s *Storage) DatabaseSize() (int64, error) { return s.db.Size() }

func jsArg(a any) (any, error) {
	switch v := a.(type) {
	case nil, string, []byte, float64:
		return v, nil
	case bool:
		if v {
			return 1.0, nil
		}
		return 0.0, nil
	case float32:
		return float64(v), nil
	case int:
		return float64(v), nil
	case int8:
		return float64(v), nil
	case int16:
		return float64(v), nil
	case int32:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint:
		return float64(v), nil
	case uint8:
		return float64(v), nil
	case uint16:
		return float64(v), nil
	case uint32:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	}
	return nil, fmt.Errorf("unsupported type %T", a)
}

// Get is a shortcut for Fetch of a GET request of path (e.g. "/counter/a")
// that returns the status and the body; it fails the test if the body
// cannot be read.
func (w *Worker) Get(path string) (int, string) {
	w.t.Helper()
	resp := w.Fetch(httptest.NewRequest(http.MethodGet, path, nil))
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Post is like Get for a POST request with body, of the given content type.
func (w *Worker) Post(path, contentType string, body []byte) (int, string) {
	w.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp := w.Fetch(req)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// ManualClock is a clock that a test moves: the guest's time.Now and its
// timers (worker.Sleep, time.After) follow it. Go timers fire only while
// an event is in flight, as in workerd.
type ManualClock struct{ c *host.ManualClock }

// NewManualClock returns a clock that reads start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{c: host.NewManualClock(start)}
}

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time { return c.c.Now() }

// Advance moves the clock by d, firing the guest's timers that fall due.
func (c *ManualClock) Advance(d time.Duration) { c.c.Advance(d) }

// Pending returns how many of the guest's timers are armed.
func (c *ManualClock) Pending() int { return c.c.Pending() }
