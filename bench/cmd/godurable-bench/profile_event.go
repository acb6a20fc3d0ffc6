package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/godurable/godurable/bench/cpuprof"
)

// The profiler's chat phases (ws-echo, ws-echo8), the Go side taken from
// another checkout's build (-profile-go), and the table of one event by
// group that bench/PROFILE.md keeps for issue 22.

// The chat rooms' isolates.
const (
	targetGoChat = "core:user:godurable-bench-go-chat"
	targetJSChat = "core:user:godurable-bench-js-chat"
)

// echoLoad drives the chat phases: one member per side, alone in a room
// of its own for the whole session, says things and waits for its own
// said (chat.go's echo).
type echoLoad struct {
	s       *session
	members map[string]*chatMember // side -> the member
}

// run echoes n messages on side's socket, window at a time, and returns
// them with the client's time per message (the round trip, one at a
// time).
func (l *echoLoad) run(ctx context.Context, side string, n, window int) (int, float64, error) {
	m := l.members[side]
	if m == nil {
		var err error
		if m, _, err = l.s.joinChat(ctx, side, "prof-echo", "solo"); err != nil {
			return 0, 0, err
		}
		l.members[side] = m
	}
	r, err := l.s.echo(ctx, m, n, window, 10*time.Minute)
	if err != nil {
		return 0, 0, err
	}
	return r.msgs, us(r.elapsed) / float64(r.msgs), nil
}

func (l *echoLoad) close() {
	for _, m := range l.members {
		m.leave()
	}
}

// mainLine matches the entry point of a Go Worker's configuration in
// bench/go, relative to bench/build.
var mainLine = regexp.MustCompile(`(?m)^main = "\.\./build/([^"]+)"$`)

// goBuildConfigs writes the configurations of bench/go named by configs
// (relative to the root) with their Workers taken from dir, another
// checkout's bench/build, under the same Worker names: the front reaches
// them as it reaches this checkout's. It returns their paths.
func (b *bench) goBuildConfigs(dir string, configs []string) ([]string, error) {
	out := filepath.Join(b.root, "bench", "build", "profile-go")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, c := range configs {
		text, err := os.ReadFile(filepath.Join(b.root, c))
		if err != nil {
			return nil, err
		}
		m := mainLine.FindSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("%s: no main in bench/build", c)
		}
		main := filepath.Join(dir, string(m[1]))
		if _, err := os.Stat(main); err != nil {
			return nil, fmt.Errorf("-profile-go: %w (build it there with godurable-bench -build)", err)
		}
		text = mainLine.ReplaceAll(text, []byte(fmt.Sprintf("main = %q", main)))
		path := filepath.Join(out, filepath.Base(c))
		if err := os.WriteFile(path, append([]byte("# Written by godurable-bench -profile-go from "+c+".\n"), text...), 0o644); err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(b.root, path)
		paths = append(paths, rel)
	}
	return paths, nil
}

// goBuildName names the Go side's build in the summary: the commit of
// the checkout that holds it.
func (b *bench) goBuildName(dir string) string {
	if dir == "" {
		dir = filepath.Join(b.root, "bench", "build")
	}
	commit := versionOf(dir, "git", "rev-parse", "--short=7", "HEAD")
	if commit == "unknown" {
		return dir
	}
	if dirty := versionOf(dir, "git", "status", "--porcelain", "--untracked-files=no"); dirty != "" {
		commit += " with uncommitted changes"
	}
	return fmt.Sprintf("%s (checkout at %s)", dir, commit)
}

