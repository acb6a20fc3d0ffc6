package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/godurable/godurable/bench/cpuprof"
)

// profileConfig sizes a profiling run (godurable-bench -profile).
type profileConfig struct {
	Out      string // directory for the .cpuprofile files and summary.md
	Interval int    // sampling interval, µs
	Calls    int    // RPC calls of one profiled loop
	Requests int    // HTTP requests of one profiled run
	Rounds   int
	Cold     int      // cold starts per side
	Phases   []string // names of the phases to run, all if empty
	// GoBuild is the bench/build directory whose Go Workers are the Go
	// side of the main session (-profile-go): another checkout's, or ""
	// for this one's.
	GoBuild string
}

// Isolates (inspector targets) of the profiling session.
const (
	targetFront   = "core:user:godurable-bench-front"
	targetGo      = "core:user:godurable-bench-go-counter"
	targetJS      = "core:user:godurable-bench-js-counter"
	targetGoHello = "core:user:godurable-bench-go-hello"
	targetJSHello = "core:user:godurable-bench-js-hello"
	// The base side's (-base): the Go Workers of another checkout.
	targetBase      = "core:user:godurable-bench-base-counter"
	targetBaseHello = "core:user:godurable-bench-base-hello"
	profileCounter  = "prof"
)

// profPhase is one profiled load: the same for each side.
type profPhase struct {
	key, title string
	target     map[string]string // side -> isolate
	rpc        string            // RPC method, for the loop through the front
	args       string            // its arguments, as the front's query (&arg=...)
	path       func(side string) (method, path string)
	echo       int // messages in flight of a chat room's echo (profile_event.go), or 0
}

var profPhases = []profPhase{
	{key: "rpc-increment", title: "RPC increment(1) from the front Worker (one call = one KV get, one KV put, one SQL insert)",
		target: map[string]string{sideGo: targetGo, sideJS: targetJS, sideBase: targetBase}, rpc: "increment"},
	{key: "rpc-get", title: "RPC get() from the front Worker (one KV get)",
		target: map[string]string{sideGo: targetGo, sideJS: targetJS, sideBase: targetBase}, rpc: "get"},
	{key: "rpc-noop", title: "RPC benchNoop() from the front Worker (no storage)",
		target: map[string]string{sideGo: targetGo, sideJS: targetJS}, rpc: "benchNoop"},
	{key: "rpc-stub", title: "RPC benchStub(stub) from the front Worker (a Durable Object stub as the argument, no storage)",
		target: map[string]string{sideGo: targetGo, sideJS: targetJS}, rpc: "benchStub", args: "&stub=peer"},
	{key: "rpc-gets", title: "RPC benchGets(100) from the front Worker (100 KV reads in one event; figures per call, so per read divide by 100)",
		target: map[string]string{sideGo: targetGo, sideJS: targetJS}, rpc: "benchGets", args: "&arg=100"},
	{key: "http-increment", title: "HTTP POST /counter/{name}/increment (the counter Worker's fetch, then RPC to the object, in one isolate)",
		target: map[string]string{sideGo: targetGo, sideJS: targetJS, sideBase: targetBase},
		path: func(side string) (string, string) {
			return "POST", "/" + side + "/counter/" + profileCounter + "-http/increment"
		}},
	{key: "stateless", title: "Stateless GET /hello",
		target: map[string]string{sideGo: targetGoHello, sideJS: targetJSHello, sideBase: targetBaseHello},
		path:   func(side string) (string, string) { return "GET", "/" + side + "hello/" }},
	{key: "ws-echo", title: "WebSocket echo in the chat room, one at a time (one webSocketMessage event: a SQL insert, the said sent back)",
		target: map[string]string{sideGo: targetGoChat, sideJS: targetJSChat}, echo: 1},
	{key: "ws-echo8", title: "WebSocket echo in the chat room, 8 messages in flight on one socket",
		target: map[string]string{sideGo: targetGoChat, sideJS: targetJSChat}, echo: 8},
}

// profRun is one profiled run of a phase on a side.
type profRun struct {
	phase, side string
	round       int
	calls       int
	wallUS      float64 // per call: the front's timing of the RPC loop, or the client's
	plainUS     float64 // the same without the profiler, just before
	target      *cpuprof.Profile
	front       *cpuprof.Profile
	conn        *cpuprof.Conn
	frontConn   *cpuprof.Conn

	targetSummary, frontSummary *cpuprof.Summary
	classifier                  *cpuprof.Classifier
}

