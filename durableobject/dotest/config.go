package dotest

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/godurable/godurable/internal/crontrigger"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/internal/wrangler"
)

// env is what a Worker gets from its wrangler configuration and Options.
type env struct {
	script     string
	vars       map[string]any
	namespaces map[string]string  // binding -> class
	peers      map[string]*Worker // binding -> the Worker of its script_name
	services   map[string]service // service binding -> the entrypoint of a Worker of Options.Scripts
	d1         []string           // D1 database bindings
	fakes      map[string]*workerd.JSObject
	kvBacked   map[string]bool   // classes no new_sqlite_classes migration creates
	unemulated map[string]string // binding -> its kind in the configuration
	// compat is workerd's behaviour for the configuration's compatibility
	// date and flags; the newest without a configuration.
	compat workerd.Compat
	crons  []*crontrigger.Schedule // the configuration's [triggers] crons

	queues *workerd.Queues // the broker of the configuration's queues, if it has any
}

// environment reads the wrangler configuration (the one wasmbuild reads)
// and applies the options on top.
func environment(o *Options, pkgDir, dataDir string) (*env, error) {
	e := &env{script: "worker", vars: map[string]any{}, namespaces: map[string]string{}, peers: map[string]*Worker{}, services: map[string]service{},
		fakes: map[string]*workerd.JSObject{}, unemulated: map[string]string{}, compat: workerd.CompatFor("", nil)}
	path := o.Config
	if path == "" {
		p, err := wrangler.FindUp(pkgDir)
		if err != nil && !errors.Is(err, wrangler.ErrNoConfig) {
			return nil, err
		}
		path = p
	}
	if path != "" && path != "-" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(pkgDir, path)
		}
		c, err := wrangler.Load(path)
		if err != nil {
			return nil, fmt.Errorf("dotest: %w", err)
		}
		secrets, err := c.DevVars()
		if err != nil {
			return nil, fmt.Errorf("dotest: %w", err)
		}
		e.compat = workerd.CompatFor(c.CompatibilityDate, c.CompatibilityFlags)
		for _, expr := range c.Triggers.Crons {
			sched, err := crontrigger.Parse(expr)
			if err != nil {
				return nil, fmt.Errorf("dotest: %s: %w", path, err)
			}
			e.crons = append(e.crons, sched)
		}
		if c.Name != "" {
			e.script = c.Name
		}
		for k, v := range c.Vars {
			e.vars[k] = v
		}
		for k, v := range secrets {
			e.vars[k] = v
		}
		for _, b := range c.DurableObjects.Bindings {
			if b.Name == "" || b.ClassName == "" {
				return nil, fmt.Errorf("dotest: %s: a Durable Object binding needs a name and a class_name", path)
			}
			if b.ScriptName != "" && b.ScriptName != c.Name {
				peer := o.Scripts[b.ScriptName]
				if peer == nil {
					continue // a class of another Worker, which is not here
				}
				e.peers[b.Name] = peer
			}
			e.namespaces[b.Name] = b.ClassName
		}
		for _, d := range c.D1Databases {
			if d.Binding == "" {
				return nil, fmt.Errorf("dotest: %s: a d1_databases entry needs a binding", path)
			}
			e.d1 = append(e.d1, d.Binding)
		}
		backends := c.Backends()
		for _, b := range c.DurableObjects.Bindings {
			if b.ScriptName == "" || b.ScriptName == c.Name {
				if be := backends[b.ClassName]; be != "sqlite" && be != "transferred" {
					if e.kvBacked == nil {
						e.kvBacked = map[string]bool{}
					}
					e.kvBacked[b.ClassName] = true
				}
			}
		}
		if e.queues, err = queueBroker(c, clockOf(o)); err != nil {
			return nil, fmt.Errorf("dotest: %s: %w", path, err)
		}
		others, err := wrangler.Bindings(path)
		if err != nil {
			return nil, fmt.Errorf("dotest: %w", err)
		}
		for _, b := range others {
			if svc, ok := serviceOf(o, b); ok {
				e.services[b.Name] = svc
				continue
			}
			kind := workerd.EmulatorKind(b.Kind, b.Entry)
			switch {
			case b.Kind == "durable_objects.bindings" || b.Kind == "d1_databases":
			case b.Kind == "queues.producers":
				if _, faked := o.Fakes[b.Name]; !faked {
					queue, _ := b.Entry["queue"].(string)
					e.fakes[b.Name] = e.queues.Producer(queue)
				}
			case workerd.EmulatorOf(kind) != nil:
				if _, faked := o.Fakes[b.Name]; faked {
					continue
				}
				obj, err := workerd.Emulate(workerd.BindingConfig{Name: b.Name, Kind: kind, Entry: b.Entry, Clock: clockOf(o), Dir: filepath.Join(dataDir, b.Name)})
				if err != nil {
					return nil, fmt.Errorf("dotest: %s: %w", path, err)
				}
				e.fakes[b.Name] = obj
			default:
				e.unemulated[b.Name] = b.Kind
			}
		}
	}
	if o.Name != "" {
		e.script = o.Name
	}
	for k, v := range o.Vars {
		e.vars[k] = v
	}
	for k, v := range o.Secrets {
		e.vars[k] = v
	}
	for k, v := range o.Bindings {
		e.namespaces[k] = v
	}
	for _, b := range o.D1 {
		if !slices.Contains(e.d1, b) {
			e.d1 = append(e.d1, b)
		}
	}
	for name, f := range o.Fakes {
		o, ok := f.(*JSObject)
		if !ok {
			o = NewJSObject(fakeClass(e.unemulated[name]), f)
		}
		e.fakes[name] = o
	}
	return e, nil
}

// service is where a service binding leads: an entrypoint of a Worker of
// Options.Scripts, with the binding's props.
type service struct {
	name  string // the service's, as the binding names it
	w     *Worker
	entry workerd.Entry
}

// serviceOf returns where the binding b leads, if it is a service binding
// whose Worker is in Options.Scripts (by its service name) and the test
// does not fake it.
func serviceOf(o *Options, b wrangler.Binding) (service, bool) {
	name, _ := b.Entry["service"].(string)
	peer := o.Scripts[name]
	if _, faked := o.Fakes[b.Name]; b.Kind != "services" || peer == nil || faked {
		return service{}, false
	}
	entry, _ := b.Entry["entrypoint"].(string)
	props, _ := b.Entry["props"].(map[string]any)
	return service{name: name, w: peer, entry: workerd.Entry{Name: entry, Props: props}}, true
}

// fakeClass is the class a fake of a binding of kind gets, as workerd's
// objects of that kind are called ("Fake" for a kind it does not know).
func fakeClass(kind string) string {
	switch kind {
	case "ai":
		return "Ai"
	case "services":
		return "Fetcher"
	case "vectorize":
		return "VectorizeIndexImpl"
	case "analytics_engine_datasets":
		return "AnalyticsEngineDataset"
	case "ratelimits":
		return "Ratelimit"
	}
	return "Fake"
}

// clockOf is the clock of the Worker of o.
func clockOf(o *Options) driver.Clock {
	if o.Clock != nil {
		return o.Clock.c
	}
	return driver.RealClock()
}
