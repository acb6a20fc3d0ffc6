package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/stubgen"
)

// auctionSource is a Worker in one file, as wasmbuild init writes one: the
// class Auction, its registration, and a handler that calls it through
// its typed stub, AuctionStub, with the calls given.
func auctionSource(methods, calls string) string {
	return `package main

import (
	"fmt"
	"net/http"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

type Auction struct{ state *durableobject.State }

` + methods + `

func init() {
	durableobject.Register("Auction", func(s *durableobject.State, env *worker.Env) (*Auction, error) {
		return &Auction{state: s}, nil
	})
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ns, err := env.DurableObject("AUCTION")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		a := NewAuctionStub(ns.GetByName(r.URL.Path))
		ctx := r.Context()
` + calls + `
	})
}

func main() {}
`
}

// tempModule writes a module that requires godurable from this clone,
// with the files given, and makes it the current directory.
func tempModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root := repoRoot(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	// godurable's own requirements, so that nothing needs resolving.
	gomod = bytes.Replace(gomod, []byte("module github.com/godurable/godurable"), []byte("module example.com/auction"), 1)
	gomod = append(gomod, "\nrequire github.com/godurable/godurable v0.0.0\n\nreplace github.com/godurable/godurable => "+quoteModPath(root)+"\n"...)
	dir := t.TempDir()
	files["go.mod"], files["go.sum"] = string(gomod), string(gosum)
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOWORK", "off")
	t.Chdir(dir)
	return dir
}

// compiles reports why the package in the current directory does not
// compile for wasip1 ("" if it does).
func compiles(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "vet", ".")
	cmd.Env = build.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		return string(out)
	}
	return ""
}

// TestStubsBootstrap: wasmbuild stubs writes the stubs of a package that
// calls them without having them (no stub file at all), or with stale
// ones (a method called that they lack, a type they name that is gone),
// and the package then compiles. A call that the class does not expose,
// or that it does not have, is reported with the reason.
func TestStubsBootstrap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Worker four times")
	}
	ctx := context.Background()
	bid := `
// Bid bids for lot.
func (a *Auction) Bid(lot Lot) (int64, error) { return lot.Amount, nil }

type Lot struct{ Amount int64 }`
	dir := tempModule(t, map[string]string{
		"auction.go": auctionSource(bid, `		n, err := a.Bid(ctx, Lot{Amount: 5})
		fmt.Fprintln(w, n, err)`),
	})
	stubs := func() error { return run(ctx, []string{"stubs"}) }
	write := func(methods, calls string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "auction.go"), []byte(auctionSource(methods, calls)), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// No stub file at all: the package does not compile, stubs writes it.
	if why := compiles(t); !strings.Contains(why, "undefined: NewAuctionStub") {
		t.Fatalf("the package compiles without its stubs, or not for the reason expected: %s", why)
	}
	if err := stubs(); err != nil {
		t.Fatalf("stubs without a stub file: %v", err)
	}
	if why := compiles(t); why != "" {
		t.Fatalf("the package does not compile with the stubs written:\n%s", why)
	}
	first, _ := os.ReadFile(filepath.Join(dir, "stubs.go"))
	if !bytes.HasPrefix(first, []byte(stubgen.Header)) || !bytes.Contains(first, []byte("func (s AuctionStub) Bid(ctx context.Context, lot Lot) (int64, error)")) {
		t.Fatalf("stubs.go:\n%s", first)
	}

	// Stale stubs: a new method called, and the type of the old stub's
	// signature renamed (the old stubs no longer compile).
	write(`
// Bid bids for item.
func (a *Auction) Bid(item Item) (int64, error) { return item.Amount, nil }

// Top returns the highest bid.
func (a *Auction) Top() (int64, error) { return 0, nil }

// String is not exposed (fmt.Stringer).
func (a *Auction) String() string { return "auction" }

type Item struct{ Amount int64 }`, `		n, err := a.Bid(ctx, Item{Amount: 5})
		top, err2 := a.Top(ctx)
		fmt.Fprintln(w, n, err, top, err2)`)
	if why := compiles(t); why == "" {
		t.Fatal("the package compiles with stale stubs")
	}
	if err := stubs(); err != nil {
		t.Fatalf("stubs with stale stubs: %v", err)
	}
	if why := compiles(t); why != "" {
		t.Fatalf("the package does not compile with the stubs rewritten:\n%s", why)
	}
	second, _ := os.ReadFile(filepath.Join(dir, "stubs.go"))
	for _, want := range []string{"Bid(ctx context.Context, item Item) (int64, error)", "Top(ctx context.Context) (int64, error)"} {
		if !bytes.Contains(second, []byte(want)) {
			t.Errorf("stubs.go lacks %q:\n%s", want, second)
		}
	}

	// A method that the class does not expose: stubs writes what it
	// exposes and says why the call does not compile.
	methods := `
func (a *Auction) Bid(item Item) (int64, error) { return item.Amount, nil }

func (a *Auction) String() string { return "auction" }

type Item struct{ Amount int64 }`
	write(methods, `		s, err := a.String(ctx)
		fmt.Fprintln(w, s, err)`)
	var ue *stubgen.UseError
	err := stubs()
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "Auction.String is not an RPC method") {
		t.Errorf("stubs with a call of a method not exposed: %v", err)
	}
	t.Logf("a call of a method not exposed: %v", err)
	if third, _ := os.ReadFile(filepath.Join(dir, "stubs.go")); bytes.Contains(third, []byte(") String(")) || bytes.Contains(third, []byte(") Top(")) {
		t.Errorf("stubs.go has a method the class does not expose:\n%s", third)
	}

	// A method that the class does not have: the error is go build's.
	write(methods, `		n, err := a.Bidd(ctx, Item{})
		fmt.Fprintln(w, n, err)`)
	err = stubs()
	if err == nil || !strings.Contains(err.Error(), "provisional stubs") || !strings.Contains(err.Error(), "a.Bidd undefined") {
		t.Errorf("stubs with a call of a method the class lacks: %v", err)
	}
	t.Logf("a call of a method the class lacks: %v", err)

	// A stub of a class that the source does not register.
	write(methods, `		fmt.Fprintln(w, a, ctx, NewLotStub(nil))`)
	err = stubs()
	if err == nil || !strings.Contains(err.Error(), "uses NewLotStub, but its source registers no class Lot (its calls of durableobject.Register with a constant name register Auction;") {
		t.Errorf("stubs with a stub of no class: %v", err)
	}
}
