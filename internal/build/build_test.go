package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

var lean struct {
	once sync.Once
	res  *Result
	err  error
}

// leanModule builds testdata/lean once, into a temporary directory, for
// the tests that need a module.
func leanModule(t *testing.T) *Module { return leanBuild(t).Module }

func leanBuild(t *testing.T) *Result {
	t.Helper()
	if testing.Short() {
		t.Skip("two go builds")
	}
	lean.once.Do(func() {
		out, err := os.MkdirTemp("", "godurable-build-test-")
		if err != nil {
			lean.err = err
			return
		}
		lean.res, lean.err = Build(context.Background(), ".", "./testdata/lean", out, nil)
	})
	if lean.err != nil {
		t.Fatal(lean.err)
	}
	return lean.res
}

func TestMain(m *testing.M) {
	code := m.Run()
	if lean.res != nil {
		os.RemoveAll(lean.res.Dir)
	}
	os.Exit(code)
}

// The module carries its manifest, which reads as what the module itself
// reports.
func TestManifestSection(t *testing.T) {
	mod := leanModule(t)
	b, ok, err := driver.ManifestSection(mod.Wasm)
	if err != nil || !ok {
		t.Fatalf("ManifestSection = %v, %v", ok, err)
	}
	var fromSection abi.Manifest
	if err := abi.Unmarshal(b, &fromSection); err != nil {
		t.Fatal(err)
	}
	asked, err := driver.RunManifest(context.Background(), mod.Wasm)
	if err != nil {
		t.Fatal(err)
	}
	if err := abi.CheckShape(&fromSection, asked); err != nil {
		t.Errorf("the section and the module disagree: %v", err)
	}
	read, err := driver.ReadManifest(context.Background(), mod.Wasm)
	if err != nil || read.Shape != fromSection.Shape {
		t.Errorf("ReadManifest = %+v, %v; want the section's", read, err)
	}
	if _, ok, err := driver.ManifestSection(mod.Wasm[:len(mod.Wasm)-len(b)-30]); ok || err == nil {
		t.Errorf("a truncated module: ok %v, err %v", ok, err)
	}
}

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
	mod := leanModule(t)
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
