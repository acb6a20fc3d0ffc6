package abi

import (
	"fmt"
	"strings"
)

// ComputeShape returns what hosts compare of a manifest: the ABI version,
// the Worker's capabilities, and each class's and entrypoint's name,
// capabilities and RPC methods with their parameter and result types, one
// per line. It
// leaves out what may differ between two builds of the same code: the Go
// version, the Go types and the reasons for skipped methods.
//
// The guest reports its own shape in Manifest.Shape; the shim, the wazero
// host and wasmbuild compare it with the shape they were made for, so
// that this function is the one definition of "the same module".
func (m *Manifest) ComputeShape() string {
	var b strings.Builder
	fmt.Fprintf(&b, "abi %d; worker [%s]", m.ABI, strings.Join(m.Worker, " "))
	for _, group := range [...]struct {
		kind    string
		classes []Class
	}{{"class", m.Classes}, {"entrypoint", m.Entrypoints}} {
		for _, c := range group.classes {
			fmt.Fprintf(&b, "\n%s %s [%s]", group.kind, c.Name, strings.Join(c.Capabilities, " "))
			for _, meth := range c.Methods {
				fmt.Fprintf(&b, " %s/%s(%s)%s", meth.Name, meth.JSName, strings.Join(meth.Params, ","), meth.Result)
			}
		}
	}
	return b.String()
}

// CheckShape reports, as an error that shows both, whether the module's
// manifest got describes another module than want.
func CheckShape(got, want *Manifest) error {
	g, w := got.Shape, want.Shape
	if g == "" {
		g = got.ComputeShape()
	}
	if w == "" {
		w = want.ComputeShape()
	}
	if g == w {
		return nil
	}
	return fmt.Errorf("the module registers\n%s\nbut this was made for\n%s", indent(g), indent(w))
}

func indent(s string) string { return "\t" + strings.ReplaceAll(s, "\n", "\n\t") }
