package workerd

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/crontrigger"
	"github.com/godurable/godurable/internal/driver"
)

// Config describes the Worker an Isolate runs: its module and the
// environment that workerd would give it.
type Config struct {
	Module *driver.Module
	// Script is the Worker's name (wrangler.toml's name): with the class,
	// it derives Durable Object IDs as wrangler dev does.
	Script string
	// Vars are the text and JSON variables and the secrets.
	Vars map[string]any
	// Namespaces maps each Durable Object namespace binding to its class.
	Namespaces map[string]string
	// Peers maps the bindings whose class another Worker hosts
	// (script_name) to that Worker's Isolate.
	Peers map[string]*Isolate
	// Services maps the service bindings whose Worker is here to the
	// entrypoint each reaches (services.go).
	Services map[string]Service
	// D1 lists the D1 database bindings; each gets an empty database.
	D1 []string
	// KVBacked are the classes whose storage is the key-value backend: no
	// new_sqlite_classes migration creates them, so their synchronous KV
	// and SQL APIs throw, as workerd's do.
	KVBacked map[string]bool
	// Fakes are the bindings played by Go (dotest's Options.Bindings), by
	// name: JavaScript objects of the model that package jsbridge reaches.
	Fakes map[string]*JSObject
	// Unemulated are the bindings the configuration declares that the
	// model has no emulator for and no fake was given, by name: the kind
	// of each, as wrangler.toml names it ("ai", "vectorize").
	Unemulated map[string]string
	// Fetch performs the guest's outbound fetches. Nil refuses them.
	Fetch func(*http.Request) (*http.Response, error)
	// Dial makes the connections of cloudflare:sockets' connect(). Nil
	// dials the network.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// RootCAs are the certificates the sockets' TLS trusts (nil: the
	// system's), as workerd trusts the system's and NODE_EXTRA_CA_CERTS's.
	RootCAs *x509.CertPool
	// Clock, Stdout, Stderr and Timeout are as in driver.Config.
	Clock          driver.Clock
	Stdout, Stderr func(line string)
	Timeout        time.Duration
	// Compat is the compatibility behaviour to reproduce (CompatFor of
	// the Worker's compatibility date and flags). The zero value is the
	// behaviour before 2026-04-21.
	Compat Compat
	// Crons are the Worker's cron triggers ([triggers] crons): each fires
	// the scheduled event on Clock (scheduled.go).
	Crons []*crontrigger.Schedule
	// Queues is the broker of the Worker's queues (queues.go), whose
	// consumers this Worker is, if it has any.
	Queues *Queues
}

// StorageOp describes a storage operation, for fault injection.
type StorageOp struct {
	Class, ID string
	// Op is the operation's fault label in internal/abi's table:
	// "kv.get", "kv.put", "sql.exec", ...
	Op    string
	Key   string // the key of a KV operation on one key
	Query string // for sql.exec
}

// Isolate is workerd's isolate of one Worker, and the storage of its
// Durable Objects: the Go instance (created on the first event, replaced
// after a crash), the objects it holds, and every object's database, which
// outlives both.
type Isolate struct {
	cfg Config

	mu         sync.Mutex
	inst       *driver.Instance
	objects    map[objKey]*object
	handles    map[uint32]*object
	dbs        map[objKey]*DB
	d1s        map[string]*d1Database // by binding
	nextHandle uint32
	dropped    []uint32
	fault      func(StorageOp) error
	closed     bool

	alarmMu      sync.Mutex
	alarms       map[objKey]*alarmEntry
	alarmsClosed bool

	ws *wsState

	bodies  map[bodyKey]*bodyStream // streamed response bodies, on mu
	readers hostReaders             // bodies streaming into the guest

	sockets socketSet   // cloudflare:sockets' connections (tcpsockets.go)
	caches  *cacheStore // the Cache API (cache.go), made at its first use, on mu

	kept     map[uint32]*jsStub // the stubs the instance holds, by handle (stubs.go), on mu
	values   map[uint32]any     // the values it holds by reference (jsobject.go), on mu
	nextKept uint32
	crons    cronState // the cron triggers (scheduled.go)

	queueRuns queueRunState // the queue handler's runs (queues.go)
}

