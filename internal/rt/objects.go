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
)

// ObjectInfo is what the runtime knows of a Durable Object when it builds
// the Go value for it.
type ObjectInfo struct {
	Handle uint32 // the host's name for the object, for host calls
	Class  string
	ID     string // hex
	Name   string // empty unless the object was reached by name
}

// NewStorage builds the storage of an object; the storage package sets it.
var NewStorage func(object uint32) any

// Constructor builds the Go value of a Durable Object.
type Constructor func(ObjectInfo) (any, error)

type class struct {
	name      string
	typ       reflect.Type
	construct Constructor

	once    sync.Once
	methods rpcMethods
}

type rpcMethods struct {
	methods map[string]*method // by Go name
	order   []*method          // sorted by Go name
	skipped []string           // exported methods that are not RPC methods, and why
}

// rpc returns the class's RPC methods, found on first use: after every
// init function has run, so that a static method table registered by
// generated code is in place.
func (c *class) rpc() *rpcMethods {
	c.once.Do(func() {
		c.methods.methods, c.methods.skipped = methodsOf(c.typ)
		for _, m := range c.methods.methods {
			c.methods.order = append(c.methods.order, m)
		}
		sort.Slice(c.methods.order, func(i, j int) bool { return c.methods.order[i].name < c.methods.order[j].name })
	})
	return &c.methods
}

type object struct {
	info  ObjectInfo
	class *class
	turn  chan struct{} // holds a token while an event of the object runs
	value any           // nil until constructed
}

var (
	classesMu     sync.Mutex
	classes       = map[string]*class{}
	workerHandler any // an http.Handler; any to keep this file free of net/http

	objectsMu sync.Mutex
	objects   = map[uint32]*object{}
)

// RegisterClass registers a Durable Object class whose Go values have type
// typ. It panics, like http.Handle, on a programming error: an empty or
// duplicate name.
func RegisterClass(name string, typ reflect.Type, construct Constructor) {
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
	classes[name] = &class{name: name, typ: typ, construct: construct}
}

// SetWorkerHandler registers the stateless Worker's handler, an
// http.Handler. It panics if one is already registered.
func SetWorkerHandler(h any) {
	classesMu.Lock()
	defer classesMu.Unlock()
	if workerHandler != nil {
		panic("godurable: worker.Handle called twice")
	}
	workerHandler = h
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
	m := &abi.Manifest{ABI: abi.Version, GoVersion: runtime.Version(), Worker: workerHandler != nil}
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := classes[n]
		rpc := c.rpc()
		ac := abi.Class{Name: n, Fetch: c.typ.Implements(httpHandlerType), Skipped: rpc.skipped, GoType: goType(c.typ)}
		for _, meth := range rpc.order {
			ac.Methods = append(ac.Methods, meth.describe())
		}
		m.Classes = append(m.Classes, ac)
	}
	return m
}

func manifestBytes() []byte { return mustMarshal(Manifest()) }

// enterObject finds or creates the object an event is for, takes its turn
// on behalf of ev, and builds its Go value if it has none yet.
func enterObject(ctx context.Context, ev *event, ref *abi.ObjectRef) (*object, *abi.Error) {
	objectsMu.Lock()
	obj := objects[ref.Handle]
	if obj == nil {
		classesMu.Lock()
		c := classes[ref.Class]
		classesMu.Unlock()
		if c == nil {
			objectsMu.Unlock()
			return nil, &abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: no Durable Object class %q is registered in this module; run wasmbuild build again", ref.Class)}
		}
		obj = &object{
			info:  ObjectInfo{Handle: ref.Handle, Class: ref.Class, ID: ref.ID, Name: ref.Name},
			class: c,
			turn:  make(chan struct{}, 1),
		}
		objects[ref.Handle] = obj
	}
	objectsMu.Unlock()

	ev.obj = obj
	ev.acquireTurn()
	if obj.value == nil {
		if err := obj.construct(); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

func (o *object) construct() (err *abi.Error) {
	defer func() {
		if v := recover(); v != nil {
			what := "the constructor of " + o.class.name
			err = panicError(what, v)
			fmt.Fprintf(os.Stderr, "godurable: %s\n%s", err.Message, err.Stack)
		}
	}()
	v, cerr := o.class.construct(o.info)
	if cerr != nil {
		e := ToABI(cerr)
		e.Message = "constructing " + o.class.name + ": " + e.Message
		return e
	}
	if v == nil || reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil() {
		return &abi.Error{Name: "Error", Message: "godurable: the constructor of " + o.class.name + " returned nil"}
	}
	o.value = v
	return nil
}

func dropObjects(handles []uint32) {
	objectsMu.Lock()
	defer objectsMu.Unlock()
	for _, h := range handles {
		delete(objects, h)
	}
}

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
