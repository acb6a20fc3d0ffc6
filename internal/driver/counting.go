package driver

import (
	"context"
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
	calls    map[string]int
}

// NewCountingModule compiles wasm as NewModule does (without a
// compilation cache), with every function of the guest counted by the
// returned FunctionCounter.
func NewCountingModule(ctx context.Context, wasm []byte) (*Module, *FunctionCounter, error) {
	c := &FunctionCounter{calls: map[string]int{}}
	ctx = experimental.WithFunctionListenerFactory(ctx, c)
	m, err := newModule(ctx, wasm, nil)
	return m, c, err
}

// NewFunctionListener implements experimental.FunctionListenerFactory.
func (c *FunctionCounter) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	name := def.DebugName()
	return experimental.FunctionListenerFunc(func(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
		c.mu.Lock()
		if c.counting {
			c.calls[name]++
		}
		c.mu.Unlock()
	})
}

// Start forgets what was counted and starts counting.
func (c *FunctionCounter) Start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = map[string]int{}
	c.counting = true
}

// Stop stops counting and returns the functions called since Start, with
// the number of calls of each, sorted by name.
func (c *FunctionCounter) Stop() []FunctionCalls {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counting = false
	out := make([]FunctionCalls, 0, len(c.calls))
	for name, n := range c.calls {
		out = append(out, FunctionCalls{Name: name, Calls: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FunctionCalls is one function and how many times it was called.
type FunctionCalls struct {
	Name  string
	Calls int
}
