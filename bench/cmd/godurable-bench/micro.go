package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/wranglerdev"
)

var benchLine = regexp.MustCompile(`^(Benchmark\w+)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+(\d+) B/op\s+(\d+) allocs/op`)

type microResult struct{ ns, bytes, allocs string }

// runMicro runs the boundary micro-benchmarks (bench/boundary) natively and
// compiled to wasip1 in Node's V8.
func (b *bench) runMicro(ctx context.Context) error {
	b.logf("boundary micro-benchmarks")
	args := []string{"-test.run=^$", "-test.bench=.", "-test.benchmem", "-test.benchtime=" + b.cfg.BenchTime}
	native := exec.CommandContext(ctx, "go", "test", "-run=^$", "-bench=.", "-benchmem", "-benchtime="+b.cfg.BenchTime, "./bench/boundary")
	native.Dir = b.root
	nativeOut, err := native.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench ./bench/boundary: %v\n%s", err, nativeOut)
	}
	wasm := filepath.Join(b.root, "bench", "build", "boundary.wasm")
	compile := exec.CommandContext(ctx, "go", "test", "-c", "-tags", "godurable_fakehost", "-o", wasm, "./bench/boundary")
	compile.Dir = b.root
	compile.Env = build.Env()
	if out, err := compile.CombinedOutput(); err != nil {
		return fmt.Errorf("compiling ./bench/boundary for wasip1: %v\n%s", err, out)
	}
	node := exec.CommandContext(ctx, b.node(), append([]string{"--no-warnings", filepath.Join(b.root, "bench", "boundary", "wasi.mjs"), wasm}, args...)...)
	node.Dir = filepath.Join(b.root, "bench", "boundary")
	wasmOut, err := node.CombinedOutput()
	if err != nil {
		return fmt.Errorf("running the wasip1 micro-benchmarks in node: %v\n%s", err, wasmOut)
	}
	nat, wa := parseBench(nativeOut), parseBench(wasmOut)
	var names []string
	for _, line := range strings.Split(string(nativeOut), "\n") {
		if m := benchLine.FindStringSubmatch(line); m != nil {
			names = append(names, m[1])
		}
	}
	var sb strings.Builder
	sb.WriteString("| Micro-benchmark (bench/boundary) | native amd64 ns/op | wasip1 in Node's V8 ns/op | B/op | allocs/op |\n|---|--:|--:|--:|--:|\n")
	for _, n := range names {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s |\n", n, nat[n].ns, wa[n].ns, nat[n].bytes, nat[n].allocs)
	}
	b.micro = sb.String()
	return nil
}

func parseBench(out []byte) map[string]microResult {
	res := map[string]microResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := benchLine.FindStringSubmatch(sc.Text()); m != nil {
			res[m[1]] = microResult{ns: m[2], bytes: m[3], allocs: m[4]}
		}
	}
	return res
}

// versionOf runs a command and returns its first line of output.
func versionOf(dir string, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// node returns the Node.js that runs wrangler (the pinned one in
// node_modules, see wranglerdev.FindTools), so that the micro-benchmarks
// run on the same V8 as wrangler; "node" if there is none.
func (b *bench) node() string {
	if t, err := wranglerdev.FindTools(b.root); err == nil {
		return t.Node
	}
	return "node"
}

// toolsRoot is the directory whose node_modules has the sessions' wrangler.
func (b *bench) toolsRoot() string {
	if b.tools != nil {
		return filepath.Dir(b.tools.Modules)
	}
	return b.root
}

// packageVersion reads the version of an installed npm package.
func packageVersion(root, pkg string) string {
	b, err := os.ReadFile(filepath.Join(root, "node_modules", pkg, "package.json"))
	if err != nil {
		return "not installed"
	}
	m := regexp.MustCompile(`"version"\s*:\s*"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		return "unknown"
	}
	return string(m[1])
}
