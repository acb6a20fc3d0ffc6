package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/shim"
	"github.com/godurable/godurable/internal/wrangler"
	"github.com/godurable/godurable/internal/wranglerdev"
)

// options are the flags every command shares.
type options struct {
	out    string
	config string
	pkg    string
	rest   []string // after --
}

func parse(name string, args []string, extra func(*flag.FlagSet)) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("wasmbuild "+name, flag.ContinueOnError)
	fs.StringVar(&o.out, "o", "", "output `directory` (default: the directory of the configuration's main, else build)")
	fs.StringVar(&o.config, "config", "", "wrangler configuration `file` (default: wrangler.toml, wrangler.jsonc or wrangler.json here)")
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: wasmbuild %s [flags] [package]\n\nFlags:\n", name)
		fs.PrintDefaults()
	}
	for i, a := range args {
		if a == "--" {
			o.rest = args[i+1:]
			args = args[:i]
			break
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch fs.NArg() {
	case 0:
		o.pkg = "."
	case 1:
		o.pkg = fs.Arg(0)
	default:
		return nil, fmt.Errorf("%s takes one package, got %s", name, strings.Join(fs.Args(), " "))
	}
	return o, nil
}

// project is the configuration and output directory a command works with.
type project struct {
	cfg *wrangler.Config // nil when there is no configuration
	out string
}

func (o *options) project(requireConfig bool) (*project, error) {
	p := &project{}
	path := o.config
	if path == "" {
		// The package's own directory first (an example with its own
		// configuration), then the current one.
		dirs := []string{"."}
		if info, err := os.Stat(o.pkg); err == nil && info.IsDir() && filepath.Clean(o.pkg) != "." {
			dirs = []string{o.pkg, "."}
		}
		var err error
		for _, dir := range dirs {
			if path, err = wrangler.Find(dir); err == nil {
				break
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, wrangler.ErrNoConfig) && !requireConfig:
			path = ""
		default:
			return nil, err
		}
	}
	if path != "" {
		cfg, err := wrangler.Load(path)
		if err != nil {
			return nil, err
		}
		p.cfg = cfg
	}
	switch {
	case o.out != "":
		p.out = o.out
	case p.cfg != nil && p.cfg.Main != "":
		p.out = filepath.Dir(p.cfg.MainPath())
	default:
		p.out = "build"
	}
	return p, nil
}

func (p *project) entry() string {
	abs, _ := filepath.Abs(filepath.Join(p.out, shim.EntryFile))
	return abs
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "wasmbuild: "+format+"\n", args...)
}

// buildProject compiles the package and writes the shim, reporting as it
// goes. With in, the inputs of the package's build read just before, it
// reuses the module of the output directory if that was built from them.
func buildProject(ctx context.Context, o *options, p *project, in *build.Inputs) (*build.Result, error) {
	warnMain(ctx, o.pkg)
	if in != nil {
		res, err := build.Reuse(ctx, p.out, in)
		if err == nil {
			progress("reusing %s: inputs unchanged", res.Wasm)
			describe(res.Manifest)
			return res, nil
		}
		progress("not reusing the module in %s: %v", p.out, err)
	}
	progress("building %s for wasip1/wasm into %s ...", o.pkg, p.out)
	start := time.Now()
	res, err := build.Build(ctx, ".", o.pkg, p.out, nil)
	if err != nil {
		return nil, err
	}
	wasm := res.Module.Wasm
	progress("built %s: %s (%s gzipped) in %.1fs", res.Wasm, megabytes(len(wasm)), megabytes(gzipSize(wasm)), time.Since(start).Seconds())
	if res.NotStatic != "" {
		progress("note: RPC methods are found by reflection, which keeps every exported method in the module (about 3 MB), because %s", res.NotStatic)
	}
	describe(res.Manifest)
	warnStaleStubs(ctx, o.pkg, res.Manifest)
	return res, nil
}

func describe(m *abi.Manifest) {
	if len(m.Classes) == 0 && len(m.Worker) == 0 && len(m.Entrypoints) == 0 {
		progress("warning: the package registers nothing: call worker.Handle or durableobject.Register in an init function")
	}
	if len(m.Worker) > 0 {
		progress("Worker handlers: %s", strings.Join(m.Worker, ", "))
	}
	for _, c := range m.Classes {
		describeExport("class "+c.Name, c.Name, &c)
	}
	for _, e := range m.Entrypoints {
		name, what := e.Name, "entrypoint "+e.Name
		if name == "" {
			name, what = "worker", "default entrypoint"
		}
		describeExport(what, name, &e)
	}
}

