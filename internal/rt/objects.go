package rt

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

// ObjectInfo is what the runtime knows of a Durable Object when it builds
// the Go value for it.
type ObjectInfo struct {
	Class string
	ID    string // hex
	Name  string // empty unless the object was reached by name
}

// Constructor builds the Go value of a Durable Object; ctx belongs to the
// event that needs the object (see ConnFromContext).
type Constructor func(ctx context.Context, info ObjectInfo) (any, error)

type class struct {
	name      string
	typ       reflect.Type
	construct Constructor
	exposure  Exposure

	once    sync.Once
	methods rpcMethods
}

type rpcMethods struct {
	order   []*method // sorted by Go name: the index an EventObjectCall names
	skipped []string  // exported methods that are not RPC methods, and why
	hidden  []string  // RPC methods the class keeps off RPC, and why
}

// rpc returns the class's RPC methods, found on first use: after every
// init function has run, so that a static method table registered by
// generated code, and every feature package's handler interfaces, are in
// place.
func (c *class) rpc() *rpcMethods {
	c.once.Do(func() {
		var methods map[string]*method
		methods, c.methods.skipped, c.methods.hidden = methodsOf(c.typ, c.exposure)
		for _, m := range methods {
			c.methods.order = append(c.methods.order, m)
		}
		sort.Slice(c.methods.order, func(i, j int) bool { return c.methods.order[i].name < c.methods.order[j].name })
	})
	return &c.methods
}

type object struct {
	handle uint32
	info   ObjectInfo
	class  *class   // nil if the module registers no such class
	value  any      // nil until constructed
	onDrop []func() // run when the host drops the object

	// On turnsMu (turn.go, context.go):
	turn turn
	live map[*Event]struct{} // the events in flight, WaitUntil work included
}

var (
	classesMu sync.Mutex
	classes   = map[string]*class{}

	objectsMu sync.Mutex
	objects   = map[uint32]*object{}
)

// RegisterClass registers a Durable Object class whose Go values have type
// typ, exposing the RPC methods exp lets through. It panics, like http.Handle, on a programming error: an empty or
// duplicate name.
func RegisterClass(name string, typ reflect.Type, construct Constructor, exp Exposure) {
	if !validClassName(name) {
		panic(fmt.Sprintf("godurable: class name %q is not a JavaScript identifier (letters, digits, _ and $, not starting with a digit)", name))
	}
	if construct == nil {
		panic("godurable: nil constructor for class " + name)
	}
	classesMu.Lock()
	defer classesMu.Unlock()
	if _, dup := classes[name]; dup {
		panic("godurable: class " + name + " is registered twice")
	}
	classes[name] = &class{name: name, typ: typ, construct: construct, exposure: exp}
}

func validClassName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Manifest describes what is registered.
func Manifest() *abi.Manifest {
	classesMu.Lock()
	defer classesMu.Unlock()
	m := &abi.Manifest{ABI: abi.Version, GoVersion: runtime.Version(), Worker: []string{}}
	for _, ev := range abi.Events() {
		if spec := handlerOf(ev.Kind); ev.Target == abi.TargetWorker && ev.Capability && spec != nil && spec.Registered() {
			m.Worker = append(m.Worker, ev.Name)
		}
	}
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := classes[n]
		ac := describeClass(n, c)
		ac.Capabilities = capabilitiesOf(c.typ)
		m.Classes = append(m.Classes, ac)
	}
	if describeEntrypoints != nil { // set by RegisterEntrypoint (entrypoints.go)
		m.Entrypoints = describeEntrypoints()
	}
	m.Shape = m.ComputeShape()
	return m
}

// describeClass describes the RPC methods of c, a class or an
// entrypoint, exported as name.
func describeClass(name string, c *class) abi.Class {
	rpc := c.rpc()
	ac := abi.Class{Name: name, Capabilities: []string{}, Skipped: rpc.skipped, Hidden: rpc.hidden, GoType: goType(c.typ), Methods: []abi.Method{}}
	for _, meth := range rpc.order {
		ac.Methods = append(ac.Methods, meth.describe())
	}
	return ac
}

// capabilitiesOf lists the object events whose interface typ implements.
func capabilitiesOf(typ reflect.Type) []string {
	out := []string{}
	for _, ev := range abi.Events() {
		if spec := handlerOf(ev.Kind); ev.Target == abi.TargetObject && ev.Capability && spec != nil && typ.Implements(spec.Interface) {
			out = append(out, ev.Name)
		}
	}
	return out
}

// handlerMethods are the Go names of the methods of every capability's
// interface: event handlers, never RPC methods.
func handlerMethods() map[string]bool {
	out := map[string]bool{}
	eventsMu.Lock()
	defer eventsMu.Unlock()
	for _, spec := range handlers {
		if spec.Method != "" {
			out[spec.Method] = true
		}
	}
	return out
}

