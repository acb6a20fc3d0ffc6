package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/host"
	"github.com/godurable/godurable/jsbridge"
)

// Output directories of the Go Workers, relative to the repository root;
// bench/go/*.toml name them as main.
const (
	counterOut = "bench/build/counter"       // examples/counter as wasmbuild builds it
	probeOut   = "bench/build/counter-probe" // the same with bench/go/probe
	helloOut   = "bench/build/hello"         // bench/go/hello
)

// buildWorkers builds the Go Workers of the benchmarks.
func (b *bench) buildWorkers(ctx context.Context) error {
	for _, w := range []struct{ pkg, out string }{
		{"./examples/counter", counterOut},
		{"./bench/go/hello", helloOut},
	} {
		b.logf("building %s", w.pkg)
		res, err := build.Build(ctx, b.root, w.pkg, filepath.Join(b.root, w.out))
		if err != nil {
			return err
		}
		if res.Static {
			b.notes = append(b.notes, fmt.Sprintf("%s was built with a generated RPC method table (wasmbuild's small build).", w.pkg))
		} else {
			why := res.NotStatic
			if why == "" {
				why = "it registers no Durable Object class, and wasmbuild builds the static variant only for classes"
			}
			b.notes = append(b.notes, fmt.Sprintf("%s was built with RPC methods found by reflection (the large build): %s.", w.pkg, why))
		}
	}
	b.logf("building ./examples/counter with the memory probe")
	return b.buildProbe(ctx)
}

// buildProbe builds examples/counter with the files of bench/go/probe
// added to its package by go build -overlay, the way wasmbuild builds: once
// with RPC methods found by reflection, to read the manifest, then with a
// generated method table, so that the probe's module is the same as the
// measured one but for the probe (internal/build does not take extra
// overlay files, so this repeats its two steps here).
func (b *bench) buildProbe(ctx context.Context) error {
	out := filepath.Join(b.root, probeOut)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	pkgDir := filepath.Join(b.root, "examples", "counter")
	probeDir := filepath.Join(b.root, "bench", "go", "probe")
	replace := map[string]string{
		filepath.Join(pkgDir, "zz_bench_probe.go"):     filepath.Join(probeDir, "probe.go"),
		filepath.Join(pkgDir, "zz_bench_pages_wasm.s"): filepath.Join(probeDir, "pages_wasm.s"),
	}
	compile := func(name, tags string) ([]byte, *abi.Manifest, error) {
		ov, err := json.Marshal(map[string]any{"Replace": replace})
		if err != nil {
			return nil, nil, err
		}
		ovFile := filepath.Join(out, name+".overlay.json")
		if err := os.WriteFile(ovFile, ov, 0o644); err != nil {
			return nil, nil, err
		}
		wasmPath := filepath.Join(out, name+".wasm")
		if err := build.Compile(ctx, b.root, "./examples/counter", wasmPath, "-tags", tags, "-overlay", ovFile); err != nil {
			return nil, nil, fmt.Errorf("building the memory probe: %w", err)
		}
		wasm, err := os.ReadFile(wasmPath)
		if err != nil {
			return nil, nil, err
		}
		os.Remove(wasmPath)
		m, err := host.ReadManifest(ctx, wasm)
		return wasm, m, err
	}
	_, first, err := compile("reflect", "godurable_bench")
	if err != nil {
		return err
	}
	table, err := methodTable(first)
	if err != nil {
		return err
	}
	tableFile := filepath.Join(out, "methods.go.txt")
	if err := os.WriteFile(tableFile, table, 0o644); err != nil {
		return err
	}
	replace[filepath.Join(pkgDir, "zz_bench_methods.go")] = tableFile
	wasm, second, err := compile("static", "godurable_bench,"+build.StaticTag)
	if err != nil {
		return err
	}
	if got, want := methodNames(second), methodNames(first); got != want {
		return fmt.Errorf("the memory probe's static build registers %s, its reflection build %s", got, want)
	}
	if err := os.WriteFile(filepath.Join(out, build.WasmFile), wasm, 0o644); err != nil {
		return err
	}
	files, err := jsbridge.Generate(first, build.WasmFile)
	if err != nil {
		return err
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(out, name), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// methodTable generates the table of RPC methods of m's classes, all of
// package main, as wasmbuild does.
func methodTable(m *abi.Manifest) ([]byte, error) {
	var sb strings.Builder
	sb.WriteString("//go:build godurable_static\n\npackage main\n\nimport \"github.com/godurable/godurable/durableobject\"\n\nfunc init() {\n")
	for _, c := range m.Classes {
		typ, ok := strings.CutPrefix(c.GoType, "*main.")
		if !ok {
			return nil, fmt.Errorf("class %s has Go type %q; the memory probe handles pointers to types of package main only", c.Name, c.GoType)
		}
		fmt.Fprintf(&sb, "\tdurableobject.StaticMethods[*%s](map[string]any{\n", typ)
		for _, meth := range c.Methods {
			fmt.Fprintf(&sb, "\t\t%q: (*%s).%s,\n", meth.Name, typ, meth.Name)
		}
		sb.WriteString("\t})\n")
	}
	sb.WriteString("}\n")
	return []byte(sb.String()), nil
}

func methodNames(m *abi.Manifest) string {
	var names []string
	for _, c := range m.Classes {
		for _, meth := range c.Methods {
			names = append(names, c.Name+"."+meth.Name)
		}
	}
	return strings.Join(names, ",")
}

// sizes returns the raw and gzip (default level) size of a file.
func sizes(path string) (raw, gz int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return int64(len(data)), int64(buf.Len()), nil
}
