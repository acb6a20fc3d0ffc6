package main

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/godurable/godurable/internal/wranglerdev"
)

// modulePath is godurable's module, which a new project requires.
const modulePath = "github.com/godurable/godurable"

// unpublished is the version go mod tidy requires of a module that a
// replace directive points at a directory.
const unpublished = "v0.0.0-00010101000000-000000000000"

// The project that init writes: text templates (template/*.tmpl, named
// after the file they make; gitignore.tmpl is .gitignore) and a copy of
// godurable's own package-lock.json (see lockfile).
//
//go:embed template
var templates embed.FS

// projectFiles are the files init writes, in order; go.sum comes from
// go mod tidy.
var projectFiles = []string{"go.mod", "main.go", "main_test.go", "wrangler.toml", "package.json", "package-lock.json", ".gitignore", "README.md"}

// allowScripts are the packages whose install scripts package.json
// approves, as godurable's own does (see RATIONALE.md).
var allowScripts = []string{"esbuild", "workerd"}

const initUsage = `Usage: wasmbuild init [-module path] [-godurable dir] [dir]

init writes a new godurable project into dir (default "."), then runs
go mod tidy in it:

  go.mod             the module, with wasmbuild as a tool: go tool wasmbuild
  main.go            a Worker and a Durable Object class, Room
  main_test.go       their test, under dotest
  wrangler.toml      the Worker's configuration: the binding ROOM, Room's migration
  package.json       wrangler %s and Node.js %s as godurable pins them,
  package-lock.json  with godurable's lockfile (npm ci)
  .gitignore, README.md

dir may exist and hold other files, but none of these, nor go.sum, other
.go files or another wrangler configuration: init never overwrites a file.

Flags:
`

// initOptions are the flags of init.
type initOptions struct {
	dir       string
	module    string
	godurable string
	// godurableSet reports whether -godurable was given (an empty value
	// asks for no replace directive).
	godurableSet bool
}

func parseInit(args []string) (*initOptions, error) {
	o := &initOptions{}
	fs := flag.NewFlagSet("wasmbuild init", flag.ContinueOnError)
	fs.StringVar(&o.module, "module", "", "module `path` of the project (default: example.com/ and the directory's name)")
	fs.StringVar(&o.godurable, "godurable", "", "`dir` of a clone of "+modulePath+" for a replace directive in go.mod, while the module is not published\n(default: the clone this wasmbuild runs from, if it runs from one; -godurable= for none)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), initUsage, wranglerdev.Version, wranglerdev.NodeVersion)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "godurable" {
			o.godurableSet = true
		}
	})
	switch fs.NArg() {
	case 0:
		o.dir = "."
	case 1:
		o.dir = fs.Arg(0)
	default:
		return nil, fmt.Errorf("init takes one directory, got %s", strings.Join(fs.Args(), " "))
	}
	return o, nil
}

// projectData fills the templates.
type projectData struct {
	Name    string // of the Worker, the npm package and the default module
	Module  string
	Version string // of godurable, in go.mod's require
	Replace string // the clone's directory, quoted if go.mod needs it, or ""
	Date    string // compatibility_date
}

