package budget

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// coldBudgets hold what a fresh isolate's first request runs for the
// first time, which V8 compiles lazily as it runs it (bench/PROFILE.md,
// "Cold start"): the guest's functions and the bytes of their bodies.
var coldBudgets = map[string]struct{ functions, bytes int }{
	"counter: _initialize":   {770, 775_000}, // 755, 764,080 bytes on 2026-12-07
	"counter: first request": {390, 455_000}, // 378, 441,325
	"hello: _initialize":     {685, 655_000}, // 671, 644,914
	"hello: first request":   {210, 205_000}, // 200, 197,288
}

// The exports called after _initialize: the instance is built once the
// first of them is called. godurable_manifest is skipped: the shim reads the
// manifest from the module's custom section, and the harness asks the
// export only to check that path.
const (
	exportABIVersion = ".godurable_abi_version"
	exportManifest   = ".godurable_manifest"
)

// TestColdStart counts the functions that a fresh isolate's first request
// runs, for the counter (a POST increment on a new object: the Worker's
// fetch, an RPC call, storage) and the stateless hello (GET /hello), split
// into the instance's _initialize (the Go runtime's start and every
// package initializer) and the request itself, and holds both to a
// budget. With -v it lists what each package initializer runs, and the
// request's functions by package.
func TestColdStart(t *testing.T) {
	for _, c := range []struct {
		name, pkg  string
		namespaces map[string]string
		req        *abi.Request
	}{
		{"counter", "./examples/counter", map[string]string{"COUNTER": "Counter"}, &abi.Request{Method: "POST", URL: "http://counter/counter/cold/increment", Body: []byte{}}},
		{"hello", "./bench/go/hello", nil, &abi.Request{Method: "GET", URL: "http://hello/hello"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			iso, counter := counting(t, c.pkg, nil, c.namespaces)
			counter.Skip(exportManifest)
			counter.Start()
			resp, err := iso.Fetch(context.Background(), c.req)
			calls := counter.Stop()
			if err != nil || resp.Status != 200 {
				t.Fatalf("the first request: %v %v", resp, err)
			}
			slices.SortFunc(calls, func(a, b driver.FunctionCalls) int { return a.First - b.First })
			split := slices.IndexFunc(calls, func(f driver.FunctionCalls) bool { return f.Name == exportABIVersion })
			if split < 0 {
				t.Fatalf("%s was not called", exportABIVersion)
			}
			coldReport(t, c.name+": _initialize", calls[:split], initializers(calls[:split]))
			coldReport(t, c.name+": first request", calls[split:], byPackage(calls[split:]))
		})
	}
}

// coldReport logs and checks one phase: its functions, their bytes, and
// how they split into groups.
func coldReport(t *testing.T, name string, calls []driver.FunctionCalls, groups []group) {
	t.Helper()
	bytes := 0
	for _, f := range calls {
		bytes += f.Size
	}
	t.Logf("%s: %d functions run for the first time, %d bytes of code", name, len(calls), bytes)
	if testing.Verbose() {
		var b strings.Builder
		for _, g := range groups {
			fmt.Fprintf(&b, "%-70s %5d %8d\n", g.name, g.functions, g.bytes)
		}
		t.Logf("%s, by group (functions, bytes):\n%s", name, b.String())
	}
	budget := coldBudgets[name]
	if len(calls) > budget.functions || bytes > budget.bytes {
		t.Errorf("%s runs %d functions (%d bytes) for the first time, over its budget of %d (%d bytes): the cold start grew",
			name, len(calls), bytes, budget.functions, budget.bytes)
	}
}

// group is what one package initializer, or one package, ran.
type group struct {
	name             string
	functions, bytes int
}

// packageInit matches a package's initializer (".net_http.init",
// ".main.init.0"), not a method named init (".runtime.__mheap_.init").
var packageInit = regexp.MustCompile(`^\.([^_(]|_[^_])*\.init(\.[0-9]+)?$`)

// initializers splits the functions _initialize runs by the package
// initializer that first ran them; the runtime's start comes first.
func initializers(calls []driver.FunctionCalls) []group {
	var out []group
	cur := "runtime start (schedinit, runtime.main)"
	for _, f := range calls {
		if packageInit.MatchString(f.Name) {
			cur = f.Name[1:strings.LastIndex(f.Name, ".init")] + " init"
		}
		if len(out) == 0 || out[len(out)-1].name != cur {
			out = append(out, group{name: cur})
		}
		out[len(out)-1].functions++
		out[len(out)-1].bytes += f.Size
	}
	return out
}

// byPackage splits functions by their package, largest first.
func byPackage(calls []driver.FunctionCalls) []group {
	idx := map[string]int{}
	var out []group
	for _, f := range calls {
		p := packageOf(f.Name)
		i, ok := idx[p]
		if !ok {
			i = len(out)
			idx[p] = i
			out = append(out, group{name: p})
		}
		out[i].functions++
		out[i].bytes += f.Size
	}
	slices.SortFunc(out, func(a, b group) int { return b.bytes - a.bytes })
	return out
}

// packageOf returns the package of a function as wazero names it
// (".github.com_godurable_godurable_internal_rt.__class_.rpc"): up to
// the first dot that is not in a domain name.
var domain = regexp.MustCompile(`^\.?((vendor_)?[a-z0-9-]+\.(com|org|net|io|in|dev)_)?[^.]*`)

func packageOf(name string) string {
	return strings.TrimPrefix(domain.FindString(name), ".")
}
