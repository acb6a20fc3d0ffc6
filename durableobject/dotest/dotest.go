package dotest

import (
	"context"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
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
	// Scripts are the other Workers that bindings with a script_name, and
	// service bindings ([[services]]), reach, by their name: a call through
	// such a binding goes to that Worker's objects, or to its entrypoint
	// (with the binding's props), as in a wrangler dev of several Workers.
	// A namespace binding whose script is not here is left out, as one
	// whose Worker is not running; a service binding's calls fail, unless
	// Fakes plays it.
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
	// Dial makes the Worker's outbound TCP connections (package sockets:
	// cloudflare:sockets' connect()), which dotest emulates over what it
	// returns, TLS included. Nil dials the network (a server on 127.0.0.1
	// of the test, say); a test can give the Worker one end of a net.Pipe.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// RootCAs are the certificates that the sockets' TLS trusts
	// (secureTransport "on", StartTLS). Nil: the system's, and those in
	// the file NODE_EXTRA_CA_CERTS names, which wrangler dev adds to
	// workerd's, so that a test's self-signed server is trusted by both.
	RootCAs *x509.CertPool
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

	data  string                       // the emulated bindings' files (workerd.BindingConfig.Dir)
	fakes map[string]*workerd.JSObject // the bindings played in Go: emulated, or a test's fakes

	queues *workerd.Queues // the broker of the queues of its configuration, if any
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
	services := map[string]workerd.Service{}
	for binding, svc := range env.services {
		if !svc.w.iso.HasEntrypoint(svc.entry.Name) { // workerd refuses to start
			return nil, fmt.Errorf("dotest: binding %s refers to the named entrypoint %q of service %s, which has no such named entrypoint (worker.Entrypoint)", binding, svc.entry.Name, svc.name)
		}
		services[binding] = workerd.Service{Isolate: svc.w.iso, Entry: svc.entry}
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
	w := &Worker{opts: o, bindings: env.namespaces, peers: env.peers, log: log, data: data, queues: env.queues, fakes: env.fakes}
	cfg := workerd.Config{
		Module:     b.module,
		Script:     env.script,
		Vars:       env.vars,
		Namespaces: env.namespaces,
		Peers:      peerIsolates(env.peers),
		Services:   services,
		D1:         env.d1,
		Fakes:      env.fakes,
		KVBacked:   env.kvBacked,
		Unemulated: env.unemulated,
		Fetch:      fetcher(o.Fetch),
		Dial:       o.Dial,
		RootCAs:    rootCAs(o.RootCAs),
		Timeout:    o.Timeout,
		Compat:     env.compat,
		Crons:      env.crons,
		Queues:     env.queues,
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

// eventContext bounds ctx by Options.Timeout.
func (w *Worker) eventContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, w.opts.Timeout)
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
