package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Inputs are what a build of a package reads, as go list reports it for
// wasip1/wasm with the build's tags (those of both of CompileModule's
// builds): the files of the package and of every package it imports, the
// go.mod and go.sum files of their modules, the Go toolchain and its
// environment.
type Inputs struct {
	// Key hashes them: the files that can change by their contents, the
	// others (those of the standard library, under GOROOT, and of the
	// module cache, whose directories carry their versions) by their
	// paths, with the Go version, the go environment that changes a build,
	// and the build's flags, tags and overlay.
	Key string
	// Dir is the package's directory.
	Dir string
	// Files are the inputs that can change (absolute paths, sorted): the
	// Go, assembly and embedded files of the packages outside GOROOT and
	// the module cache (the main module's, a workspace's, those of
	// modules replaced by directories), with the files that build
	// constraints leave out (a change of their constraints changes the
	// build; only their headers are in Key), and the go.mod, go.sum and
	// go.work files. Test files are not inputs.
	Files []string
	// Dirs are the directories of those packages and of their embedded
	// files, where a new file can join the build (absolute, sorted).
	Dirs []string
	// stamps are the sizes and times of Files and the names in Dirs, as
	// they were before Key was computed.
	stamps map[string]string
}

// listedPackage is what ReadInputs reads of go list's output.
type listedPackage struct {
	ImportPath string
	Dir        string
	Standard   bool
	GoFiles    []string
	SFiles     []string
	EmbedFiles []string
	// IgnoredGoFiles are those that build constraints leave out.
	IgnoredGoFiles []string
	Module         *struct{ GoMod string }
}

// inputsVersion changes when the Key of the same inputs must change.
const inputsVersion = "godurable build inputs 1"

// ReadInputs returns the inputs of the build of pkg (a package path or
// directory, resolved in dir) with opts (which may be nil). A package
// that does not build has inputs too: those go list finds.
func ReadInputs(ctx context.Context, dir, pkg string, opts *Options) (*Inputs, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	env, err := goEnv(ctx, dir, "GOVERSION", "GOROOT", "GOMODCACHE", "GOFLAGS", "GOEXPERIMENT", "GOWASM", "GOWORK", "GOTOOLCHAIN")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintln(h, inputsVersion)
	fmt.Fprintln(h, strings.Join(Flags, " "), o.Tags)
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(h, "%s=%s\n", k, env[k])
	}

	tmp, err := os.MkdirTemp("", "godurable-inputs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	pkgs := map[string]listedPackage{}
	var order []string
	var pkgDir string
	for _, tags := range [][]string{o.Tags, append([]string{StaticTag}, o.Tags...)} {
		flags, err := buildFlags(tmp, o.Overlay, tags)
		if err != nil {
			return nil, err
		}
		list, err := ListDeps[listedPackage](ctx, dir, pkg, "ImportPath,Dir,Standard,GoFiles,SFiles,EmbedFiles,IgnoredGoFiles,Module", flags...)
		if err != nil {
			return nil, err
		}
		pkgDir = list[len(list)-1].Dir // -deps lists the package last
		for _, p := range list {
			if q, ok := pkgs[p.ImportPath]; ok {
				// The union of both builds' files.
				p.GoFiles = union(q.GoFiles, p.GoFiles)
				p.SFiles = union(q.SFiles, p.SFiles)
				p.EmbedFiles = union(q.EmbedFiles, p.EmbedFiles)
				p.IgnoredGoFiles = union(q.IgnoredGoFiles, p.IgnoredGoFiles)
			} else {
				order = append(order, p.ImportPath)
			}
			pkgs[p.ImportPath] = p
		}
	}
	slices.Sort(order)

	in := &Inputs{Dir: pkgDir, stamps: map[string]string{}}
	immutable := func(dir string) bool {
		for _, root := range []string{env["GOROOT"], env["GOMODCACHE"]} {
			if root != "" && (dir == root || strings.HasPrefix(dir, root+string(filepath.Separator))) {
				return true
			}
		}
		return false
	}
	files := map[string]bool{}   // the files whose contents count
	headers := map[string]bool{} // the files whose headers count
	dirs := map[string]bool{}
	for _, path := range order {
		p := pkgs[path]
		fmt.Fprintln(h, "package", p.ImportPath, p.Dir)
		if p.Standard || immutable(p.Dir) {
			continue
		}
		dirs[p.Dir] = true
		for _, name := range slices.Concat(p.GoFiles, p.SFiles, p.EmbedFiles) {
			files[filepath.Join(p.Dir, name)] = true
		}
		for _, name := range p.EmbedFiles {
			dirs[filepath.Dir(filepath.Join(p.Dir, name))] = true
		}
		for _, name := range p.IgnoredGoFiles {
			if !strings.HasSuffix(name, "_test.go") {
				headers[filepath.Join(p.Dir, name)] = true
			}
		}
		if p.Module != nil && p.Module.GoMod != "" {
			files[p.Module.GoMod] = true
			files[filepath.Join(filepath.Dir(p.Module.GoMod), "go.sum")] = true
		}
	}
	if w := env["GOWORK"]; w != "" && w != "off" {
		files[w], files[w+".sum"] = true, true
	}
	for k, v := range o.Overlay {
		fmt.Fprintln(h, "overlay", k, v)
		if v != "" {
			files[v] = true
		}
	}
	all := maps.Clone(files)
	maps.Copy(all, headers)
	in.Files = slices.Sorted(maps.Keys(all))
	in.Dirs = slices.Sorted(maps.Keys(dirs))
	// The stamps first: a file that changes while it is hashed changes
	// its stamp too, and is read again.
	in.stamps = stamp(in.Files, in.Dirs)
	for _, f := range in.Files {
		sum, err := fileSum(f, headers[f] && !files[f])
		if errors.Is(err, os.ErrNotExist) {
			sum = "none" // go.sum, go.work.sum
		} else if err != nil {
			return nil, err
		}
		fmt.Fprintln(h, "file", f, sum)
	}
	in.Key = hex.EncodeToString(h.Sum(nil))
	return in, nil
}

