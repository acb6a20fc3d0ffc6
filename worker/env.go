package worker

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
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

// Binding checks that the environment has a binding called name whose
// JavaScript class is one of classes (any class when none is given), as
// every binding package does before it reaches one: its error wraps
// ErrNoBinding and says what the configuration declares instead, and, for
// a missing binding, under which section of wrangler.toml (section, such
// as "[[kv_namespaces]]") such a binding is declared.
func (e *Env) Binding(name, section string, classes ...string) error {
	kind, ok := e.bindings[name]
	if !ok {
		where := ""
		if section != "" {
			where = " under " + section
		}
		if _, isVar := e.vars[name]; isVar {
			return fmt.Errorf("%w %q: it is a variable ([vars] or a secret); declare the binding%s in wrangler.toml", ErrNoBinding, name, where)
		}
		return fmt.Errorf("%w %q: declare it%s in wrangler.toml (bindings: %v)", ErrNoBinding, name, where, e.Bindings())
	}
	if len(classes) == 0 || slices.Contains(classes, kind) {
		return nil
	}
	return fmt.Errorf("%w %q of the right kind: it is a %s, not a %s", ErrNoBinding, name, kind, strings.Join(classes, " or "))
}
