package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/godurable/godurable/bench/cpuprof"
	"github.com/godurable/godurable/internal/build"
)

// loopModule assembles a wasm module with memory of pages pages (exported
// as memory), an import env.op(i32) and an export loop(n i32) that calls
// op(i) for i in [0, n):
//
//	(func (export "loop") (param $n i32) (local $i i32)
//	  (block (loop
//	    (br_if 1 (i32.ge_s (local.get $i) (local.get $n)))
//	    (call $op (local.get $i))
//	    (local.set $i (i32.add (local.get $i) (i32.const 1)))
//	    (br 0))))
func loopModule(pages int) []byte {
	uleb := func(v int) []byte {
		var b []byte
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if v != 0 {
				b = append(b, c|0x80)
				continue
			}
			return append(b, c)
		}
	}
	section := func(id byte, body []byte) []byte {
		return append(append([]byte{id}, uleb(len(body))...), body...)
	}
	name := func(s string) []byte { return append(uleb(len(s)), s...) }
	mod := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	mod = append(mod, section(1, []byte{1, 0x60, 1, 0x7f, 0})...) // type 0: (i32) -> ()
	imp := []byte{1}
	imp = append(imp, name("env")...)
	imp = append(imp, name("op")...)
	imp = append(imp, 0, 0) // func, type 0
	mod = append(mod, section(2, imp)...)
	mod = append(mod, section(3, []byte{1, 0})...)                         // func 1: type 0
	mod = append(mod, section(5, append([]byte{1, 0}, uleb(pages)...))...) // memory, min pages
	exp := []byte{2}
	exp = append(exp, name("loop")...)
	exp = append(exp, 0, 1) // func 1
	exp = append(exp, name("memory")...)
	exp = append(exp, 2, 0) // memory 0
	mod = append(mod, section(7, exp)...)
	body := []byte{
		1, 1, 0x7f, // one local i32 ($i = local 1)
		0x02, 0x40, // block
		0x03, 0x40, // loop
		0x20, 1, 0x20, 0, 0x4e, // local.get $i, local.get $n, i32.ge_s
		0x0d, 1, // br_if 1
		0x20, 1, 0x10, 0, // local.get $i, call $op
		0x20, 1, 0x41, 1, 0x6a, 0x21, 1, // $i = $i + 1
		0x0c, 0, // br 0
		0x0b, 0x0b, // end loop, end block
		0x0b, // end func
	}
	code := append([]byte{1}, append(uleb(len(body)), body...)...)
	mod = append(mod, section(10, code)...)
	return mod
}

// kvVariants are the kv.get experiment's variants (bench/kvexp/kvexp.js).
var kvVariants = []string{
	"none", "get-num", "get-bytes", "get-bytes-freshkey", "get-bytes-slice", "get-bytes-view64", "get-get", "put-bytes", "increment-js", "fill2m", "fill2m-get", "allocs", "allocs-get",
	"wasm-nothing", "wasm-view", "wasm-get", "wasm-get-view", "wasm64-nothing", "wasm64-get", "wasm64-get-view",
}

// protoVariants are the event-floor prototype's variants
// (bench/proto/proto.js).
var protoVariants = []string{"js-noop", "js-get", "go-noop", "go-get", "go-chan", "go-handoff", "js-encode-event", "go-decode-event"}

// runKVExp runs the kv.get experiment (bench/kvexp).
func (b *bench) runKVExp(ctx context.Context, n, events, rounds int) error {
	out := filepath.Join(b.root, "bench", "build", "kvexp")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for file, pages := range map[string]int{"loop.wasm": 1, "loop64.wasm": 1024} {
		if err := os.WriteFile(filepath.Join(out, file), loopModule(pages), 0o644); err != nil {
			return err
		}
	}
	return b.runExperiment(ctx, "kv.get experiment (bench/kvexp)", "bench/kvexp/kvexp.toml", "core:user:godurable-bench-kvexp", kvVariants, n, events, rounds)
}

// runProto builds the event-floor prototype (bench/proto/floor) and times
// its variants (bench/proto/proto.js).
func (b *bench) runProto(ctx context.Context, n, events, rounds int) error {
	if err := b.buildProto(ctx); err != nil {
		return err
	}
	return b.runExperiment(ctx, "event-floor prototype (bench/proto)", "bench/proto/proto.toml", "core:user:godurable-bench-proto", protoVariants, n, events, rounds)
}

