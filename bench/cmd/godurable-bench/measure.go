package main

import (
	"bytes"
	"regexp"

	"context"
	"encoding/json"
	"fmt"
	"github.com/godurable/godurable/internal/wranglerdev"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/internal/pgserver"
)

// Sections of the table.
const (
	secSize      = "Size"
	secCold      = "Cold start (fresh workerd, Worker served directly)"
	secStateless = "Stateless route (GET /hello, no Durable Object)"
	secHot       = "POST /counter/{name}/increment, one hot object"
	secMany      = "POST /counter/{name}/increment, 1,000 objects"
	secRPC       = "RPC increment(1) from a JavaScript caller Worker"
	secNew       = "New object in a warm isolate"
	secChat      = "Chat room over WebSockets (examples/chat, hibernation API)"
	secHop       = "Routing hop (front Worker, service binding)"
	secStream    = "Streaming bodies (stateless route, 4 MiB, one at a time)"
	secD1        = "D1 from a stateless Worker (SELECT ?1 + 1, local D1)"
	secKV        = "Workers KV read of a 1 KiB value from a stateless Worker (GET /kv, local KV)"
	secR2        = "R2 from a stateless Worker (get of a 1 KiB object, local R2)"
	secPG        = "PostgreSQL from a stateless Worker (a connection per request through Hyperdrive, wrangler dev; pgx against node-postgres)"
	secCache     = "Cache API hit from a stateless Worker (match of a 1 KiB response)"
	secMemory    = "Memory"
)

// Rows of the hop: the same one-at-a-time hot increments through the front
// Worker (main session) and served directly (cold-start sessions).
const (
	hopFront  = "hot increment p50, one at a time, through the front"
	hopDirect = "hot increment p50, one at a time, served directly (cold-start sessions, after a warm-up)"
	hopAdded  = "through the front minus served directly"
)

// pgEnv points the PostgreSQL row's Hyperdrive bindings at its database.
const pgEnv = "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE"

// pgQueries are the numbers of SELECT 1 per request of the PostgreSQL
// row: one (the connection dominates), and 20 (the queries' round trips
// do; the difference is 19 round trips).
var pgQueries = []int{1, 20}

// streamBytes is the size of the bodies of the streaming rows.
const streamBytes = 4 << 20

// measureStreams records how fast the stateless route at path streams a
// response and reads an upload, one at a time (seq/10 of each, at least
// 3): both sides write and read 64 KiB chunks.
func (b *bench) measureStreams(run func(phase, func(int) (string, string)) (*loadResult, error), path, side string, seq int) error {
	p := phase{Concurrency: 1, Count: max(seq/10, 3), Duration: b.cfg.Dur}
	for _, m := range []struct{ method, what string }{
		{"GET", "response streamed in 64 KiB writes: MB/s at the p50"},
		{"PUT", "chunked upload read as it comes: MB/s at the p50"},
	} {
		r, err := run(p, func(int) (string, string) { return m.method, fmt.Sprintf("%s?bytes=%d", path, streamBytes) })
		if err != nil {
			return fmt.Errorf("streaming %s %s: %w", m.method, side, err)
		}
		b.m.get(secStream, m.what, "MB/s", higher).add(side, float64(streamBytes)/1e6/r.quantile(0.5).Seconds())
	}
	return nil
}

