package shim

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
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
		`const EVENTS = deepFreeze({"object":{"alarm":4,"call":3,"fetch":2,"webSocketClose":6,`, `"worker":{"call":9,"fetch":1,"queue":10,"scheduled":8}`,
		`"WebSocketHeader":"x-godurable-websocket"`,
		"export function createRuntime(module, manifest)",
	} {
		if !strings.Contains(runtime, want) {
			t.Errorf("runtime lacks %q", want)
		}
	}
}

// TestGenerateEntrypoints: each entrypoint is a WorkerEntrypoint class,
// the default export's too, with the Worker's handlers.
func TestGenerateEntrypoints(t *testing.T) {
	m := manifest()
	m.Entrypoints = []abi.Class{
		{Name: "", Methods: []abi.Method{{Name: "Hello", JSName: "hello", Params: []string{"string"}, Result: "string"}}},
		{Name: "Admin", Capabilities: []string{"fetch"}, Methods: []abi.Method{{Name: "Stats", JSName: "stats", Result: "int"}}},
		{Name: "Quiet2"},
	}
	files, err := Generate(m, "app.wasm")
	if err != nil {
		t.Fatal(err)
	}
	entry := string(files[EntryFile])
	for _, want := range []string{
		"const { GoDurableObject, GoWorkerEntrypoint, worker } = createRuntime(module, manifest);",
		"export default class extends GoWorkerEntrypoint {\n  static goEntrypoint = 0;\n\n  fetch(...args) {\n    return this.__event(\"fetch\", args);",
		"hello(...args) {\n    return this.__call(0, args);",
		"export class Admin extends GoWorkerEntrypoint {\n  static goEntrypoint = 1;\n\n  fetch(...args) {",
		"stats(...args) {\n    return this.__call(0, args);",
		`"entrypoints":[{"name":"","capabilities":[],"methods":[{"name":"Hello","jsName":"hello"}]}`,
		"entrypoint Admin [fetch] Stats/stats()int",
	} {
		if !strings.Contains(entry, want) {
			t.Errorf("entry lacks %q:\n%s", want, entry)
		}
	}
	if strings.Contains(entry, "export default worker") {
		t.Error("a default entrypoint and the default object both exported")
	}
	quiet := entry[strings.Index(entry, "export class Quiet2"):]
	if strings.Contains(quiet, "fetch(") {
		t.Error("a named entrypoint without ServeHTTP got a fetch method")
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
			t.Errorf("the shim's %s implements [%s]; internal/abi's table has [%s]", tc.table, strings.Join(got, " "), strings.Join(tc.want, " "))
		}
	}
}

var (
	tableKey   = regexp.MustCompile(`^  (?:"([^"]+)"|([A-Za-z_$][\w$]*)):`)
	tableUse   = regexp.MustCompile(`\b(SYNC_OPS|ASYNC_OPS_IMPL|OBJECT_EVENTS|WORKER_EVENTS)\b`)
	tableForms = []*regexp.Regexp{
		regexp.MustCompile(`^const (\w+) = \{\};$`),                               // tables.js declares it
		regexp.MustCompile(`^define\((\w+), \{$`),                                 // a file adds rows
		regexp.MustCompile(`^const \w+ = implement\w+\(.*\b(\w+), "[a-z ]+"\);$`), // runtime.js pairs them
		regexp.MustCompile(`^  \w+: (\w+)\.\w+,$`),                                // a row that is another's
		regexp.MustCompile(`^//`),                                                 // a comment
	}
)

// shimTableKeys returns the keys of the rows that the runtime's files add
// to the table name: those of every `define(name, {` block, the lines
// indented by two spaces up to its closing `});`.
func shimTableKeys(t *testing.T, name string) []string {
	t.Helper()
	var keys []string
	for _, f := range runtimeFiles() {
		in := false
		for _, line := range strings.Split(runtimeFile(t, f), "\n") {
			switch {
			case line == "define("+name+", {":
				in = true
			case in && line == "});":
				in = false
			case in:
				if m := tableKey.FindStringSubmatch(line); m != nil {
					keys = append(keys, m[1]+m[2])
				}
			}
		}
		if in {
			t.Fatalf("%s: a define(%s, {...}) without its closing line", f, name)
		}
	}
	return keys
}

