package host

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/abi"
)

// RuntimeConfig describes the Worker a Runtime runs: its module and the
// environment that workerd would give it.
type RuntimeConfig struct {
	Module *Module
	// Script is the Worker's name (wrangler.toml's name): with the class,
	// it derives Durable Object IDs as wrangler dev does.
	Script string
	// Vars are the text and JSON variables and the secrets.
	Vars map[string]any
	// Namespaces maps each Durable Object namespace binding to its class.
	Namespaces map[string]string
	// Fetch performs the guest's outbound fetches. Nil refuses them.
	Fetch func(*http.Request) (*http.Response, error)
	// Clock, Stdout, Stderr and Timeout are as in Config.
	Clock          Clock
	Stdout, Stderr func(line string)
	Timeout        time.Duration
	// Compat is the compatibility behaviour to reproduce (CompatFor of
	// the Worker's compatibility date and flags). The zero value is the
	// behaviour before 2026-04-21.
	Compat Compat
}

// StorageOp describes a storage operation, for fault injection.
type StorageOp struct {
	Class, ID string
	// Op is "kv.get", "kv.put", "kv.delete", "kv.list", "sql.exec" or
	// "sql.databaseSize".
	Op    string
	Key   string // for kv.get, kv.put and kv.delete
	Query string // for sql.exec
}

// Runtime is the state of one isolate and its storage: the Go instance
// (created on the first event, replaced after a crash), the Durable
// Objects it holds, and every object's database, which outlives both.
type Runtime struct {
	cfg RuntimeConfig

	mu         sync.Mutex
	inst       *Instance
	objects    map[objKey]*object
	handles    map[uint32]*object
	dbs        map[objKey]*DB
	nextHandle uint32
	dropped    []uint32
	fault      func(StorageOp) error
	closed     bool
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
}

// NewRuntime returns a Runtime for cfg. No instance exists until the
// first event.
func NewRuntime(cfg RuntimeConfig) *Runtime {
	if cfg.Clock == nil {
		cfg.Clock = RealClock()
	}
	return &Runtime{cfg: cfg, objects: map[objKey]*object{}, handles: map[uint32]*object{}, dbs: map[objKey]*DB{}}
}

// Manifest returns what the module registers.
func (r *Runtime) Manifest() *abi.Manifest { return r.cfg.Module.Manifest }

// Close discards the instance and closes every database.
func (r *Runtime) Close() {
	r.mu.Lock()
	inst := r.inst
	r.inst = nil
	r.closed = true
	dbs := r.dbs
	r.dbs = map[objKey]*DB{}
	r.mu.Unlock()
	if inst != nil {
		inst.kill("godurable: the Worker was shut down while this event was in flight")
	}
	for _, db := range dbs {
		db.Close()
	}
}

// instance returns the current instance, creating one if needed.
func (r *Runtime) instance() (*Instance, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("godurable: the Worker is closed")
	}
	if r.inst != nil && !r.inst.Dead() {
		return r.inst, nil
	}
	cfg := &Config{
		Call:    r.hostCall,
		Start:   r.startOp,
		Clock:   r.cfg.Clock,
		Stdout:  r.cfg.Stdout,
		Stderr:  r.cfg.Stderr,
		Timeout: r.cfg.Timeout,
		OnCrash: r.instanceDied,
	}
	inst, err := r.cfg.Module.NewInstance(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	r.inst = inst
	r.dropped = nil
	return inst, nil
}

func (r *Runtime) instanceDied(inst *Instance, err error) {
	// Called with inst.mu held; r.mu may be held by a caller waiting on
	// inst, so do the bookkeeping without it.
	go func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.inst == inst {
			r.inst = nil
			r.dropped = nil
		}
	}()
}

// Restart stops the isolate: the instance and every Durable Object are
// discarded (events in flight fail), storage is kept.
func (r *Runtime) Restart() {
	r.mu.Lock()
	inst := r.inst
	r.inst = nil
	r.objects = map[objKey]*object{}
	r.handles = map[uint32]*object{}
	r.dropped = nil
	r.mu.Unlock()
	if inst != nil {
		inst.kill("godurable: the Worker was restarted while this event was in flight")
	}
}

// Crash makes the current instance fail as if the guest had trapped with
// message (a V8 trap message; "unreachable" if empty). It reports whether
// there was an instance to crash.
func (r *Runtime) Crash(message string) bool {
	r.mu.Lock()
	inst := r.inst
	r.mu.Unlock()
	if inst == nil {
		return false
	}
	inst.Crash(message)
	return true
}