// describeExport describes a class or an entrypoint, what, whose methods
// are name.Method in messages.
func describeExport(what, name string, c *abi.Class) {
	methods := make([]string, len(c.Methods))
	for i, meth := range c.Methods {
		methods[i] = meth.JSName
	}
	// The exposed set is the RPC surface: any Worker with a binding to the
	// class or the entrypoint can call these.
	progress("%s: handlers %s; RPC %s", what, orNone(c.Capabilities), orNone(methods))
	for _, s := range c.Hidden {
		method, why, _ := strings.Cut(s, ": ")
		progress("  %s.%s is not exposed: %s", name, method, why)
	}
	for _, s := range c.Skipped {
		method, why, _ := strings.Cut(s, ": ")
		progress("warning: %s.%s is not an RPC method: %s", name, method, why)
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// warnMain warns about code in func main, which a reactor never runs.
func warnMain(ctx context.Context, pkg string) {
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", pkg)
	cmd.Env = build.Env()
	out, err := cmd.Output()
	if err != nil {
		return // go build reports the problem better
	}
	empty, where, err := build.MainIsEmpty(strings.TrimSpace(string(out)))
	if err == nil && !empty {
		progress("warning: %s: func main has code, but a WebAssembly reactor never runs main; register classes and handlers in an init function", where)
	}
}

func megabytes(n int) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}

// checkProject checks the configuration against the module and prints the
// problems; it returns an error if there are any.
func checkProject(p *project, m *abi.Manifest) error {
	if p.cfg == nil {
		return errors.New("no wrangler configuration to check: write a wrangler.toml (see README.md) or pass -config")
	}
	var problems []wrangler.Problem
	for _, pr := range wrangler.Check(p.cfg, m, p.entry(), maxCompatibilityDate(p.cfg.Dir())) {
		if pr.Warning {
			progress("%s", pr)
			continue
		}
		problems = append(problems, pr)
	}
	if len(problems) == 0 {
		progress("%s fits the module", p.cfg.Path)
		return nil
	}
	fmt.Fprintf(os.Stderr, "wasmbuild: %s has %d problem%s:\n", p.cfg.Path, len(problems), map[bool]string{true: "", false: "s"}[len(problems) == 1])
	for _, pr := range problems {
		fmt.Fprintf(os.Stderr, "  - %s\n", pr)
	}
	return exitCode(1)
}

// maxCompatibilityDate is the newest compatibility date that the workerd
// installed for the project in dir accepts (wrangler 4.86's accepts
// 2026-05-03, for instance), or the pinned one's if none is installed.
func maxCompatibilityDate(dir string) string {
	if d, _, err := wranglerdev.InstalledMaxCompatibilityDate(dir); err == nil {
		return d
	}
	return wranglerdev.MaxCompatibilityDate
}

func cmdBuild(ctx context.Context, args []string) error {
	o, err := parse("build", args, nil)
	if err != nil {
		return err
	}
	p, err := o.project(false)
	if err != nil {
		return err
	}
	res, err := buildProject(ctx, o, p, nil)
	if err != nil {
		return err
	}
	if p.cfg != nil {
		// A build succeeds regardless; the problems are worth knowing now.
		if err := checkProject(p, res.Manifest); err != nil {
			progress("the build is done, but wrangler will not serve it as configured")
		}
	}
	return nil
}

func cmdCheck(ctx context.Context, args []string) error {
	o, err := parse("check", args, nil)
	if err != nil {
		return err
	}
	p, err := o.project(true)
	if err != nil {
		return err
	}
	wasm, err := os.ReadFile(filepath.Join(p.out, build.WasmFile))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no module in %s: run wasmbuild build first", p.out)
	}
	if err != nil {
		return err
	}
	m, err := readManifest(ctx, wasm)
	if err != nil {
		return err
	}
	return checkProject(p, m)
}

func cmdVersion() error {
	fmt.Printf("wasmbuild (godurable ABI %d), built with %s\n", abi.Version, runtime.Version())
	fmt.Printf("pinned: wrangler %s (workerd compatibility dates up to %s) on Node.js %s, @msgpack/msgpack %s\n",
		wranglerdev.Version, wranglerdev.MaxCompatibilityDate, wranglerdev.NodeVersion, wranglerdev.MsgpackVersion)
	fmt.Printf("floor: wrangler %s (dates up to %s) on Node.js 20\n", wranglerdev.FloorVersion, wranglerdev.FloorMaxCompatibilityDate)
	if t, err := wranglerdev.FindTools("."); err == nil {
		fmt.Printf("here: %s\n", t)
	} else {
		fmt.Printf("here: %v\n", err)
	}
	return nil
}
