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

// TestCodes: every operation's code is unique among its kind and inside
// its feature's block (or the first block), and the blocks do not overlap.
func TestCodes(t *testing.T) {
	blocks := []codeRange{blockWS, blockWSMore, blockBodies, blockSockets, blockIDs, blockD1, blockJS, blockSvc}
	for i, b := range blocks {
		if b.From > b.To || b.From <= firstCalls.To || b.From <= firstAsyncs.To {
			t.Errorf("block %v is empty or overlaps the first block", b)
		}
		for _, c := range blocks[i+1:] {
			if b.has(c.From) || c.has(b.From) {
				t.Errorf("blocks %v and %v overlap", b, c)
			}
		}
	}
	seen := map[codeRange]string{}
	for _, f := range features {
		if f.codes != (codeRange{}) {
			if other, ok := seen[f.codes]; ok {
				t.Errorf("features %s and %s share the block %v", other, f.name, f.codes)
			}
			seen[f.codes] = f.name
		}
		for _, k := range []struct {
			rows  []OpInfo
			first codeRange
		}{{f.calls, firstCalls}, {f.asyncs, firstAsyncs}} {
			for _, o := range k.rows {
				if !k.first.has(o.Code) && !f.codes.has(o.Code) {
					t.Errorf("%s (%d) is outside the blocks of %s: %v and the first block %v", o.Name, o.Code, f.name, f.codes, k.first)
				}
			}
		}
	}
	for _, table := range [][]OpInfo{CallOps(), AsyncOps()} {
		for i := 1; i < len(table); i++ {
			if table[i].Code <= table[i-1].Code {
				t.Errorf("the table is not ordered by code, or %d is in it twice: %s after %s", table[i].Code, table[i].Name, table[i-1].Name)
			}
		}
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
