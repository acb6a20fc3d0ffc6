// Command godurable-bench measures Go Durable Objects against the same
// objects written in JavaScript, side by side in one workerd, and prints a
// table with the figure for Go, for JavaScript, and the ratio Go/JS.
//
// Usage, from the repository root (after npm ci):
//
//	go run ./bench/cmd/godurable-bench              # the full run, writes bench/RESULTS.md
//	go run ./bench/cmd/godurable-bench -smoke       # every measurement, tiny counts
//
// The Go side is examples/counter, unchanged, and bench/go/hello; the
// JavaScript side is the twin in bench/js. A front Worker (bench/js/front.js)
// routes /go/... and /js/... through the same code and runs the RPC loops.
// Everything listens on 127.0.0.1, every run is bounded by a count and a
// duration, and every wrangler dev it starts is stopped before it exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/godurable/godurable/internal/wranglerdev"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// config sizes a run.
type config struct {
	Rounds       int           // interleaved rounds of every load measurement
	Conc         int           // requests in flight in the concurrent runs
	Dur          time.Duration // bound of one load run
	Count        int           // bound of one load run
	Seq          int           // requests of the one-at-a-time runs
	Warmup       int           // requests per route before measuring
	Cold         int           // fresh workerd starts per side
	RPCCalls     int           // RPC calls per loop request
	NewObjects   int           // new objects per side and round
	Objects      int           // objects of the spread run
	MemoryCounts []int         // objects in the isolate when memory is read
	RSSSessions  int           // fresh sessions per side for resident memory
	BenchTime    string        // -benchtime of the boundary micro-benchmarks
	// The chat rooms (examples/chat and its twin). The echo runs use Seq
	// (one at a time) and Count (Conc in flight), bounded by Dur.
	ChatMembers      int           // members of the broadcast room
	ChatBroadcast    int           // messages of a broadcast run, Conc in flight
	ChatBroadcastSeq int           // messages of a one-at-a-time broadcast run
	ChatWarmup       int           // broadcast messages before measuring
	ChatIdle         time.Duration // idle time before the wake is timed
	ChatSockets      int           // sockets open for the resident memory
	ChatRooms        int           // rooms they are spread over
}

var (
	fullConfig = config{Rounds: 5, Conc: 8, Dur: 5 * time.Second, Count: 100000, Seq: 300, Warmup: 300,
		Cold: 5, RPCCalls: 2000, NewObjects: 20, Objects: 1000, MemoryCounts: []int{1, 100, 1000}, RSSSessions: 2, BenchTime: "1s",
		ChatMembers: 100, ChatBroadcast: 200, ChatBroadcastSeq: 30, ChatWarmup: 20, ChatIdle: 11 * time.Second, ChatSockets: 1000, ChatRooms: 10}
	smokeConfig = config{Rounds: 1, Conc: 4, Dur: time.Second, Count: 40, Seq: 20, Warmup: 10,
		Cold: 1, RPCCalls: 20, NewObjects: 2, Objects: 20, MemoryCounts: []int{1, 5, 20}, RSSSessions: 1, BenchTime: "100x",
		ChatMembers: 10, ChatBroadcast: 10, ChatBroadcastSeq: 3, ChatWarmup: 2, ChatIdle: 11 * time.Second, ChatSockets: 20, ChatRooms: 2}
)

