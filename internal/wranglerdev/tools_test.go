package wranglerdev

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSatisfies(t *testing.T) {
	for _, c := range []struct {
		v, rng string
		want   bool
	}{
		{"22.23.2", ">=22.12.0", true},
		{"22.12.0", ">=22.12.0", true},
		{"22.11.9", ">=22.12.0", false},
		{"20.20.2", ">=22.12.0", false},
		{"20.20.2", ">=20.3.0", true},
		{"24.1.0", ">=22.12.0", true},
		{"20.20.2", "", true},
		{"20.20.2", ">= 20", true},
		{"18.19.0", "^18.18.0 || ^20.9.0 || >=21.1.0", true},
		{"19.0.0", "^18.18.0 || ^20.9.0 || >=21.1.0", false},
		{"20.8.0", "^18.18.0 || ^20.9.0 || >=21.1.0", false},
		{"22.0.0", ">=18 <21", false},
		{"20.1.0", ">=18 <21", true},
		{"22.12.5", "~22.12.0", true},
		{"22.13.0", "~22.12.0", false},
		{"22.13.0", "22.x", true},
		{"23.0.0", ">22", true},
		{"22.99.0", ">22", false},
		{"22.99.0", "<=22", true},
		{"23.0.0", "<=22", false},
	} {
		got, err := Satisfies(c.v, c.rng)
		if err != nil || got != c.want {
			t.Errorf("Satisfies(%q, %q) = %v, %v; want %v", c.v, c.rng, got, err, c.want)
		}
	}
	if _, err := Satisfies("22.1.0", ">=twenty"); err == nil {
		t.Error("a bad range was accepted")
	}
}

// fakeModules lays out node_modules with a wrangler whose engines.node is
// rng and, if nodeVersion is not empty, a .bin/node script that prints it.
func fakeModules(t *testing.T, dir, rng, nodeVersion string) string {
	t.Helper()
	m := filepath.Join(dir, "node_modules")
	w := filepath.Join(m, "wrangler")
	os.MkdirAll(filepath.Join(w, "bin"), 0o755)
	os.WriteFile(filepath.Join(w, "package.json"), []byte(`{"name":"wrangler","version":"9.9.9","engines":{"node":"`+rng+`"}}`), 0o644)
	os.WriteFile(filepath.Join(w, "bin", "wrangler.js"), nil, 0o644)
	if nodeVersion != "" {
		writeNode(t, filepath.Join(m, ".bin"), nodeVersion)
	}
	return m
}

func writeNode(t *testing.T, dir, version string) string {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, "node")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho v"+version+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindTools(t *testing.T) {
	root := t.TempDir()
	sys := t.TempDir()
	t.Setenv("PATH", sys)
	sub := filepath.Join(root, "a", "b")
	os.MkdirAll(sub, 0o755)

	if _, err := FindTools(sub); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("no node_modules: %v", err)
	}

	m := fakeModules(t, root, ">=22.12.0", "22.23.2")
	tools, err := FindTools(sub)
	if err != nil {
		t.Fatal(err)
	}
	if !tools.Pinned || tools.Node != filepath.Join(m, ".bin", "node") || tools.NodeVersion != "22.23.2" ||
		tools.WranglerVersion != "9.9.9" || tools.Wrangler != filepath.Join(m, "wrangler", "bin", "wrangler.js") {
		t.Errorf("pinned node: %+v", tools)
	}
	cmd := tools.Command(context.Background(), sub, "dev", "-c", "x.toml")
	if cmd.Path != tools.Node || strings.Join(cmd.Args[1:], " ") != tools.Wrangler+" dev -c x.toml" || cmd.Dir != sub {
		t.Errorf("command: %v in %s", cmd.Args, cmd.Dir)
	}
	if !strings.HasPrefix(lastEnv(cmd.Env, "PATH"), filepath.Join(m, ".bin")+string(os.PathListSeparator)) {
		t.Errorf("PATH = %q, want the pinned node's directory first", lastEnv(cmd.Env, "PATH"))
	}

	// The pinned node too old, the system's new enough: the system's.
	writeNode(t, filepath.Join(m, ".bin"), "20.20.2")
	writeNode(t, sys, "22.12.0")
	if tools, err = FindTools(sub); err != nil || tools.Pinned || tools.Node != filepath.Join(sys, "node") {
		t.Errorf("system node: %+v, %v", tools, err)
	}

	// Neither: a clear error naming both and what to install.
	writeNode(t, sys, "20.20.2")
	_, err = FindTools(sub)
	if !errors.Is(err, ErrNodeTooOld) {
		t.Fatalf("old nodes: %v", err)
	}
	for _, want := range []string{"wrangler 9.9.9", ">=22.12.0", "v20.20.2", "install Node.js"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	// No pinned node: the system's, if new enough (the floor's case).
	os.Remove(filepath.Join(m, ".bin", "node"))
	os.WriteFile(filepath.Join(m, "wrangler", "package.json"), []byte(`{"version":"4.86.0","engines":{"node":">=20.3.0"}}`), 0o644)
	if tools, err = FindTools(sub); err != nil || tools.Pinned || tools.NodeVersion != "20.20.2" {
		t.Errorf("floor: %+v, %v", tools, err)
	}

	// The nearest node_modules wins.
	fakeModules(t, sub, ">=20", "")
	if tools, err = FindTools(sub); err != nil || tools.Modules != filepath.Join(sub, "node_modules") {
		t.Errorf("nearest: %+v, %v", tools, err)
	}
}

func lastEnv(env []string, key string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == key {
			v = val
		}
	}
	return v
}

func TestWithDate(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "w.toml"), []byte("name = \"x\"\nmain = \"build/worker.mjs\"\ncompatibility_date = \"2026-11-24\"\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"A\"]\n"), 0o644)
	out, err := withDate(dir, "sub/w.toml", "2026-05-03", filepath.Join(t.TempDir(), "copy.toml"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	for _, want := range []string{`compatibility_date = "2026-05-03"`, `main = "` + filepath.Join(dir, "sub", "build", "worker.mjs") + `"`, `new_sqlite_classes = ["A"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the copy lacks %s:\n%s", want, b)
		}
	}
	if _, err := withDate(dir, "wrangler.jsonc", "2026-05-03", out); err == nil {
		t.Error("a .jsonc configuration was copied")
	}
}

func TestInstalledMaxCompatibilityDate(t *testing.T) {
	for v, want := range map[string]string{"1.20261117.1": MaxCompatibilityDate, "1.20260426.1": FloorMaxCompatibilityDate, "1.20261230.0": "2027-01-06"} {
		dir := t.TempDir()
		fakeModules(t, dir, ">=20", "")
		os.MkdirAll(filepath.Join(dir, "node_modules", "workerd"), 0o755)
		os.WriteFile(filepath.Join(dir, "node_modules", "workerd", "package.json"), []byte(`{"version":"`+v+`"}`), 0o644)
		if got, ver, err := InstalledMaxCompatibilityDate(dir); got != want || ver != v || err != nil {
			t.Errorf("workerd %s: %q, %q, %v; want %s", v, got, ver, err, want)
		}
	}
	if _, _, err := InstalledMaxCompatibilityDate(t.TempDir()); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("nothing installed: %v", err)
	}
}
