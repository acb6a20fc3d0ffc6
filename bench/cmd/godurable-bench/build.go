package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"

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
		if res.Static {
			b.notes = append(b.notes, fmt.Sprintf("%s was built without reflection (wasmbuild's small build).", w.pkg))
		} else {
			b.notes = append(b.notes, fmt.Sprintf("%s was built with RPC methods found by reflection (the large build): %s.", w.pkg, res.NotStatic))
		}
	}
	return nil
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
