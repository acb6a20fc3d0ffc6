package budget

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/driver"
)

// counterLinks are the packages of this module that examples/counter's
// module links: the Durable Object core (durableobject, worker, storage,
// ws and the runtime under them) and nothing else.
var counterLinks = []string{
	"durableobject",
	"examples/counter",
	"internal/abi",
	"internal/hostcall",
	"internal/rt",
	"internal/sqlvalue",
	"storage",
	"storage/internal/storageconn",
	"worker",
	"ws",
}

// TestUnimportedBindingsAreNotLinked holds examples/counter, built as
// wasmbuild builds it, to the packages of this module it links: a binding
// package (kv, r2, d1, queues, cron, alarm, jsbridge, and those to come)
// and the internal packages behind it must cost a module that does not
// import it nothing, neither size nor package initializers. A package
// appearing here was pulled in by an import of the core, or registered
// from it: move the dependency into the binding's own package.
func TestUnimportedBindingsAreNotLinked(t *testing.T) {
	const module = "github.com/godurable/godurable/"
	cmd := exec.Command("go", "list", "-deps", "-tags", build.StaticTag, "./examples/counter")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var links []string
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, module); ok {
			links = append(links, rest)
		}
	}
	slices.Sort(links)
	for _, p := range links {
		if !slices.Contains(counterLinks, p) {
			t.Errorf("examples/counter links %s, outside the core a Durable Object needs (counterLinks)", p)
		}
	}
	for _, p := range counterLinks {
		if !slices.Contains(links, p) {
			t.Errorf("examples/counter no longer links %s: take it off counterLinks", p)
		}
	}
}

// unusedMessages are message types of internal/abi that only what
// examples/counter does not use sends or receives: D1, the jsbridge,
// queues, cron, and outbound WebSockets (ws.Dial, which it never calls).
var unusedMessages = []string{"D1Query", "D1Exec", "D1ExecResult", "D1Meta", "JSOp", "JSAwait", "JSType", "QueueBatch", "QueueResult", "ScheduledInfo", "ScheduledResult", "WSConnect"}

// TestUnimportedBindingsLeaveNoCode holds examples/counter's module to no
// code of the messages of bindings it does not use: a package it links
// (internal/abi holds every feature's messages) must not keep them alive
// from its initialization, as the table of the boundary's rows did
// (RATIONALE.md, "Why does a guest not link the table of the boundary?").
func TestUnimportedBindingsLeaveNoCode(t *testing.T) {
	fns, err := driver.Functions(counterModule(t))
	if err != nil {
		t.Fatal(err)
	}
	// A message's methods (abi.T.M, abi.__T_.M) and its equality
	// (type_.eq.abi.T), as the name section writes them.
	re := regexp.MustCompile(`github\.com_godurable_godurable_internal_abi\.(__)?(` + strings.Join(unusedMessages, "|") + `)(_?\.|$)`)
	for _, f := range fns {
		if re.MatchString(f.Name) {
			t.Errorf("examples/counter links %s, of a message it never sends", f.Name)
		}
	}
}
