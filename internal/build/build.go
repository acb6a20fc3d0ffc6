// Package build compiles a godurable package to a WebAssembly reactor and
// writes the JavaScript shim next to it. The wasmbuild command and the
// dotest harness both build through it, so tests run the same module that
// wrangler serves.
package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/shim"
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
// directory, resolved in dir) into the file out, with the extra go build
// flags given.
func Compile(ctx context.Context, dir, pkg, out string, flags ...string) error {
	args := append([]string{"build"}, Flags...)
	args = append(args, flags...)
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

// Module is a compiled godurable module.
type Module struct {
	Wasm     []byte
	Manifest *abi.Manifest
	// Static reports whether RPC methods come from a generated table (the
	// small build); if not, NotStatic says why.
	Static    bool
	NotStatic string
}

// Options adjust a build. The zero value builds the package as it is.
type Options struct {
	// Overlay adds files to the build, replaces them or leaves them out,
	// as go build -overlay does: the key is the absolute path of a file in
	// a package's directory, the value the path of the file to read
	// instead, or "" to leave the file out.
	Overlay map[string]string
	// Tags are extra build tags.
	Tags []string
}

// CompileModule builds pkg twice: first with RPC methods found by
// reflection, to learn from the module what it registers; then with a
// generated method table and the StaticTag, which lets the linker drop the
// methods nobody calls. It keeps the second module if it registers exactly
// the same classes and methods, else the first. opts may be nil. The
// module carries its manifest in its abi.ManifestSection, and its data
// segments are packed for gzip (driver.PackDataSegments).
func CompileModule(ctx context.Context, dir, pkg string, opts *Options) (*Module, error) {
	m, err := compileModule(ctx, dir, pkg, opts)
	if err != nil {
		return nil, err
	}
	manifest, err := abi.Marshal(m.Manifest)
	if err != nil {
		return nil, err
	}
	m.Wasm = driver.WithManifestSection(driver.PackDataSegments(m.Wasm), manifest)
	return m, nil
}

func compileModule(ctx context.Context, dir, pkg string, opts *Options) (*Module, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	tmp, err := os.MkdirTemp("", "godurable-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	overlay := map[string]string{}
	for k, v := range o.Overlay {
		overlay[k] = v
	}
	flags := func(tags ...string) ([]string, error) {
		return buildFlags(tmp, overlay, append(tags, o.Tags...))
	}
	f, err := flags()
	if err != nil {
		return nil, err
	}
	first, err := compileAndRead(ctx, dir, pkg, filepath.Join(tmp, "reflect.wasm"), f...)
	if err != nil {
		return nil, err
	}
	if len(first.Manifest.Classes) > 0 || len(first.Manifest.Entrypoints) > 0 {
		table, err := staticTable(first.Manifest)
		if err != nil {
			first.NotStatic = err.Error()
			return first, nil
		}
		pkgDir, err := PackageDir(ctx, dir, pkg)
		if err != nil {
			return nil, err
		}
		gen := filepath.Join(tmp, StaticFile)
		if err := os.WriteFile(gen, table, 0o644); err != nil {
			return nil, err
		}
		overlay[filepath.Join(pkgDir, StaticFile)] = gen
	}
	// Without classes there is no method table to generate, but the tag
	// alone keeps reflection out (a stateless Worker: 8.9 MB -> 6.2 MB).
	if f, err = flags(StaticTag); err != nil {
		return nil, err
	}
	second, err := compileAndRead(ctx, dir, pkg, filepath.Join(tmp, "static.wasm"), f...)
	if err != nil {
		first.NotStatic = "the build without reflection failed: " + err.Error()
		return first, nil
	}
	if err := abi.CheckShape(second.Manifest, first.Manifest); err != nil {
		first.NotStatic = "the build without reflection registers something else: " + err.Error()
		return first, nil
	}
	second.Static = true
	second.Manifest.Classes = first.Manifest.Classes // keep the reasons for skipped methods
	second.Manifest.Entrypoints = first.Manifest.Entrypoints
	return second, nil
}

// ReadManifest builds pkg once, with RPC methods found by reflection (and
// the overlay and tags of opts, which may be nil), and returns what the
// module registers: the classes with their exposed methods, as the module
// reports them when it runs.
func ReadManifest(ctx context.Context, dir, pkg string, opts *Options) (*abi.Manifest, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	tmp, err := os.MkdirTemp("", "godurable-manifest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	flags, err := buildFlags(tmp, o.Overlay, o.Tags)
	if err != nil {
		return nil, err
	}
	m, err := compileAndRead(ctx, dir, pkg, filepath.Join(tmp, "reflect.wasm"), flags...)
	if err != nil {
		return nil, err
	}
	return m.Manifest, nil
}

// buildFlags returns the go build flags of the tags and the overlay,
// whose -overlay file it writes into tmp.
func buildFlags(tmp string, overlay map[string]string, tags []string) ([]string, error) {
	var out []string
	if len(tags) > 0 {
		out = append(out, "-tags", strings.Join(tags, ","))
	}
	if len(overlay) > 0 {
		ov, err := json.Marshal(map[string]any{"Replace": overlay})
		if err != nil {
			return nil, err
		}
		f, err := os.CreateTemp(tmp, "overlay-*.json")
		if err != nil {
			return nil, err
		}
		_, err = f.Write(ov)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("writing the overlay of go build: %w", err)
		}
		out = append(out, "-overlay", f.Name())
	}
	return out, nil
}

func compileAndRead(ctx context.Context, dir, pkg, out string, flags ...string) (*Module, error) {
	if err := Compile(ctx, dir, pkg, out, flags...); err != nil {
		return nil, err
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	m, err := driver.RunManifest(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("reading what %s registers: %w", pkg, err)
	}
	return &Module{Wasm: wasm, Manifest: m}, nil
}

// PackageDir returns the directory of the package pkg (resolved in dir).
func PackageDir(ctx context.Context, dir, pkg string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", pkg)
	cmd.Dir = dir
	cmd.Env = Env()
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("go list %s: %s", pkg, ee.Stderr)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Result is what Build produced.
type Result struct {
	*Module
	Dir   string   // the output directory
	Wasm  string   // path of the module
	Files []string // paths of every file written
	// Inputs are those of the build, read before it.
	Inputs *Inputs
}

// RecordFile is the file of the output directory in which Build records
// what it built the files there from, for Reuse.
const RecordFile = ".wasmbuild-inputs.json"

// record is the content of RecordFile.
type record struct {
	Inputs    string            `json:"inputs"`    // Inputs.Key
	Tool      string            `json:"tool"`      // the program that built them (toolID)
	NotStatic string            `json:"notStatic"` // Module.NotStatic
	Files     map[string]string `json:"files"`     // name in the output directory -> SHA-256
}

// Build compiles pkg and writes the module and the shim into outDir, with
// a record of the build's inputs (RecordFile) for Reuse. opts may be nil.
func Build(ctx context.Context, dir, pkg, outDir string, opts *Options) (*Result, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	in, err := ReadInputs(ctx, dir, pkg, opts)
	if err != nil {
		return nil, err
	}
	mod, err := CompileModule(ctx, dir, pkg, opts)
	if err != nil {
		return nil, err
	}
	files, err := shim.Generate(mod.Manifest, WasmFile)
	if err != nil {
		return nil, err
	}
	res := &Result{Module: mod, Dir: outDir, Wasm: filepath.Join(outDir, WasmFile), Inputs: in}
	files[WasmFile] = mod.Wasm
	rec := record{Inputs: in.Key, NotStatic: mod.NotStatic, Files: map[string]string{}}
	rec.Tool, _ = toolID()
	for name, content := range files {
		p := filepath.Join(outDir, name)
		if err := writeIfChanged(p, content); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, p)
		sum := sha256.Sum256(content)
		rec.Files[name] = hex.EncodeToString(sum[:])
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeIfChanged(filepath.Join(outDir, RecordFile), append(b, '\n')); err != nil {
		return nil, fmt.Errorf("recording the build's inputs: %w", err)
	}
	return res, nil
}

// Reuse returns the module and shim that outDir holds if Build wrote them
// there, in this program, from the inputs in (its record says so, and
// the files are as it wrote them); else an error that says why not.
func Reuse(ctx context.Context, outDir string, in *Inputs) (*Result, error) {
	b, err := os.ReadFile(filepath.Join(outDir, RecordFile))
	if err != nil {
		return nil, fmt.Errorf("no record of a build in %s", outDir)
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(outDir, RecordFile), err)
	}
	tool, err := toolID()
	switch {
	case err != nil:
		return nil, err
	case rec.Inputs != in.Key:
		return nil, errors.New("the inputs changed")
	case rec.Tool != tool:
		return nil, errors.New("this wasmbuild is not the one that built it")
	}
	res := &Result{Module: &Module{NotStatic: rec.NotStatic, Static: rec.NotStatic == ""}, Dir: outDir, Wasm: filepath.Join(outDir, WasmFile), Inputs: in}
	for _, name := range slices.Sorted(maps.Keys(rec.Files)) {
		p := filepath.Join(outDir, name)
		content, err := os.ReadFile(p)
		if sum := sha256.Sum256(content); err != nil || hex.EncodeToString(sum[:]) != rec.Files[name] {
			return nil, fmt.Errorf("%s changed since", p)
		}
		res.Files = append(res.Files, p)
		if name == WasmFile {
			res.Module.Wasm = content
		}
	}
	if res.Module.Wasm == nil {
		return nil, fmt.Errorf("no %s in the record", WasmFile)
	}
	if res.Manifest, err = driver.ReadManifest(ctx, res.Module.Wasm); err != nil {
		return nil, err
	}
	return res, nil
}

// toolID identifies the running program by the SHA-256 of its executable:
// the shim it writes comes from it.
var toolID = sync.OnceValues(func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding this program's executable: %w", err)
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", fmt.Errorf("reading this program's executable: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading this program's executable: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
})

// writeIfChanged leaves an identical file alone, so that wrangler's file
// watcher does not reload for nothing.
func writeIfChanged(path string, content []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return nil
	}
	// Write then rename, so that a watcher never reads half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
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
