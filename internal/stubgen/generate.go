package stubgen

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

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

// Generate builds r.Pkg for its manifest and returns what FromManifest
// returns for it. If the package does not build with its Go stubs (stale
// ones that no longer compile), it builds it without them.
func Generate(ctx context.Context, r Request) (goSrc, ts []byte, err error) {
	m, err := build.ReadManifest(ctx, r.Dir, r.Pkg)
	if errors.Is(err, build.ErrBuild) {
		if stubs, _, serr := r.stubs(ctx); serr == nil && len(stubs) > 0 {
			if m2, err2 := build.ReadManifest(ctx, r.Dir, r.Pkg, stubs...); err2 == nil {
				m, err = m2, nil
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return FromManifest(ctx, m, r)
}

// FromManifest type-checks r.Pkg (ignoring errors in its Go stubs, which
// may be stale) and returns the Go stubs and the TypeScript declarations r asks for, of
// the classes of m, the package's manifest.
func FromManifest(ctx context.Context, m *abi.Manifest, r Request) (goSrc, ts []byte, err error) {
	skip, opts, err := r.stubs(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(m.Classes) == 0 {
		return nil, nil, fmt.Errorf("%s registers no Durable Object class", r.Pkg)
	}
	var names []string
	for _, s := range skip {
		names = append(names, filepath.Base(s))
	}
	p, err := Load(ctx, r.Dir, r.Pkg, build.Env(), names...)
	if err != nil {
		return nil, nil, err
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

// stubs returns the path of the Go stubs if they are in the package's
// directory (to leave out of the build), and the options of GoStubs.
func (r Request) stubs(ctx context.Context) (skip []string, opts GoOptions, err error) {
	if r.GoFile == "" {
		return nil, opts, nil
	}
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
		return []string{abs}, opts, nil
	}
	if opts.Package = r.GoPackage; opts.Package == "" {
		opts.Package = filepath.Base(filepath.Dir(abs))
	}
	return nil, opts, nil
}