type objKey struct{ class, id string }

// object is what the shim's JavaScript Durable Object is: it lives from
// the first event until eviction or a restart.
type object struct {
	handle uint32
	class  string
	id     string
	name   string
	db     *DB
	// inflight counts the object's events; an eviction asked for while
	// some run waits for the last, as workerd evicts only idle objects.
	inflight     int
	evictPending bool
}

// NewIsolate returns an Isolate for cfg. No instance exists until the
// first event.
func NewIsolate(cfg Config) *Isolate {
	if cfg.Clock == nil {
		cfg.Clock = driver.RealClock()
	}
	iso := &Isolate{cfg: cfg, objects: map[objKey]*object{}, handles: map[uint32]*object{}, dbs: map[objKey]*DB{}, alarms: map[objKey]*alarmEntry{}, ws: newWSState()}
	iso.startCrons()
	if cfg.Queues != nil {
		cfg.Queues.attach(iso)
	}
	return iso
}

// Manifest returns what the module registers.
func (iso *Isolate) Manifest() *abi.Manifest { return iso.cfg.Module.Manifest }

// Close discards the instance and closes every database.
func (iso *Isolate) Close() {
	iso.mu.Lock()
	inst := iso.inst
	iso.inst = nil
	iso.closed = true
	dbs := iso.dbs
	iso.dbs = map[objKey]*DB{}
	d1s := iso.d1s
	iso.d1s = nil
	iso.mu.Unlock()
	for _, d := range d1s {
		d.db.Close()
	}
	iso.stopCrons()
	if iso.cfg.Queues != nil {
		iso.cfg.Queues.close()
	}
	iso.alarmMu.Lock()
	iso.alarmsClosed = true
	for _, e := range iso.alarms {
		e.stop()
	}
	iso.alarms = map[objKey]*alarmEntry{}
	iso.alarmMu.Unlock()
	if inst != nil {
		inst.Kill("godurable: the Worker was shut down while this event was in flight")
	}
	for _, db := range dbs {
		db.Close()
	}
	iso.readers.closeAll()
	iso.sockets.closeAll(true)
}

// instance returns the current instance, creating one if needed.
func (iso *Isolate) instance() (*driver.Instance, error) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.closed {
		return nil, errors.New("godurable: the Worker is closed")
	}
	if iso.inst != nil && !iso.inst.Dead() {
		return iso.inst, nil
	}
	cfg := &driver.Config{
		Call:    iso.hostCall,
		Start:   iso.startOp,
		Clock:   iso.cfg.Clock,
		Stdout:  iso.cfg.Stdout,
		Stderr:  iso.cfg.Stderr,
		Timeout: iso.cfg.Timeout,
		OnCrash: iso.instanceDied,
		OnRetire: func(event int32, object uint32) {
			if object == 0 { // a request's I/O context ends with it
				iso.sockets.closeContext(ioContext{event: event})
			}
		},
	}
	inst, err := iso.cfg.Module.NewInstance(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	iso.inst = inst
	iso.dropped = nil
	return inst, nil
}

// WaitBackground waits until the running instance has no WaitUntil work
// left, or ctx is done.
func (iso *Isolate) WaitBackground(ctx context.Context) error {
	inst := iso.current()
	if inst == nil {
		return nil
	}
	return inst.WaitBackground(ctx)
}

// InFlight returns the number of events in flight in the running
// instance (0 when there is none).
func (iso *Isolate) InFlight() int {
	if inst := iso.current(); inst != nil {
		return inst.InFlight()
	}
	return 0
}

// current returns the instance that is running: the one whose host call
// is in progress when an operation asks.
func (iso *Isolate) current() *driver.Instance {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	return iso.inst
}

