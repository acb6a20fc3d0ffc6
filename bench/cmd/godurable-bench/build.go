package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"

	"github.com/godurable/godurable/internal/build"
)

// Output directories of the Go Workers, relative to the repository root;
// bench/go/*.toml name them as main.
const (
	counterOut = "bench/build/counter"       // examples/counter as wasmbuild builds it
	probeOut   = "bench/build/counter-probe" // the same with bench/go/probe
	helloOut   = "bench/build/hello"         // bench/go/hello
	d1Out      = "bench/build/d1"            // bench/go/d1
	r2Out      = "bench/build/r2"            // bench/go/r2
	pgOut      = "bench/build/pg"            // bench/go/pg
	chatOut    = "bench/build/chat"          // examples/chat as wasmbuild builds it
	queueOut   = "bench/build/queue"         // bench/go/queue
)

// buildWorkers builds the Go Workers of the benchmarks, as wasmbuild
// builds them, and the memory probe: examples/counter with the files of
// bench/go/probe added to its package (go build -overlay, the example
// itself is untouched).
func (b *bench) buildWorkers(ctx context.Context) error {
	pkgDir := filepath.Join(b.root, "examples", "counter")
	probeDir := filepath.Join(b.root, "bench", "go", "probe")
	probe := &build.Options{
		Tags: []string{"godurable_bench"},
		Overlay: map[string]string{
			filepath.Join(pkgDir, "zz_bench_probe.go"):     filepath.Join(probeDir, "probe.go"),
			filepath.Join(pkgDir, "zz_bench_pages_wasm.s"): filepath.Join(probeDir, "pages_wasm.s"),
		},
	}
	for _, w := range []struct {
		pkg, out string
		opts     *build.Options
	}{
		{"./examples/counter", counterOut, nil},
		{"./bench/go/hello", helloOut, nil},
		{"./bench/go/d1", d1Out, nil},
		{"./bench/go/r2", r2Out, nil},
		{"./bench/go/pg", pgOut, nil},
		{"./examples/chat", chatOut, nil},
		{"./bench/go/queue", queueOut, nil},
		{"./examples/counter", probeOut, probe},
	} {
		b.logf("building %s into %s", w.pkg, w.out)
		res, err := build.Build(ctx, b.root, w.pkg, filepath.Join(b.root, w.out), w.opts)
		if err != nil {
			return err
		}
		if w.opts != nil {
			continue
		}
		if w.out == pgOut {
			raw, gz, _ := sizes(filepath.Join(b.root, pgOut, "app.wasm"))
			b.notes = append(b.notes, fmt.Sprintf("bench/go/pg (pgx %s) is %.2f MB, %.2f MB gzipped.", pgxVersion(), float64(raw)/1e6, float64(gz)/1e6))
		}
		if res.Static {
			b.notes = append(b.notes, fmt.Sprintf("%s was built without reflection (wasmbuild's small build).", w.pkg))
		} else {
			b.notes = append(b.notes, fmt.Sprintf("%s was built with RPC methods found by reflection (the large build): %s.", w.pkg, res.NotStatic))
		}
	}
	return nil
}

// jsDeps installs the JavaScript twins' own dependencies (node-postgres,
// pinned in bench/js/pg/package-lock.json) with npm ci, unless installed.
func (b *bench) jsDeps(ctx context.Context) error {
	dir := filepath.Join(b.root, "bench", "js", "pg")
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return err
	}
	if inst, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !lock.ModTime().After(inst.ModTime()) {
		return nil
	}
	b.logf("npm ci in bench/js/pg")
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
	}
	return nil
}

// pgxVersion is the version of pgx the module requires.
func pgxVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/jackc/pgx/v5" {
				return d.Version
			}
		}
	}
	return "(unknown version)"
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