// runProfile profiles workerd's isolates while the benchmark's loads run:
// see bench/README.md ("Profiling").
func (b *bench) runProfile(ctx context.Context, pc profileConfig) error {
	if err := os.MkdirAll(pc.Out, 0o755); err != nil {
		return err
	}
	want := func(key string) bool {
		if len(pc.Phases) == 0 {
			return true
		}
		for _, p := range pc.Phases {
			if p == key {
				return true
			}
		}
		return false
	}
	var report strings.Builder
	fmt.Fprintf(&report, "# godurable-bench -profile\n\nSampling interval %d µs; %d rounds; %d RPC calls per loop, %d HTTP requests per run; V8 flags: %s.\n",
		pc.Interval, pc.Rounds, pc.Calls, pc.Requests, orNone(os.Getenv(v8FlagsEnv)))
	fmt.Fprintf(&report, "Figures are µs per call (medians over the rounds) of V8 CPU profile samples in the isolate named; \"self\" is time in the group's own functions, \"total\" time with the group anywhere on the stack.\n")

	var runs []*profRun
	var phases []profPhase
	for _, ph := range profPhases {
		if want(ph.key) {
			phases = append(phases, ph)
		}
	}
	if len(phases) > 0 {
		var err error
		if runs, err = b.profileMain(ctx, pc, phases); err != nil {
			return err
		}
		goBuild := b.goBuildName(pc.GoBuild)
		fmt.Fprintf(&report, "\n## One event by group\n\nSelf time by group, µs per event, medians over the rounds (the shape of bench/PROFILE.md's tables for issue 22).\n")
		for _, ph := range phases {
			writeEventTable(&report, ph, runs, b.profiledAgainst(), goBuild)
		}
		for _, ph := range phases {
			writePhaseReport(&report, ph, runs, b.profiledAgainst())
		}
	}
	if want("cold") && pc.Cold > 0 {
		cold, err := b.profileCold(ctx, pc)
		if err != nil {
			return err
		}
		writeColdReport(&report, cold)
	}
	fmt.Fprint(b.stdout, report.String())
	file := filepath.Join(pc.Out, "summary.md")
	if err := os.WriteFile(file, []byte(report.String()), 0o644); err != nil {
		return err
	}
	b.logf("wrote %s and the .cpuprofile files beside it", file)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// isolates connects to the named targets of the session's workerd. A
// target takes one inspector session at a time, and wrangler's own proxy
// connects to the primary Worker's soon after it starts, which closes an
// earlier session: so each connection is checked again a moment later and
// made anew if it was closed.
func (b *bench) isolates(ctx context.Context, s *session, ids ...string) (map[string]*cpuprof.Conn, error) {
	_, ts, err := findInspector(ctx, s.pgid, ids...)
	if err != nil {
		return nil, err
	}
	conns := map[string]*cpuprof.Conn{}
	for try := 0; ; try++ {
		for _, id := range ids {
			if c := conns[id]; c != nil {
				if c.Call(ctx, "Profiler.enable", nil, nil) == nil {
					continue
				}
				c.Close()
				delete(conns, id)
			}
			c, err := cpuprof.Dial(ctx, targetURL(ts, id), nil)
			if err == nil {
				if err = c.Call(ctx, "Profiler.enable", nil, nil); err == nil {
					conns[id] = c
					continue
				}
				c.Close()
			}
			if try == 8 {
				closeAll(conns)
				return nil, fmt.Errorf("%s: %w", id, err)
			}
		}
		time.Sleep(time.Second)
		ok := len(conns) == len(ids)
		for _, c := range conns {
			if c.Call(ctx, "Profiler.enable", nil, nil) != nil {
				ok = false
			}
		}
		if ok {
			return conns, nil
		}
		if try == 8 {
			closeAll(conns)
			return nil, fmt.Errorf("the inspector keeps closing the sessions of %v", ids)
		}
	}
}

func closeAll(conns map[string]*cpuprof.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// profiledAgainst is the side Go is profiled against: the JavaScript
// twin, or the base (-base).
func (b *bench) profiledAgainst() string {
	if b.base != "" {
		return sideBase
	}
	return sideJS
}

func (b *bench) profileMain(ctx context.Context, pc profileConfig, phases []profPhase) ([]*profRun, error) {
	other := b.profiledAgainst()
	targets := []string{targetFront}
	chat := false
	for _, ph := range phases {
		if ph.target[other] == "" {
			return nil, fmt.Errorf("phase %s has no %s side (-base profiles rpc-increment, rpc-get, http-increment and stateless; -profile-go profiles any phase with another checkout's Go Workers)", ph.key, other)
		}
		for _, side := range []string{sideGo, other} {
			if !contains(targets, ph.target[side]) {
				targets = append(targets, ph.target[side])
			}
		}
		chat = chat || ph.echo > 0
	}
	goConfigs := []string{"bench/go/counter-probe.toml", "bench/go/hello.toml"}
	configs := []string{"bench/js/front.toml", "bench/js/counter.toml", "bench/js/hello.toml"}
	if chat {
		goConfigs = append(goConfigs, "bench/go/chat.toml")
		configs = append(configs, "bench/js/chat.toml")
	}
	if pc.GoBuild != "" {
		var err error
		if goConfigs, err = b.goBuildConfigs(pc.GoBuild, goConfigs); err != nil {
			return nil, err
		}
	}
	configs = append(configs, goConfigs...)
	if other == sideBase {
		more, err := b.baseConfigs()
		if err != nil {
			return nil, err
		}
		configs = append(configs, more...)
	}
	b.logf("profile session: %s", strings.Join(configs, " "))
	s, err := b.startSession(ctx, 1, configs...)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	conns, err := b.isolates(ctx, s, targets...)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	echoes := &echoLoad{s: s, members: map[string]*chatMember{}}
	defer echoes.close()

	load := func(ph profPhase, side string, n int) (calls int, wallUS float64, err error) {
		if ph.echo > 0 {
			return echoes.run(ctx, side, n, ph.echo)
		}
		if ph.rpc != "" {
			body, err := s.do(ctx, "POST", fmt.Sprintf("/rpc/%s/%s?n=%d&method=%s%s", side, profileCounter, n, ph.rpc, ph.args))
			if err != nil {
				return 0, 0, err
			}
			var a rpcAnswer
			if err := json.Unmarshal(body, &a); err != nil {
				return 0, 0, fmt.Errorf("%s: %w: %s", ph.key, err, body)
			}
			return a.Calls, a.MS * 1000 / float64(a.Calls), nil
		}
		method, path := ph.path(side)
		t0 := time.Now()
		for i := 0; i < n; i++ {
			if _, err := s.do(ctx, method, path); err != nil {
				return 0, 0, err
			}
		}
		return n, us(time.Since(t0)) / float64(n), nil
	}
	count := func(ph profPhase) int {
		if ph.args != "" {
			return max(1, pc.Calls/20)
		}
		if ph.rpc != "" || ph.echo > 0 {
			return pc.Calls
		}
		return pc.Requests
	}
	// Warm up: V8 compiles the Go module's functions lazily with Liftoff
	// and optimizes the hot ones later; profile the steady state.
	b.logf("warming up")
	for _, ph := range phases {
		for _, side := range []string{sideGo, other} {
			for i := 0; i < 2; i++ {
				if _, _, err := load(ph, side, count(ph)); err != nil {
					return nil, fmt.Errorf("warming up %s %s: %w", ph.key, side, err)
				}
			}
		}
	}
	var runs []*profRun
	for round := 0; round < pc.Rounds; round++ {
		b.logf("profile round %d/%d", round+1, pc.Rounds)
		for _, ph := range phases {
			for _, side := range order([]string{sideGo, other}, round) {
				r := &profRun{phase: ph.key, side: side, round: round, conn: conns[ph.target[side]], frontConn: conns[targetFront]}
				if _, r.plainUS, err = load(ph, side, count(ph)); err != nil {
					return nil, fmt.Errorf("%s %s: %w", ph.key, side, err)
				}
				for _, c := range []*cpuprof.Conn{r.conn, r.frontConn} {
					if err := c.StartProfiler(ctx, pc.Interval); err != nil {
						return nil, err
					}
				}
				calls, wall, err := load(ph, side, count(ph))
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", ph.key, side, err)
				}
				r.calls, r.wallUS = calls, wall
				name := fmt.Sprintf("%s-%s-r%d", ph.key, side, round+1)
				if r.target, err = stopAndSave(ctx, r.conn, filepath.Join(pc.Out, name+".cpuprofile")); err != nil {
					return nil, err
				}
				if r.front, err = stopAndSave(ctx, r.frontConn, filepath.Join(pc.Out, name+".front.cpuprofile")); err != nil {
					return nil, err
				}
				runs = append(runs, r)
			}
		}
	}
	// The JavaScript sources, to tell the shim from the codec in the
	// bundles (enabling the debugger last: it changes how V8 runs code).
	classifiers := map[*cpuprof.Conn]*cpuprof.Classifier{}
	for _, c := range conns {
		cl, err := classifierFor(ctx, c)
		if err != nil {
			return nil, err
		}
		classifiers[c] = cl
	}
	for _, r := range runs {
		r.classifier = classifiers[r.conn]
		r.targetSummary = r.classifier.Summarize(r.target)
		r.frontSummary = classifiers[r.frontConn].SummarizePeriod(r.front, r.targetSummary.Period)
	}
	return runs, nil
}

func stopAndSave(ctx context.Context, c *cpuprof.Conn, file string) (*cpuprof.Profile, error) {
	raw, p, err := c.StopProfiler(ctx)
	if err != nil {
		return nil, err
	}
	return p, os.WriteFile(file, raw, 0o644)
}

// classifierFor reads the sources of an isolate's scripts (through the
// Debugger domain) and finds the files bundled in each.
func classifierFor(ctx context.Context, c *cpuprof.Conn) (*cpuprof.Classifier, error) {
	cl := &cpuprof.Classifier{Scripts: map[string][]cpuprof.Section{}, Lines: map[string][]string{}}
	ids := c.ScriptIDs()
	if err := c.Call(ctx, "Debugger.enable", nil, nil); err != nil {
		return nil, err
	}
	defer c.Call(ctx, "Debugger.disable", nil, nil)
	time.Sleep(200 * time.Millisecond) // the scriptParsed events
	for _, id := range c.ScriptIDs() {
		if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		var out struct {
			ScriptSource string `json:"scriptSource"`
		}
		if err := c.Call(ctx, "Debugger.getScriptSource", map[string]any{"scriptId": id}, &out); err != nil {
			continue // wasm modules and internal scripts
		}
		cl.Scripts[id] = cpuprof.Sections(out.ScriptSource)
		cl.Lines[id] = strings.Split(out.ScriptSource, "\n")
	}
	return cl, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// groupOrder lists the summary's groups, Go's first.
var groupOrder = []string{
	cpuprof.GroupShim, cpuprof.GroupGenerated, cpuprof.GroupMsgpackJS, cpuprof.GroupUserJS, cpuprof.GroupWrangler, cpuprof.GroupOtherJS,
	cpuprof.GroupWrapper,
	cpuprof.GroupGoSched, cpuprof.GroupGoGC, cpuprof.GroupGoMalloc, cpuprof.GroupGoStack, cpuprof.GroupGoMem, cpuprof.GroupGoRuntime,
	cpuprof.GroupGoReflect, cpuprof.GroupGoMsgpack, cpuprof.GroupGodurable, cpuprof.GroupGoSyscall, cpuprof.GroupGoSync,
	cpuprof.GroupGoHTTP, cpuprof.GroupGoUser, cpuprof.GroupGoOther, cpuprof.GroupGoInit,
	cpuprof.GroupNativeAPI, cpuprof.GroupNativeTop, cpuprof.GroupProgram, cpuprof.GroupGC,
}

// sideRuns are a phase's runs by side.
type sideRuns map[string][]*profRun

func runsOf(ph profPhase, runs []*profRun) sideRuns {
	per := sideRuns{}
	for _, r := range runs {
		if r.phase == ph.key {
			per[r.side] = append(per[r.side], r)
		}
	}
	return per
}

// med formats the median of f over side's runs, or "—" without runs.
func (per sideRuns) med(format, side string, f func(r *profRun) float64) string {
	var xs []float64
	for _, r := range per[side] {
		xs = append(xs, f(r))
	}
	if len(xs) == 0 {
		return "—"
	}
	return fmt.Sprintf(format, median(xs))
}

func writePhaseReport(w *strings.Builder, ph profPhase, runs []*profRun, other string) {
	per := runsOf(ph, runs)
	if len(per) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## %s\n\n", ph.title)
	med := func(side string, f func(r *profRun) float64) string { return per.med("%.1f", side, f) }
	perCall := func(v float64, r *profRun) float64 { return v / float64(r.calls) }
	fmt.Fprintf(w, "| µs per call | Go self | Go total | %[1]s self | %[1]s total |\n|---|--:|--:|--:|--:|\n", map[string]string{sideJS: "JS", sideBase: "base"}[other])
	fmt.Fprintf(w, "| wall time per call (the front's clock for RPC, the client's for HTTP and WebSocket messages) | %s | | %s | |\n",
		med(sideGo, func(r *profRun) float64 { return r.wallUS }), med(other, func(r *profRun) float64 { return r.wallUS }))
	fmt.Fprintf(w, "| wall time per call without the profiler | %s | | %s | |\n",
		med(sideGo, func(r *profRun) float64 { return r.plainUS }), med(other, func(r *profRun) float64 { return r.plainUS }))
	fmt.Fprintf(w, "| **busy in the isolate (not idle)** | %s | | %s | |\n",
		med(sideGo, func(r *profRun) float64 { return perCall(r.targetSummary.Busy(), r) }),
		med(other, func(r *profRun) float64 { return perCall(r.targetSummary.Busy(), r) }))
	fmt.Fprintf(w, "| (sampling period seen, µs; time not in the isolate left out, µs per call) | %s; %s | | %s; %s | |\n",
		med(sideGo, func(r *profRun) float64 { return r.targetSummary.Period }), med(sideGo, func(r *profRun) float64 { return perCall(r.targetSummary.Gaps, r) }),
		med(other, func(r *profRun) float64 { return r.targetSummary.Period }), med(other, func(r *profRun) float64 { return perCall(r.targetSummary.Gaps, r) }))
	fmt.Fprintf(w, "| all Go (wasm) code | %s | | — | |\n", med(sideGo, func(r *profRun) float64 { return perCall(r.targetSummary.GoSelf(), r) }))
	for _, g := range groupOrder {
		any := false
		for _, rs := range per {
			for _, r := range rs {
				if r.targetSummary.Total[g] > 0 {
					any = true
				}
			}
		}
		if !any {
			continue
		}
		self := func(side string) string {
			return med(side, func(r *profRun) float64 { return perCall(r.targetSummary.Self[g], r) })
		}
		total := func(side string) string {
			return med(side, func(r *profRun) float64 { return perCall(r.targetSummary.Total[g], r) })
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", g, self(sideGo), total(sideGo), self(other), total(other))
	}
	fmt.Fprintf(w, "| idle | %s | | %s | |\n",
		med(sideGo, func(r *profRun) float64 { return perCall(r.targetSummary.Self[cpuprof.GroupIdle], r) }),
		med(other, func(r *profRun) float64 { return perCall(r.targetSummary.Self[cpuprof.GroupIdle], r) }))
	if ph.rpc != "" {
		fmt.Fprintf(w, "| the caller: front Worker's isolate, busy | %s | | %s | |\n",
			med(sideGo, func(r *profRun) float64 { return perCall(r.frontSummary.Busy(), r) }),
			med(other, func(r *profRun) float64 { return perCall(r.frontSummary.Busy(), r) }))
	}
	writeMechanisms(w, per, med)
	for _, side := range []string{sideGo, other} {
		rs := per[side]
		if len(rs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nTop functions by self time, %s (µs per call, median over the rounds):\n\n| function | group | self | total |\n|---|---|--:|--:|\n", sideName(side))
		type row struct {
			key, group, detail string
			self               float64
		}
		seen := map[string]bool{}
		var rows []row
		for _, r := range rs {
			for _, d := range r.targetSummary.TopDetails("", 40) {
				key := d.Group + "\x00" + d.Detail
				if seen[key] {
					continue
				}
				seen[key] = true
				var xs []float64
				for _, r := range rs {
					xs = append(xs, perCall(r.targetSummary.Detail[key], r))
				}
				rows = append(rows, row{key, d.Group, d.Detail, median(xs)})
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].self > rows[j].self })
		for i, x := range rows {
			if i == 30 {
				break
			}
			fmt.Fprintf(w, "| `%s` | %s | %.1f | %s |\n", x.detail, x.group, x.self,
				med(side, func(r *profRun) float64 { return perCall(r.targetSummary.DetailTotal[x.key], r) }))
		}
		// Lines of the JavaScript functions with the most self time.
		var lines strings.Builder
		for i, x := range rows {
			if i == 30 || x.self < 2 || !(x.group == cpuprof.GroupShim || x.group == cpuprof.GroupUserJS || x.group == cpuprof.GroupMsgpackJS) {
				continue
			}
			sum := map[int]float64{}
			calls := 0
			var script string
			var cl *cpuprof.Classifier
			for _, r := range rs {
				calls += r.calls
				for ln, v := range r.targetSummary.LineSelf[x.key] {
					sum[ln] += v
				}
				if sc, ok := r.targetSummary.ScriptOf[x.key]; ok {
					script, cl = sc, r.classifier
				}
			}
			var lns []int
			for ln := range sum {
				lns = append(lns, ln)
			}
			sort.Slice(lns, func(i, j int) bool { return sum[lns[i]] > sum[lns[j]] })
			for k, ln := range lns {
				v := sum[ln] / float64(calls)
				if k == 4 || v < 0.5 {
					break
				}
				text := ""
				if cl != nil {
					text = cl.Line(script, ln)
				}
				if len(text) > 90 {
					text = text[:90] + "…"
				}
				fmt.Fprintf(&lines, "| `%s` | %d | `%s` | %.1f |\n", x.detail, ln, strings.ReplaceAll(text, "|", "\\|"), v)
			}
		}
		if lines.Len() > 0 {
			fmt.Fprintf(w, "\nWhere in those JavaScript functions (self time by line of the bundle, µs per call over all rounds):\n\n| function | line | source | self |\n|---|--:|---|--:|\n%s", lines.String())
		}
	}
}

// mechanisms are functions whose inclusive time tells what one part of
// the event path costs (matched by the function's name as the summary
// shows it, or by the property key of an anonymous arrow function).
var mechanisms = []struct{ label, fn string }{
	{"shim: dispatch (encode the event, call Go, wait)", "dispatch"},
	{"shim: hostCall (one storage call, JS side, with the native call)", "hostCall"},
	{"shim: the call import (decode the request, hostCall, copy the result)", "call"},
	{"shim: poll_oneoff (the scheduler's poll, idle detection)", "poll_oneoff"},
	{"shim: fd_read (the idle descriptor)", "fd_read"},
	{"shim: clock_time_get", "clock_time_get"},
	{"shim: complete (the event's result)", "complete"},
	{"shim: sql.exec (the host operation: the statement, its cursor, workerd's natives inside)", "sql.exec"},
	{"shim: ws.send (a send, workerd's native inside)", "ws.send"},
	{"shim: ws.broadcast (the sends, workerd's natives inside)", "ws.broadcast"},
	{"shim: ws.list (getWebSockets)", "ws.list"},
	{"shim: ws.attachment (deserializeAttachment)", "ws.attachment"},
	{"Go: rt.runEvent (the event goroutine, all of it)", "github.com_godurable_godurable_internal_rt.runEvent"},
	{"Go: rt.startEvent (the export: take, decode, spawn, wait idle)", "github.com_godurable_godurable_internal_rt.startEvent"},
	{"Go: rt.callMethod (decode arguments, call, encode the result)", "github.com_godurable_godurable_internal_rt.callMethod"},
	{"Go: reflect.Value.Call (the method call by reflection)", "reflect.Value.Call"},
	{"Go: rt.Call (a host call from Go: encode, import, decode)", "github.com_godurable_godurable_internal_rt.Call"},
	{"Go: hostcall.Call (the import of a host call, the shim's side inside)", "github.com_godurable_godurable_internal_hostcall.Call"},
	{"Go: abi.MarshalRequest (a host call's request)", "github.com_godurable_godurable_internal_abi.MarshalRequest"},
	{"Go: runtime.mallocgc (allocation)", "runtime.mallocgc"},
	{"Go: runtime.schedule (scheduler)", "runtime.schedule"},
	{"Go: runtime.findRunnable (incl. netpoll)", "runtime.findRunnable"},
	{"Go: runtime.netpoll (poll_oneoff from Go)", "runtime.netpoll"},
	{"Go: runtime.newstack (stack growth)", "runtime.newstack"},
	{"Go: msgpack Unmarshal (reflection decoder)", "github.com_vmihailenco_msgpack_v5.Unmarshal"},
	{"Go: msgpack Marshal (reflection encoder)", "github.com_vmihailenco_msgpack_v5.Marshal"},
	{"wasm-to-js wrapper (every import call, with what it runs)", "wasm-to-js"},
	{"js-to-wasm wrapper (every export call, with what it runs)", "js-to-wasm"},
}

// mechanismTotal is the inclusive time of the function named fn, or of
// the anonymous arrow function under property fn.
func mechanismTotal(s *cpuprof.Summary, fn string) float64 {
	var t float64
	for k, v := range s.DetailTotal {
		_, d, _ := strings.Cut(k, "\x00")
		if d == fn || strings.HasPrefix(d, fn+" (anonymous:") {
			t = max(t, v)
		}
	}
	return t
}

func writeMechanisms(w *strings.Builder, per sideRuns, med func(side string, f func(r *profRun) float64) string) {
	rs := per[sideGo]
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "\nParts of the Go event path (inclusive µs per call, median over the rounds; parts nest, so they do not add up):\n\n| part | Go total |\n|---|--:|\n")
	for _, m := range mechanisms {
		fn := m.fn
		v := med(sideGo, func(r *profRun) float64 { return mechanismTotal(r.targetSummary, fn) / float64(r.calls) })
		if v == "0.0" {
			continue
		}
		fmt.Fprintf(w, "| %s | %s |\n", m.label, v)
	}
}

func sideName(side string) string {
	switch side {
	case sideGo:
		return "Go"
	case sideBase:
		return "base"
	}
	return "JavaScript"
}

// coldRun is one profiled first request of a fresh isolate.
type coldRun struct {
	side    string
	firstMS float64
	summary *cpuprof.Summary
}

// profileCold profiles the first request of a fresh workerd serving one
// counter Worker directly: the isolate exists (the script ran at
// startup, which compiled the Go module) but the Go instance does not.
func (b *bench) profileCold(ctx context.Context, pc profileConfig) ([]*coldRun, error) {
	configs := map[string]string{sideGo: "bench/go/counter.toml", sideJS: "bench/js/counter.toml"}
	targets := map[string]string{sideGo: targetGo, sideJS: targetJS}
	var out []*coldRun
	for i := 0; i < pc.Cold; i++ {
		for _, side := range order([]string{sideGo, sideJS}, i) {
			b.logf("profiled cold start %d/%d: %s", i+1, pc.Cold, side)
			s, err := b.startSession(ctx, 1, configs[side])
			if err != nil {
				return nil, err
			}
			r, err := func() (*coldRun, error) {
				defer s.stop()
				conns, err := b.isolates(ctx, s, targets[side])
				if err != nil {
					return nil, err
				}
				defer closeAll(conns)
				c := conns[targets[side]]
				if err := c.StartProfiler(ctx, pc.Interval); err != nil {
					return nil, err
				}
				d, err := s.timed(ctx, "POST", "/counter/cold/increment")
				if err != nil {
					return nil, err
				}
				p, err := stopAndSave(ctx, c, filepath.Join(pc.Out, fmt.Sprintf("cold-%s-%d.cpuprofile", side, i+1)))
				if err != nil {
					return nil, err
				}
				cl, err := classifierFor(ctx, c)
				if err != nil {
					return nil, err
				}
				return &coldRun{side: side, firstMS: ms(d), summary: cl.Summarize(p)}, nil
			}()
			if err != nil {
				return nil, fmt.Errorf("cold start of %s: %w", side, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// Functions of the cold start's breakdown: (group, function).
var coldMarks = []struct{ label, group, fn string }{
	{"Instance constructor: new WebAssembly.Instance + _initialize + manifest", cpuprof.GroupShim, "Instance"},
	{"  _initialize (Go runtime start and package initializers; the export _rt0_wasm_wasip1_lib)", cpuprof.GroupGoOther, "_rt0_wasm_wasip1_lib"},
	{"    runtime.schedinit (heap, scheduler, GODEBUG)", cpuprof.GroupGoRuntime, "runtime.schedinit"},
	{"  package initializers (*.init), all", "", ""},
	{"dispatch of the first event (after the instance exists)", cpuprof.GroupShim, "dispatch"},
}

func writeColdReport(w *strings.Builder, runs []*coldRun) {
	fmt.Fprintf(w, "\n## Cold start: the first request of a fresh isolate (POST /counter/cold/increment, served directly)\n\n")
	fmt.Fprintf(w, "The module was compiled when workerd loaded the script, before wrangler reported ready: that is not in these profiles.\n\n")
	med := func(side string, f func(r *coldRun) float64) string {
		var xs []float64
		for _, r := range runs {
			if r.side == side {
				xs = append(xs, f(r))
			}
		}
		if len(xs) == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f", median(xs))
	}
	fmt.Fprintf(w, "| ms | Go | JS |\n|---|--:|--:|\n")
	fmt.Fprintf(w, "| first response, client's clock | %s | %s |\n", med(sideGo, func(r *coldRun) float64 { return r.firstMS }), med(sideJS, func(r *coldRun) float64 { return r.firstMS }))
	fmt.Fprintf(w, "| busy in the isolate | %s | %s |\n", med(sideGo, func(r *coldRun) float64 { return r.summary.Busy() / 1000 }), med(sideJS, func(r *coldRun) float64 { return r.summary.Busy() / 1000 }))
	fmt.Fprintf(w, "| left out: intervals between samples longer than 1.5 periods (no sample taken) | %s | %s |\n", med(sideGo, func(r *coldRun) float64 { return r.summary.Gaps / 1000 }), med(sideJS, func(r *coldRun) float64 { return r.summary.Gaps / 1000 }))
	for _, m := range coldMarks {
		f := func(r *coldRun) float64 {
			if m.group == "" {
				var t float64
				for _, v := range r.summary.InitTotal {
					t += v
				}
				return t / 1000
			}
			return totalOfFunction(r.summary, m.fn) / 1000
		}
		fmt.Fprintf(w, "| %s | %s | — |\n", m.label, med(sideGo, f))
	}
	for _, g := range groupOrder {
		f := func(r *coldRun) float64 { return r.summary.Self[g] / 1000 }
		fmt.Fprintf(w, "| self: %s | %s | %s |\n", g, med(sideGo, f), med(sideJS, f))
	}
	// Package initializers, by package.
	pkgs := map[string]bool{}
	for _, r := range runs {
		for p := range r.summary.InitTotal {
			pkgs[p] = true
		}
	}
	var list []string
	for p := range pkgs {
		list = append(list, p)
	}
	medInit := func(p string) float64 {
		var xs []float64
		for _, r := range runs {
			if r.side == sideGo {
				xs = append(xs, r.summary.InitTotal[p]/1000)
			}
		}
		return median(xs)
	}
	sort.Slice(list, func(i, j int) bool { return medInit(list[i]) > medInit(list[j]) })
	fmt.Fprintf(w, "\nGo package initializers in the profile (inclusive ms, median over the Go cold starts):\n\n| package | ms |\n|---|--:|\n")
	for i, p := range list {
		if i == 25 {
			break
		}
		fmt.Fprintf(w, "| %s | %.2f |\n", p, medInit(p))
	}
	var goRuns []*coldRun
	for _, r := range runs {
		if r.side == sideGo {
			goRuns = append(goRuns, r)
		}
	}
	if len(goRuns) > 0 {
		fmt.Fprintf(w, "\nTop functions by self time in the first Go cold start (ms):\n\n| function | group | self | total |\n|---|---|--:|--:|\n")
		for _, d := range goRuns[0].summary.TopDetails("", 30) {
			key := d.Group + "\x00" + d.Detail
			fmt.Fprintf(w, "| `%s` | %s | %.2f | %.2f |\n", d.Detail, d.Group, d.Self/1000, goRuns[0].summary.DetailTotal[key]/1000)
		}
	}
}

// totalOfFunction is the inclusive time of the functions named fn, in any
// group.
func totalOfFunction(s *cpuprof.Summary, fn string) float64 {
	var t float64
	for k, v := range s.DetailTotal {
		if _, d, _ := strings.Cut(k, "\x00"); d == fn {
			t = max(t, v)
		}
	}
	return t
}

// summarizeFile prints the groups of a .cpuprofile written elsewhere (by
// Node's --cpu-prof, for one): µs per call for calls calls.
func (b *bench) summarizeFile(file string, calls int) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var p cpuprof.Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	s := (&cpuprof.Classifier{}).Summarize(&p)
	per := func(v float64) float64 { return v / float64(max(1, calls)) }
	fmt.Fprintf(b.stdout, "%s: %d samples, period %.0f µs, busy %.1f µs per call (%d calls)\n\n| group | self | total |\n|---|--:|--:|\n", file, s.Samples, s.Period, per(s.Busy()), calls)
	for _, g := range groupOrder {
		if s.Total[g] > 0 {
			fmt.Fprintf(b.stdout, "| %s | %.1f | %.1f |\n", g, per(s.Self[g]), per(s.Total[g]))
		}
	}
	fmt.Fprintf(b.stdout, "| idle | %.1f | |\n\n| function | group | self | total |\n|---|---|--:|--:|\n", per(s.Self[cpuprof.GroupIdle]))
	for _, d := range s.TopDetails("", 25) {
		fmt.Fprintf(b.stdout, "| `%s` | %s | %.1f | %.1f |\n", d.Detail, d.Group, per(d.Self), per(s.DetailTotal[d.Group+"\x00"+d.Detail]))
	}
	return nil
}
