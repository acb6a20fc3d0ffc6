package stubgen_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/stubgen"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	shopOnce     sync.Once
	shopManifest *abi.Manifest
	shopPkg      *stubgen.Package
	shopErr      error
)

// shop builds testdata/shop for its manifest and type-checks it, both
// without its stubs (shop_stub.go, the golden file of TestGoStubs).
func shop(t *testing.T) (*abi.Manifest, *stubgen.Package) {
	t.Helper()
	shopOnce.Do(func() {
		ctx := context.Background()
		stubs, err := filepath.Abs("testdata/shop/shop_stub.go")
		if err != nil {
			shopErr = err
			return
		}
		if shopManifest, shopErr = build.ReadManifest(ctx, ".", "./testdata/shop", &build.Options{Overlay: map[string]string{stubs: ""}}); shopErr == nil {
			shopPkg, shopErr = stubgen.Load(ctx, ".", "./testdata/shop", "shop_stub.go")
		}
	})
	if shopErr != nil {
		t.Fatal(shopErr)
	}
	return shopManifest, shopPkg
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestGoStubs(t *testing.T) {
	m, p := shop(t)
	got, err := stubgen.GoStubs(m, p, stubgen.GoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "shop/shop_stub.go", got)
	// The stubs compile with the package.
	vet := exec.Command("go", "vet", "./testdata/shop")
	vet.Env = build.Env()
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("go vet with the stubs: %v\n%s", err, out)
	}
}

func TestGoStubsElsewhere(t *testing.T) {
	m, p := shop(t)
	_, err := stubgen.GoStubs(m, p, stubgen.GoOptions{Package: "shopclient", Path: "example.com/shopclient"})
	if err == nil || !strings.Contains(err.Error(), "Shop.Add uses a type of package github.com/godurable/godurable/internal/stubgen/testdata/shop, which another package cannot import") {
		t.Errorf("stubs of main's types in another package: %v", err)
	}
}

func TestTypeScript(t *testing.T) {
	m, p := shop(t)
	got, err := stubgen.TypeScript(m, p, map[string]string{"SHOP": "Shop", "LEDGER": "Ledger"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "shop.d.ts", got)
}

// TestTypeScriptCompiles type-checks testdata/shop.d.ts and the counter
// example's counter.d.ts with the pinned TypeScript and
// @cloudflare/workers-types (tscheck/package.json; scripts/test.sh installs
// them): the uses in tscheck/*.ts compile, and each wrong use marked
// @ts-expect-error (a wrong argument type, a method not exposed) fails.
func TestTypeScriptCompiles(t *testing.T) {
	tsc := filepath.Join("tscheck", "node_modules", "typescript", "bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		if os.Getenv("GODURABLE_E2E") == "1" {
			t.Fatalf("%v: run npm ci in internal/stubgen/tscheck", err)
		}
		t.Skip("TypeScript is not installed (npm ci in internal/stubgen/tscheck; GODURABLE_E2E=1 requires it)")
	}
	out, err := exec.Command("node", tsc, "-p", "tscheck").CombinedOutput()
	if err != nil {
		t.Errorf("tsc: %v\n%s", err, out)
	}
}

// TestWithoutEnv: declarations written with a configuration's bindings,
// without their Env, are those written without bindings (what wasmbuild
// build compares to find stale declarations).
func TestWithoutEnv(t *testing.T) {
	m, p := shop(t)
	with, err := stubgen.TypeScript(m, p, map[string]string{"SHOP": "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	without, err := stubgen.TypeScript(m, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(with, without) {
		t.Fatal("the bindings changed nothing")
	}
	if got := stubgen.WithoutEnv(with); !bytes.Equal(got, without) {
		t.Errorf("WithoutEnv:\n%s\nwant:\n%s", got, without)
	}
}
