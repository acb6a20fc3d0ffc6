package jsbridge

import (
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

func manifest() *Manifest {
	return &Manifest{ABI: abi.Version, GoVersion: "go1.24", Worker: true, Classes: []abi.Class{
		{Name: "Counter", Fetch: true, Methods: []abi.Method{
			{Name: "Get", JSName: "get", Result: "int64"},
			{Name: "Increment", JSName: "increment", Params: []string{"int64"}, Result: "int64"},
		}},
		{Name: "Quiet"},
	}}
}

func TestGenerate(t *testing.T) {
	files, err := Generate(manifest(), "app.wasm")
	if err != nil {
		t.Fatal(err)
	}
	entry := string(files[EntryFile])
	for _, want := range []string{
		`import module from "./app.wasm";`,
		`import { createRuntime } from "./godurable.mjs";`,
		"export class Counter extends GoDurableObject {",
		`static goClass = "Counter";`,
		"fetch(request) {\n    return this.__fetch(request);",
		"// Increment(int64) int64\n  increment(...args) {\n    return this.__call(\"Increment\", args);",
		"export class Quiet extends GoDurableObject {",
		"export default worker;",
		`"worker":true`,
	} {
		if !strings.Contains(entry, want) {
			t.Errorf("entry lacks %q:\n%s", want, entry)
		}
	}
	quiet := entry[strings.Index(entry, "class Quiet"):]
	if strings.Contains(quiet, "fetch(request)") {
		t.Error("a class without ServeHTTP got a fetch method")
	}
	runtime := string(files[RuntimeFile])
	for _, want := range []string{
		`const ABI = Object.freeze({`, `"Version":1`, `"IdleFD":1048576`, `"ImportModule":"godurable"`,
		`const CALL = Object.freeze(`, `"KVList":5`, `const ASYNC = Object.freeze(`, `"StubCall":3`,
		"export function createRuntime(module, manifest)",
	} {
		if !strings.Contains(runtime, want) {
			t.Errorf("runtime lacks %q", want)
		}
	}
}

func TestGenerateRefuses(t *testing.T) {
	old := manifest()
	old.ABI = abi.Version + 1
	if _, err := Generate(old, "app.wasm"); err == nil || !strings.Contains(err.Error(), "ABI version") {
		t.Errorf("ABI mismatch: %v", err)
	}
	for _, name := range []string{`a"b.wasm`, "dir/app.wasm", "a\nb"} {
		if _, err := Generate(manifest(), name); err == nil {
			t.Errorf("wasm file name %q accepted", name)
		}
	}
}
