package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/stubgen"
)

// cmdStubs writes the typed stubs of the package's classes.
func cmdStubs(ctx context.Context, args []string) error {
	var goFile, goPkg, tsFile string
	o, err := parse("stubs", args, func(fs *flag.FlagSet) {
		fs.StringVar(&goFile, "go", "", "`file` of the Go stubs (default: stubs.go in the package's directory; \"\" with -ts for none)")
		fs.StringVar(&goPkg, "pkg", "", "package `name` of the Go stubs when -go is outside the package's directory (default: the directory's name)")
		fs.StringVar(&tsFile, "ts", "", "`file` of the TypeScript declarations of the classes' RPC interfaces (default: none)")
	})
	if err != nil {
		return err
	}
	goSet := false
	for _, a := range args {
		if a == "-go" || strings.HasPrefix(a, "-go=") || a == "--go" || strings.HasPrefix(a, "--go=") {
			goSet = true
		}
	}
	if !goSet {
		dir, err := build.PackageDir(ctx, ".", o.pkg)
		if err != nil {
			return err
		}
		goFile = filepath.Join(dir, "stubs.go")
	}
	p, err := o.project(false)
	if err != nil {
		return err
	}
	req := stubgen.Request{Dir: ".", Pkg: o.pkg, GoFile: goFile, GoPackage: goPkg, TS: tsFile != ""}
	if p.cfg != nil {
		req.Bindings = localBindings(p)
	}
	progress("building %s to read its classes ...", o.pkg)
	goSrc, ts, err := stubgen.Generate(ctx, req)
	// A *UseError comes with the stubs: they are right, the package's
	// calls of them are not.
	var ue *stubgen.UseError
	if err != nil && !errors.As(err, &ue) {
		return err
	}
	for _, f := range []struct {
		path    string
		content []byte
	}{{goFile, goSrc}, {tsFile, ts}} {
		if f.path == "" {
			continue
		}
		if old, err := os.ReadFile(f.path); err == nil && bytes.Equal(old, f.content) {
			progress("%s is up to date", f.path)
			continue
		}
		if err := os.WriteFile(f.path, f.content, 0o644); err != nil {
			return err
		}
		progress("wrote %s", f.path)
	}
	return err
}

// localBindings returns the Durable Object bindings of the project's
// configuration to classes of its own script, by binding name.
func localBindings(p *project) map[string]string {
	out := map[string]string{}
	for _, b := range p.cfg.DurableObjects.Bindings {
		if b.ScriptName == "" || b.ScriptName == p.cfg.Name {
			out[b.Name] = b.ClassName
		}
	}
	return out
}

// warnStaleStubs warns about the Go stubs and TypeScript declarations
// in the package's directory that differ from what wasmbuild stubs would
// write for the module of m (the declarations' Env aside: it comes from
// whichever configuration they were written with).
func warnStaleStubs(ctx context.Context, pkg string, m *abi.Manifest) {
	dir, err := build.PackageDir(ctx, ".", pkg)
	if err != nil {
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		isGo := strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go")
		if !isGo && !strings.HasSuffix(e.Name(), ".d.ts") {
			continue
		}
		old, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(old, []byte(stubgen.Header)) {
			continue
		}
		req := stubgen.Request{Dir: ".", Pkg: pkg, GoFile: path}
		if !isGo {
			req = stubgen.Request{Dir: ".", Pkg: pkg, TS: true}
			old = stubgen.WithoutEnv(old)
		}
		goSrc, ts, err := stubgen.FromManifest(ctx, m, req)
		now := goSrc
		if !isGo {
			now = ts
		}
		switch {
		case err != nil:
			progress("warning: cannot check the stubs %s: %v", path, err)
		case !bytes.Equal(old, now):
			progress("warning: the stubs %s are stale: run wasmbuild stubs (or go generate) again", path)
		}
	}
}
