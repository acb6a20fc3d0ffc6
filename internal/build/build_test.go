package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestMainIsEmpty(t *testing.T) {
	for _, tc := range []struct {
		src   string
		empty bool
	}{
		{"package main\nfunc main() {}\n", true},
		{"package main\nfunc main() {\n\t// nothing\n}\n", true},
		{"package main\nfunc main() { println(1) }\n", false},
		{"package main\nfunc init() {}\n", true},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		// A test file's main is not the package's.
		os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package main\nfunc main() { println(2) }\n"), 0o644)
		empty, _, err := MainIsEmpty(dir)
		if err != nil || empty != tc.empty {
			t.Errorf("%q: empty = %v, %v; want %v", tc.src, empty, err, tc.empty)
		}
	}
}

// TestStaticBuildIsLean: the module keeps no exported method that nothing
// calls (nothing in the runtime reaches reflect.Type.Method, which would
// make the linker keep them all: about 3 MB of a typical module).
func TestStaticBuildIsLean(t *testing.T) {
	if testing.Short() {
		t.Skip("two go builds")
	}
	mod, err := CompileModule(context.Background(), ".", "./testdata/lean", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !mod.Static {
		t.Fatalf("not a static build: %s", mod.NotStatic)
	}
	if bytes.Contains(mod.Wasm, []byte("main.helper.UnusedExportedMarker")) {
		t.Error("the module keeps an exported method nothing calls: something reaches reflect.Type.Method")
	}
	if !bytes.Contains(mod.Wasm, []byte("main.(*Lean).Ping")) {
		t.Error("the module lost an RPC method (or has no name section to tell)")
	}
}
