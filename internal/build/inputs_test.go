package build

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeFiles writes files (slash-separated path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInputs: the inputs of a build are the files go build reads for
// wasip1 (the package's, an imported package's, embedded ones, go.mod),
// and the headers of the files that build constraints leave out; tests,
// a nested module and files of no package of the build are not inputs.
func TestInputs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/app\n\ngo 1.24\n",
		"main.go": `package main

import (
	_ "embed"

	"example.com/app/lib"
)

//go:embed page.html
var page string

func main() { lib.F() }
`,
		"page.html":           "<p>hi</p>\n",
		"main_test.go":        "package main\n",
		"other.go":            "//go:build !wasip1\n\npackage main\n\nfunc other() {}\n",
		"lib/lib.go":          "package lib\n\nfunc F() {}\n",
		"lib/lib_test.go":     "package lib\n",
		"nested/go.mod":       "module example.com/nested\n",
		"nested/nested.go":    "package nested\n",
		"unused/unused.go":    "package unused\n",
		"README.md":           "not an input\n",
		"lib/internal/doc.md": "not an input either\n",
	})
	in, err := ReadInputs(ctx, dir, ".", nil)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, f := range in.Files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	if want := []string{"go.mod", "go.sum", "lib/lib.go", "main.go", "other.go", "page.html"}; !slices.Equal(rel, want) {
		t.Errorf("Files = %q, want %q", rel, want)
	}
	if in.Dir != dir {
		t.Errorf("Dir = %q, want %q", in.Dir, dir)
	}
	if !slices.Contains(in.Dirs, dir) || !slices.Contains(in.Dirs, filepath.Join(dir, "lib")) {
		t.Errorf("Dirs = %q", in.Dirs)
	}

	// check changes files, then says what Changed reports and whether
	// the key changed.
	mtime := time.Now()
	check := func(what string, files map[string]string, wantChanged []string, wantNewKey bool) {
		t.Helper()
		writeFiles(t, dir, files)
		// A later modification time than the one read, whatever the
		// file system's resolution.
		mtime = mtime.Add(time.Minute)
		for name := range files {
			if err := os.Chtimes(filepath.Join(dir, name), mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
		var changed []string
		for _, c := range in.Changed() {
			r, _ := filepath.Rel(dir, c)
			changed = append(changed, filepath.ToSlash(r))
		}
		if !slices.Equal(changed, wantChanged) {
			t.Errorf("%s: Changed = %q, want %q", what, changed, wantChanged)
		}
		if again := in.Changed(); len(again) > 0 {
			t.Errorf("%s: Changed again = %q, want nothing", what, again)
		}
		next, err := ReadInputs(ctx, dir, ".", nil)
		if err != nil {
			t.Fatal(err)
		}
		if newKey := next.Key != in.Key; newKey != wantNewKey {
			t.Errorf("%s: new key %v, want %v", what, newKey, wantNewKey)
		}
		in = next
	}
	check("a test changed", map[string]string{"main_test.go": "package main\n\n// more\n", "lib/lib_test.go": "package lib\n// x\n"}, nil, false)
	check("a new test", map[string]string{"new_test.go": "package main\n"}, nil, false)
	check("a nested module's file changed", map[string]string{"nested/nested.go": "package nested\n\n// more\n"}, nil, false)
	check("a package outside the build changed", map[string]string{"unused/unused.go": "package unused\n\n// more\n"}, nil, false)
	check("saved again as it was", map[string]string{"main.go": readFile(t, dir, "main.go")}, []string{"main.go"}, false)
	check("an imported package changed", map[string]string{"lib/lib.go": "package lib\n\nfunc F() { println() }\n"}, []string{"lib/lib.go"}, true)
	check("an embedded file changed", map[string]string{"page.html": "<p>hello</p>\n"}, []string{"page.html"}, true)
	check("the body of a file left out changed", map[string]string{"other.go": "//go:build !wasip1\n\npackage main\n\nfunc other() { println() }\n"}, []string{"other.go"}, false)
	check("the constraint of a file left out changed", map[string]string{"other.go": "//go:build wasip1\n\npackage main\n\nfunc other() { println() }\n"}, []string{"other.go"}, true)
	check("a new file of the package", map[string]string{"more.go": "package main\n"}, []string{"."}, true)
	check("go.mod changed", map[string]string{"go.mod": "module example.com/app\n\ngo 1.25\n"}, []string{"go.mod"}, true)

	tagged, err := ReadInputs(ctx, dir, ".", &Options{Tags: []string{"extra"}})
	if err != nil {
		t.Fatal(err)
	}
	if tagged.Key == in.Key {
		t.Error("the same key with another build tag")
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReuse: a build is reused when its inputs are those recorded with
// it, and not when they differ or when a file of the output changed.
func TestReuse(t *testing.T) {
	ctx := context.Background()
	res := leanBuild(t)
	in, err := ReadInputs(ctx, ".", "./testdata/lean", nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.Key != res.Inputs.Key {
		t.Fatal("the inputs read again differ from the build's")
	}
	again, err := Reuse(ctx, res.Dir, in)
	if err != nil {
		t.Fatalf("Reuse: %v", err)
	}
	if again.Manifest.Shape != res.Manifest.Shape || again.Static != res.Static || string(again.Module.Wasm) != string(res.Module.Wasm) {
		t.Errorf("Reuse returned another module: %+v", again.Module.Manifest)
	}

	other := *in
	other.Key = strings.Repeat("0", len(in.Key))
	if _, err := Reuse(ctx, res.Dir, &other); err == nil || !strings.Contains(err.Error(), "the inputs changed") {
		t.Errorf("Reuse with other inputs: %v", err)
	}
	if _, err := Reuse(ctx, t.TempDir(), in); err == nil || !strings.Contains(err.Error(), "no record") {
		t.Errorf("Reuse of an empty directory: %v", err)
	}
	// A copy of the output with the shim edited.
	out := t.TempDir()
	for _, f := range append(res.Files, filepath.Join(res.Dir, RecordFile)) {
		writeFiles(t, out, map[string]string{filepath.Base(f): readFile(t, res.Dir, filepath.Base(f))})
	}
	if _, err := Reuse(ctx, out, in); err != nil {
		t.Fatalf("Reuse of a copy: %v", err)
	}
	writeFiles(t, out, map[string]string{"worker.mjs": "// edited\n"})
	if _, err := Reuse(ctx, out, in); err == nil || !strings.Contains(err.Error(), "worker.mjs changed since") {
		t.Errorf("Reuse with an edited shim: %v", err)
	}
}
