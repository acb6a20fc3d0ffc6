package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/wrangler"
	"github.com/godurable/godurable/internal/wranglerdev"
)

// TestInstallQuiet: the install of wasmbuild dev (npm ci of godurable's
// lockfile, in a new directory) holds back npm's EBADENGINE warnings about
// the Node.js npm runs on, and says in one line why they do not matter.
func TestInstallQuiet(t *testing.T) {
	if os.Getenv(e2eEnv) == "" {
		t.Skipf("%s is not set: not running npm ci", e2eEnv)
	}
	root := repoRoot(t)
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	tools, err := ensureTools(context.Background(), dir)
	os.Stderr = stderr
	w.Close()
	output := <-out
	t.Logf("wasmbuild dev's install:\n%s", output)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(output, "EBADENGINE Unsupported engine") {
		t.Error("npm's EBADENGINE warnings came through")
	}
	// npm warns when it runs on a Node.js older than wrangler's
	// engines.node (Node.js 20 here).
	v, err := exec.Command("node", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := wranglerdev.Satisfies(strings.TrimSpace(string(v)), tools.NodeRange); !ok && !strings.Contains(output, "do not matter: wrangler runs on Node.js "+tools.NodeVersion) {
		t.Errorf("npm runs on Node.js %s, but no line says why its warnings do not matter", v)
	}
}

// TestDevArgs: wrangler dev gets --test-scheduled (the route /__scheduled)
// when the configuration has cron triggers, once.
func TestDevArgs(t *testing.T) {
	cfg := &wrangler.Config{Path: "wrangler.toml"}
	if got := strings.Join(wranglerDevArgs(cfg, 8787, []string{"--log-level", "debug"}), " "); got != "dev --ip 127.0.0.1 --port 8787 -c wrangler.toml --log-level debug" {
		t.Errorf("without crons: %s", got)
	}
	cfg.Triggers.Crons = []string{"*/5 * * * *"}
	if got := strings.Join(wranglerDevArgs(cfg, 8787, nil), " "); got != "dev --ip 127.0.0.1 --port 8787 -c wrangler.toml --test-scheduled" {
		t.Errorf("with crons: %s", got)
	}
	if got := strings.Join(wranglerDevArgs(cfg, 8787, []string{"--test-scheduled"}), " "); got != "dev --ip 127.0.0.1 --port 8787 -c wrangler.toml --test-scheduled" {
		t.Errorf("with crons and the flag given: %s", got)
	}
}
