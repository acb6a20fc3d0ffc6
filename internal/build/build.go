// Package build compiles a godurable package to a WebAssembly reactor and
// writes the JavaScript shim next to it. The wasmbuild command and the
// dotest harness both build through it, so tests run the same module that
// wrangler serves.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/host"
	"github.com/godurable/godurable/jsbridge"
)

// WasmFile is the name of the module in the output directory.
const WasmFile = "app.wasm"

// Flags are the go build flags of every godurable module.
var Flags = []string{"-buildmode=c-shared", "-trimpath"}

// Env returns the environment of go build for a wasip1 reactor.
func Env() []string {
	return append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
}

// ErrBuild reports that go build failed; its output is in the error.
var ErrBuild = errors.New("go build failed")

// Compile builds the main package pkg (a go build package path or
// directory, resolved in dir) into the file out.
func Compile(ctx context.Context, dir, pkg, out string) error {
	args := append([]string{"build"}, Flags...)
	args = append(args, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = Env()
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(output.String())
		if strings.Contains(msg, "-buildmode=c-shared requires exactly one main package") || strings.Contains(msg, "is not a main package") {
			msg += "\n(a godurable Worker is a main package: package main, with an empty func main() {})"
		}
		return fmt.Errorf("%w for %s: %v\n%s", ErrBuild, pkg, err, msg)
	}
	return nil
}

// Result is what Build produced.
type Result struct {
	Dir      string // the output directory
	Wasm     string // path of the module
	Size     int64  // bytes of the module
	Manifest *abi.Manifest
	Files    []string // paths of every file written
}

// Build compiles pkg and writes the module and the shim into outDir.
func Build(ctx context.Context, dir, pkg, outDir string) (*Result, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	wasmPath := filepath.Join(outDir, WasmFile)
	tmp := wasmPath + ".tmp"
	if err := Compile(ctx, dir, pkg, tmp); err != nil {
		return nil, err
	}
	wasm, err := os.ReadFile(tmp)
	if err != nil {
		return nil, err
	}
	m, err := host.ReadManifest(ctx, wasm)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("reading what %s registers: %w", pkg, err)
	}
	files, err := jsbridge.Generate(m, WasmFile)
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	res := &Result{Dir: outDir, Wasm: wasmPath, Size: int64(len(wasm)), Manifest: m}
	if err := os.Rename(tmp, wasmPath); err != nil {
		return nil, err
	}
	res.Files = append(res.Files, wasmPath)
	for name, content := range files {
		p := filepath.Join(outDir, name)
		if err := writeIfChanged(p, content); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, p)
	}
	return res, nil
}

// writeIfChanged leaves an identical file alone, so that wrangler's file
// watcher does not reload for nothing.
func writeIfChanged(path string, content []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return nil
	}
	return os.WriteFile(path, content, 0o644)
}

// MainIsEmpty reports whether the func main of the Go files in dir has an
// empty body. A reactor never runs main, so code there is a mistake.
func MainIsEmpty(dir string) (empty bool, where string, err error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, "", err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return false, "", err
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Name.Name != "main" || fn.Body == nil {
				continue
			}
			return len(fn.Body.List) == 0, fset.Position(fn.Pos()).String(), nil
		}
	}
	return true, "", nil
}
