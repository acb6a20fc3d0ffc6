package workerd

import (
	"maps"
	"slices"

	"github.com/godurable/godurable/internal/abi"
)

// The Worker's environment: its variables and the kinds of its bindings,
// as the shim's features/env.js describes them.

func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallEnv: func(iso *Isolate, _ *objectStorage, _ []byte) ([]byte, error) {
			return jsEncode(iso.describeEnv())
		},
	})
}

func (iso *Isolate) describeEnv() any {
	vars := newJSObject()
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Vars)) {
		vars.set(k, toJS(iso.cfg.Vars[k]))
	}
	bindings := newJSObject()
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Namespaces)) {
		bindings.set(k, "DurableObjectNamespace")
	}
	for _, k := range iso.cfg.D1 {
		bindings.set(k, "D1Database")
	}
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Fakes)) {
		bindings.set(k, iso.cfg.Fakes[k].Class)
	}
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Services)) {
		bindings.set(k, "Fetcher")
	}
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Unemulated)) {
		if _, faked := iso.cfg.Fakes[k]; !faked {
			kind := iso.cfg.Unemulated[k]
			if kind == "services" { // a Fetcher whose Worker is not here: its calls fail
				kind = "Fetcher"
			}
			bindings.set(k, kind)
		}
	}
	env := newJSObject()
	env.set("vars", vars)
	env.set("bindings", bindings)
	return env
}
