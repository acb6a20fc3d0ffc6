//go:build !godurable_static

package rt

import "reflect"

// listMethods returns the exported methods of typ. Enumerating methods by
// reflection makes the linker keep every exported method of every type in
// the program; wasmbuild avoids it by building a second time with the
// godurable_static tag and a generated method table (methods_static.go).
func listMethods(typ reflect.Type) []reflect.Method {
	out := make([]reflect.Method, typ.NumMethod())
	for i := range out {
		out[i] = typ.Method(i)
	}
	return out
}

// StaticBuild reports whether RPC methods come from generated tables.
const StaticBuild = false

// RegisterStaticMethods is a no-op outside static builds.
func RegisterStaticMethods(typ reflect.Type, fns map[string]any) {}

// RegisterStaticInvokers is a no-op outside static builds.
func RegisterStaticInvokers(typ reflect.Type, invokers map[string]Invoker) {}

// invokerOf returns nil: without generated code, methods are called by
// reflection.
func invokerOf(typ reflect.Type, name string) Invoker { return nil }
