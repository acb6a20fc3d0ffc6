// Package wranglerdev finds the pinned wrangler and the Node.js that runs
// it (FindTools, Command), and starts and stops `wrangler dev` (and so
// workerd) on the loopback interface, for the end-to-end tests, the
// benchmarks and wasmbuild dev.
package wranglerdev

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"
)

// Options configure a wrangler dev session.
type Options struct {
	// Dir is where wrangler runs; node_modules is looked up from here.
	Dir string
	// Configs are the wrangler.toml files, the first one served on Port;
	// the others run beside it and can be bound to (multi-worker dev).
	Configs []string
	// Port to listen on, 0 for a free one.
	Port int
	// PersistTo keeps Durable Object storage in this directory across
	// sessions. Empty means a fresh temporary directory.
	PersistTo string
	// Vars override [vars] (wrangler dev --var NAME:VALUE).
	Vars map[string]string
	// Log receives wrangler's and workerd's output; nil discards it.
	Log io.Writer
	// ReadyTimeout bounds the wait for the first response (default 2 minutes).
	ReadyTimeout time.Duration
	// Tools are the wrangler and node to run; nil means FindTools(Dir).
	Tools *Tools
	// CompatibilityDate, if set, overrides the compatibility_date of every
	// configuration: of the first with wrangler dev --compatibility-date,
	// of the others (which that flag leaves alone: measured with wrangler
	// 4.86) with copies of them that have this date. Only .toml
	// configurations can be copied.
	CompatibilityDate string
	// TestScheduled adds the route /__scheduled?cron=... to the first
	// configuration's Worker (wrangler dev --test-scheduled), which runs
	// its scheduled handler.
	TestScheduled bool
}

// Server is a running wrangler dev.
type Server struct {
	// URL is the served Worker's address, e.g. http://127.0.0.1:40123.
	URL string
	// PersistTo is the storage directory.
	PersistTo string

	// Tools are the wrangler and node that run it.
	Tools *Tools

	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	tmp     string // the storage directory, if Start made it
	configs string // copies of configurations, if any
	output  *tail
}

// Start runs wrangler dev and returns once it answers HTTP.
func Start(ctx context.Context, opts Options) (*Server, error) {
	var err error
	tools := opts.Tools
	if tools == nil {
		if tools, err = FindTools(opts.Dir); err != nil {
			return nil, err
		}
	}
	port := opts.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	inspector, err := FreePort()
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), PersistTo: opts.PersistTo, Tools: tools, done: make(chan struct{}), output: &tail{}}
	if s.PersistTo == "" {
		if s.tmp, err = os.MkdirTemp("", "godurable-wrangler-"); err != nil {
			return nil, err
		}
		s.PersistTo = s.tmp
	}
	args := []string{"dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(port),
		"--inspector-port", strconv.Itoa(inspector), "--persist-to", s.PersistTo,
		"--show-interactive-dev-session=false"}
	for i, c := range opts.Configs {
		if i > 0 && opts.CompatibilityDate != "" {
			if s.configs == "" {
				if s.configs, err = os.MkdirTemp("", "godurable-wrangler-configs-"); err != nil {
					s.cleanup()
					return nil, err
				}
			}
			if c, err = withDate(opts.Dir, c, opts.CompatibilityDate, filepath.Join(s.configs, strconv.Itoa(i)+".toml")); err != nil {
				s.cleanup()
				return nil, err
			}
		}
		args = append(args, "-c", c)
	}
	for k, v := range opts.Vars {
		args = append(args, "--var", k+":"+v)
	}
	if opts.CompatibilityDate != "" {
		args = append(args, "--compatibility-date", opts.CompatibilityDate)
	}
	if opts.TestScheduled {
		args = append(args, "--test-scheduled")
	}
	s.cmd = tools.Command(context.Background(), opts.Dir, args...)
	s.cmd.Env = append(s.cmd.Env, "WRANGLER_LOG_SANITIZE=false", "NO_COLOR=1", "FORCE_COLOR=0",
		// After an error wrangler looks for a newer version of itself on
		// the npm registry (from its .npmrc settings, whatever the banner
		// setting): a closed loopback port keeps a test off the network.
		"npm_config_registry=http://127.0.0.1:9/")
	var out io.Writer = s.output
	if opts.Log != nil {
		out = io.MultiWriter(opts.Log, s.output)
	}
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("starting wrangler dev: %w", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	timeout := opts.ReadyTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	if err := s.waitReady(ctx, timeout); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady waits for wrangler to report "Ready on" and for the port to
// accept connections, without sending the Worker a request (so that a
// benchmark's first request is really the first).
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	addr := strings.TrimPrefix(s.URL, "http://")
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("wrangler dev exited before it was ready (%v):\n%s", s.waitErr, s.output.String())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if !strings.Contains(s.output.String(), "Ready on ") {
			continue
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
	}
	return fmt.Errorf("wrangler dev was not ready on %s within %v:\n%s", s.URL, timeout, s.output.String())
}

// Output returns the last part of wrangler's and workerd's output.
func (s *Server) Output() string { return s.output.String() }

// Stop ends wrangler and workerd and waits for them to exit.
func (s *Server) Stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		s.cleanup()
		return nil
	}
	pgid := -s.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-s.done
	}
	// workerd may outlive wrangler briefly; make sure the group is gone.
	syscall.Kill(pgid, syscall.SIGKILL)
	s.cleanup()
	return nil
}

func (s *Server) cleanup() {
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
	if s.configs != "" {
		os.RemoveAll(s.configs)
	}
}

// withDate writes to out a copy of the wrangler.toml config (relative to
// dir) with compatibility_date set to date and main made absolute, and
// returns out.
func withDate(dir, config, date, out string) (string, error) {
	path := config
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if filepath.Ext(path) != ".toml" {
		return "", fmt.Errorf("wranglerdev: cannot set the compatibility date of %s: only .toml configurations can be copied", config)
	}
	var cfg map[string]any
	if _, err := toml.DecodeFile(path, &cfg); err != nil {
		return "", fmt.Errorf("wranglerdev: reading %s: %w", config, err)
	}
	cfg["compatibility_date"] = date
	if main, ok := cfg["main"].(string); ok && !filepath.IsAbs(main) {
		abs, err := filepath.Abs(filepath.Join(filepath.Dir(path), main))
		if err != nil {
			return "", err
		}
		cfg["main"] = abs
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# A copy of %s with compatibility_date %s (godurable's wranglerdev).\n", path, date)
	if err := toml.NewEncoder(&b).Encode(cfg); err != nil {
		return "", err
	}
	return out, os.WriteFile(out, b.Bytes(), 0o644)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the last 64 KiB written to it.
type tail struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const tailSize = 64 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if t.buf.Len() > 2*tailSize {
		b := t.buf.Bytes()[t.buf.Len()-tailSize:]
		t.buf = *bytes.NewBuffer(append([]byte(nil), b...))
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf.Bytes()
	if len(b) > tailSize {
		b = b[len(b)-tailSize:]
	}
	return string(b)
}