func (iso *Isolate) instanceDied(inst *driver.Instance, err error) {
	// Called with inst's lock held; iso.mu may be held by a caller waiting
	// on inst, so do the bookkeeping without it.
	go iso.sockets.closeAll(false)
	go func() {
		iso.mu.Lock()
		defer iso.mu.Unlock()
		if iso.inst == inst {
			iso.inst = nil
			iso.dropped = nil
			iso.kept = nil // the handles died with the instance, as in the shim's instanceDied
		}
	}()
}

// Restart stops the isolate, as a restart of workerd does: the instance
// and every Durable Object are discarded (events in flight fail), every
// WebSocket's connection drops, storage is kept.
func (iso *Isolate) Restart() {
	iso.mu.Lock()
	inst := iso.inst
	iso.inst = nil
	iso.objects = map[objKey]*object{}
	iso.handles = map[uint32]*object{}
	iso.dropped = nil
	iso.kept = nil
	iso.values = nil
	iso.mu.Unlock()
	if inst != nil {
		inst.Kill("godurable: the Worker was restarted while this event was in flight")
	}
	iso.closeAll() // a restart drops every connection, WebSockets included
	iso.sockets.closeAll(false)
}

// Crash makes the current instance fail as if the guest had trapped with
// message (a V8 trap message; "unreachable" if empty). It reports whether
// there was an instance to crash.
func (iso *Isolate) Crash(message string) bool {
	iso.mu.Lock()
	inst := iso.inst
	iso.mu.Unlock()
	if inst == nil {
		return false
	}
	inst.Crash(message)
	return true
}

// Evict drops the Durable Object of class with id, as workerd does with
// an idle object: its Go value is forgotten and rebuilt on the next event.
// An object with events in flight is evicted when the last one finishes.
// It reports whether the object was live.
func (iso *Isolate) Evict(class, id string) bool {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	o, ok := iso.objects[objKey{class, id}]
	if !ok {
		return false
	}
	if o.inflight > 0 {
		o.evictPending = true
		return true
	}
	iso.evictLocked(o)
	return true
}

func (iso *Isolate) evictLocked(o *object) {
	iso.sockets.closeContext(ioContext{object: o.handle}) // the object's I/O context ends
	delete(iso.objects, objKey{o.class, o.id})
	delete(iso.handles, o.handle)
	if iso.inst != nil {
		iso.dropped = append(iso.dropped, o.handle)
	}
}

// Live reports whether the Durable Object of class with id is live.
func (iso *Isolate) Live(class, id string) bool {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	_, ok := iso.objects[objKey{class, id}]
	return ok
}

// SetStorageFault installs f, which is consulted before every storage
// operation of the guest: a non-nil error fails the operation with it, as
// if workerd's storage had thrown it.
func (iso *Isolate) SetStorageFault(f func(StorageOp) error) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	iso.fault = f
}

// DB returns the database of the Durable Object of class with id, creating
// an empty one if the object has none yet.
func (iso *Isolate) DB(class, id string) (*DB, error) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	return iso.dbLocked(class, id)
}

func (iso *Isolate) dbLocked(class, id string) (*DB, error) {
	if iso.closed {
		return nil, errors.New("godurable: the Worker is closed")
	}
	k := objKey{class, id}
	if db := iso.dbs[k]; db != nil {
		return db, nil
	}
	db, err := OpenDB()
	if err != nil {
		return nil, err
	}
	iso.dbs[k] = db
	return db, nil
}

// IDs returns the IDs of the objects of class that have storage.
func (iso *Isolate) IDs(class string) []string {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	var out []string
	for k := range iso.dbs {
		if k.class == class {
			out = append(out, k.id)
		}
	}
	sort.Strings(out)
	return out
}

// Namespace returns the class of a Durable Object namespace binding.
func (iso *Isolate) Namespace(binding string) (string, error) {
	class, ok := iso.cfg.Namespaces[binding]
	if !ok {
		return "", NewJSError("TypeError", "godurable: "+binding+" is not a Durable Object namespace binding")
	}
	return class, nil
}

func (iso *Isolate) key(class string) []byte { return namespaceKey(iso.cfg.Script, class) }

// IDFromName returns the ID of the object called name in class.
func (iso *Isolate) IDFromName(class, name string) string { return idFromName(iso.key(class), name) }