func cmdInit(ctx context.Context, args []string) error {
	o, err := parseInit(args)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	d := projectData{Name: workerName(filepath.Base(abs)), Date: wranglerdev.MaxCompatibilityDate}
	d.Module = o.module
	if d.Module == "" {
		d.Module = "example.com/" + d.Name
	}
	if err := checkModulePath(d.Module); err != nil {
		return err
	}
	if err := checkEmpty(abs); err != nil {
		return err
	}
	src, err := godurableSource(ctx, o)
	if err != nil {
		return err
	}
	d.Version = src.version
	if src.dir != "" {
		d.Replace = quoteModPath(src.dir)
	}
	files, err := renderProject(d)
	if err != nil {
		return err
	}

	progress("writing a godurable project into %s (module %s, Worker %s)", abs, d.Module, d.Name)
	progress("go.mod: %s", src.why)
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	for _, name := range projectFiles {
		// O_EXCL: a file that appeared since the check is not overwritten.
		f, err := os.OpenFile(filepath.Join(abs, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, err = f.Write(files[name])
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		progress("wrote %s", name)
	}
	if err := tidy(ctx, abs); err != nil {
		return err
	}

	cd := o.dir
	if strings.ContainsAny(cd, " \t'\"$`\\!*?[]{}()<>|&;#~") {
		cd = "'" + strings.ReplaceAll(cd, "'", `'\''`) + "'" // for a POSIX shell
	}
	fmt.Fprintf(os.Stderr, "\nThe project is ready. Serve it in workerd and test it with:\n\n")
	if filepath.Clean(o.dir) != "." {
		fmt.Fprintf(os.Stderr, "  cd %s\n", cd)
	}
	fmt.Fprintf(os.Stderr, "  go tool wasmbuild dev   # on http://127.0.0.1:8787 (installs wrangler with npm ci the first time)\n")
	fmt.Fprintf(os.Stderr, "  go test ./...\n")
	return nil
}

// renderProject returns the contents of projectFiles for d.
func renderProject(d projectData) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, name := range projectFiles {
		var b []byte
		var err error
		switch name {
		case "package.json":
			b, err = packageJSON(d.Name)
		case "package-lock.json":
			b, err = lockfile(d.Name)
		default:
			b, err = render(strings.TrimPrefix(name, ".")+".tmpl", d)
		}
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
	return files, nil
}

func render(name string, d projectData) ([]byte, error) {
	text, err := templates.ReadFile("template/" + name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(text))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// packageJSON is the project's package.json: the tools of godurable's own
// package.json (wranglerdev's pins, which TestPackageJSON compares with
// it), under the project's name.
func packageJSON(name string) ([]byte, error) {
	node := map[string]string{}
	for _, p := range wranglerdev.NodePackages {
		node[p] = wranglerdev.NodeVersion
	}
	scripts := map[string]bool{}
	for _, p := range allowScripts {
		scripts[p] = true
	}
	// A struct keeps npm's order of the fields; maps are sorted, as npm
	// sorts dependencies.
	b, err := json.MarshalIndent(struct {
		Name                 string            `json:"name"`
		Private              bool              `json:"private"`
		Description          string            `json:"description"`
		DevDependencies      map[string]string `json:"devDependencies"`
		OptionalDependencies map[string]string `json:"optionalDependencies"`
		AllowScripts         map[string]bool   `json:"allowScripts"`
	}{
		Name:        name,
		Private:     true,
		Description: "The JavaScript tools of this godurable project: wrangler (with workerd), the MessagePack codec of the shim, and the Node.js 22 that wrangler needs (one package per platform; npm installs the one that matches).",
		DevDependencies: map[string]string{
			"wrangler":         wranglerdev.Version,
			"@msgpack/msgpack": wranglerdev.MsgpackVersion,
		},
		OptionalDependencies: node,
		AllowScripts:         scripts,
	}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// lockHeader is how godurable's package-lock.json starts: its name, twice,
// and its license, which a project of its own does not inherit.
const lockHeader = `{
  "name": "godurable-tools",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "godurable-tools",
      "license": "Apache-2.0",
`

// lockfile is the project's package-lock.json: godurable's own (an
// embedded copy that TestLockfile keeps identical to it) under the
// project's name. The project pins the same packages, so the lockfile's
// tree, which godurable's tests run on, is valid for it as it is.
func lockfile(name string) ([]byte, error) {
	b, err := templates.ReadFile("template/package-lock.json")
	if err != nil {
		return nil, err
	}
	rest, ok := bytes.CutPrefix(b, []byte(lockHeader))
	if !ok {
		return nil, errors.New("the embedded package-lock.json does not start as godurable's does: update lockHeader")
	}
	q, _ := json.Marshal(name)
	head := strings.NewReplacer(`"godurable-tools"`, string(q), "      \"license\": \"Apache-2.0\",\n", "").Replace(lockHeader)
	return append([]byte(head), rest...), nil
}

// workerName makes a Worker name (and npm package name) of a directory's
// name: lower-case letters, digits and dashes, at most 63 characters.
func workerName(base string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	name := b.String()
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	if name == "" {
		name = "worker"
	}
	return name
}

// checkModulePath rejects module paths that go.mod cannot hold; go itself
// checks the rest (go mod tidy).
func checkModulePath(p string) error {
	bad := p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//")
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~/", r)) {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("-module %q is not a module path (such as example.com/rooms)", p)
	}
	return nil
}

// checkEmpty fails if dir has any file that init writes (or go mod tidy),
// Go files (they would join the package) or another wrangler
// configuration. Anything else may be there: init does not touch it.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var found []string
	for _, e := range entries {
		n := e.Name()
		if slices.Contains(projectFiles, n) || n == "go.sum" || n == "wrangler.json" || n == "wrangler.jsonc" || strings.HasSuffix(n, ".go") {
			found = append(found, n)
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("%s already has %s: init writes a new project and never overwrites a file, so it wrote nothing; remove %s or choose another directory",
			dir, strings.Join(found, ", "), map[bool]string{true: "it", false: "them"}[len(found) == 1])
	}
	return nil
}

// source is where the new project's godurable comes from.
type source struct {
	dir     string // a clone, for a replace directive; or ""
	version string // for the require directive
	why     string // what init did, for the progress output
}

// godurableSource decides how the project gets godurable: a replace
// directive to the clone of -godurable or, by default, to the clone that
// this wasmbuild was built from (found through the build information and
// its own source file, else go list in the current directory); else, for
// a wasmbuild built from a published version, that version.
func godurableSource(ctx context.Context, o *initOptions) (source, error) {
	if o.godurableSet {
		if o.godurable == "" {
			return source{why: "no replace directive (-godurable=): go mod tidy fetches the newest " + modulePath + " from the Go module proxy"}, nil
		}
		dir, err := cloneDir(o.godurable)
		if err != nil {
			return source{}, fmt.Errorf("-godurable: %w", err)
		}
		return source{dir: dir, version: unpublished, why: "replace " + modulePath + " => " + dir + " (-godurable)"}, nil
	}
	var mod *debug.Module
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == modulePath {
			mod = &bi.Main
		}
		for _, dep := range bi.Deps {
			if dep.Path == modulePath {
				mod = dep
			}
		}
	}
	// A module from the module cache has a checksum; a clone (the main
	// module, or a replacement by a directory) has none.
	if mod != nil && mod.Replace == nil && mod.Sum != "" {
		return source{version: mod.Version, why: "require " + modulePath + " " + mod.Version + " (the version of this wasmbuild)"}, nil
	}
	if mod != nil && mod.Replace != nil && mod.Replace.Sum != "" {
		return source{}, fmt.Errorf("this wasmbuild was built from %s %s in place of %s: pass -godurable with the directory of a clone, or -godurable= for none", mod.Replace.Path, mod.Replace.Version, modulePath)
	}
	why := " (the clone this wasmbuild runs from; -godurable to choose another, until the module is published)"
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if dir, err := cloneDir(filepath.Join(filepath.Dir(file), "..", "..")); err == nil {
			return source{dir: dir, version: unpublished, why: "replace " + modulePath + " => " + dir + why}, nil
		}
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{if .Replace}}{{.Replace.Dir}}{{else if not .Version}}{{.Dir}}{{end}}", modulePath)
	if out, err := cmd.Output(); err == nil {
		if dir, err := cloneDir(strings.TrimSpace(string(out))); err == nil {
			return source{dir: dir, version: unpublished, why: "replace " + modulePath + " => " + dir + why}, nil
		}
	}
	return source{}, fmt.Errorf("cannot tell which clone of %s this wasmbuild was built from: pass -godurable with its directory", modulePath)
}

// cloneDir returns the absolute path of dir if it holds godurable's go.mod.
func cloneDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	f, err := os.Open(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("%s is not a clone of %s: %w", abs, modulePath, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			if strings.Trim(fields[1], `"`) == modulePath {
				return abs, nil
			}
			break
		}
	}
	return "", fmt.Errorf("%s is not a clone of %s: its go.mod is another module's", abs, modulePath)
}

// quoteModPath quotes a path for go.mod if it has to be.
func quoteModPath(p string) string {
	if p == "" || strings.ContainsAny(p, " \t\"'`\\") || strings.Contains(p, "//") || strings.Contains(p, "/*") {
		return strconv.Quote(p)
	}
	return p
}

// tidy runs go mod tidy in dir, which downloads what the project needs
// from the Go module proxy (nothing, if the module cache has it). It
// shows go's download lines as they come, and the rest if it fails.
func tidy(ctx context.Context, dir string) error {
	progress("go mod tidy (downloads what the module cache lacks from the Go module proxy) ...")
	start := time.Now()
	out := &progressLines{prefixes: []string{"go: downloading ", "go: finding "}}
	cmd := exec.CommandContext(ctx, "go", "mod", "tidy")
	cmd.Dir = dir
	// The project is a module of its own, whatever workspace is around it.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return tidyError(dir, out.all.String(), err)
	}
	progress("go mod tidy done in %.1fs", time.Since(start).Seconds())
	return nil
}

