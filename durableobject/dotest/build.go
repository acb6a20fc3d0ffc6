package dotest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/tetratelabs/wazero"
)

// Building: a package is compiled once per test process. Its module is
// cached on disk under the key of everything go build reads
// (build.ReadInputs: the Go version, the build flags, and the files of
// every package it depends on), so that a later process whose inputs have not changed skips go
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
	in, err := build.ReadInputs(ctx, ".", pkg, nil)
	if err != nil {
		return err
	}
	key := in.Key[:32]
	b.dir = in.Dir
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
