package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// machine describes where the benchmark ran.
func (b *bench) machine() string {
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "unknown"
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		mem = strings.Join(strings.Fields(strings.TrimPrefix(line, "MemTotal:")), " ")
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	var sb strings.Builder
	fmt.Fprintf(&sb, "- Date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&sb, "- CPU: %s, %d logical cores (shared machine)\n", cpu, runtime.NumCPU())
	fmt.Fprintf(&sb, "- Memory: %s; Linux %s\n", mem, strings.TrimSpace(string(kernel)))
	fmt.Fprintf(&sb, "- Go: %s (builds the modules)\n", versionOf(b.root, "go", "env", "GOVERSION"))
	node := b.node()
	if b.tools != nil {
		node = b.tools.Node
	}
	fmt.Fprintf(&sb, "- Node: %s; wrangler %s; workerd %s (%s)\n", versionOf(b.root, node, "--version"),
		packageVersion(b.toolsRoot(), "wrangler"), packageVersion(b.toolsRoot(), "workerd"),
		versionOf(b.root, filepath.Join(b.toolsRoot(), "node_modules", ".bin", "workerd"), "--version"))
	if b.compat != "" {
		fmt.Fprintf(&sb, "- Compatibility date: %s for every Worker (the newest this workerd accepts)\n", b.compat)
	}
	commit := versionOf(b.root, "git", "rev-parse", "--short=12", "HEAD")
	dirty := versionOf(b.root, "git", "status", "--porcelain", "--untracked-files=no")
	if dirty != "" && dirty != "unknown" {
		commit += " with uncommitted changes"
	}
	fmt.Fprintf(&sb, "- Code: commit %s\n", commit)
	return sb.String()
}

// report renders the results as Markdown.
func (b *bench) report(took time.Duration) string {
	c := b.cfg
	var sb strings.Builder
	sb.WriteString("# Benchmark results\n\n")
	if b.smoke {
		sb.WriteString("**Smoke run: tiny counts, one round. These figures are not measurements.**\n\n")
	}
	sb.WriteString("Produced by `go run ./bench/cmd/godurable-bench` (see bench/README.md for what it measures and how).\n\n")
	sb.WriteString("## Machine\n\n")
	sb.WriteString(b.machine())
	fmt.Fprintf(&sb, "- Run: %d interleaved rounds; concurrent runs: %d in flight, each bounded by %v or %d requests; one-at-a-time runs: %d requests; %d cold starts per side; took %v\n",
		c.Rounds, c.Conc, c.Dur, c.Count, c.Seq, c.Cold, took.Round(time.Second))
	fmt.Fprintf(&sb, "- Chat rooms: echo runs like the load runs (%d in flight or one at a time); broadcast room of %d members, %d messages with %d in flight, %d one at a time; wake after at least %v idle; memory with %d sockets in %d rooms, %d fresh sessions per side\n",
		c.Conc, c.ChatMembers, c.ChatBroadcast, c.Conc, c.ChatBroadcastSeq, c.ChatIdle, c.ChatSockets, c.ChatRooms, c.RSSSessions)
	if b.observability {
		sb.WriteString("- wrangler dev's local observability: on (X_LOCAL_OBSERVABILITY=true): every event and storage call of both sides streams to its collector Worker\n\n")
	} else {
		sb.WriteString("- wrangler dev's local observability: off (X_LOCAL_OBSERVABILITY=false; `-observability` turns it on), as a deployed Worker has it unless configured\n\n")
	}
	sb.WriteString("Every figure is the median over the rounds (cold starts: over the starts). ")
	sb.WriteString("This is a shared 2-core machine and the load generator runs on it too: absolute figures are noisy, the ratios measured side by side are the point.\n\n")
	sb.WriteString("## Go Durable Objects against JavaScript\n\n")
	sb.WriteString(b.m.table(sideGo, sideJS, "Go", "JavaScript"))
	if b.syumai != "" {
		sb.WriteString("\n## Stateless Go Workers: godurable against syumai/workers\n\n")
		sb.WriteString(b.statelessTable())
	}
	if b.base != "" {
		sb.WriteString("\n## This checkout against the base (" + b.base + ")\n\n")
		sb.WriteString(b.sideTable(sideBase, "this checkout", "base"))
		sb.WriteString("\nThe ratio this checkout/base in each round (the rounds' spread is the noise):\n\n")
		sb.WriteString(b.m.roundRatios(sideGo, sideBase))
	}
	if b.micro != "" {
		sb.WriteString("\n## Boundary micro-benchmarks\n\n")
		sb.WriteString("The Go side of one event, without workerd (`go test -run '^$' -bench . -benchmem ./bench/boundary`), natively and compiled to wasip1 in Node's V8 (" + versionOf(b.root, b.node(), "-p", "'V8 ' + process.versions.v8") + "; workerd's V8 is newer).\n\n")
		sb.WriteString(b.micro)
	}
	sb.WriteString("\n## Notes\n\n")
	for _, n := range append(b.notes, staticNotes...) {
		sb.WriteString("- " + n + "\n")
	}
	return sb.String()
}

// staticNotes explain figures that the table alone does not.
var staticNotes = []string{
	"The JavaScript twin stores the counter's value in KV as a JavaScript number; the Go counter stores MessagePack bytes. Both keep the history in the same SQLite table.",
	"Routing hop: both sides are reached through the same front Worker code and one service binding each. The served-directly figures come from the cold-start sessions, whose isolates had run fewer requests than the main session's (V8 compiles the Go module lazily and optimizes its hot functions later), so their difference from the through-the-front figures is an estimate of the hop, not a precise one.",
	"Memory has no JavaScript column for the isolate itself: workerd gives a Worker no figure of its own heap. The resident memory rows compare the whole server process group per new object, both sides measured alike.",
	"Storage lives on tmpfs (/dev/shm) for every session: on this machine's disk, creating SQLite-backed objects costs tens of milliseconds each for either language.",
	"benchNoop, benchStub and benchMemory exist only in the memory probe's build of the Go counter (bench/go/probe) and benchNoop and benchStub in the JavaScript twin, measured side by side in the memory session; the other Go rows are the unchanged example.",
	"Chat room: the JavaScript twin (bench/js/chat.js) sends the Go room's bytes (checked on a scripted session before timing), except the parser's message in the error for malformed JSON. The front and the chat Worker pass the room's socket on without accepting it: they never see its messages. The rows in flight keep that many messages sent and not yet answered (echo: the sender's own said; broadcast: the said of the slowest member).",
	"Chat room memory per socket: most of it is the sockets' path through wrangler's proxy and workerd (the front Worker's service binding, the chat Worker, the object), which both sides share; the difference between the sides is the rooms' own part.",
	"Hibernation wake: workerd hibernates an object with hibernatable sockets after 10 s without events; the first message after the idle rebuilds the room (its constructor runs again: checked by hand for both sides with a log line in the twin's constructor and in the generated shim's) in an isolate kept warm by the other rooms.",
}

// statelessTable compares the stateless rows of godurable and syumai/workers.
func (b *bench) statelessTable() string {
	return b.sideTable(sideSyumai, "godurable", "syumai/workers")
}

// sideTable compares Go with another side on the rows that side has.
func (b *bench) sideTable(side, titleGo, title string) string {
	var ms metrics
	for _, m := range b.m.order {
		if len(m.vals[side]) > 0 {
			ms.order = append(ms.order, m)
		}
	}
	return ms.table(sideGo, side, titleGo, title)
}
