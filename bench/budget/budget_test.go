// Package budget counts the Go functions that one event runs in the real
// module (on wazero, with a listener on every function of the guest), and
// holds each kind of event to a budget: what an event runs is code that
// workerd must have compiled and that the CPU must have in its caches, and
// an event that touches fewer functions runs faster in workerd than a hot
// loop shows (bench/PROFILE.md). A count is the same on every run, unlike
// a time.
package budget

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
)

// The budgets: the distinct functions of the guest that one event runs,
// once warm. Lower them when the event path gets shorter; a change that
// raises them must say why.
var budgets = map[string]int{
	"rpc-noop":      211, // benchNoop() of the memory probe
	"rpc-increment": 293, // the counter's increment(1): a KV read and write, an SQL insert
	"ws-echo":       386, // a chat room's say, echoed to its one member (+1: the attachment read from ws's cache, a map lookup, instead of a host call whose JavaScript side this count does not see)
}

func root(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// counting builds pkg (with opts) as wasmbuild does and returns an
// Isolate on it whose guest functions are counted.
func counting(t *testing.T, pkg string, opts *build.Options, namespaces map[string]string) (*workerd.Isolate, *driver.FunctionCounter) {
	t.Helper()
	ctx := context.Background()
	mod, err := build.CompileModule(ctx, root(t), pkg, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, c, err := driver.NewCountingModule(ctx, mod.Wasm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	iso := workerd.NewIsolate(workerd.Config{Module: m, Script: "budget", Namespaces: namespaces})
	t.Cleanup(iso.Close)
	return iso, c
}

// measure runs event three times to warm up, then ten times counted,
// and returns the run that touched the fewest functions: a run in which
// the garbage collector happens to start counts its functions too.
func measure(t *testing.T, c *driver.FunctionCounter, event func()) []driver.FunctionCalls {
	t.Helper()
	for range 3 {
		event()
	}
	var least []driver.FunctionCalls
	for range 10 {
		c.Start()
		event()
		if calls := c.Stop(); least == nil || len(calls) < len(least) {
			least = calls
		}
	}
	return least
}

func report(t *testing.T, name string, calls []driver.FunctionCalls) {
	t.Helper()
	total := 0
	godurable := 0
	for _, f := range calls {
		total += f.Calls
		if strings.Contains(f.Name, "godurable") {
			godurable++
		}
	}
	t.Logf("%s: %d distinct functions (%d of godurable's), %d calls", name, len(calls), godurable, total)
	if testing.Verbose() {
		var b strings.Builder
		for _, f := range calls {
			fmt.Fprintf(&b, "%6d %s\n", f.Calls, f.Name)
		}
		t.Logf("%s:\n%s", name, b.String())
	}
	if budget := budgets[name]; len(calls) > budget {
		t.Errorf("%s runs %d distinct functions, over its budget of %d: the event path grew", name, len(calls), budget)
	}
}

func TestRPCNoop(t *testing.T) {
	probeDir := filepath.Join(root(t), "bench", "go", "probe")
	pkgDir := filepath.Join(root(t), "examples", "counter")
	iso, c := counting(t, "./examples/counter", &build.Options{
		Tags: []string{"godurable_bench"},
		Overlay: map[string]string{
			filepath.Join(pkgDir, "zz_bench_probe.go"):     filepath.Join(probeDir, "probe.go"),
			filepath.Join(pkgDir, "zz_bench_pages_wasm.s"): filepath.Join(probeDir, "pages_wasm.s"),
		},
	}, map[string]string{"COUNTER": "Counter"})
	target := workerd.Target{Class: "Counter", ID: iso.IDFromName("Counter", "hot"), Name: "hot"}
	args, _ := abi.EncodeValue([]any{})
	call := func(method string, args []byte) func() {
		return func() {
			if _, err := iso.ObjectCall(context.Background(), target, method, args); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
		}
	}
	report(t, "rpc-noop", measure(t, c, call("benchNoop", args)))
	one, _ := abi.EncodeValue([]any{1})
	report(t, "rpc-increment", measure(t, c, call("increment", one)))
}

func TestWebSocketEcho(t *testing.T) {
	iso, c := counting(t, "./examples/chat", nil, map[string]string{"CHAT": "ChatRoom"})
	ctx := context.Background()
	resp, err := iso.Fetch(ctx, &abi.Request{Method: "GET", URL: "http://chat/rooms/r/ws?name=ann",
		Headers: [][2]string{{"upgrade", "websocket"}}, Body: []byte{}})
	if err != nil || resp.Status != 101 {
		t.Fatalf("joining: %v %v", resp, err)
	}
	var id string
	for _, h := range resp.Headers {
		if strings.EqualFold(h[0], abi.WebSocketHeader) {
			id = h[1]
		}
	}
	peer, ok := iso.TakeUpgrade(id)
	if !ok {
		t.Fatal("no socket")
	}
	if _, err := peer.Receive(ctx); err != nil { // welcome
		t.Fatal(err)
	}
	say := func() {
		if err := peer.Send(abi.WSMessage{IsText: true, Text: `{"type":"say","text":"hi"}`}); err != nil {
			t.Fatal(err)
		}
		if f, err := peer.Receive(ctx); err != nil || f.Message == nil {
			t.Fatalf("the echo: %+v %v", f, err)
		}
		// The echo is sent before the event ends: count the rest too.
		deadline := time.Now().Add(10 * time.Second)
		for iso.InFlight() > 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	report(t, "ws-echo", measure(t, c, say))
}