// TestShimTablesAreFilledOneWay: the runtime's files name a table of
// implementations only to declare it, add rows to it with define, or pair
// it with its generated table, so that shimTableKeys sees every row.
func TestShimTablesAreFilledOneWay(t *testing.T) {
	for _, f := range runtimeFiles() {
		for n, line := range strings.Split(runtimeFile(t, f), "\n") {
			if !tableUse.MatchString(line) {
				continue
			}
			ok := false
			for _, form := range tableForms {
				if form.MatchString(line) {
					ok = true
					break
				}
			}
			if !ok {
				t.Errorf("%s:%d: a table of implementations used otherwise than by define: %s", f, n+1, line)
			}
		}
	}
}

func runtimeFile(t *testing.T, name string) string {
	t.Helper()
	b, err := js.ReadFile(path.Join("js", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRuntimeFiles: every file of js is joined once; only module.js
// imports, and the generated module imports only what workerd and the
// bundle provide.
func TestRuntimeFiles(t *testing.T) {
	joined := map[string]int{}
	for _, f := range runtimeFiles() {
		joined[f]++
	}
	err := fs.WalkDir(js, "js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimPrefix(p, "js/")
		if joined[name] != 1 {
			t.Errorf("%s is joined %d times", name, joined[name])
		}
		delete(joined, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range joined {
		t.Errorf("%s is joined but does not exist", f)
	}
	importLine := regexp.MustCompile(`(?m)^import .* from "([^"]+)";$`)
	for _, f := range runtimeFiles() {
		if f != "module.js" && importLine.MatchString(runtimeFile(t, f)) {
			t.Errorf("%s imports: only module.js may", f)
		}
	}
	var from []string
	for _, m := range importLine.FindAllStringSubmatch(string(RuntimeModule()), -1) {
		from = append(from, m[1])
	}
	if strings.Join(from, " ") != "cloudflare:workers cloudflare:sockets @msgpack/msgpack" {
		t.Errorf("the runtime imports from %q", from)
	}
	if n := strings.Count(string(RuntimeModule()), "\nexport "); n != 1 {
		t.Errorf("the runtime has %d exports, want 1 (createRuntime)", n)
	}
}

// TestRuntimeDeclaresEachNameOnce: the files share one module scope, where
// a name declared twice is a SyntaxError that only workerd would report.
func TestRuntimeDeclaresEachNameOnce(t *testing.T) {
	decl := regexp.MustCompile(`(?m)^(?:export )?(?:async )?(?:const|let|var|function\*?|class) ([A-Za-z_$][\w$]*)`)
	where := map[string]string{}
	for _, f := range runtimeFiles() {
		for _, m := range decl.FindAllStringSubmatch(runtimeFile(t, f), -1) {
			if prev, ok := where[m[1]]; ok {
				t.Errorf("%s is declared in %s and in %s", m[1], prev, f)
			}
			where[m[1]] = f
		}
	}
	generated := regexp.MustCompile(`(?m)^const (\w+) = deepFreeze\(`)
	for _, m := range generated.FindAllStringSubmatch(string(RuntimeModule()), -1) {
		if f, ok := where[m[1]]; ok {
			t.Errorf("%s declares %s, which the generator declares", f, m[1])
		}
	}
}

// TestShimUsesOnlyGeneratedConstants: every ABI constant that the runtime
// names is one that RuntimeModule writes (an undefined one would be
// undefined at run time: an extension of type 0, a call to no export).
func TestShimUsesOnlyGeneratedConstants(t *testing.T) {
	consts := abiConstants()
	for _, m := range regexp.MustCompile(`\bABI\.(\w+)`).FindAllStringSubmatch(runtimeJS, -1) {
		if _, ok := consts[m[1]]; !ok {
			t.Errorf("the runtime uses ABI.%s, which the shim generator does not write", m[1])
		}
	}
}