// ListDeps runs go list -e -deps -json=fields with the flags on pkg, in
// dir, for wasip1/wasm, and returns its packages decoded into T, the
// package last.
func ListDeps[T any](ctx context.Context, dir, pkg, fields string, flags ...string) ([]T, error) {
	args := append([]string{"list", "-e", "-deps", "-json=" + fields}, flags...)
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = dir
	cmd.Env = Env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w for %s: go list: %v\n%s", ErrBuild, pkg, err, strings.TrimSpace(stderr.String()))
	}
	var list []T
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p T
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list %s: %w", pkg, err)
		}
		list = append(list, p)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("go list %s: no package", pkg)
	}
	return list, nil
}

// goEnv returns the values of go env for the build's environment.
func goEnv(ctx context.Context, dir string, names ...string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"env", "-json"}, names...)...)
	cmd.Dir = dir
	cmd.Env = Env()
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	env := map[string]string{}
	if err := json.Unmarshal(out, &env); err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	return env, nil
}

// fileSum returns the SHA-256 of the file, or of its header (what comes
// before its package clause: its build constraints) if header is set.
func fileSum(path string, header bool) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if header {
		fset := token.NewFileSet()
		if f, err := parser.ParseFile(fset, path, b, parser.PackageClauseOnly|parser.ParseComments); err == nil {
			b = b[:fset.Position(f.Package).Offset]
		}
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// stamp returns the size and modification time of each file, and the
// names of the entries of each directory that can join a build (neither
// hidden nor test files, as go build sees them).
func stamp(files, dirs []string) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		if info, err := os.Stat(f); err == nil {
			out[f] = fmt.Sprint(info.Size(), info.ModTime().UnixNano())
		} else {
			out[f] = "none"
		}
	}
	for _, d := range dirs {
		entries, _ := os.ReadDir(d)
		var names []string
		for _, e := range entries {
			if n := e.Name(); !strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "_") && !strings.HasSuffix(n, "_test.go") {
				names = append(names, n)
			}
		}
		out[d] = strings.Join(names, "/")
	}
	return out
}

// Changed returns the files and directories of in that changed since
// ReadInputs read them, or since the last call of Changed: files
// modified, added or removed, directories with new or removed entries.
// Something changed is not always an input that changed (a file saved
// again as it was, a new file left out by its build constraints):
// ReadInputs again tells by the Key.
func (in *Inputs) Changed() []string {
	var out []string
	now := stamp(in.Files, in.Dirs)
	for path, s := range now {
		if in.stamps[path] != s {
			out = append(out, path)
		}
	}
	in.stamps = now
	slices.Sort(out)
	return out
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