// Evict drops the Durable Object of class with id, as workerd does with
// an idle object: its Go value is forgotten and rebuilt on the next event.
// It reports whether the object was live.
func (r *Runtime) Evict(class, id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.objects[objKey{class, id}]
	if !ok {
		return false
	}
	delete(r.objects, objKey{class, id})
	delete(r.handles, o.handle)
	if r.inst != nil {
		r.dropped = append(r.dropped, o.handle)
	}
	return true
}

// Live reports whether the Durable Object of class with id is live.
func (r *Runtime) Live(class, id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.objects[objKey{class, id}]
	return ok
}

// SetStorageFault installs f, which is consulted before every storage
// operation of the guest: a non-nil error fails the operation with it, as
// if workerd's storage had thrown it.
func (r *Runtime) SetStorageFault(f func(StorageOp) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fault = f
}

// DB returns the database of the Durable Object of class with id, creating
// an empty one if the object has none yet.
func (r *Runtime) DB(class, id string) (*DB, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dbLocked(class, id)
}

func (r *Runtime) dbLocked(class, id string) (*DB, error) {
	k := objKey{class, id}
	if db := r.dbs[k]; db != nil {
		return db, nil
	}
	db, err := OpenDB()
	if err != nil {
		return nil, err
	}
	r.dbs[k] = db
	return db, nil
}

// IDs returns the IDs of the objects of class that have storage.
func (r *Runtime) IDs(class string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for k := range r.dbs {
		if k.class == class {
			out = append(out, k.id)
		}
	}
	sort.Strings(out)
	return out
}

// Namespace returns the class of a Durable Object namespace binding.
func (r *Runtime) Namespace(binding string) (string, error) {
	class, ok := r.cfg.Namespaces[binding]
	if !ok {
		return "", NewJSError("TypeError", "godurable: "+binding+" is not a Durable Object namespace binding")
	}
	return class, nil
}

func (r *Runtime) key(class string) []byte { return namespaceKey(r.cfg.Script, class) }

// IDFromName returns the ID of the object called name in class.
func (r *Runtime) IDFromName(class, name string) string { return idFromName(r.key(class), name) }

// NewUniqueID returns a new ID in class.
func (r *Runtime) NewUniqueID(class string) string { return newUniqueID(r.key(class)) }

// IDFromString checks id as workerd's idFromString does.
func (r *Runtime) IDFromString(class, id string) (string, error) {
	s, e := idFromString(r.key(class), id)
	if e != nil {
		return "", &JSError{e}
	}
	return s, nil
}

// Target names a Durable Object.
type Target struct {
	Class, ID string
	Name      string // the name it was reached by, if any
}

// Resolve turns a namespace binding and a name or ID into a Target.
func (r *Runtime) Resolve(t abi.StubTarget) (Target, error) {
	class, err := r.Namespace(t.Binding)
	if err != nil {
		return Target{}, err
	}
	if t.ID != "" {
		id, err := r.IDFromString(class, t.ID)
		if err != nil {
			return Target{}, err
		}
		return Target{Class: class, ID: id}, nil
	}
	return Target{Class: class, ID: r.IDFromName(class, t.Name), Name: t.Name}, nil
}

// enter returns the live object for t, creating it (a new handle) if
// needed, and the dropped handles to send with the next event.
func (r *Runtime) enter(t Target) (*abi.ObjectRef, []uint32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, nil, errors.New("godurable: the Worker is closed")
	}
	k := objKey{t.Class, t.ID}
	o := r.objects[k]
	if o == nil {
		db, err := r.dbLocked(t.Class, t.ID)
		if err != nil {
			return nil, nil, err
		}
		r.nextHandle++
		name := t.Name
		if len(name) > 1024 {
			name = ""
		}
		o = &object{handle: r.nextHandle, class: t.Class, id: t.ID, name: name, db: db}
		r.objects[k] = o
		r.handles[o.handle] = o
	}
	dropped := r.dropped
	r.dropped = nil
	return &abi.ObjectRef{Handle: o.handle, Class: o.class, ID: o.id, Name: o.name}, dropped, nil
}

func (r *Runtime) takeDropped() []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.dropped
	r.dropped = nil
	return d
}

func (r *Runtime) hasClass(class string) bool {
	for _, c := range r.Manifest().Classes {
		if c.Name == class {
			return true
		}
	}
	return false
}