// NewUniqueID returns a new ID in class.
func (iso *Isolate) NewUniqueID(class string) string { return newUniqueID(iso.key(class)) }

// IDFromString checks id as workerd's idFromString does.
func (iso *Isolate) IDFromString(class, id string) (string, error) {
	s, e := idFromString(iso.key(class), id)
	if e != nil {
		return "", &driver.JSError{Err: e}
	}
	return s, nil
}

// Target names a Durable Object.
type Target struct {
	Class, ID string
	Name      string // the name it was reached by, if any
}

// host returns the Isolate that hosts the class of binding: a peer's
// (script_name), else iso.
func (iso *Isolate) host(binding string) *Isolate {
	if p := iso.cfg.Peers[binding]; p != nil {
		return p
	}
	return iso
}

// namespaceOf returns the class of the namespace that t names (its
// binding, and its jurisdiction, which local workerd refuses).
func (iso *Isolate) namespaceOf(t *abi.StubTarget) (*Isolate, string, error) {
	class, err := iso.Namespace(t.Binding)
	if err != nil {
		return nil, "", err
	}
	if t.Jurisdiction != "" {
		return nil, "", &driver.JSError{Err: errJurisdiction}
	}
	return iso.host(t.Binding), class, nil
}

// Resolve turns a StubTarget into the Isolate that hosts the object and
// its Target, as the shim's stub(target) does: a name gives the ID of
// idFromName (which must be the target's ID, if it has one), an ID alone
// is checked by idFromString, and the options are checked as workerd's
// get checks them.
func (iso *Isolate) Resolve(t abi.StubTarget) (*Isolate, Target, error) {
	if t.Handle != 0 { // a stub the instance holds
		s, err := iso.stubOf(t)
		if err != nil {
			return nil, Target{}, err
		}
		if s.class() != "DurableObject" {
			return nil, Target{}, NewJSError("TypeError", "godurable: the stub is a service binding's, not a Durable Object's")
		}
		return s.host, s.t, nil
	}
	host, class, err := iso.namespaceOf(&t)
	if err != nil {
		return nil, Target{}, err
	}
	out := Target{Class: class}
	if t.Name != "" || t.ID == "" {
		out.ID, out.Name = host.IDFromName(class, t.Name), t.Name
		if t.ID != "" && t.ID != out.ID {
			return nil, Target{}, &driver.JSError{Err: errIDNamespace}
		}
	} else if out.ID, err = host.IDFromString(class, t.ID); err != nil {
		return nil, Target{}, err
	}
	if t.LocationHint == "offpeak" && !iso.cfg.Compat.OffpeakLocationHint {
		return nil, Target{}, &driver.JSError{Err: errOffpeak}
	}
	return host, out, nil
}

// enter returns the live object for t, creating it (a new handle) if
// needed, and the dropped handles to send with the next event.
func (iso *Isolate) enter(t Target) (*object, []uint32, error) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.closed {
		return nil, nil, errors.New("godurable: the Worker is closed")
	}
	k := objKey{t.Class, t.ID}
	o := iso.objects[k]
	if o == nil {
		db, err := iso.dbLocked(t.Class, t.ID)
		if err != nil {
			return nil, nil, err
		}
		iso.nextHandle++
		name := t.Name
		if len(name) > 1024 {
			name = ""
		}
		o = &object{handle: iso.nextHandle, class: t.Class, id: t.ID, name: name, db: db}
		iso.objects[k] = o
		iso.handles[o.handle] = o
	}
	o.inflight++
	return o, iso.takeDroppedLocked(), nil
}

// leave ends an event of o that enter began.
func (iso *Isolate) leave(o *object) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	o.inflight--
	if o.inflight == 0 && o.evictPending && iso.objects[objKey{o.class, o.id}] == o {
		iso.evictLocked(o)
	}
}

func (iso *Isolate) takeDroppedLocked() []uint32 {
	d := iso.dropped
	iso.dropped = nil
	return d
}

func (iso *Isolate) class(name string) *abi.Class {
	for i, c := range iso.Manifest().Classes {
		if c.Name == name {
			return &iso.Manifest().Classes[i]
		}
	}
	return nil
}

