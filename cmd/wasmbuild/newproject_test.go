package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/wranglerdev"
)

// e2eEnv enables the steps that need npm and wrangler: the variable of
// the end-to-end suite (internal/conformance.E2EEnv), which .ci/run sets.
const e2eEnv = "GODURABLE_E2E"

// readmeCommands are the commands of the "Your own project" section of
// README.md, which TestNewProject runs.
var readmeCommands = []string{
	"go run ./cmd/wasmbuild init ../rooms",
	"cd ../rooms",
	"go tool wasmbuild dev",
	"go test ./...",
}

// stubsGenerate is the go:generate line of typed stubs that the README of
// a new project shows, and TestNewProject runs.
const stubsGenerate = "//go:generate go tool wasmbuild stubs"

// readmeDeploy is the section's line on deploying.
const readmeDeploy = "`go tool wasmbuild build && npx wrangler deploy`"

// TestNewProject follows the "Your own project" section of README.md as a
// new user does, in a temporary directory outside this module: init from
// this clone, go mod tidy, go vet, go test (twice: cold, then warm) and
// go tool wasmbuild build and check; with GODURABLE_E2E set, also npm ci,
// go tool wasmbuild dev on a free loopback port with real HTTP requests
// and a clean stop, and the deploy line as a dry run. It logs the time of
// each step (go test -v shows them).
func TestNewProject(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a new project: about 40 s")
	}
	root := repoRoot(t)
	checkReadmeSection(t, root)
	e2e := os.Getenv(e2eEnv) != ""

	timeout := 20 * time.Minute
	if d, ok := t.Deadline(); ok {
		timeout = time.Until(d) - 30*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	dir := filepath.Join(t.TempDir(), "rooms")
	// dotest's cache in a directory of its own: the first go test is what
	// a new user's first one is, and the user's cache does not grow.
	env := append(os.Environ(), "GODURABLE_CACHE="+t.TempDir(), "GOWORK=off",
		// wrangler looks for a newer version of itself on the npm registry
		// after an error (see wranglerdev.Start): a closed port keeps it
		// off the network; npm ci gets the real registry.
		"npm_config_registry=http://127.0.0.1:9/", "WRANGLER_SEND_METRICS=false", "NO_COLOR=1")
	npmEnv := slices.DeleteFunc(slices.Clone(env), func(e string) bool { return strings.HasPrefix(e, "npm_config_registry=") })

	var timings []string
	report := func() {
		t.Logf("a new user's path, %s (%d CPUs):\n%s", map[bool]string{true: "end to end", false: "Go only"}[e2e], runtime.NumCPU(), strings.Join(timings, "\n"))
	}
	defer report()
	step := func(name, wd string, env []string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir, cmd.Env = wd, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		timings = append(timings, fmt.Sprintf("  %-40s %6.1f s", name, d.Seconds()))
		if err != nil {
			t.Fatalf("%s (in %s): %v\n%s", strings.Join(args, " "), wd, err, out)
		}
		return string(out)
	}

	// go run ./cmd/wasmbuild init ../rooms, with a directory outside the clone.
	out := step("go run ./cmd/wasmbuild init", root, env, "go", "run", "./cmd/wasmbuild", "init", dir)
	if want := "replace github.com/godurable/godurable => " + root; !strings.Contains(out, want) {
		t.Errorf("init did not say %q:\n%s", want, out)
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	for _, want := range []string{"module example.com/rooms\n", "tool github.com/godurable/godurable/cmd/wasmbuild\n", "replace github.com/godurable/godurable => " + quoteModPath(root) + "\n"} {
		if !bytes.Contains(gomod, []byte(want)) {
			t.Errorf("go.mod lacks %q:\n%s", want, gomod)
		}
	}
	// Nothing left to tidy, nothing to format or vet.
	step("go mod tidy -diff", dir, env, "go", "mod", "tidy", "-diff")
	if out := step("gofmt -l .", dir, env, "gofmt", "-l", "."); out != "" {
		t.Errorf("gofmt would change %s", out)
	}
	step("go vet ./...", dir, env, "go", "vet", "./...")
	// go test ./..., as the user's first run (nothing cached in dotest's
	// cache) and as every later one (-count=1 skips go's test cache).
	step("go test ./... (first run)", dir, env, "go", "test", "./...")
	out = step("go test ./... (again)", dir, env, "go", "test", "-count=1", "-v", "./...")
	for _, want := range []string{"--- PASS: TestHTTP", "--- PASS: TestRPC"} {
		if !strings.Contains(out, want) {
			t.Errorf("go test does not say %q:\n%s", want, out)
		}
	}
	out = step("go tool wasmbuild build", dir, env, "go", "tool", "wasmbuild", "build")
	for _, want := range []string{"class Room: handlers fetch; RPC join, visitors", "wrangler.toml fits the module"} {
		if !strings.Contains(out, want) {
			t.Errorf("wasmbuild build does not say %q:\n%s", want, out)
		}
	}
	step("go tool wasmbuild check", dir, env, "go", "tool", "wasmbuild", "check")
	// Typed stubs as the project's README says: the go:generate line, a
	// call of a stub that is not written yet, go generate.
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	if !bytes.Contains(readme, []byte("\n"+stubsGenerate+"\n")) {
		t.Errorf("the project's README does not show %s", stubsGenerate)
	}
	visits := "package main\n\n" + stubsGenerate + `

import "context"

// visitors returns the count of the room called name.
func visitors(ctx context.Context, name string) (int64, error) {
	stub, err := room(name)
	if err != nil {
		return 0, err
	}
	return NewRoomStub(stub).Visitors(ctx)
}
`
	if err := os.WriteFile(filepath.Join(dir, "visits.go"), []byte(visits), 0o644); err != nil {
		t.Fatal(err)
	}
	step("go generate ./... (typed stubs)", dir, env, "go", "generate", "./...")
	step("go vet ./... (with the stubs)", dir, env, "go", "vet", "./...")
	if !e2e {
		t.Logf("%s is not set: not running npm ci, wasmbuild dev and wrangler deploy --dry-run", e2eEnv)
		return
	}

	step("npm ci", dir, npmEnv, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	devSession(t, ctx, dir, env, &timings)
	// The deploy line, without the upload: wrangler bundles the shim, the
	// module and @msgpack/msgpack, on the Node.js 22 of node_modules/.bin.
	out = step("npx wrangler deploy --dry-run", dir, env, "npx", "wrangler", "deploy", "--dry-run", "--outdir", t.TempDir())
	for _, want := range []string{"env.ROOM (Room)", "--dry-run: exiting now."} {
		if !strings.Contains(out, want) {
			t.Errorf("wrangler deploy --dry-run does not say %q:\n%s", want, out)
		}
	}
}

// devSession runs go tool wasmbuild dev in dir on a free port, waits for
// wrangler's "Ready on", sends real requests, stops it as Ctrl-C does,
// and checks that nothing it started is left running.
func devSession(t *testing.T, ctx context.Context, dir string, env []string, timings *[]string) {
	t.Helper()
	port, err := wranglerdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	inspector, err := wranglerdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "wasmbuild", "dev", "-port", strconv.Itoa(port),
		"--", "--inspector-port", strconv.Itoa(inspector), "--show-interactive-dev-session=false")
	cmd.Dir, cmd.Env = dir, env
	// A process group of its own: the interrupt goes to go and wasmbuild
	// together, as a terminal's Ctrl-C does; wasmbuild stops wrangler.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var output lockedBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stopped := false
	stop := func() error {
		stopped = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			return fmt.Errorf("wasmbuild dev did not stop within 30 s of an interrupt")
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
		for _, pid := range processesOf(dir) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})

	url := "http://127.0.0.1:" + strconv.Itoa(port)
	ready := "Ready on " + url
	for !strings.Contains(output.String(), ready) {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("wasmbuild dev exited before it was ready (%v):\n%s", err, output.String())
		case <-ctx.Done():
			t.Fatalf("wasmbuild dev was not ready: %v\n%s", ctx.Err(), output.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	*timings = append(*timings, fmt.Sprintf("  %-40s %6.1f s", "go tool wasmbuild dev until Ready on", time.Since(start).Seconds()))

	client := &http.Client{Timeout: time.Minute}
	request := func(method, path string, want Count) {
		t.Helper()
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, method, url+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, output.String())
		}
		defer resp.Body.Close()
		var got Count
		if err := json.NewDecoder(resp.Body).Decode(&got); resp.StatusCode != http.StatusOK || err != nil || got != want {
			t.Errorf("%s %s = %d %+v (%v), want 200 %+v\n%s", method, path, resp.StatusCode, got, err, want, output.String())
		}
		*timings = append(*timings, fmt.Sprintf("  %-40s %6.1f ms", method+" "+path, float64(time.Since(start).Microseconds())/1000))
	}
	request("POST", "/rooms/lobby/join", Count{Room: "lobby", Visitors: 1})
	request("POST", "/rooms/lobby/join", Count{Room: "lobby", Visitors: 2})
	request("GET", "/rooms/lobby", Count{Room: "lobby", Visitors: 2})

	start = time.Now()
	err = stop()
	*timings = append(*timings, fmt.Sprintf("  %-40s %6.1f s", "stop (interrupt)", time.Since(start).Seconds()))
	if err != nil {
		t.Errorf("wasmbuild dev after an interrupt: %v\n%s", err, output.String())
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after wasmbuild dev stopped", port)
	}
	// workerd may take a moment after wrangler.
	deadline := time.Now().Add(5 * time.Second)
	for len(processesOf(dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if left := processesOf(dir); len(left) > 0 {
		t.Errorf("processes of the project still run after wasmbuild dev stopped: %v", left)
	}
}

// processesOf returns the processes whose command line names dir (on
// Linux; nil elsewhere): wrangler, workerd and esbuild run from dir's
// node_modules.
func processesOf(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && bytes.Contains(b, []byte(dir)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Count is the answer of the project's routes (its main.go's Count).
type Count struct {
	Room     string `json:"room"`
	Visitors int64  `json:"visitors"`
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// checkReadmeSection checks that the "Your own project" section of
// README.md shows the commands that TestNewProject runs.
func checkReadmeSection(t *testing.T, root string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Your own project\n")
	if !ok {
		t.Fatal(`README.md has no section "Your own project"`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var got []string
	for _, l := range shBlock(section) {
		got = append(got, command(l))
	}
	if !slices.Equal(got, readmeCommands) {
		t.Errorf("README.md's \"Your own project\" shows\n\t%s\nbut TestNewProject runs\n\t%s", strings.Join(got, "\n\t"), strings.Join(readmeCommands, "\n\t"))
	}
	if !strings.Contains(section, readmeDeploy) {
		t.Errorf("README.md's \"Your own project\" does not say %s, which TestNewProject runs (as a dry run)", readmeDeploy)
	}
}
