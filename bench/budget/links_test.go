package budget

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/build"
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
