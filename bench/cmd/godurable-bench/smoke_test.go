package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SmokeEnv makes TestSmoke run: the benchmark needs wrangler (npm ci) and
// about a minute, so plain `go test ./...` skips it.
const SmokeEnv = "GODURABLE_BENCH_SMOKE"

// TestSmoke runs every measurement once with tiny counts, so that the
// benchmark cannot rot. It asserts nothing about speed.
func TestSmoke(t *testing.T) {
	if os.Getenv(SmokeEnv) == "" {
		t.Skipf("set %s=1 to run the benchmark's smoke mode (needs wrangler: npm ci)", SmokeEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"-smoke"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.Bytes())
	}
	out := stdout.String()
	for _, want := range []string{"| Measurement | Go | JavaScript | Go/JavaScript |", secCold, secStateless, secStream, secD1, secKV, secR2, secCache, secHot, secMany, secRPC, secNew, secChat, secQueue, secMemory, secHop, "BenchmarkRPCCallee"} {
		if !strings.Contains(out, want) {
			t.Errorf("the results lack %q:\n%s", want, out)
		}
	}
}

// TestProfileSmoke runs the profiling mode with tiny counts, so that it
// cannot rot either. It asserts nothing about speed: only that every
// phase produced its section and that the profiles were written.
func TestProfileSmoke(t *testing.T) {
	if os.Getenv(SmokeEnv) == "" {
		t.Skipf("set %s=1 to run the profiling mode's smoke run (needs wrangler: npm ci)", SmokeEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-profile", "-profile-rounds", "1", "-profile-calls", "20", "-profile-requests", "5", "-profile-cold", "1", "-profile-out", out}
	if err := run(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.Bytes())
	}
	for _, ph := range profPhases {
		if !strings.Contains(stdout.String(), "## "+ph.title) {
			t.Errorf("the summary lacks the phase %s:\n%s", ph.key, stdout.String())
		}
	}
	for _, f := range []string{"summary.md", "rpc-get-go-r1.cpuprofile", "rpc-get-js-r1.front.cpuprofile", "cold-go-1.cpuprofile"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