func hasCapability(caps []string, name string) bool {
	for _, c := range caps {
		if c == name {
			return true
		}
	}
	return false
}

// Fetch sends req to the stateless Worker.
func (iso *Isolate) Fetch(ctx context.Context, req *abi.Request) (*abi.Response, error) {
	return iso.fetch(ctx, 0, newJSObject(), req)
}

// fetch sends req to the Worker's entrypoint that arg names (0: the
// default export; see abi.EventWorkerFetch), with props.
func (iso *Isolate) fetch(ctx context.Context, arg uint32, props any, req *abi.Request) (*abi.Response, error) {
	if arg == 0 && !hasCapability(iso.Manifest().Worker, "fetch") {
		return &abi.Response{Status: 404, Headers: [][2]string{{"content-type", "text/plain;charset=UTF-8"}},
			Body: []byte("godurable: this module registers no Worker handler (worker.Handle)\n")}, nil
	}
	upload := iso.streamIn(req)
	inst, ev, out, err := iso.dispatchWorker(ctx, &driver.Message{Kind: abi.EventWorkerFetch, Arg: arg, Payload: mustMarshal(req), Props: props,
		What: "fetch " + req.Method + " " + req.URL})
	if err != nil {
		upload()
		return nil, err
	}
	resp, err := decodeResponse(out)
	iso.streamed(inst, ev, resp, upload)
	return resp, err
}

// dispatchWorker delivers an event to the Worker (not to an object) and
// returns the instance and the event with the result.
func (iso *Isolate) dispatchWorker(ctx context.Context, msg *driver.Message) (*driver.Instance, *driver.Event, []byte, error) {
	inst, err := iso.instance()
	if err != nil {
		return nil, nil, nil, err
	}
	iso.mu.Lock()
	msg.Dropped = iso.takeDroppedLocked()
	iso.mu.Unlock()
	ev, out, err := inst.DispatchEvent(ctx, msg)
	return inst, ev, out, err
}

func decodeResponse(b []byte) (*abi.Response, error) {
	var resp abi.Response
	if err := abi.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("godurable: the guest sent a malformed response: %w", err)
	}
	return &resp, nil
}

// ObjectFetch sends req to the Durable Object t.
func (iso *Isolate) ObjectFetch(ctx context.Context, t Target, req *abi.Request) (*abi.Response, error) {
	c := iso.class(t.Class)
	if c == nil {
		return nil, iso.noClass(t.Class)
	}
	if !hasCapability(c.Capabilities, "fetch") {
		return nil, NewJSError("Error", "Handler does not export a fetch() function.")
	}
	upload := iso.streamIn(req)
	inst, ev, out, err := iso.dispatchObject(ctx, t, abi.EventObjectFetch, 0, mustMarshal(req), t.Class+".fetch "+req.Method+" "+req.URL)
	if err != nil {
		upload()
		return nil, err
	}
	resp, err := decodeResponse(out)
	iso.streamed(inst, ev, resp, upload)
	return resp, err
}

func (iso *Isolate) noClass(class string) error {
	return fmt.Errorf("godurable: the module registers no Durable Object class %q", class)
}

// methodIndex returns the index of the RPC method jsName of c, a class or an
// entrypoint, as the shim finds it, or a JS error as workerd's RPC gives
// it (reserved: whether workerd refuses reserved names first, as for a
// JavaScript caller).
func methodIndex(c *abi.Class, jsName string, reserved bool) (uint32, error) {
	if reserved && abi.IsReservedRPCName(jsName) {
		return 0, NewJSError("TypeError", "'"+jsName+"' is a reserved method and cannot be called over RPC.")
	}
	for i, m := range c.Methods {
		if m.JSName == jsName {
			return uint32(i), nil
		}
	}
	return 0, NewJSError("TypeError", "The RPC receiver does not implement the method \""+jsName+"\".")
}