// Fetch sends req to the stateless Worker.
func (r *Runtime) Fetch(ctx context.Context, req *abi.Request) (*abi.Response, error) {
	if !r.Manifest().Worker {
		return &abi.Response{Status: 404, Headers: [][2]string{{"content-type", "text/plain;charset=UTF-8"}},
			Body: []byte("godurable: this module registers no Worker handler (worker.Handle)\n")}, nil
	}
	inst, err := r.instance()
	if err != nil {
		return nil, err
	}
	msg := &abi.Event{Kind: abi.EventWorkerFetch, Request: req, Dropped: r.takeDropped()}
	out, err := inst.Dispatch(ctx, msg, "fetch "+req.Method+" "+req.URL)
	if err != nil {
		return nil, err
	}
	return decodeResponse(out)
}

func decodeResponse(b []byte) (*abi.Response, error) {
	var resp abi.Response
	if err := abi.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("godurable: the guest sent a malformed response: %w", err)
	}
	return &resp, nil
}

// ObjectFetch sends req to the Durable Object t.
func (r *Runtime) ObjectFetch(ctx context.Context, t Target, req *abi.Request) (*abi.Response, error) {
	out, err := r.objectEvent(ctx, t, &abi.Event{Kind: abi.EventObjectFetch, Request: req}, t.Class+".fetch "+req.Method+" "+req.URL)
	if err != nil {
		return nil, err
	}
	return decodeResponse(out)
}

// ObjectCall calls the RPC method (its JavaScript name) of the Durable
// Object t with args, a MessagePack array of JavaScript values, as a
// JavaScript caller over Workers RPC does. The result is one MessagePack
// value as the caller would encode it, or empty for undefined.
func (r *Runtime) ObjectCall(ctx context.Context, t Target, method string, args []byte) ([]byte, error) {
	switch method {
	case "fetch", "connect", "alarm", "webSocketMessage", "webSocketClose", "webSocketError", "dup", "constructor":
		return nil, NewJSError("TypeError", "'"+method+"' is a reserved method and cannot be called over RPC.")
	}
	goName := r.goMethod(t.Class, method)
	if goName == "" {
		return nil, NewJSError("TypeError", "The RPC receiver does not implement the method \""+method+"\".")
	}
	if len(args) == 0 {
		args = []byte{0x90}
	}
	norm, err := jsNormalize(args)
	if err != nil {
		return nil, NewJSError("TypeError", "godurable: the arguments are not JavaScript values: "+err.Error())
	}
	out, err := r.objectEvent(ctx, t, &abi.Event{Kind: abi.EventObjectCall, Method: goName, Args: norm}, t.Class+"."+method+"()")
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	res, err := jsNormalize(out)
	if err != nil {
		return nil, NewJSError("TypeError", "godurable: the result is not a JavaScript value: "+err.Error())
	}
	return res, nil
}

// goMethod returns the Go name of the RPC method jsName of class, or "".
func (r *Runtime) goMethod(class, jsName string) string {
	for _, c := range r.Manifest().Classes {
		if c.Name != class {
			continue
		}
		for _, m := range c.Methods {
			if m.JSName == jsName {
				return m.Name
			}
		}
	}
	return ""
}

func (r *Runtime) objectEvent(ctx context.Context, t Target, msg *abi.Event, what string) ([]byte, error) {
	if !r.hasClass(t.Class) {
		return nil, fmt.Errorf("godurable: the module registers no Durable Object class %q", t.Class)
	}
	inst, err := r.instance()
	if err != nil {
		return nil, err
	}
	ref, dropped, err := r.enter(t)
	if err != nil {
		return nil, err
	}
	msg.Object = ref
	msg.Dropped = dropped
	return inst.Dispatch(ctx, msg, what)
}

// RPCError turns err into the error that a JavaScript caller catches
// over Workers RPC, with the runtime's compatibility behaviour.
func (r *Runtime) RPCError(err error) error { return RPCError(err, r.cfg.Compat) }

// kill fails the events in flight with message and discards the instance.
func (inst *Instance) kill(message string) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.dead {
		return
	}
	inst.dead = true
	inst.deadFlag.Store(true)
	inst.stopTick()
	inst.flushOutput()
	failure := mustMarshal(&abi.Error{Name: "Error", Message: message})
	for _, ev := range inst.events {
		ev.settle(abi.StatusError, failure)
	}
	inst.events = map[int32]*Event{}
	go inst.wasm.Close(context.Background())
}
