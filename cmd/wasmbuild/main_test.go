package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	o, err := parse("dev", []string{"-o", "out", "./pkg", "--", "--local-protocol", "https"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.out != "out" || o.pkg != "./pkg" || !reflect.DeepEqual(o.rest, []string{"--local-protocol", "https"}) {
		t.Errorf("options = %+v", o)
	}
	o, err = parse("build", nil, nil)
	if err != nil || o.pkg != "." {
		t.Errorf("default package: %+v, %v", o, err)
	}
	if _, err := parse("build", []string{"a", "b"}, nil); err == nil || !strings.Contains(err.Error(), "one package") {
		t.Errorf("two packages: %v", err)
	}
	if _, err := parse("build", []string{"-nope"}, nil); err == nil {
		t.Error("an unknown flag was accepted")
	}
	if _, err := parse("build", []string{"-h"}, nil); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestProject(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	p, err := (&options{}).project(false)
	if err != nil || p.cfg != nil || p.out != "build" {
		t.Errorf("no configuration: %+v, %v", p, err)
	}
	if _, err := (&options{}).project(true); err == nil {
		t.Error("a missing configuration was accepted where one is required")
	}
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("main = \"dist/worker.mjs\"\n"), 0o644)
	p, err = (&options{}).project(true)
	if err != nil {
		t.Fatal(err)
	}
	if p.out != filepath.Join(dir, "dist") || p.entry() != filepath.Join(dir, "dist", "worker.mjs") {
		t.Errorf("out = %q, entry = %q", p.out, p.entry())
	}
	p, _ = (&options{out: "elsewhere"}).project(true)
	if p.out != "elsewhere" {
		t.Errorf("-o ignored: %q", p.out)
	}
}

func TestRunUsage(t *testing.T) {
	ctx := context.Background()
	var code exitCode
	if err := run(ctx, nil); !errors.As(err, &code) || code != 2 {
		t.Errorf("no command: %v", err)
	}
	if err := run(ctx, []string{"frobnicate"}); !errors.As(err, &code) || code != 2 {
		t.Errorf("unknown command: %v", err)
	}
	if err := run(ctx, []string{"version"}); err != nil {
		t.Errorf("version: %v", err)
	}
	t.Chdir(t.TempDir())
	if err := run(ctx, []string{"check", "-config", "missing.toml"}); err == nil {
		t.Error("check with a missing configuration succeeded")
	}
	os.WriteFile("wrangler.toml", []byte("main = \"build/worker.mjs\"\n"), 0o644)
	if err := run(ctx, []string{"check"}); err == nil || !strings.Contains(err.Error(), "run wasmbuild build first") {
		t.Errorf("check without a module: %v", err)
	}
}

// TestLinksNoHarness: wasmbuild reads manifests with the wazero driver
// alone; SQLite and the model of workerd belong to the test harness.
func TestLinksNoHarness(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "sqlite") || strings.HasSuffix(dep, "/internal/workerd") || strings.HasSuffix(dep, "/dotest") {
			t.Errorf("wasmbuild depends on %s", dep)
		}
	}
}
