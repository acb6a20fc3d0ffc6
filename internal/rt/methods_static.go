//go:build godurable_static

package rt

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
)

var (
	staticMu       sync.Mutex
	staticMethods  = map[reflect.Type][]reflect.Method{}
	staticInvokers = map[reflect.Type]map[string]Invoker{}
)

// StaticBuild reports whether RPC methods come from generated tables.
const StaticBuild = true

// RegisterStaticMethods records the RPC methods of typ, given as method
// expressions by name; wasmbuild generates the call.
func RegisterStaticMethods(typ reflect.Type, fns map[string]any) {
	ms := make([]reflect.Method, 0, len(fns))
	for name, fn := range fns {
		v := reflect.ValueOf(fn)
		if v.Kind() != reflect.Func || v.Type().NumIn() == 0 || v.Type().In(0) != typ {
			panic(fmt.Sprintf("godurable: generated method table: %s is not a method expression of %s", name, typ))
		}
		ms = append(ms, reflect.Method{Name: name, Type: v.Type(), Func: v})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	staticMu.Lock()
	staticMethods[typ] = ms
	staticMu.Unlock()
}

// listMethods returns the methods generated code registered for typ.
func listMethods(typ reflect.Type) []reflect.Method {
	staticMu.Lock()
	defer staticMu.Unlock()
	return staticMethods[typ]
}

// RegisterStaticInvokers records the generated invokers of typ's RPC
// methods, by name; wasmbuild generates the call.
func RegisterStaticInvokers(typ reflect.Type, invokers map[string]Invoker) {
	staticMu.Lock()
	staticInvokers[typ] = invokers
	staticMu.Unlock()
}

// invokerOf returns the generated invoker of typ's method name, or nil.
func invokerOf(typ reflect.Type, name string) Invoker {
	staticMu.Lock()
	defer staticMu.Unlock()
	return staticInvokers[typ][name]
}