// deriveHop adds the cost of the hop for each side.
func (b *bench) deriveHop() {
	front, direct := b.m.get(secHop, hopFront, "ms", lower), b.m.get(secHop, hopDirect, "ms", lower)
	for _, side := range []string{sideGo, sideJS} {
		if len(front.vals[side]) > 0 && len(direct.vals[side]) > 0 {
			b.m.get(secHop, hopAdded, "ms", lower).add(side, front.value(side)-direct.value(side))
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// order returns sides rotated by round, so that no side always runs first.
func order(sides []string, round int) []string {
	out := make([]string, len(sides))
	for i := range sides {
		out[i] = sides[(i+round)%len(sides)]
	}
	return out
}

// measureSizes records the size of what each side deploys: the Go module
// itself, and what `wrangler deploy --dry-run` would upload (the bundled
// script, plus the module for Go).
func (b *bench) measureSizes(ctx context.Context) error {
	type module struct{ side, what, wasm, config string }
	modules := []module{
		{sideGo, "counter", filepath.Join(b.root, counterOut, "app.wasm"), "bench/go/counter.toml"},
		{sideJS, "counter", "", "bench/js/counter.toml"},
		{sideGo, "hello", filepath.Join(b.root, helloOut, "app.wasm"), "bench/go/hello.toml"},
		{sideJS, "hello", "", "bench/js/hello.toml"},
		{sideSyumai, "hello", "", b.syumai},
	}
	if b.base != "" {
		more, err := b.baseConfigs()
		if err != nil {
			return err
		}
		modules = append(modules, module{sideBase, "counter", filepath.Join(b.base, "counter", "app.wasm"), more[0]},
			module{sideBase, "hello", filepath.Join(b.base, "hello", "app.wasm"), more[1]})
	}
	for _, w := range modules {
		if w.config == "" {
			continue
		}
		if w.wasm != "" {
			raw, gz, err := sizes(w.wasm)
			if err != nil {
				return err
			}
			b.m.get(secSize, w.what+": Go module (app.wasm), raw", "bytes", lower).add(w.side, float64(raw))
			b.m.get(secSize, w.what+": Go module (app.wasm), gzip", "bytes", lower).add(w.side, float64(gz))
		}
		raw, gz, err := b.uploadSize(ctx, w.config)
		if err != nil {
			return err
		}
		b.m.get(secSize, w.what+": upload (wrangler deploy --dry-run), raw", "bytes", lower).add(w.side, raw)
		b.m.get(secSize, w.what+": upload (wrangler deploy --dry-run), gzip", "bytes", lower).add(w.side, gz)
	}
	return nil
}

var totalUpload = regexp.MustCompile(`Total Upload: ([\d.]+) KiB / gzip: ([\d.]+) KiB`)

// uploadSize returns what wrangler reports it would upload for config.
func (b *bench) uploadSize(ctx context.Context, config string) (raw, gz float64, err error) {
	outDir, err := os.MkdirTemp("", "godurable-bench-dry-run-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(outDir)
	cmd, _, err := wranglerdev.Command(ctx, b.root, "deploy", "--dry-run", "--outdir", outDir, "-c", config)
	if err != nil {
		return 0, 0, err
	}
	cmd.Env = append(cmd.Env, "NO_COLOR=1", "FORCE_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("wrangler deploy --dry-run -c %s: %v\n%s", config, err, out)
	}
	m := totalUpload.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("wrangler deploy --dry-run -c %s: no Total Upload line in:\n%s", config, out)
	}
	raw, _ = strconv.ParseFloat(string(m[1]), 64)
	gz, _ = strconv.ParseFloat(string(m[2]), 64)
	return raw * 1024, gz * 1024, nil
}

// measureColdStarts starts a fresh workerd serving one counter Worker
// (Go or JavaScript) directly, times its first response, then measures
// one-at-a-time latency without the front Worker (for the hop).
func (b *bench) measureColdStarts(ctx context.Context) error {
	configs := map[string]string{sideGo: "bench/go/counter.toml", sideJS: "bench/js/counter.toml"}
	sides := []string{sideGo, sideJS}
	if b.base != "" {
		more, err := b.baseConfigs()
		if err != nil {
			return err
		}
		configs[sideBase] = more[0] // the base's counter
		sides = append(sides, sideBase)
	}
	for i := 0; i < b.cfg.Cold; i++ {
		for _, side := range order(sides, i) {
			b.logf("cold start %d/%d: %s", i+1, b.cfg.Cold, side)
			s, err := b.startSession(ctx, 1, configs[side])
			if err != nil {
				return err
			}
			d, err := s.timed(ctx, "POST", "/counter/cold/increment")
			if err != nil {
				s.stop()
				return fmt.Errorf("cold start of %s: %w", side, err)
			}
			b.m.get(secCold, "time to first response (POST increment, new object)", "ms", lower).add(side, ms(d))
			b.m.get(secCold, "wrangler dev start to ready (bundling, workerd start, script load)", "s", lower).add(side, s.ready.Seconds())
			// The same Worker without the front, for the hop, after a warm-up
			// as long as a load run (V8 compiles Go's functions lazily and
			// optimizes the hot ones later).
			s.run(ctx, phase{Concurrency: b.cfg.Conc, Count: b.cfg.Count, Duration: b.cfg.Dur}, s.cpu, func(int) (string, string) {
				return "POST", "/counter/direct/increment"
			})
			r := s.run(ctx, phase{Concurrency: 1, Count: b.cfg.Seq, Duration: b.cfg.Dur}, s.cpu, func(int) (string, string) {
				return "POST", "/counter/direct/increment"
			})
			s.stop()
			if err := r.err(); err != nil {
				return fmt.Errorf("%s served directly: %w", side, err)
			}
			b.m.get(secHop, hopDirect, "ms", lower).add(side, ms(r.quantile(0.5)))
		}
	}
	return nil
}

func (r *loadResult) err() error {
	if r.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed, the first with: %v", r.Errors, r.Errors+r.OK, r.FirstError)
	}
	if r.OK == 0 {
		return fmt.Errorf("no request was answered")
	}
	return nil
}

// record adds a load run's figures to the table.
func (b *bench) record(section, what, side string, r *loadResult, withCPU bool) {
	b.m.get(section, what+" requests/s", "req/s", higher).add(side, r.rps())
	b.m.get(section, what+" p50 latency", "ms", lower).add(side, ms(r.quantile(0.5)))
	b.m.get(section, what+" p99 latency", "ms", lower).add(side, ms(r.quantile(0.99)))
	if withCPU && r.CPU > 0 {
		b.m.get(section, what+" CPU per request (wrangler + workerd)", "µs", lower).add(side, us(r.cpuPerRequest()))
	}
}

// checkTwins makes sure both counters answer the contract alike before
// anything is timed.
func (b *bench) checkTwins(ctx context.Context, s *session) error {
	type step struct{ method, path string }
	steps := []step{
		{"GET", "/counter/twin"},
		{"POST", "/counter/twin/increment?by=2"},
		{"POST", "/counter/twin/increment"},
		{"GET", "/counter/twin"},
		{"GET", "/counter/twin/history"},
	}
	for _, st := range steps {
		sides := []string{sideGo, sideJS}
		if b.base != "" {
			sides = append(sides, sideBase)
		}
		bodies := make([][]byte, len(sides))
		for i, side := range sides {
			body, err := s.do(ctx, st.method, "/"+side+st.path)
			if err != nil {
				return fmt.Errorf("checking the %s counter: %w", side, err)
			}
			bodies[i] = body
		}
		for i := 1; i < len(sides); i++ {
			if !bytes.Equal(bodies[0], bodies[i]) {
				return fmt.Errorf("the counters differ on %s %s: Go %q, %s %q", st.method, st.path, bodies[0], sides[i], bodies[i])
			}
		}
	}
	return nil
}

// r2Path is the route of the R2 row, after /gor2 or /jsr2: a 1 KiB object.
const r2Path = "r2/?size=1024"

// checkR2Twins makes sure both R2 Workers answer the same object (which the
// first request stores) before anything is timed.
func (b *bench) checkR2Twins(ctx context.Context, s *session) error {
	var bodies [2][]byte
	for i, side := range []string{sideGo, sideJS} {
		body, err := s.do(ctx, "GET", "/"+side+r2Path)
		if err != nil {
			return fmt.Errorf("checking the %s R2 Worker: %w", side, err)
		}
		bodies[i] = body
	}
	if len(bodies[0]) != 1024 || !bytes.Equal(bodies[0], bodies[1]) {
		return fmt.Errorf("the R2 Workers differ: Go %q, JavaScript %q", bodies[0], bodies[1])
	}
	return nil
}

type rpcAnswer struct {
	Calls int     `json:"calls"`
	Last  float64 `json:"last"`
	MS    float64 `json:"ms"`
}

// mainRows are the rows of the main session that -rows can name, and
// sessionRows the other steps it can name (each a session of its own).
var (
	mainRows    = []string{"stateless", "streams", "d1", "kv", "r2", "pg", "cache", "hot", "many", "rpc", "rpc-one", "new", "chat"}
	sessionRows = []string{"memory", "queues", "cold", "sizes"}
)

// twinRoutes are the rows of a GET route that the Go and the JavaScript
// Worker both serve (at /{go|js}{path} of the front), each measured with
// -c requests in flight and one at a time.
var twinRoutes = []struct{ row, sec, path string }{
	{"d1", secD1, "d1/?n=41"},
	{"kv", secKV, "hello/kv"},
	{"r2", secR2, r2Path},
	{"cache", secCache, "hello/cache"},
}

// want reports whether the main session runs row (see -rows).
func (b *bench) want(row string) bool { return b.rows == nil || b.rows[row] }

// baseConfigs writes the wrangler configurations of the base side (-base):
// the other checkout's counter and hello under names of their own.
func (b *bench) baseConfigs() ([]string, error) {
	dir := filepath.Join(b.root, "bench", "build", "base")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, w := range []struct{ name, main, rest string }{
		{"counter", "counter", "\n[[durable_objects.bindings]]\nname = \"COUNTER\"\nclass_name = \"Counter\"\n\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Counter\"]\n"},
		{"hello", "hello", ""},
	} {
		main := filepath.Join(b.base, w.main, "worker.mjs")
		if _, err := os.Stat(main); err != nil {
			return nil, fmt.Errorf("-base: %w (build it there with godurable-bench -build)", err)
		}
		text := fmt.Sprintf("# Written by godurable-bench -base: %s of another checkout.\nname = \"godurable-bench-base-%s\"\nmain = %q\ncompatibility_date = \"2026-11-24\"\n%s", w.main, w.name, main, w.rest)
		path := filepath.Join(dir, w.name+".toml")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(b.root, path)
		out = append(out, rel)
	}
	return out, nil
}

// measureMain runs the load measurements in one workerd that serves the
// front Worker and every Worker under test.
func (b *bench) measureMain(ctx context.Context) error {
	configs := []string{"bench/js/front.toml", "bench/go/counter.toml", "bench/js/counter.toml", "bench/go/hello.toml", "bench/js/hello.toml", "bench/go/d1.toml", "bench/js/d1.toml", "bench/go/r2.toml", "bench/js/r2.toml", "bench/go/pg.toml", "bench/js/pg/pg.toml", "bench/go/chat.toml", "bench/js/chat.toml"}
	// The PostgreSQL row's database: a server of the benchmark's own, which
	// the Hyperdrive bindings of both sides name (wrangler reads the
	// variable when the session starts).
	pgRow := false
	if b.want("pg") {
		pg, err := pgserver.Start()
		if err != nil {
			b.notes = append(b.notes, fmt.Sprintf("The PostgreSQL row was not measured: %v", err))
		} else {
			defer pg.Stop()
			defer os.Unsetenv(pgEnv)
			os.Setenv(pgEnv, pg.URL())
			pgRow = true
		}
	}
	stateless := map[string]string{sideGo: "/gohello/", sideJS: "/jshello/"}
	if b.syumai != "" {
		configs = append(configs, b.syumai)
		stateless[sideSyumai] = "/syumai/"
	}
	sides := []string{sideGo, sideJS}
	if b.base != "" {
		more, err := b.baseConfigs()
		if err != nil {
			return err
		}
		configs = append(configs, more...)
		stateless[sideBase] = "/basehello/"
		sides = append(sides, sideBase)
	}
	b.logf("main session: %s", strings.Join(configs, " "))
	s, err := b.startSession(ctx, b.cfg.Conc, configs...)
	if err != nil {
		return err
	}
	defer s.stop()
	if err := b.checkTwins(ctx, s); err != nil {
		return err
	}
	var chat *chatState
	if b.want("chat") {
		if chat, err = b.setupChat(ctx, s); err != nil {
			return err
		}
		defer chat.close()
	}
	statelessSides := append([]string(nil), sides...)
	if b.syumai != "" {
		statelessSides = append(statelessSides, sideSyumai)
	}
	twins := []string{sideGo, sideJS} // the sides of the rows the base does not have
	c := b.cfg
	conc := phase{Concurrency: c.Conc, Count: c.Count, Duration: c.Dur}
	seq := phase{Concurrency: 1, Count: c.Seq, Duration: c.Dur}
	warm := phase{Concurrency: c.Conc, Count: c.Warmup, Duration: c.Dur}
	fixed := func(method, path string) func(int) (string, string) {
		return func(int) (string, string) { return method, path }
	}
	run := func(p phase, path func(int) (string, string)) (*loadResult, error) {
		r := s.run(ctx, p, s.cpu, path)
		return r, r.err()
	}

	// Warm up every route, and create the 1,000 objects of the spread run.
	b.logf("warming up")
	for _, t := range twinRoutes {
		for _, side := range twins {
			if !b.want(t.row) {
				break
			}
			if _, err := run(warm, fixed("GET", "/"+side+t.path)); err != nil {
				return fmt.Errorf("%s %s: %w", t.row, side, err)
			}
		}
	}
	if b.want("r2") {
		if err := b.checkR2Twins(ctx, s); err != nil {
			return err
		}
	}
	if pgRow {
		for _, side := range twins {
			for _, q := range pgQueries {
				if _, err := run(warm, fixed("GET", fmt.Sprintf("/%spg/?q=%d", side, q))); err != nil {
					return fmt.Errorf("pg %s: %w", side, err)
				}
			}
		}
	}
	if b.want("stateless") || b.want("streams") {
		for _, side := range statelessSides {
			if _, err := run(warm, fixed("GET", stateless[side])); err != nil {
				return fmt.Errorf("stateless %s: %w", side, err)
			}
		}
	}
	for _, side := range sides {
		for _, path := range []string{"/" + side + "/counter/hot/increment", "/rpc/" + side + "/one"} {
			if _, err := run(warm, fixed("POST", path)); err != nil {
				return err
			}
		}
		if b.want("many") {
			if err := s.touch(ctx, side, "many-", 0, c.Objects); err != nil {
				return err
			}
		}
	}
	if _, err := run(warm, fixed("GET", "/ping")); err != nil {
		return err
	}

	for round := 0; round < c.Rounds; round++ {
		b.logf("round %d/%d", round+1, c.Rounds)
		if chat != nil {
			if err := b.startIdle(ctx, s, chat, round); err != nil {
				return err
			}
		}
		// The front alone, for the hop.
		r, err := run(seq, fixed("GET", "/ping"))
		if err != nil {
			return err
		}
		for _, side := range sides {
			b.m.get(secHop, "front Worker alone (GET /ping) p50, one at a time", "ms", lower).add(side, ms(r.quantile(0.5)))
		}
		for _, side := range order(statelessSides, round) {
			if !b.want("stateless") {
				break
			}
			r, err := run(conc, fixed("GET", stateless[side]))
			if err != nil {
				return fmt.Errorf("stateless %s: %w", side, err)
			}
			b.record(secStateless, fmt.Sprintf("%d concurrent:", c.Conc), side, r, true)
			if r, err = run(seq, fixed("GET", stateless[side])); err != nil {
				return err
			}
			b.m.get(secStateless, "one at a time: p50 latency", "ms", lower).add(side, ms(r.quantile(0.5)))
		}
		for _, side := range order(twins, round) {
			if !b.want("streams") {
				break
			}
			if err := b.measureStreams(run, stateless[side], side, c.Seq); err != nil {
				return err
			}
		}
		for _, t := range twinRoutes {
			for _, side := range order(twins, round) {
				if !b.want(t.row) {
					break
				}
				path := "/" + side + t.path
				r, err := run(conc, fixed("GET", path))
				if err != nil {
					return fmt.Errorf("%s %s: %w", t.row, side, err)
				}
				b.record(t.sec, fmt.Sprintf("%d concurrent:", c.Conc), side, r, true)
				if r, err = run(seq, fixed("GET", path)); err != nil {
					return err
				}
				b.m.get(t.sec, "one at a time: p50 latency", "ms", lower).add(side, ms(r.quantile(0.5)))
			}
		}
		for _, side := range order(twins, round) {
			if !pgRow {
				break
			}
			for _, q := range pgQueries {
				path := fmt.Sprintf("/%spg/?q=%d", side, q)
				r, err := run(conc, fixed("GET", path))
				if err != nil {
					return fmt.Errorf("pg %s: %w", side, err)
				}
				b.record(secPG, fmt.Sprintf("connect, SELECT 1 x%d, close; %d concurrent:", q, c.Conc), side, r, true)
				if r, err = run(seq, fixed("GET", path)); err != nil {
					return err
				}
				b.m.get(secPG, fmt.Sprintf("connect, SELECT 1 x%d, close; one at a time: p50 latency", q), "ms", lower).add(side, ms(r.quantile(0.5)))
			}
		}
		for _, side := range order(sides, round) {
			if !b.want("hot") {
				break
			}
			r, err := run(conc, fixed("POST", "/"+side+"/counter/hot/increment"))
			if err != nil {
				return err
			}
			b.record(secHot, fmt.Sprintf("%d concurrent:", c.Conc), side, r, true)
			if r, err = run(seq, fixed("POST", "/"+side+"/counter/hot/increment")); err != nil {
				return err
			}
			b.m.get(secHop, hopFront, "ms", lower).add(side, ms(r.quantile(0.5)))
		}
		for _, side := range order(sides, round) {
			if !b.want("many") {
				break
			}
			off := round * 7919 // start each round elsewhere among the objects
			r, err := run(conc, func(i int) (string, string) {
				return "POST", fmt.Sprintf("/%s/counter/many-%d/increment", side, (i+off)%c.Objects)
			})
			if err != nil {
				return err
			}
			b.record(secMany, fmt.Sprintf("%d concurrent, spread over %d objects:", c.Conc, c.Objects), side, r, true)
		}
		for _, side := range order(sides, round) {
			if !b.want("rpc") {
				break
			}
			if err := b.measureRPC(ctx, s, side); err != nil {
				return err
			}
		}
		for _, side := range order(sides, round) {
			if !b.want("rpc-one") {
				break
			}
			r, err := run(conc, fixed("POST", "/rpc/"+side+"/one"))
			if err != nil {
				return err
			}
			b.record(secRPC, fmt.Sprintf("one call per HTTP request, %d concurrent:", c.Conc), side, r, true)
		}
		for _, side := range order(sides, round) {
			if !b.want("new") {
				break
			}
			var first, added []float64
			for k := 0; k < c.NewObjects; k++ {
				path := fmt.Sprintf("/%s/counter/new-%d-%d/increment", side, round, k)
				d1, err := s.timed(ctx, "POST", path)
				if err != nil {
					return err
				}
				d2, err := s.timed(ctx, "POST", path)
				if err != nil {
					return err
				}
				first = append(first, ms(d1))
				added = append(added, ms(d1)-ms(d2))
			}
			b.m.get(secNew, "first request (POST increment) p50", "ms", lower).add(side, median(first))
			b.m.get(secNew, "added over the object's second request, p50", "ms", lower).add(side, median(added))
		}
		if chat != nil {
			if err := b.chatRound(ctx, s, chat, round); err != nil {
				return err
			}
			if err := b.wake(ctx, s, chat, round); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureChatOnly runs the chat rooms' rounds alone (-chat), in a session
// of their own.
func (b *bench) measureChatOnly(ctx context.Context) error {
	configs := []string{"bench/js/front.toml", "bench/go/chat.toml", "bench/js/chat.toml"}
	b.logf("chat session: %s", strings.Join(configs, " "))
	s, err := b.startSession(ctx, b.cfg.Conc, configs...)
	if err != nil {
		return err
	}
	defer s.stop()
	chat, err := b.setupChat(ctx, s)
	if err != nil {
		return err
	}
	defer chat.close()
	for round := 0; round < b.cfg.Rounds; round++ {
		b.logf("round %d/%d", round+1, b.cfg.Rounds)
		if err := b.startIdle(ctx, s, chat, round); err != nil {
			return err
		}
		if err := b.chatRound(ctx, s, chat, round); err != nil {
			return err
		}
		if err := b.wake(ctx, s, chat, round); err != nil {
			return err
		}
	}
	return nil
}

// measureRPC times RPC loops run inside the front Worker: one object called
// N times in sequence, and Conc objects called in parallel.
func (b *bench) measureRPC(ctx context.Context, s *session, side string) error {
	c := b.cfg
	loop := func(path string) (time.Duration, *rpcAnswer, error) {
		t0 := time.Now()
		body, err := s.do(ctx, "POST", path)
		d := time.Since(t0)
		if err != nil {
			return 0, nil, err
		}
		var a rpcAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			return 0, nil, fmt.Errorf("%s: %w: %s", path, err, body)
		}
		return d, &a, nil
	}
	d, a, err := loop(fmt.Sprintf("/rpc/%s/loop?n=%d", side, c.RPCCalls))
	if err != nil {
		return err
	}
	b.m.get(secRPC, fmt.Sprintf("%d sequential calls in one request: calls/s", c.RPCCalls), "calls/s", higher).add(side, float64(a.Calls)/d.Seconds())
	b.m.get(secRPC, "  same, time per call inside the caller", "µs", lower).add(side, a.MS*1000/float64(a.Calls))
	if _, a, err = loop(fmt.Sprintf("/rpc/%s/loop?n=%d&method=get", side, c.RPCCalls)); err != nil {
		return err
	}
	b.m.get(secRPC, "  get() instead (one storage read), time per call", "µs", lower).add(side, a.MS*1000/float64(a.Calls))
	per := max(1, c.RPCCalls/c.Conc)
	d, a, err = loop(fmt.Sprintf("/rpc/%s/par?n=%d&par=%d", side, per, c.Conc))
	if err != nil {
		return err
	}
	b.m.get(secRPC, fmt.Sprintf("%d loops in parallel on %d objects: calls/s", c.Conc, c.Conc), "calls/s", higher).add(side, float64(a.Calls)/d.Seconds())
	return nil
}

// touch creates the counters {prefix}{from}..{prefix}{to-1} of side (or
// wakes them), a few per request: a request that runs for many seconds
// makes wrangler's proxy drop the next one.
func (s *session) touch(ctx context.Context, side, prefix string, from, to int) error {
	const chunk = 25
	for i := from; i < to; i += chunk {
		if _, err := s.do(ctx, "POST", fmt.Sprintf("/touch/%s/%s?from=%d&to=%d&par=4", side, prefix, i, min(i+chunk, to))); err != nil {
			return err
		}
	}
	return nil
}

// benchMemory is the answer of the probe (bench/go/probe).
type benchMemory struct {
	LinearBytes int64 `json:"linearBytes"`
	HeapAlloc   int64 `json:"heapAlloc"`
	HeapInuse   int64 `json:"heapInuse"`
	Sys         int64 `json:"sys"`
	Goroutines  int64 `json:"goroutines"`
}

// measureMemory creates Go objects in one fresh isolate and reads the Go
// instance's memory through the probe (bench/go/probe); it also times the
// probe's benchNoop (the boundary alone) and benchStub (a stub as the
// argument) against the JavaScript twin's, in the same session, and the
// floor of a Go event (bench/proto: godurable's hand-off alone) against
// the same JavaScript no-op.
func (b *bench) measureMemory(ctx context.Context) error {
	if err := b.buildProto(ctx); err != nil {
		return err
	}
	configs := []string{"bench/js/front.toml", "bench/go/counter-probe.toml", "bench/js/counter.toml", "bench/proto/proto.toml"}
	b.logf("memory session: %s", strings.Join(configs, " "))
	s, err := b.startSession(ctx, 4, configs...)
	if err != nil {
		return err
	}
	defer s.stop()
	probe := func() (*benchMemory, error) {
		body, err := s.do(ctx, "GET", "/probe/go/probe")
		if err != nil {
			return nil, err
		}
		var m benchMemory
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("probe: %w: %s", err, body)
		}
		return &m, nil
	}
	counts := b.cfg.MemoryCounts
	// Go: the probe's own object is the first.
	var mems []*benchMemory
	m, err := probe()
	if err != nil {
		return err
	}
	mems = append(mems, m)
	made := 1
	for _, n := range counts[1:] {
		if err := s.touch(ctx, sideGo, "mem-", made, n); err != nil {
			return err
		}
		made = n
		if m, err = probe(); err != nil {
			return err
		}
		mems = append(mems, m)
	}
	for i, n := range counts {
		b.m.get(secMemory, fmt.Sprintf("Go linear memory with %d object(s) in the isolate", n), "bytes", lower).add(sideGo, float64(mems[i].LinearBytes))
	}
	for i, n := range counts {
		b.m.get(secMemory, fmt.Sprintf("Go heap in use (live, after GC) with %d object(s)", n), "bytes", lower).add(sideGo, float64(mems[i].HeapAlloc))
	}
	first, last := mems[0], mems[len(mems)-1]
	objs := float64(counts[len(counts)-1] - counts[0])
	b.m.get(secMemory, "Go heap per object (live, after GC)", "bytes", lower).add(sideGo, float64(last.HeapAlloc-first.HeapAlloc)/objs)
	b.m.get(secMemory, "Go linear memory per object", "bytes", lower).add(sideGo, float64(last.LinearBytes-first.LinearBytes)/objs)

	// The boundary alone, and with a stub as the argument: methods that
	// do nothing, called in sequence from the front Worker (of the Go
	// counter, the probe build only has them), the sides interleaved; the
	// floor's benchNoop in the same rotation.
	for _, row := range []struct{ label, query string }{
		{"  benchNoop() instead (no storage; the memory probe's build), time per call", "method=benchNoop"},
		{"  benchStub(stub) instead (a Durable Object stub as the argument), time per call", "method=benchStub&stub=peer"},
	} {
		sides := []string{sideGo, sideJS}
		if row.query == "method=benchNoop" {
			sides = append(sides, sideFloor)
		}
		perCall := map[string][]float64{}
		for i := -1; i < b.cfg.Rounds; i++ { // round -1 warms them up
			for _, side := range order(sides, max(i, 0)) {
				body, err := s.do(ctx, "POST", fmt.Sprintf("/rpc/%s/noop?n=%d&%s", side, b.cfg.RPCCalls, row.query))
				if err != nil {
					return err
				}
				var a rpcAnswer
				if err := json.Unmarshal(body, &a); err != nil {
					return fmt.Errorf("%s on %s: %w: %s", row.query, side, err, body)
				}
				if a.Last != 1 && row.query != "method=benchNoop" {
					return fmt.Errorf("%s on %s answered %v, want 1: %s", row.query, side, a.Last, body)
				}
				if i >= 0 {
					perCall[side] = append(perCall[side], a.MS*1000/float64(a.Calls))
				}
			}
		}
		for _, side := range []string{sideGo, sideJS} {
			b.m.get(secRPC, row.label, "µs", lower).add(side, median(perCall[side]))
		}
		if fl := perCall[sideFloor]; fl != nil {
			f := b.m.get(secRPC, "  the floor: a Go export doing godurable's hand-off alone (bench/proto/floor), against the same JavaScript no-op", "µs", lower)
			f.add(sideGo, median(fl))
			f.add(sideJS, median(perCall[sideJS]))
		}
	}
	return nil
}

// measureRSS creates objects of one side in a fresh workerd and records how
// much the resident memory of wrangler and workerd grew per object. Each
// side gets sessions of its own, alternately, because allocators and V8's
// collector keep memory that an earlier run freed.
func (b *bench) measureRSS(ctx context.Context) error {
	configs := []string{"bench/js/front.toml", "bench/go/counter.toml", "bench/js/counter.toml"}
	n := b.cfg.MemoryCounts[len(b.cfg.MemoryCounts)-1]
	for i := 0; i < b.cfg.RSSSessions; i++ {
		for _, side := range order([]string{sideGo, sideJS}, i) {
			b.logf("memory: resident set per %s object (%d/%d)", side, i+1, b.cfg.RSSSessions)
			s, err := b.startSession(ctx, 4, configs...)
			if err != nil {
				return err
			}
			err = s.touch(ctx, side, "warm-", 0, 10) // instantiate the Worker and the module first
			var r0, r1 int64
			if err == nil {
				time.Sleep(time.Second)
				r0 = groupRSS(s.pgid)
				err = s.touch(ctx, side, "rss-", 0, n)
				time.Sleep(time.Second)
				r1 = groupRSS(s.pgid)
			}
			s.stop()
			if err != nil {
				return err
			}
			b.m.get(secMemory, fmt.Sprintf("server resident memory (wrangler + workerd) growth per object, %d new objects in a fresh workerd", n), "bytes", lower).add(side, float64(r1-r0)/float64(n))
		}
	}
	return nil
}

// groupRSS sums the resident memory of the processes of group pgid.
func groupRSS(pgid int) int64 { return groupRSSWhere(pgid, nil) }

// groupRSSWhere sums the resident memory of the processes of group pgid
// whose command line (arguments joined by spaces) keep accepts, or of all
// of them when keep is nil.
func groupRSSWhere(pgid int, keep func(cmdline string) bool) int64 {
	var total int64
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); !ok || st.pgrp != pgid {
			continue
		}
		if keep != nil {
			cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if !keep(strings.ReplaceAll(string(cmdline), "\x00", " ")) {
				continue
			}
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "statm"))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			total += pages * int64(os.Getpagesize())
		}
	}
	return total
}
