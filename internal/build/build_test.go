package build

import (
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