type bench struct {
	root    string
	cfg     config
	smoke   bool
	verbose bool
	syumai  string // wrangler config of a syumai/workers hello Worker, or ""
	log     io.Writer
	stdout  io.Writer
	wlog    io.Writer // receives wrangler's and workerd's output when not nil
	m       metrics
	micro   string // output of the boundary micro-benchmarks
	notes   []string
	// observability is whether wrangler dev's local observability is on.
	observability bool
	// tools are the wrangler and node of the sessions, and compat the
	// compatibility date they force; nil and "" for the repository's own.
	tools  *wranglerdev.Tools
	compat string
	// rows are the main session's rows to run (-rows), all when nil.
	rows map[string]bool
	// base is the bench/build directory of another checkout (-base), whose
	// Go counter and hello are measured as the side "base", or "".
	base string
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "godurable-bench: "+format+"\n", args...)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "godurable-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("godurable-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	smoke := fs.Bool("smoke", false, "run every measurement once with tiny counts (a check that the benchmark works, not a measurement)")
	out := fs.String("out", "", "write the results here (default bench/RESULTS.md, none with -smoke)")
	verbose := fs.Bool("v", false, "show the output of wrangler and workerd")
	syumai := fs.String("syumai", "", "also measure a stateless hello Worker built with github.com/syumai/workers: its wrangler config (name godurable-bench-syumai-hello), built beforehand outside this repository")
	rounds := fs.Int("rounds", 0, "override the number of interleaved rounds")
	conc := fs.Int("c", 0, "override the concurrency of the concurrent runs")
	dur := fs.Duration("d", 0, "override the duration bound of one load run")
	cold := fs.Int("cold", 0, "override the number of cold starts per side")
	buildOnly := fs.Bool("build", false, "only build the Go Workers into bench/build (to serve them by hand with wrangler dev -c bench/js/front.toml -c ...)")
	profile := fs.Bool("profile", false, "profile workerd's isolates with V8's CPU profiler while the loads run, instead of the benchmark (see bench/README.md, Profiling)")
	pc := profileConfig{}
	fs.StringVar(&pc.Out, "profile-out", "", "directory of the profiles and summary.md (default bench/build/profile)")
	fs.IntVar(&pc.Interval, "profile-interval", 50, "sampling interval of the profiler, µs")
	fs.IntVar(&pc.Calls, "profile-calls", 2000, "RPC calls of one profiled loop")
	fs.IntVar(&pc.Requests, "profile-requests", 300, "HTTP requests of one profiled run")
	fs.IntVar(&pc.Rounds, "profile-rounds", 3, "profiled rounds of every phase")
	fs.IntVar(&pc.Cold, "profile-cold", 3, "profiled cold starts per side")
	phases := fs.String("profile-phases", "", "comma-separated phases to run (rpc-increment, rpc-get, rpc-noop, rpc-stub, rpc-gets, http-increment, stateless, ws-echo, ws-echo8, cold); all if empty")
	fs.StringVar(&pc.GoBuild, "profile-go", "", "profile the Go Workers of this bench/build directory (another checkout's, built there with -build) as the Go side, instead of this checkout's (not the cold phase)")
	v8Flags := fs.String("v8-flags", "", "V8 flags for workerd, e.g. \"--liftoff-only\" (passed through miniflare's config by bench/cmd/godurable-bench/v8flags.cjs)")
	kvexp := fs.Bool("kvexp", false, "run the kv.get experiment of bench/PROFILE.md (bench/kvexp) instead of the benchmark")
	chatOnly := fs.Bool("chat", false, "measure only the chat rooms (examples/chat and bench/js/chat.js): their own main session and the socket memory sessions")
	proto := fs.Bool("proto", false, "run the event-floor prototype of bench/PROFILE.md (bench/proto) instead of the benchmark")
	summarize := fs.String("profile-summarize", "", "print the groups of a .cpuprofile file (e.g. from node --cpu-prof) per -profile-calls calls, and exit")
	wlogFile := fs.String("wrangler-log", "", "append wrangler's and workerd's output to this file")
	floor := fs.Bool("floor", false, "serve the sessions with the floor's wrangler 4.86 (internal/conformance/floor, workerd 2026-04-26, on the machine's Node.js 20) instead of the pinned one, at the newest compatibility date it accepts: the comparison run on the old workerd")
	observability := fs.Bool("observability", false, "keep wrangler dev's local observability on (X_LOCAL_OBSERVABILITY, wrangler's default since 4.1xx: every event and storage call streams to a collector Worker, which slows both sides)")
	rowList := fs.String("rows", "", "comma-separated rows to run alone, without the other sessions: "+strings.Join(mainRows, ", ")+" (of the main session), memory (the memory session: memory, benchNoop, benchStub), queues (the queue session), cold (the cold starts) or sizes (the modules' and uploads' sizes)")
	base := fs.String("base", "", "the bench/build directory of another checkout (built there with -build): its Go counter and hello run as a third side, \"base\", beside Go and JavaScript in the main session, and the report compares Go with it (an A/B of two commits in one workerd)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b := &bench{cfg: fullConfig, smoke: *smoke, verbose: *verbose, log: stderr, stdout: stdout}
	if *rowList != "" {
		b.rows = map[string]bool{}
		for _, r := range strings.Split(*rowList, ",") {
			if !slices.Contains(mainRows, r) && !slices.Contains(sessionRows, r) {
				return fmt.Errorf("-rows: no row %q (rows: %s, %s)", r, strings.Join(mainRows, ", "), strings.Join(sessionRows, ", "))
			}
			b.rows[r] = true
		}
	}
	if *base != "" {
		var err error
		if b.base, err = filepath.Abs(*base); err != nil {
			return err
		}
	}
	if *summarize != "" {
		return b.summarizeFile(*summarize, pc.Calls)
	}
	if b.smoke {
		b.cfg = smokeConfig
	}
	if *rounds > 0 {
		b.cfg.Rounds = *rounds
	}
	if *conc > 0 {
		b.cfg.Conc = *conc
	}
	if *dur > 0 {
		b.cfg.Dur = *dur
	}
	if *cold > 0 {
		b.cfg.Cold = *cold
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	b.root = root
	if *floor {
		if b.tools, err = wranglerdev.FindTools(filepath.Join(root, "internal", "conformance", "floor")); err != nil {
			return fmt.Errorf("the floor's wrangler: %w (scripts/test.sh installs it: npm ci in internal/conformance/floor)", err)
		}
		b.compat = wranglerdev.FloorMaxCompatibilityDate
	}
	if *syumai != "" {
		if b.syumai, err = filepath.Abs(*syumai); err != nil {
			return err
		}
	}
	outFile := *out
	if outFile == "" && !b.smoke && b.rows == nil && b.base == "" {
		outFile = filepath.Join(root, "bench", "RESULTS.md")
	}

	if *wlogFile != "" {
		f, err := os.OpenFile(*wlogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		b.wlog = f
	}
	if *v8Flags != "" {
		if err := useV8Flags(root, *v8Flags); err != nil {
			return err
		}
	}

	// wrangler checks for a newer version of itself on the npm registry
	// when it prints its banner; the benchmark stays on 127.0.0.1.
	os.Setenv("WRANGLER_HIDE_BANNER", "true")
	// Local observability traces every storage call of both sides into a
	// collector Worker (measured: a JavaScript increment() 142 -> 484 µs);
	// deployed Workers do not pay that unless they turn it on.
	b.observability = *observability
	os.Setenv("X_LOCAL_OBSERVABILITY", strconv.FormatBool(*observability))
	start := time.Now()
	if err := b.buildWorkers(ctx); err != nil {
		return err
	}
	if err := b.jsDeps(ctx); err != nil {
		return err
	}
	if *buildOnly {
		return nil
	}
	if *kvexp {
		n, events := 20000, 2000
		if b.smoke {
			n, events = 200, 20
		}
		return b.runKVExp(ctx, n, events, max(1, pc.Rounds))
	}
	if *proto {
		n, events := 20000, 2000
		if b.smoke {
			n, events = 200, 20
		}
		return b.runProto(ctx, n, events, max(1, pc.Rounds))
	}
	if *profile {
		if pc.Out == "" {
			pc.Out = filepath.Join(root, "bench", "build", "profile")
		}
		if *phases != "" {
			pc.Phases = strings.Split(*phases, ",")
		}
		if pc.GoBuild != "" {
			if pc.GoBuild, err = filepath.Abs(pc.GoBuild); err != nil {
				return err
			}
		}
		return b.runProfile(ctx, pc)
	}
	type step struct {
		name string
		row  string // what -rows names it: a session row, "main" for the main session's rows
		fn   func(context.Context) error
	}
	steps := []step{
		{"sizes", "sizes", b.measureSizes},
		{"boundary micro-benchmarks", "", b.runMicro},
		{"cold starts", "cold", b.measureColdStarts},
		{"load", "main", b.measureMain},
		{"memory", "memory", b.measureMemory},
		{"resident memory", "", b.measureRSS},
		{"chat memory", "", b.measureChatRSS},
		{"queues", "queues", b.measureQueues},
	}
	if b.rows != nil { // the main session, and the steps named
		var only = steps[:0:0]
		for _, st := range steps {
			if b.rows[st.row] || st.row == "main" && slices.ContainsFunc(mainRows, func(r string) bool { return b.rows[r] }) {
				only = append(only, st)
			}
		}
		steps = only
	}
	if *chatOnly {
		steps = []step{{"chat rooms", "", b.measureChatOnly}, {"chat memory", "", b.measureChatRSS}}
	}
	for _, st := range steps {
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	b.deriveHop()
	report := b.report(time.Since(start))
	fmt.Fprint(stdout, report)
	if outFile != "" {
		if err := os.WriteFile(outFile, []byte(report), 0o644); err != nil {
			return err
		}
		b.logf("wrote %s", outFile)
	}
	return nil
}

// repoRoot finds the godurable module above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/godurable/godurable\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("run godurable-bench inside the godurable repository (no go.mod of github.com/godurable/godurable above %s)", dir)
		}
	}
}