// ObjectCall calls the RPC method (its JavaScript name) of the Durable
// Object t with args, a MessagePack array of JavaScript values, as a
// JavaScript caller over Workers RPC does. The result is one MessagePack
// value as the caller would encode it, or empty for undefined.
func (iso *Isolate) ObjectCall(ctx context.Context, t Target, method string, args []byte) ([]byte, error) {
	return iso.asJSCaller(iso.call(ctx, t, method, args, true, testStubs))
}

// asJSCaller returns the result of a call, out, as a JavaScript caller
// of the test gets it.
func (iso *Isolate) asJSCaller(out []byte, err error) ([]byte, error) {
	if err != nil || len(out) == 0 {
		return nil, err
	}
	res, err := jsPass(out, iso, testStubs, false)
	if err != nil {
		return nil, NewJSError("TypeError", "godurable: the result is not a JavaScript value: "+err.Error())
	}
	return res, nil
}

// call runs an RPC call with the arguments passed through JavaScript from
// the side from, and returns the result as Go wrote it.
func (iso *Isolate) call(ctx context.Context, t Target, method string, args []byte, reserved bool, from stubSide) ([]byte, error) {
	c := iso.class(t.Class)
	if c == nil {
		return nil, iso.noClass(t.Class)
	}
	return iso.rpc(ctx, c, method, args, reserved, from, func(index uint32, payload []byte) (*driver.Instance, *driver.Event, []byte, error) {
		return iso.dispatchObject(ctx, t, abi.EventObjectCall, index, payload, t.Class+"."+method+"()")
	})
}

// rpc runs an RPC call of c's method with the arguments passed through
// JavaScript from the side from, delivered by dispatch with the method's
// index, and returns the result as Go wrote it.
func (iso *Isolate) rpc(ctx context.Context, c *abi.Class, method string, args []byte, reserved bool, from stubSide,
	dispatch func(index uint32, payload []byte) (*driver.Instance, *driver.Event, []byte, error)) ([]byte, error) {
	index, err := methodIndex(c, method, reserved)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		args = []byte{0x90}
	}
	norm, err := jsPass(args, from, iso, false)
	if err != nil {
		var je *driver.JSError
		if errors.As(err, &je) {
			return nil, err // a stub that names no object
		}
		return nil, NewJSError("TypeError", "godurable: the arguments are not JavaScript values: "+err.Error())
	}
	inst, ev, out, err := dispatch(index, norm)
	if ref, ok := abi.StreamOf(out); ok && err == nil {
		// A stream result: the caller reads the event's body.
		ref.Reader = iso.readers.add(rpcStream{iso.eventBody(inst, ev, func() {})})
		out = abi.EncodeStream(ref)
	}
	return out, err
}

func (iso *Isolate) objectEvent(ctx context.Context, t Target, kind abi.EventKind, arg uint32, payload []byte, what string) ([]byte, error) {
	_, _, out, err := iso.dispatchObject(ctx, t, kind, arg, payload, what)
	return out, err
}

// dispatchObject delivers an event to the Durable Object t and returns
// the instance and the event with the result.
func (iso *Isolate) dispatchObject(ctx context.Context, t Target, kind abi.EventKind, arg uint32, payload []byte, what string) (*driver.Instance, *driver.Event, []byte, error) {
	if iso.class(t.Class) == nil {
		return nil, nil, nil, iso.noClass(t.Class)
	}
	inst, err := iso.instance()
	if err != nil {
		return nil, nil, nil, err
	}
	o, dropped, err := iso.enter(t)
	if err != nil {
		return nil, nil, nil, err
	}
	defer iso.leave(o)
	ev, out, err := inst.DispatchEvent(ctx, &driver.Message{
		Kind: kind, Object: o.handle, Ref: abi.ObjectRef{Class: o.class, ID: o.id, Name: o.name},
		Arg: arg, Payload: payload, Dropped: dropped, What: what,
	})
	return inst, ev, out, err
}

// RPCError turns err into the error that a JavaScript caller catches
// over Workers RPC, with the isolate's compatibility behaviour.
func (iso *Isolate) RPCError(err error) error { return RPCError(err, iso.cfg.Compat) }