// buildProto builds the event-floor prototype (bench/proto/floor) into
// bench/build/proto, where bench/proto/proto.js imports it.
func (b *bench) buildProto(ctx context.Context) error {
	out := filepath.Join(b.root, "bench", "build", "proto")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	b.logf("building ./bench/proto/floor")
	return build.Compile(ctx, b.root, "./bench/proto/floor", filepath.Join(out, "app.wasm"))
}

// runExperiment times the variants of an experiment Worker (GET /setup,
// /loop, /once as bench/kvexp/kvexp.js serves them): each n times in a
// loop inside one event, and once per RPC event, rounds times, in an
// order that rotates. The once runs are timed twice: by the caller's
// clock (the whole RPC round trip), and by V8's profiler in the
// experiment's isolate (target), the time the isolate was busy per event,
// which is what a variant adds and is less noisy.
func (b *bench) runExperiment(ctx context.Context, title, config, target string, variants []string, n, events, rounds int) error {
	s, err := b.startSession(ctx, 1, config)
	if err != nil {
		return err
	}
	defer s.stop()
	if _, err := s.do(ctx, "GET", "/setup"); err != nil {
		return err
	}
	call := func(path string) (float64, error) {
		body, err := s.do(ctx, "GET", path)
		if err != nil {
			return 0, err
		}
		var a struct {
			MS float64 `json:"ms"`
		}
		if err := json.Unmarshal(body, &a); err != nil {
			return 0, fmt.Errorf("%s: %w: %s", path, err, body)
		}
		return a.MS, nil
	}
	conns, err := b.isolates(ctx, s, target)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	prof := conns[target]
	loopUS := map[string][]float64{}
	onceUS := map[string][]float64{}
	busyUS := map[string][]float64{}
	// Warm up every variant (V8 optimizes the loops).
	for _, v := range variants {
		if _, err := call(fmt.Sprintf("/loop?variant=%s&n=%d", v, n)); err != nil {
			return err
		}
		if _, err := call(fmt.Sprintf("/once?variant=%s&n=%d", v, events/4)); err != nil {
			return err
		}
	}
	for r := 0; r < rounds; r++ {
		b.logf("%s: round %d/%d", title, r+1, rounds)
		for _, v := range order(variants, r) {
			empty, err := call(fmt.Sprintf("/loop?variant=%s&n=0", v))
			if err != nil {
				return err
			}
			full, err := call(fmt.Sprintf("/loop?variant=%s&n=%d", v, n))
			if err != nil {
				return err
			}
			loopUS[v] = append(loopUS[v], (full-empty)*1000/float64(n))
			once, err := call(fmt.Sprintf("/once?variant=%s&n=%d", v, events))
			if err != nil {
				return err
			}
			onceUS[v] = append(onceUS[v], once*1000/float64(events))
			if err := prof.StartProfiler(ctx, 50); err != nil {
				return err
			}
			if _, err := call(fmt.Sprintf("/once?variant=%s&n=%d", v, events)); err != nil {
				return err
			}
			_, p, err := prof.StopProfiler(ctx)
			if err != nil {
				return err
			}
			busyUS[v] = append(busyUS[v], (&cpuprof.Classifier{}).Summarize(p).Busy()/float64(events))
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "# %s\n\n%d operations per loop event; %d RPC events per once run; %d rounds; medians.\n\n", title, n, events, rounds)
	fmt.Fprintf(&sb, "| variant | in a loop, µs per operation | once per RPC event: µs per event, caller's clock | over the first variant | isolate busy per event (profiler on) | over the first variant |\n|---|--:|--:|--:|--:|--:|\n")
	base, busyBase := median(onceUS[variants[0]]), median(busyUS[variants[0]])
	for _, v := range variants {
		fmt.Fprintf(&sb, "| %s | %.3f | %.1f | %.1f | %.1f | %.1f |\n", v, median(loopUS[v]), median(onceUS[v]), median(onceUS[v])-base, median(busyUS[v]), median(busyUS[v])-busyBase)
	}
	fmt.Fprint(b.stdout, sb.String())
	return nil
}