func manifestBytes() []byte { return mustMarshal(Manifest()) }

// declareObject is the godurable_object export: the host tells which
// Durable Object a handle stands for before its first event.
func declareObject(handle uint32, size int32) int32 {
	payload := make([]byte, size)
	hostcall.Take(payload)
	var ref abi.ObjectRef
	if err := abi.Unmarshal(payload, &ref); err != nil {
		return abi.ResultBadPayload
	}
	classesMu.Lock()
	c := classes[ref.Class]
	classesMu.Unlock()
	objectsMu.Lock()
	defer objectsMu.Unlock()
	objects[handle] = &object{
		handle: handle,
		info:   ObjectInfo{Class: ref.Class, ID: ref.ID, Name: ref.Name},
		class:  c,
	}
	return 0
}

// dropObject is the godurable_drop export: the host no longer holds the
// object, so neither does the guest.
func dropObject(handle uint32) {
	objectsMu.Lock()
	o := objects[handle]
	delete(objects, handle)
	objectsMu.Unlock()
	if o != nil {
		for _, fn := range o.onDrop {
			fn()
		}
	}
}

// ObjectHandle returns the handle of the Durable Object whose storage c
// is, and false if c is not the storage of an object of this guest.
func ObjectHandle(c Conn) (uint32, bool) {
	oc, ok := c.(objectConn)
	return uint32(oc), ok && oc != 0
}

// OnDrop arranges for fn to run when the host drops the Durable Object
// whose storage c is (the object was evicted and its Go value goes with
// it), so that what the object's code opened on its storage can be
// released. fn runs inside the drop export: it must not block. OnDrop
// reports false, and arranges nothing, when c is not the storage of an
// object of this guest (the dotest harness's storage, say).
func OnDrop(c Conn, fn func()) bool {
	h, ok := ObjectHandle(c)
	if !ok {
		return false
	}
	objectsMu.Lock()
	defer objectsMu.Unlock()
	o := objects[h]
	if o == nil {
		return false
	}
	o.onDrop = append(o.onDrop, fn)
	return true
}

// enterObject finds the object an event is for, takes its turn on behalf
// of e, and builds its Go value if it has none yet.
func enterObject(ctx context.Context, e *Event, handle uint32) *abi.Error {
	objectsMu.Lock()
	obj := objects[handle]
	objectsMu.Unlock()
	if obj == nil {
		return &abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: event for object %d, which the host never declared", handle)}
	}
	if obj.class == nil {
		return &abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: no Durable Object class %q is registered in this module; run wasmbuild build again", obj.info.Class)}
	}
	e.obj, e.owner = obj, obj.info.Class
	obj.addLive(e)
	e.acquireTurn()
	if obj.value == nil {
		// Construction keeps the turn through its waits: no other event
		// may find the object half built.
		e.blockConcurrency()
		defer e.unblockConcurrency()
		if err := obj.construct(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (o *object) construct(ctx context.Context) (err *abi.Error) {
	defer func() {
		if v := recover(); v != nil {
			what := "the constructor of " + o.class.name
			err = panicError(what, v)
			fmt.Fprintf(os.Stderr, "godurable: %s\n%s", err.Message, err.Stack)
		}
	}()
	v, cerr := o.class.construct(ctx, o.info)
	if cerr != nil {
		e := ToABI(cerr)
		e.Message = "constructing " + o.class.name + ": " + e.Message
		return e
	}
	if v == nil || reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil() {
		return &abi.Error{Name: "Error", Message: "godurable: the constructor of " + o.class.name + " returned nil"}
	}
	if in, ok := v.(initializer); ok {
		if ierr := BlockConcurrencyWhile(ctx, in.Init); ierr != nil {
			e := ToABI(ierr)
			e.Message = "initializing " + o.class.name + ": " + e.Message
			return e
		}
	}
	o.value = v
	return nil
}

// initializer is durableobject.Initializer: Init runs once the
// constructor has returned, holding the object's turn.
type initializer interface {
	Init(ctx context.Context) error
}

var initializerType = reflect.TypeFor[initializer]()

// goType describes typ for code generation: "*main.Counter", or with the
// package path for types outside package main ("*example.com/rooms.Room").
// It is empty for types generated code cannot name.
func goType(typ reflect.Type) string {
	prefix := ""
	t := typ
	if t.Kind() == reflect.Pointer {
		prefix, t = "*", t.Elem()
	}
	if t.Name() == "" || t.PkgPath() == "" || strings.ContainsAny(t.Name(), "[]") {
		return ""
	}
	return prefix + t.PkgPath() + "." + t.Name()
}
