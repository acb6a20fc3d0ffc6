package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
)

// TestGeneratedInvokers calls the methods of testdata/shapes, every shape
// of RPC method, with good and bad arguments, in a module built with
// reflection and in the module wasmbuild builds, whose calls go through
// generated invokers: both answer the same bytes and the same errors.
func TestGeneratedInvokers(t *testing.T) {
	if testing.Short() {
		t.Skip("three go builds")
	}
	ctx := context.Background()
	static, err := CompileModule(ctx, ".", "./testdata/shapes", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !static.Static {
		t.Fatalf("not a static build: %s", static.NotStatic)
	}
	out := filepath.Join(t.TempDir(), "reflect.wasm")
	if err := Compile(ctx, ".", "./testdata/shapes", out); err != nil {
		t.Fatal(err)
	}
	reflective, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	call := isolateOf(t, static.Wasm)
	callReflective := isolateOf(t, reflective)

	for _, tc := range []struct {
		method string
		args   []any
	}{
		{"nothing", nil},
		{"count", nil},
		{"nothing", []any{1}},
		{"fails", nil},
		{"maybeFails", []any{true}},
		{"maybeFails", []any{false}},
		{"maybeFails", []any{"yes"}},
		{"add", []any{2, 40}},
		{"add", []any{2.5, 1}},
		{"add", []any{1, "x"}},
		{"add", []any{nil, nil}},
		{"small", []any{-128, 255, 65535, -1 << 31, 1<<32 - 1, 7, 1 << 52}},
		{"small", []any{128, 0, 0, 0, 0, 0, 0}},
		{"small", []any{0, 256, 0, 0, 0, 0, 0}},
		{"small", []any{0, -1, 0, 0, 0, 0, 0}},
		{"small", []any{0, 0, 0, 1 << 31, 0, 0, 0}},
		{"small", []any{0, 0, 0, 0, 0, -1, 0}},
		{"echo", []any{"héllo", true, 2.5, []byte{0, 1}}},
		{"echo", []any{nil, nil, nil, nil}},
		{"echo", []any{1, 1, "x", 1}},
		{"warm", []any{20}},
		{"warm", []any{40000}},
		{"move", []any{map[string]any{"X": 1, "Y": 2, "tag": "a"}, map[string]any{"X": 10}}},
		{"move", []any{map[string]any{"X": "no"}, nil}},
		{"many", []any{map[string]any{"a": []any{1, "b"}}, []any{"x", "y"}, 3.5}},
		{"many", []any{nil, nil, nil}},
		{"unsafe", nil},
		{"panics", nil},
		{"read", []any{"not a stream"}},
	} {
		name := fmt.Sprintf("%s%v", tc.method, tc.args)
		args, err := abi.EncodeValue(tc.args)
		if tc.args == nil {
			args, err = abi.EncodeValue([]any{})
		}
		if err != nil {
			t.Fatal(err)
		}
		got, gerr := call(tc.method, args)
		want, werr := callReflective(tc.method, args)
		if string(got) != string(want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("%s:\ngenerated:  % x, %v\nreflection: % x, %v", name, got, gerr, want, werr)
		}
		t.Logf("%s: %s, %v", name, abi.Describe(got), gerr)
	}
}

// isolateOf returns a function that calls a method of the Shapes object
// of an isolate running wasm.
func isolateOf(t *testing.T, wasm []byte) func(method string, args []byte) ([]byte, error) {
	ctx := context.Background()
	m, err := driver.NewModule(ctx, wasm, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	iso := workerd.NewIsolate(workerd.Config{Module: m, Script: "shapes", Namespaces: map[string]string{"SHAPES": "Shapes"}})
	t.Cleanup(iso.Close)
	target := workerd.Target{Class: "Shapes", ID: iso.IDFromName("Shapes", "one"), Name: "one"}
	return func(method string, args []byte) ([]byte, error) {
		return iso.ObjectCall(ctx, target, method, args)
	}
}
