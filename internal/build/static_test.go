package build

import (
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

func TestStaticTable(t *testing.T) {
	m := &abi.Manifest{Classes: []abi.Class{
		{Name: "Counter", GoType: "*main.Counter", Methods: []abi.Method{{Name: "Get", Result: "int"}, {Name: "Increment", Context: true, Params: []string{"int"}, Result: "int", Error: true}}},
		{Name: "Room", GoType: "example.com/chat.Room", Methods: []abi.Method{{Name: "Join"}}},
		{Name: "Lobby", GoType: "example.com/chat.Room", Methods: []abi.Method{{Name: "Join"}}},
	}}
	src, err := staticTable(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"//go:build godurable_static",
		"package main",
		`godurable_p0 "example.com/chat"`,
		"godurable_generated.RPCMethods[*Counter](map[string]any{",
		`"Increment": (*Counter).Increment,`,
		"godurable_generated.RPCMethods[godurable_p0.Room](map[string]any{",
		`"Join": godurable_p0.Room.Join,`,
		"godurable_generated.RPCInvokers[*Counter](map[string]godurable_generated.Invoker{",
		`"Increment": godurable_invoke_ctx_1_r_e((*Counter).Increment),`,
		`"Join": godurable_invoke_0(godurable_p0.Room.Join),`,
		"func godurable_invoke_ctx_1_r_e[T, A0, R any](f func(T, context.Context, A0) (R, error)) godurable_generated.Invoker {",
		"a0, ok := godurable_generated.Arg[A0](c, 0)",
		"r, err := f(c.Recv.(T), c.Ctx, a0)",
		"func godurable_invoke_0_r[T, R any](f func(T) R) godurable_generated.Invoker {",
		"godurable_generated.Return(c, f(c.Recv.(T)), nil)",
		"f(c.Recv.(T))\n\t\tgodurable_generated.Done(c)",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}
	if strings.Count(string(src), "RPCMethods[godurable_p0.Room]") != 1 {
		t.Errorf("a type registered under two class names gets two tables:\n%s", src)
	}

	for _, bad := range []abi.Class{
		{Name: "Anon", GoType: ""},
		{Name: "Hidden", GoType: "*example.com/chat.room"},
	} {
		if _, err := staticTable(&abi.Manifest{Classes: []abi.Class{bad}}); err == nil {
			t.Errorf("class %s: no error", bad.Name)
		}
	}
}
