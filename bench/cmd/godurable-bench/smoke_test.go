package main

import (
	"bytes"
	"context"
	"os"
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
	for _, want := range []string{"| Measurement | Go | JavaScript | Go/JavaScript |", secCold, secStateless, secHot, secMany, secRPC, secNew, secMemory, secHop, "BenchmarkRPCCallee"} {
		if !strings.Contains(out, want) {
			t.Errorf("the results lack %q:\n%s", want, out)
		}
	}
}
