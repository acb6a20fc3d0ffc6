package abi

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	names := map[string]bool{}
	for _, e := range Events() {
		key := e.Target.String() + "." + e.Name
		if names[key] {
			t.Errorf("event %s is in the table twice", key)
		}
		names[key] = true
		if got, ok := e.Kind.Info(); !ok || got.Name != e.Name {
			t.Errorf("%v.Info() = %+v, %v", e.Kind, got, ok)
		}
		if e.Kind.String() != key {
			t.Errorf("%d.String() = %q, want %q", e.Kind, e.Kind.String(), key)
		}
		if e.Capability && e.Target == TargetObject && IsReservedRPCName(e.Name) == false {
			t.Errorf("the handler %s of a capability must be a name workerd reserves, so that no RPC method can take it", e.Name)
		}
	}
	for _, table := range [][]OpInfo{CallOps(), AsyncOps()} {
		seen := map[string]bool{}
		codes := map[int32]bool{}
		for _, o := range table {
			if seen[o.Name] || codes[o.Code] {
				t.Errorf("operation %s (%d) is in the table twice", o.Name, o.Code)
			}
			seen[o.Name], codes[o.Code] = true, true
			if o.Fault != "" && !o.Object {
				t.Errorf("%s: only operations on an object's storage can fail by injection", o.Name)
			}
			if o.Doc == "" {
				t.Errorf("%s has no Doc", o.Name)
			}
		}
	}
	if CallKVGet.String() != "kv.get" || AsyncStubCall.String() != "stub.call" || CallOp(999).String() != "call 999" {
		t.Errorf("String: %s %s %s", CallKVGet, AsyncStubCall, CallOp(999))
	}
}

func TestShape(t *testing.T) {
	a := &Manifest{ABI: Version, Worker: []string{"fetch"}, Classes: []Class{{Name: "C", Capabilities: []string{"fetch"},
		Methods: []Method{{Name: "M", JSName: "m", Params: []string{"int64"}}}}}}
	b := &Manifest{ABI: Version, GoVersion: "other", Worker: []string{"fetch"}, Classes: []Class{{Name: "C", Capabilities: []string{"fetch"},
		Skipped: []string{"X: why"}, GoType: "*main.C", Methods: []Method{{Name: "M", JSName: "m", Params: []string{"int64"}}}}}}
	if err := CheckShape(a, b); err != nil {
		t.Errorf("the Go version, Go types and skipped methods should not matter: %v", err)
	}
	for _, change := range []func(m *Manifest){
		func(m *Manifest) { m.Classes[0].Methods[0].Params = []string{"string"} },
		func(m *Manifest) { m.Classes[0].Methods = nil },
		func(m *Manifest) { m.Classes[0].Capabilities = nil },
		func(m *Manifest) { m.Worker = nil },
		func(m *Manifest) { m.Classes[0].Name = "D" },
	} {
		c := *b
		c.Classes = []Class{b.Classes[0]}
		c.Classes[0].Methods = append([]Method(nil), b.Classes[0].Methods...)
		change(&c)
		err := CheckShape(&c, a)
		if err == nil || !strings.Contains(err.Error(), "but this was made for") {
			t.Errorf("a changed manifest compares equal: %+v: %v", c, err)
		}
	}
}