// progressLines keeps everything written to it, and copies the lines that
// start with one of prefixes to stderr.
type progressLines struct {
	prefixes []string
	all      bytes.Buffer
	line     []byte
}

func (p *progressLines) Write(b []byte) (int, error) {
	p.all.Write(b)
	p.line = append(p.line, b...)
	for {
		i := bytes.IndexByte(p.line, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(p.line[:i])
		p.line = p.line[i+1:]
		for _, pre := range p.prefixes {
			if strings.HasPrefix(line, pre) {
				fmt.Fprintln(os.Stderr, "  "+line)
			}
		}
	}
}

// networkErrors are parts of go's messages when it cannot reach a server.
var networkErrors = []string{"dial tcp", "no such host", "connection refused", "i/o timeout", "network is unreachable", "tls handshake timeout", "proxyconnect", "module lookup disabled"}

// tidyError explains a failed go mod tidy; the project's files stay.
func tidyError(dir, output string, err error) error {
	next := "the project's files are written; run go mod tidy in " + dir + " again"
	for _, line := range strings.Split(output, "\n") {
		if containsAny(strings.ToLower(line), networkErrors...) {
			proxy, _ := exec.Command("go", "env", "GOPROXY").Output()
			return fmt.Errorf("go mod tidy could not reach the Go module proxy (GOPROXY=%s) for modules that the module cache lacks (godurable's dependencies: wazero, msgpack, go-sqlite3, ...):\n\t%s\n%s once it is reachable",
				strings.TrimSpace(string(proxy)), strings.TrimSpace(line), next)
		}
	}
	fmt.Fprint(os.Stderr, output)
	lower := strings.ToLower(output)
	if strings.Contains(output, "module "+modulePath) && containsAny(lower, "not found", "unknown revision", "not available", "404", "403", "410") {
		return fmt.Errorf("go mod tidy could not find %s: until it is published, a project needs a clone of it: add `replace %s => <the clone's directory>` to %s and run go mod tidy there (or remove the files and run init again with -godurable)",
			modulePath, modulePath, filepath.Join(dir, "go.mod"))
	}
	return fmt.Errorf("go mod tidy: %v (its output is above); %s", err, next)
}

func containsAny(s string, parts ...string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