// eventRows are the rows of the table of one event by group, µs per
// event: self time by group, then the inclusive time of the shim's host
// operations (the Go side's only).
var eventRows = []struct {
	label  string
	value  func(s *cpuprof.Summary) float64
	goOnly bool
}{
	{"all Go (wasm) code", (*cpuprof.Summary).GoSelf, true},
	{"Go: scheduler, goroutines, channels", groupSelf(cpuprof.GroupGoSched), true},
	{"Go: allocation and GC", groupSelf(cpuprof.GroupGoMalloc, cpuprof.GroupGoGC), true},
	{"Go: reflection", groupSelf(cpuprof.GroupGoReflect), true},
	{"Go: MessagePack (vmihailenco)", groupSelf(cpuprof.GroupGoMsgpack), true},
	{"Go: godurable's packages", groupSelf(cpuprof.GroupGodurable), true},
	{"Go: memmove, hashing, other runtime", groupSelf(cpuprof.GroupGoMem, cpuprof.GroupGoStack, cpuprof.GroupGoRuntime), true},
	{"Go: other (syscall, sync, user code, other packages)", groupSelf(cpuprof.GroupGoSyscall, cpuprof.GroupGoSync, cpuprof.GroupGoHTTP, cpuprof.GroupGoUser, cpuprof.GroupGoOther, cpuprof.GroupGoInit), true},
	{"shim JS (godurable.mjs, worker.mjs)", groupSelf(cpuprof.GroupShim, cpuprof.GroupGenerated), true},
	{"its MessagePack codec (@msgpack/msgpack)", groupSelf(cpuprof.GroupMsgpackJS), true},
	{"user JS (the JavaScript twin)", groupSelf(cpuprof.GroupUserJS), false},
	{"workerd API natives (storage, send, ...)", groupSelf(cpuprof.GroupNativeAPI), false},
	{"wasm<->JS wrappers (wasm-to-js, js-to-wasm)", groupSelf(cpuprof.GroupWrapper), true},
	{"other: (program), V8's GC, natives called from C++, other JS", groupSelf(cpuprof.GroupProgram, cpuprof.GroupGC, cpuprof.GroupNativeTop, cpuprof.GroupWrangler, cpuprof.GroupOtherJS), false},
	{"inclusive: the host operation sql.exec (shim, workerd's natives)", hostOps("sql.exec"), true},
	{"inclusive: the host operations ws.send and ws.broadcast", hostOps("ws.send", "ws.broadcast"), true},
}

func groupSelf(groups ...string) func(s *cpuprof.Summary) float64 {
	return func(s *cpuprof.Summary) float64 {
		var t float64
		for _, g := range groups {
			t += s.Self[g]
		}
		return t
	}
}

func hostOps(names ...string) func(s *cpuprof.Summary) float64 {
	return func(s *cpuprof.Summary) float64 {
		var t float64
		for _, n := range names {
			t += mechanismTotal(s, n)
		}
		return t
	}
}

// writeEventTable writes the phase's table of one event by group, the
// shape of bench/PROFILE.md's issue 22 tables: paste the Go column.
func writeEventTable(w *strings.Builder, ph profPhase, runs []*profRun, other, goBuild string) {
	per := runsOf(ph, runs)
	if len(per) == 0 {
		return
	}
	med := func(side string, f func(r *profRun) float64) string { return per.med("%.1f", side, f) }
	perEvent := func(f func(s *cpuprof.Summary) float64) func(r *profRun) float64 {
		return func(r *profRun) float64 { return f(r.targetSummary) / float64(r.calls) }
	}
	fmt.Fprintf(w, "\n### %s: %s\n\n| µs per event | Go | %s |\n|---|--:|--:|\n", ph.key, ph.title, sideName(other))
	plain := func(r *profRun) float64 { return r.plainUS }
	fmt.Fprintf(w, "| wall time, profiler off | %s | %s |\n", per.med("%.0f", sideGo, plain), per.med("%.0f", other, plain))
	busy := perEvent((*cpuprof.Summary).Busy)
	fmt.Fprintf(w, "| **busy in the isolate, profiler on** | **%s** | **%s** |\n", med(sideGo, busy), med(other, busy))
	for _, row := range eventRows {
		v := med(other, perEvent(row.value))
		if row.goOnly && other == sideJS {
			v = "—"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", row.label, med(sideGo, perEvent(row.value)), v)
	}
	fmt.Fprintf(w, "\nGo: %s; %d rounds.\n", goBuild, len(per[sideGo]))
}
