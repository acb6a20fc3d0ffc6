package stubgen

import (
	"context"
	"fmt"
	"go/parser"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
)

// Request says what Generate writes for one package.
type Request struct {
	Dir, Pkg string // the main package, a go list pattern resolved in Dir
	// GoFile is the path (relative to Dir) of the Go stubs, "" for none.
	// In the package's directory, they are in the package (main); else
	// in GoPackage (default: the name of the file's directory).
	GoFile    string
	GoPackage string
	// TS says whether to write the TypeScript declarations, with an Env of
	// Bindings (binding name -> class name).
	TS       bool
	Bindings map[string]string
}

// provisionalFile is the file of the provisional stubs that Generate adds
// to the build of a package that uses stubs when its Go stubs are not
// in its directory.
const provisionalFile = "zz_godurable_provisional_stubs.go"

// Generate returns the Go stubs and the TypeScript declarations r asks
// for, of the classes that r.Pkg registers. It builds the package for its
// manifest without its Go stubs (the file r.GoFile in its directory, if
// it is there): if the package uses stubs that it does not declare then,
// because the file is missing or stale, it builds with provisional
// stubs instead, which have every exported method of the classes that
// the package's source registers (durableobject.Register with a constant
// name). So a package whose stubs are missing, or lack a method that it
// calls, still gets them.
//
// If the package then does not compile with the stubs Generate returns
// (it calls a method its class does not expose), Generate returns them
// with a *UseError that says why.
func Generate(ctx context.Context, r Request) (goSrc, ts []byte, err error) {
	p, opts, err := r.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	overlay := map[string]string{}
	if opts.file != "" {
		overlay[opts.file] = "" // left out, or replaced just below
	}
	if len(p.missing) > 0 {
		src, err := p.provisionalStubs()
		if err != nil {
			return nil, nil, err
		}
		tmp, err := os.MkdirTemp("", "godurable-stubs-")
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(tmp)
		file := filepath.Join(tmp, provisionalFile)
		if err := os.WriteFile(file, src, 0o644); err != nil {
			return nil, nil, err
		}
		at := opts.file
		if at == "" {
			at = filepath.Join(p.Dir, provisionalFile)
		}
		overlay[at] = file
	}
	m, err := build.ReadManifest(ctx, r.Dir, r.Pkg, &build.Options{Overlay: overlay})
	if err != nil {
		if len(p.missing) > 0 {
			return nil, nil, fmt.Errorf("building %s with provisional stubs (every exported method of the classes, for its uses of %s): %w",
				r.Pkg, strings.Join(p.missing, ", "), err)
		}
		return nil, nil, err
	}
	if goSrc, ts, err = p.generate(m, r, opts.GoOptions); err != nil || opts.file == "" {
		return goSrc, ts, err
	}
	return goSrc, ts, p.checkWith(m, opts.file, goSrc)
}

// FromManifest type-checks r.Pkg (without its Go stubs, which may be
// stale) and returns the Go stubs and the TypeScript declarations r asks
// for, of the classes of m, the package's manifest.
func FromManifest(ctx context.Context, m *abi.Manifest, r Request) (goSrc, ts []byte, err error) {
	p, opts, err := r.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	return p.generate(m, r, opts.GoOptions)
}

func (p *Package) generate(m *abi.Manifest, r Request, opts GoOptions) (goSrc, ts []byte, err error) {
	if len(m.Classes) == 0 && len(m.Entrypoints) == 0 {
		return nil, nil, fmt.Errorf("%s registers no Durable Object class and no entrypoint", r.Pkg)
	}
	if r.GoFile != "" {
		if goSrc, err = GoStubs(m, p, opts); err != nil {
			return nil, nil, err
		}
	}
	if r.TS {
		if ts, err = TypeScript(m, p, r.Bindings); err != nil {
			return nil, nil, err
		}
	}
	return goSrc, ts, nil
}

// stubOptions are the options of GoStubs for a Request, and the absolute
// path of its Go stubs if they are in the package's directory ("" if
// not).
type stubOptions struct {
	GoOptions
	file string
}

// load type-checks r.Pkg without its Go stubs.
func (r Request) load(ctx context.Context) (*Package, stubOptions, error) {
	var opts stubOptions
	if r.GoFile != "" {
		pkgDir, err := build.PackageDir(ctx, r.Dir, r.Pkg)
		if err != nil {
			return nil, opts, err
		}
		path := r.GoFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(r.Dir, path)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, opts, err
		}
		if filepath.Dir(abs) == pkgDir {
			opts.file = abs
		} else if opts.Package = r.GoPackage; opts.Package == "" {
			opts.Package = filepath.Base(filepath.Dir(abs))
		}
	}
	var without []string
	if opts.file != "" {
		without = append(without, filepath.Base(opts.file))
	}
	p, err := Load(ctx, r.Dir, r.Pkg, without...)
	return p, opts, err
}

// UseError reports that a package does not compile with the Go stubs
// that Generate returned for it: it calls what they do not have.
type UseError struct {
	Pkg      string   // the package's import path
	Problems []string // the type errors, with what the manifest says of the methods they name
}

// Error lists the problems.
func (e *UseError) Error() string {
	return fmt.Sprintf("%s does not compile with its new stubs:\n\t%s", e.Pkg, strings.Join(e.Problems, "\n\t"))
}

// checkWith type-checks the package with src as its file of Go stubs,
// and returns a *UseError if it does not compile. A problem that names a
// method of a class that the class does not expose says why, from m.
func (p *Package) checkWith(m *abi.Manifest, file string, src []byte) error {
	f, err := parser.ParseFile(p.fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("the generated stubs do not parse: %w", err)
	}
	q := *p
	errs := q.check(f)
	if len(errs) == 0 && len(q.missing) == 0 {
		return nil
	}
	ue := &UseError{Pkg: p.Path}
	for _, name := range q.missing {
		ue.Problems = append(ue.Problems, fmt.Sprintf("undefined: %s (no class registered by the module has this stub)", name))
	}
	for _, e := range errs {
		for _, c := range slices.Concat(m.Classes, m.Entrypoints) {
			for _, why := range append(c.Hidden, c.Skipped...) {
				name, reason, _ := strings.Cut(why, ": ")
				if strings.Contains(e, "type "+c.Name+"Stub has no field or method "+name) {
					e += fmt.Sprintf(" (%s.%s is not an RPC method: %s)", c.Name, name, reason)
				}
			}
		}
		ue.Problems = append(ue.Problems, e)
	}
	return ue
}
