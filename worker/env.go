package worker

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Env is the Worker's environment as declared in wrangler.toml: text and
// JSON variables ([vars]), secrets, and bindings.
type Env struct {
	vars     map[string]any
	bindings map[string]string
}

var (
	envOnce sync.Once
	env     *Env
	envErr  error
)

// GetEnv returns the Worker's environment. It is read from the host once
// and is the same value a Durable Object's constructor receives. Outside a
// Worker (a plain test on the host) it returns an empty Env and rt.ErrNoHost.
func GetEnv() (*Env, error) {
	envOnce.Do(func() {
		var m abi.Env
		m, envErr = rt.Do(rt.NoObject, abi.OpEnv, nil)
		env = &Env{vars: m.Vars, bindings: m.Bindings}
		if envErr != nil {
			envErr = fmt.Errorf("worker: reading the environment: %w", envErr)
		}
	})
	return env, envErr
}

// Var returns the text variable or secret called name, or "" if there is
// none.
func (e *Env) Var(name string) string {
	s, _ := e.LookupVar(name)
	return s
}

// LookupVar returns the text variable or secret called name and whether it
// exists.
func (e *Env) LookupVar(name string) (string, bool) {
	s, ok := e.vars[name].(string)
	return s, ok
}

// DecodeVar decodes the JSON variable called name (a table or array in
// [vars]) into v, as encoding/json would.
func (e *Env) DecodeVar(name string, v any) error {
	raw, ok := e.vars[name]
	if !ok {
		return fmt.Errorf("worker: no variable %q in the environment", name)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("worker: variable %q: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("worker: variable %q: %w", name, err)
	}
	return nil
}

// Vars returns the names of all variables and secrets, sorted.
func (e *Env) Vars() []string { return slices.Sorted(maps.Keys(e.vars)) }

// Bindings returns the names of the other bindings (Durable Object
// namespaces, ...), sorted.
func (e *Env) Bindings() []string { return slices.Sorted(maps.Keys(e.bindings)) }

// BindingKind returns the JavaScript class of the binding called name, such
// as "DurableObjectNamespace", or "" if there is no such binding.
func (e *Env) BindingKind(name string) string { return e.bindings[name] }
