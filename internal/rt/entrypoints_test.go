package rt

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

type api struct{}

func (api) Hello(name string) string { return "hello, " + name }
func (api) String() string           { return "api" }

func TestEntrypoints(t *testing.T) {
	RegisterEntrypoint("", reflect.TypeFor[api](), api{}, Exposure{})
	RegisterEntrypoint("RtTestAdmin", reflect.TypeFor[sample](), sample{}, Exposure{Hide: []string{"Pair"}})
	RegisterClass("RtTestClash", reflect.TypeFor[sample](), func(context.Context, ObjectInfo) (any, error) { return sample{}, nil }, Exposure{})
	for _, name := range []string{"default", "1abc", "has space", "RtTestAdmin", "RtTestClash"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterEntrypoint(%q) did not panic", name)
				}
			}()
			RegisterEntrypoint(name, reflect.TypeFor[api](), api{}, Exposure{})
		}()
	}
	m := Manifest()
	if len(m.Entrypoints) != 2 {
		t.Fatalf("entrypoints = %+v", m.Entrypoints)
	}
	def, admin := m.Entrypoints[0], m.Entrypoints[1]
	if def.Name != "" || len(def.Capabilities) != 0 || len(def.Methods) != 1 || def.Methods[0].JSName != "hello" ||
		!slices.Contains(def.Hidden, "String: a method of fmt.Stringer: not exposed unless worker.Expose lists it") {
		t.Errorf("the default entrypoint = %+v", def)
	}
	if admin.Name != "RtTestAdmin" || !reflect.DeepEqual(admin.Capabilities, []string{"fetch"}) || admin.GoType != "github.com/godurable/godurable/internal/rt.sample" ||
		!slices.Contains(admin.Hidden, "Pair: kept off RPC by worker.Hide") {
		t.Errorf("the entrypoint Admin = %+v", admin)
	}
	if i, meth := abi.SplitEntrypointArg(abi.EntrypointArg(1, 3)); i != 1 || meth != 3 {
		t.Errorf("SplitEntrypointArg(EntrypointArg(1, 3)) = %d, %d", i, meth)
	}
}
