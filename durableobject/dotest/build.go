package dotest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/tetratelabs/wazero"
)

// Building: a package is compiled once per test process. Its module is
// cached on disk under a key made from everything go build reads (the Go
// version, the build flags, and the files of every package it depends
// on), so that a later process whose inputs have not changed skips go
// build; and wazero keeps its compilation of the module in the same cache
// directory, so that a later process skips most of that too.

// CacheDirEnv names the environment variable that overrides the cache
// directory (by default, godurable under os.UserCacheDir).
const CacheDirEnv = "GODURABLE_CACHE"

type built struct {
	once   sync.Once
	module *driver.Module
	dir    string // the package's directory
	err    error
	// Timings, for reports.
	buildTime, compileTime time.Duration
	cachedWasm             bool
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*built{}

	cacheOnce sync.Once
	cacheDir  string
	wzCache   wazero.CompilationCache
)

func cache() (string, wazero.CompilationCache) {
	cacheOnce.Do(func() {
		dir := os.Getenv(CacheDirEnv)
		if dir == "" {
			if d, err := os.UserCacheDir(); err == nil {
				dir = filepath.Join(d, "godurable")
			} else {
				dir = filepath.Join(os.TempDir(), "godurable-cache")
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return
		}
		cacheDir = dir
		if c, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "wazero")); err == nil {
			wzCache = c
			workerd.UseCompilationCache(c)
		}
	})
	return cacheDir, wzCache
}

// load returns the module of pkg (a package path or a directory, resolved
// in the current directory), building it on first use.
func load(pkg string) *built {
	abs := pkg
	if strings.HasPrefix(pkg, ".") || filepath.IsAbs(pkg) {
		if a, err := filepath.Abs(pkg); err == nil {
			abs = a
		}
	}
	buildsMu.Lock()
	b := builds[abs]
	if b == nil {
		b = &built{}
		builds[abs] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() { b.err = b.load(pkg) })
	return b
}

func (b *built) load(pkg string) error {
	ctx := context.Background()
	dir, cacheC := cache()
	start := time.Now()
	key, pkgDir, err := inputsKey(ctx, pkg)
	if err != nil {
		return err
	}
	b.dir = pkgDir
	var wasm []byte
	cached := ""
	if dir != "" && key != "" {
		cached = filepath.Join(dir, "wasm", key+".wasm")
		if w, err := os.ReadFile(cached); err == nil {
			wasm = w
			b.cachedWasm = true
		}
	}
	if wasm == nil {
		// The same two-step build as wasmbuild's, so that tests run the
		// module wrangler serves.
		mod, err := build.CompileModule(ctx, ".", pkg, nil)
		if err != nil {
			return err
		}
		wasm = mod.Wasm
		if cached != "" {
			writeAtomic(cached, wasm)
		}
	}
	b.buildTime = time.Since(start)
	start = time.Now()
	m, err := driver.NewModule(ctx, wasm, cacheC)
	if err != nil {
		return fmt.Errorf("loading the module of %s: %w", pkg, err)
	}
	b.compileTime = time.Since(start)
	b.module = m
	return nil
}

func writeAtomic(path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// inputsKey hashes what go build would read to build pkg for wasip1: the
// toolchain, the flags and environment, and every dependency's files.
// Files under GOROOT and the module cache are named by their path, which
// holds a version; the others are hashed by content. It also returns the
// directory of pkg.
func inputsKey(ctx context.Context, pkg string) (string, string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f",
		"{{if .Error}}ERROR {{.Error}}{{end}}{{.ImportPath}}\x1f{{.Dir}}\x1f{{.Standard}}\x1f{{join .GoFiles \",\"}}\x1f{{join .SFiles \",\"}}\x1f{{join .EmbedFiles \",\"}}\x1f{{if .Module}}{{.Module.Path}}@{{.Module.Version}}{{end}}", pkg)
	cmd.Env = build.Env()
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("%w for %s: go list: %v\n%s", build.ErrBuild, pkg, err, strings.TrimSpace(stderr.String()))
	}
	h := sha256.New()
	fmt.Fprintln(h, "godurable dotest build v1", runtime.Version(), strings.Join(build.Flags, " "))
	for _, k := range []string{"GOFLAGS", "GOEXPERIMENT", "GOWASM", "GOTOOLCHAIN", "GOROOT"} {
		fmt.Fprintf(h, "%s=%s\n", k, os.Getenv(k))
	}
	goroot := runtime.GOROOT()
	modcache := goEnv(ctx, "GOMODCACHE")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	pkgDir := ""
	for i, line := range lines {
		if strings.HasPrefix(line, "ERROR ") {
			return "", "", fmt.Errorf("%w for %s: %s", build.ErrBuild, pkg, strings.TrimPrefix(line, "ERROR "))
		}
		f := strings.Split(line, "\x1f")
		if len(f) != 7 {
			return "", "", errors.New("dotest: unexpected go list output")
		}
		path, dir, std := f[0], f[1], f[2] == "true"
		if i == len(lines)-1 {
			pkgDir = dir
		}
		fmt.Fprintln(h, path, dir, f[6])
		immutable := std || (goroot != "" && strings.HasPrefix(dir, goroot)) || (modcache != "" && strings.HasPrefix(dir, modcache))
		for _, list := range f[3:6] {
			if list == "" {
				continue
			}
			for _, name := range strings.Split(list, ",") {
				fmt.Fprintln(h, " ", name)
				if immutable {
					continue
				}
				file, err := os.Open(filepath.Join(dir, name))
				if err != nil {
					return "", "", err
				}
				_, err = io.Copy(h, file)
				file.Close()
				if err != nil {
					return "", "", err
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], pkgDir, nil
}

var goEnvCache sync.Map

func goEnv(ctx context.Context, name string) string {
	if v, ok := goEnvCache.Load(name); ok {
		return v.(string)
	}
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	v := ""
	if err == nil {
		v = strings.TrimSpace(string(out))
	}
	goEnvCache.Store(name, v)
	return v
}
