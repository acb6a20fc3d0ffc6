package workerd

import (
	"fmt"
	"sort"
	"sync"

	"github.com/godurable/godurable/internal/driver"
)

// The model's emulators of bindings: each kind of binding that dotest
// emulates (Workers KV, R2, ...) registers a function that makes the
// JavaScript object of one binding of that kind, from its entry in the
// configuration. A binding's object lives as long as the Isolate, across
// Restart and Crash, as local workerd keeps a binding's data across
// restarts of the isolate.

// BindingConfig is what an emulator makes a binding's object from.
type BindingConfig struct {
	// Name is the binding's name (env.NAME); Kind the configuration's key
	// for its kind ("kv_namespaces"; see EmulatorKind), and Entry its
	// table there.
	Name, Kind string
	Entry      map[string]any
	// Clock is the Worker's clock (expirations, timestamps).
	Clock driver.Clock
	// Dir is a directory of the binding's own, for what it stores on disk;
	// it is removed when the test ends.
	Dir string
}

// An Emulator makes the JavaScript object of a binding.
type Emulator func(c BindingConfig) (*JSObject, error)

var (
	emulatorsMu sync.Mutex
	emulators   = map[string]Emulator{}
)

// RegisterEmulator registers the emulator of the bindings of kind (a key
// of wrangler's configuration: "kv_namespaces"; for an unsafe binding,
// "unsafe.bindings:" and its type, as EmulatorKind names it). It panics if
// kind has one already.
func RegisterEmulator(kind string, e Emulator) {
	emulatorsMu.Lock()
	defer emulatorsMu.Unlock()
	if emulators[kind] != nil {
		panic("godurable: two emulators of " + kind + " bindings")
	}
	emulators[kind] = e
}

// EmulatorKind is the kind whose emulator emulates a binding of the
// configuration's kind with entry: kind itself, or for an unsafe binding
// ("unsafe.bindings"), "unsafe.bindings:" and its type, as wrangler hands
// an unsafe binding of a type it knows ("ratelimit") to the local emulator
// of that type.
func EmulatorKind(kind string, entry map[string]any) string {
	if typ, ok := entry["type"].(string); ok && kind == "unsafe.bindings" {
		return kind + ":" + typ
	}
	return kind
}

// EmulatorOf returns the emulator of the bindings of kind, or nil.
func EmulatorOf(kind string) Emulator {
	emulatorsMu.Lock()
	defer emulatorsMu.Unlock()
	return emulators[kind]
}

// EmulatedKinds returns the kinds of binding the model emulates, sorted:
// Durable Object namespaces, D1 databases and queues' producers, and
// every kind with a registered emulator.
func EmulatedKinds() []string {
	emulatorsMu.Lock()
	defer emulatorsMu.Unlock()
	out := []string{"d1_databases", "durable_objects.bindings", "queues.producers"}
	for k := range emulators {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Emulate makes the object of a binding with the emulator of its kind.
func Emulate(c BindingConfig) (*JSObject, error) {
	e := EmulatorOf(c.Kind)
	if e == nil {
		return nil, fmt.Errorf("godurable: dotest does not emulate %s bindings", c.Kind)
	}
	o, err := e(c)
	if err != nil {
		return nil, fmt.Errorf("godurable: binding %s (%s): %w", c.Name, c.Kind, err)
	}
	return o, nil
}
