package driver

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// A FunctionCounter counts the calls of the guest's own functions while it
// is counting: how many distinct functions an event runs is what it costs
// in code the engine must have compiled and cached (bench/PROFILE.md), and
// a count, unlike a time, is the same on every run.
type FunctionCounter struct {
	mu       sync.Mutex
	counting bool
	calls    map[string]*FunctionCalls
	sizes    []int           // the size of each function's body, by index
	skip     map[string]bool // functions whose calls are not counted, nor those they make
	skipping int             // how many of them are running
}

// NewCountingModule compiles wasm as NewModule does (without a
// compilation cache), with every function of the guest counted by the
// returned FunctionCounter.
func NewCountingModule(ctx context.Context, wasm []byte) (*Module, *FunctionCounter, error) {
	sizes, err := functionSizes(wasm)
	if err != nil {
		return nil, nil, err
	}
	c := &FunctionCounter{calls: map[string]*FunctionCalls{}, sizes: sizes, skip: map[string]bool{}}
	ctx = experimental.WithFunctionListenerFactory(ctx, c)
	m, err := newModule(ctx, wasm, nil)
	return m, c, err
}

// NewFunctionListener implements experimental.FunctionListenerFactory.
func (c *FunctionCounter) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	size := 0
	if i := int(def.Index()); i < len(c.sizes) {
		size = c.sizes[i]
	}
	return &functionListener{c: c, name: def.DebugName(), size: size}
}

// Skip makes the counter ignore the calls of the functions named (as
// FunctionCalls names them) and every call they make: an export that
// the shim does not call, for example.
func (c *FunctionCounter) Skip(names ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range names {
		c.skip[n] = true
	}
}

type functionListener struct {
	c    *FunctionCounter
	name string
	size int
}

func (l *functionListener) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	c := l.c
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.skip[l.name]:
		c.skipping++
	case c.counting && c.skipping == 0:
		f := c.calls[l.name]
		if f == nil {
			f = &FunctionCalls{Name: l.name, Size: l.size, First: len(c.calls)}
			c.calls[l.name] = f
		}
		f.Calls++
	}
}

func (l *functionListener) After(context.Context, api.Module, api.FunctionDefinition, []uint64) {
	l.done()
}

func (l *functionListener) Abort(context.Context, api.Module, api.FunctionDefinition, error) {
	l.done()
}

func (l *functionListener) done() {
	c := l.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.skip[l.name] {
		c.skipping--
	}
}

// Start forgets what was counted and starts counting.
func (c *FunctionCounter) Start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = map[string]*FunctionCalls{}
	c.counting = true
}

// Stop stops counting and returns the functions called since Start, with
// the number of calls of each, sorted by name.
func (c *FunctionCounter) Stop() []FunctionCalls {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counting = false
	out := make([]FunctionCalls, 0, len(c.calls))
	for _, f := range c.calls {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FunctionCalls is one function and how many times it was called.
type FunctionCalls struct {
	Name  string
	Calls int
	// Size is the size of the function's body in the module, in bytes:
	// what the engine compiles when it is first called.
	Size int
	// First is the order of its first call among the functions counted
	// (0 for the first function called since Start).
	First int
}

// functionSizes returns the size of the body of every function of the
// module, by function index (imported functions, which come first, have
// none).
func functionSizes(wasm []byte) ([]int, error) {
	fns, err := Functions(wasm)
	sizes := make([]int, len(fns))
	for i, f := range fns {
		sizes[i] = len(f.Body)
	}
	return sizes, err
}

// A Function is a function of a module: its name in the module's name
// section ("" without one) and its body (nil for an imported function).
type Function struct {
	Name string
	Body []byte
}

// Functions returns the functions of wasm by index: the imported ones
// first, as wasm numbers them, then those it defines.
func Functions(wasm []byte) ([]Function, error) {
	var fns []Function
	names := map[uint64]string{}
	err := EachSection(wasm, func(id byte, body []byte) error {
		r := &reader{b: body}
		switch id {
		case 0: // custom: the name section's function names
			if string(r.bytes(int(r.uvarint()))) == "name" {
				readFunctionNames(r, names)
			}
			return nil // a malformed custom section is no error
		case 2: // imports: count the imported functions
			for n := r.uvarint(); n > 0 && r.err == nil; n-- {
				r.skip(int(r.uvarint())) // module
				r.skip(int(r.uvarint())) // name
				switch kind := r.byte(); kind {
				case 0: // function: its type
					r.uvarint()
					fns = append(fns, Function{})
				case 1: // table: reference type, limits
					r.byte()
					r.limits()
				case 2: // memory: limits
					r.limits()
				case 3: // global: value type, mutability
					r.skip(2)
				default:
					return fmt.Errorf("import of kind %d", kind)
				}
			}
		case 10: // code: one sized body per defined function
			for n := r.uvarint(); n > 0 && r.err == nil; n-- {
				fns = append(fns, Function{Body: r.bytes(int(r.uvarint()))})
			}
		}
		return r.err
	})
	for i := range fns {
		fns[i].Name = names[uint64(i)]
	}
	return fns, err
}

// readFunctionNames reads the function names (subsection 1) of a name
// section into names, by function index.
func readFunctionNames(r *reader, names map[uint64]string) {
	for len(r.b) > 0 && r.err == nil {
		id := r.byte()
		sub := &reader{b: r.bytes(int(r.uvarint()))}
		if id != 1 {
			continue
		}
		for n := sub.uvarint(); n > 0 && sub.err == nil; n-- {
			idx := sub.uvarint()
			names[idx] = string(sub.bytes(int(sub.uvarint())))
		}
	}
}

// reader reads a section's LEB128 integers and bytes; past the end it
// keeps an error and reads zeros.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("it ends early")

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errShort, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) skip(n int) { r.bytes(n) }

// bytes returns the next n bytes (nil past the end).
func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.err, r.b = errShort, nil
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) limits() {
	if r.byte()&1 != 0 { // a maximum follows the minimum
		r.uvarint()
	}
	r.uvarint()
}
