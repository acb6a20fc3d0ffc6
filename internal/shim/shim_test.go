package shim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

func manifest() *Manifest {
	return &Manifest{ABI: abi.Version, GoVersion: "go1.24", Worker: []string{"fetch"}, Classes: []abi.Class{
		{Name: "Counter", Capabilities: []string{"fetch"}, Methods: []abi.Method{
			{Name: "Get", JSName: "get", Result: "int64"},
			{Name: "Increment", JSName: "increment", Params: []string{"int64"}, Result: "int64"},
			{Name: "Peer", JSName: "peer", Result: "*worker.Stub", Stubs: true},
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
	shape, _ := json.Marshal(fmt.Sprintf("abi %d; worker [fetch]", abi.Version) + "\nclass Counter [fetch] Get/get()int64 Increment/increment(int64)int64 Peer/peer()*worker.Stub\nclass Quiet []")
	for _, want := range []string{
		`import module from "./app.wasm";`,
		`import { createRuntime } from "./godurable.mjs";`,
		"export class Counter extends GoDurableObject {",
		`static goClass = "Counter";`,
		"fetch(...args) {\n    return this.__event(\"fetch\", args);",
		"// Increment(int64) int64\n  increment(...args) {\n    return this.__call(1, args);",
		"export class Quiet extends GoDurableObject {",
		"export default worker;",
		`"worker":["fetch"]`,
		`{"name":"Peer","jsName":"peer","stubs":true}`, // a Go caller's result goes through JavaScript
		`"shape":` + string(shape),
	} {
		if !strings.Contains(entry, want) {
			t.Errorf("entry lacks %q:\n%s", want, entry)
		}
	}
	quiet := entry[strings.Index(entry, "export class Quiet"):]
	if strings.Contains(quiet, "fetch(") {
		t.Error("a class without ServeHTTP got a fetch method")
	}
	runtime := string(files[RuntimeFile])
	for _, want := range []string{
		`const ABI = deepFreeze({`, fmt.Sprintf(`"Version":%d`, abi.Version), `"IdleFD":1048576`, `"ImportModule":"godurable"`,
		`const CALL_OPS = deepFreeze({`, `"5":{"name":"kv.list","object":true}`,
		`const ASYNC_OPS = deepFreeze({`, `"3":{"name":"stub.call","object":false}`,
		`const EVENTS = deepFreeze({"object":{"alarm":4,"call":3,"fetch":2,"webSocketClose":6,`, `"worker":{"fetch":1}})`,
		`"WebSocketHeader":"x-godurable-websocket"`,
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

// TestShimImplementsTheTable reads the shim's tables of implementations
// and checks them against internal/abi's table, without Node: every row
// has an implementation, and the shim implements nothing the table lacks.
func TestShimImplementsTheTable(t *testing.T) {
	var calls, asyncs, objectEvents, workerEvents []string
	for _, o := range abi.CallOps() {
		calls = append(calls, o.Name)
	}
	for _, o := range abi.AsyncOps() {
		asyncs = append(asyncs, o.Name)
	}
	for _, e := range abi.Events() {
		if e.Target == abi.TargetObject {
			objectEvents = append(objectEvents, e.Name)
		} else {
			workerEvents = append(workerEvents, e.Name)
		}
	}
	for _, tc := range []struct {
		table string
		want  []string
	}{
		{"SYNC_OPS", calls},
		{"ASYNC_OPS_IMPL", asyncs},
		{"OBJECT_EVENTS", objectEvents},
		{"WORKER_EVENTS", workerEvents},
	} {
		got := shimTableKeys(t, tc.table)
		sort.Strings(got)
		sort.Strings(tc.want)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("runtime.js %s implements [%s]; internal/abi's table has [%s]", tc.table, strings.Join(got, " "), strings.Join(tc.want, " "))
		}
	}
}

var tableKey = regexp.MustCompile(`^  (?:"([^"]+)"|([A-Za-z_$][\w$]*)):`)

// shimTableKeys returns the keys of the object literal `const name = {`
// in runtime.js: the lines indented by two spaces up to the closing `};`.
func shimTableKeys(t *testing.T, name string) []string {
	t.Helper()
	start := strings.Index(runtimeJS, "\nconst "+name+" = {\n")
	if start < 0 {
		t.Fatalf("runtime.js has no table %s", name)
	}
	body := runtimeJS[start+len("\nconst "+name+" = {\n"):]
	body = body[:strings.Index(body, "\n};\n")]
	var keys []string
	for _, line := range strings.Split(body, "\n") {
		if m := tableKey.FindStringSubmatch(line); m != nil {
			keys = append(keys, m[1]+m[2])
		}
	}
	return keys
}

// TestShimUsesOnlyGeneratedConstants: every ABI constant that runtime.js
// names is one that RuntimeModule writes (an undefined one would be
// undefined at run time: an extension of type 0, a call to no export).
func TestShimUsesOnlyGeneratedConstants(t *testing.T) {
	consts := abiConstants()
	for _, m := range regexp.MustCompile(`\bABI\.(\w+)`).FindAllStringSubmatch(runtimeJS, -1) {
		if _, ok := consts[m[1]]; !ok {
			t.Errorf("runtime.js uses ABI.%s, which the shim generator does not write", m[1])
		}
	}
}
