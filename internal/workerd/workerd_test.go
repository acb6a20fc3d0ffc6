package workerd_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/tetratelabs/wazero"
)

var (
	guestOnce sync.Once
	guest     *driver.Module
	guestErr  error
)

// guestModule builds testdata/guest once per process; wazero's compilation
// is cached as dotest caches it.
func guestModule(t *testing.T) *driver.Module {
	t.Helper()
	guestOnce.Do(func() {
		dir := t.TempDir()
		out := filepath.Join(dir, "guest.wasm")
		ctx := context.Background()
		if guestErr = build.Compile(ctx, ".", "./testdata/guest", out); guestErr != nil {
			return
		}
		wasm, err := os.ReadFile(out)
		if err != nil {
			guestErr = err
			return
		}
		var cache wazero.CompilationCache
		if d, err := os.UserCacheDir(); err == nil {
			cache, _ = wazero.NewCompilationCacheWithDir(filepath.Join(d, "godurable", "wazero"))
			workerd.UseCompilationCache(cache)
		}
		guest, guestErr = driver.NewModule(ctx, wasm, cache)
	})
	if guestErr != nil {
		t.Fatal(guestErr)
	}
	return guest
}

type lines struct {
	mu  sync.Mutex
	out []string
}

func (l *lines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out = append(l.out, s)
}

func (l *lines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.out, "\n")
}

func newRuntime(t *testing.T, change func(*workerd.Config)) (*workerd.Isolate, *lines, *lines) {
	var stdout, stderr lines
	cfg := workerd.Config{
		Module:     guestModule(t),
		Script:     "guest",
		Namespaces: map[string]string{"PROBE": "Probe"},
		Stdout:     stdout.add,
		Stderr:     stderr.add,
		Timeout:    10 * time.Second,
	}
	if change != nil {
		change(&cfg)
	}
	r := workerd.NewIsolate(cfg)
	t.Cleanup(r.Close)
	return r, &stdout, &stderr
}

func get(t *testing.T, r *workerd.Isolate, path string) (*abi.Response, error) {
	t.Helper()
	req, err := workerd.RequestToGo(httptest.NewRequest("GET", path, nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return r.Fetch(ctx, req)
}

func mustGet(t *testing.T, r *workerd.Isolate, path string) string {
	t.Helper()
	resp, err := get(t, r, path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.Status != 200 {
		t.Fatalf("GET %s: status %d: %s", path, resp.Status, resp.Body)
	}
	return string(resp.Body)
}

func TestFetch(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	if got := mustGet(t, r, "/hello"); got != "hello" {
		t.Errorf("body %q", got)
	}
}

func TestHangCrashesAndRecovers(t *testing.T) {
	r, _, stderr := newRuntime(t, func(c *workerd.Config) { c.Timeout = 200 * time.Millisecond })
	_, err := get(t, r, "/loop")
	var ce *driver.CrashError
	if !errors.As(err, &ce) || !errors.Is(err, driver.ErrHang) {
		t.Fatalf("a guest in an infinite loop gave %v, want a crash for ErrHang", err)
	}
	if !strings.HasPrefix(ce.Message, "godurable: the Go instance crashed (") {
		t.Errorf("crash message %q", ce.Message)
	}
	if !strings.Contains(stderr.text(), "godurable: the Go instance crashed") {
		t.Errorf("stderr does not report the crash: %s", stderr.text())
	}
	if got := mustGet(t, r, "/hello"); got != "hello" {
		t.Errorf("after the crash: %q", got)
	}
}

func TestFatalErrorTraps(t *testing.T) {
	r, _, stderr := newRuntime(t, nil)
	mustGet(t, r, "/hello")
	_, err := get(t, r, "/fatal")
	var ce *driver.CrashError
	if !errors.As(err, &ce) {
		t.Fatalf("a runtime fatal error gave %v, want a crash", err)
	}
	if !strings.Contains(stderr.text(), "nil map") {
		t.Errorf("stderr lacks Go's panic message: %s", stderr.text())
	}
	if got := mustGet(t, r, "/hello"); got != "hello" {
		t.Errorf("after the crash: %q", got)
	}
}

func TestProcExit(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	_, err := get(t, r, "/exit")
	var ce *driver.CrashError
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "(Go called proc_exit(3))") {
		t.Fatalf("os.Exit(3) gave %v", err)
	}
}

func TestHandlerPanicFailsOnlyTheEvent(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	_, err := get(t, r, "/panic")
	var je *driver.JSError
	if !errors.As(err, &je) || !strings.Contains(je.Err.Message, "panicked: handler panic") {
		t.Fatalf("panic gave %v", err)
	}
	mustGet(t, r, "/hello")
}

func TestManualClockTimers(t *testing.T) {
	clock := workerd.NewManualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	r, _, _ := newRuntime(t, func(c *workerd.Config) { c.Clock = clock })
	if got := mustGet(t, r, "/now"); got != "1893456000000" {
		t.Errorf("time.Now in the guest = %s, want the clock's", got)
	}
	done := make(chan string, 1)
	go func() { done <- mustGet(t, r, "/sleep?ms=1500") }()
	for clock.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	select {
	case got := <-done:
		t.Fatalf("the sleep ended before the clock moved: %s", got)
	default:
	}
	clock.Advance(1500 * time.Millisecond)
	if got := <-done; got != "1500" {
		t.Errorf("slept %s ms by the guest's clock, want 1500", got)
	}
}

func TestClockStandsStillWhileGoRuns(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	if got := mustGet(t, r, "/frozen"); got != "0s true" {
		t.Errorf("time advanced within one run of Go: %s", got)
	}
}

func TestTimeSleepParksOnlyItsGoroutine(t *testing.T) {
	clock := workerd.NewManualClock(time.Unix(0, 0))
	r, _, _ := newRuntime(t, func(c *workerd.Config) { c.Clock = clock })
	done := make(chan string, 1)
	go func() { done <- mustGet(t, r, "/timesleep?ms=50") }()
	for clock.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	// Another event proceeds while the first sleeps.
	mustGet(t, r, "/hello")
	clock.Advance(time.Second)
	if got := <-done; got != "slept" {
		t.Errorf("time.Sleep route: %q", got)
	}
}

func TestHeldFetch(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{})
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.Write([]byte("upstream " + r.URL.Path))
	})
	r, _, _ := newRuntime(t, func(c *workerd.Config) {
		c.Fetch = func(req *http.Request) (*http.Response, error) {
			rec := httptest.NewRecorder()
			upstream.ServeHTTP(rec, req)
			return rec.Result(), nil
		}
	})
	done := make(chan string, 1)
	go func() { done <- mustGet(t, r, "/fetch?url=http://up.test/x") }()
	<-arrived
	for i := 0; i < 3; i++ {
		mustGet(t, r, "/hello") // other events run while the fetch is held
	}
	close(release)
	if got := <-done; got != "upstream /x" {
		t.Errorf("held fetch: %q", got)
	}
}

func TestFetchWithoutHandler(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	resp, err := get(t, r, "/fetch?url=http://up.test/x")
	if err != nil || resp.Status != 502 || !strings.Contains(string(resp.Body), "outbound fetch is not available") {
		t.Errorf("fetch without a handler: %v %v", resp, err)
	}
}

func TestOutputAndWASI(t *testing.T) {
	r, stdout, _ := newRuntime(t, nil)
	mustGet(t, r, "/print")
	if got := stdout.text(); got != "to stdout é" {
		t.Errorf("stdout %q", got)
	}
	if got := mustGet(t, r, "/file"); !strings.Contains(got, "/etc/hostname") {
		t.Errorf("reading a file: %q, want an error", got)
	}
}

func call(t *testing.T, r *workerd.Isolate, name, method string, args ...any) ([]byte, error) {
	t.Helper()
	_, target, err := r.Resolve(abi.StubTarget{Binding: "PROBE", Name: name})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := abi.EncodeValue(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return r.ObjectCall(ctx, target, method, raw)
}

func callInt(t *testing.T, r *workerd.Isolate, name, method string, args ...any) int64 {
	t.Helper()
	out, err := call(t, r, name, method, args...)
	if err != nil {
		t.Fatalf("%s.%s: %v", name, method, err)
	}
	var n int64
	if err := abi.DecodeValue(out, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestObjectsLifecycle(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	first := callInt(t, r, "a", "built")
	if again := callInt(t, r, "a", "built"); again != first {
		t.Errorf("the object was rebuilt between events: %d then %d", first, again)
	}
	class, id := "Probe", r.IDFromName("Probe", "a")
	if !r.Evict(class, id) {
		t.Fatal("Evict: the object was not live")
	}
	if rebuilt := callInt(t, r, "a", "built"); rebuilt == first {
		t.Errorf("the object was not rebuilt after eviction")
	}
	r.Crash("")
	if n := callInt(t, r, "a", "built"); n != 1 {
		t.Errorf("after a crash the fresh instance built %d objects, want 1", n)
	}
	r.Restart()
	if r.Live(class, id) {
		t.Error("the object is live after a restart")
	}
}

func TestCompatFor(t *testing.T) {
	for _, c := range []struct {
		date  string
		flags []string
		want  bool
	}{
		{"2026-04-20", nil, false},
		{"2026-04-21", nil, true},
		{"2026-11-24", nil, true},
		{"", nil, true},
		{"2026-01-01", []string{"enhanced_error_serialization"}, true},
		{"2026-11-24", []string{"legacy_error_serialization"}, false},
	} {
		if got := workerd.CompatFor(c.date, c.flags).EnhancedErrorSerialization; got != c.want {
			t.Errorf("CompatFor(%q, %v).EnhancedErrorSerialization = %v", c.date, c.flags, got)
		}
	}
}

func TestRPCErrorsAndValues(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	_, err := call(t, r, "a", "fail")
	var je *driver.JSError
	if !errors.As(err, &je) || je.Err.Name != "ProbeError" || je.Err.Code != "E_PROBE" {
		t.Fatalf("fail: %v", err)
	}
	// Before enhanced_error_serialization (2026-04-21) only standard
	// names survive Workers RPC, and nothing but the message.
	rpc := workerd.RPCError(err, workerd.CompatFor("2026-04-20", nil)).(*driver.JSError)
	if rpc.Err.Name != "Error" || rpc.Err.Message != "ProbeError: probe failed" || rpc.Err.Code != "" {
		t.Errorf("over RPC, legacy: %+v", rpc.Err)
	}
	// From then on the name and the code cross too, not the stack.
	rpc = workerd.RPCError(err, workerd.CompatFor("2026-04-21", nil)).(*driver.JSError)
	if rpc.Err.Name != "ProbeError" || rpc.Err.Message != "probe failed" || rpc.Err.Code != "E_PROBE" || rpc.Err.Stack != "" {
		t.Errorf("over RPC, enhanced: %+v", rpc.Err)
	}
	if r.RPCError(err).(*driver.JSError).Err.Name != "Error" {
		t.Error("the runtime's zero Compat is not the behaviour before 2026-04-21")
	}
	// Go calling Go through a stub gets the error whole.
	_, err = call(t, r, "a", "call", "b", "fail", nil)
	if !errors.As(err, &je) || je.Err.Name != "ProbeError" || je.Err.Message != "probe failed" || je.Err.Code != "E_PROBE" {
		t.Errorf("stub call of fail: %+v", je.Err)
	}
	// Values cross as JavaScript values: a float that is an integer comes
	// back as an integer, map keys become strings.
	out, err := call(t, r, "a", "echo", map[int]float64{1: 2.0})
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]int64
	if err := abi.DecodeValue(out, &v); err != nil || v["1"] != 2 {
		t.Errorf("echo: %v %v", v, err)
	}
	if _, err := call(t, r, "a", "nope"); err == nil || err.Error() != `The RPC receiver does not implement the method "nope".` {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := call(t, r, "a", "fetch"); err == nil || err.Error() != `'fetch' is a reserved method and cannot be called over RPC.` {
		t.Errorf("reserved method: %v", err)
	}
}

func TestObjectTimersAndNames(t *testing.T) {
	clock := workerd.NewManualClock(time.Unix(100, 0))
	r, _, _ := newRuntime(t, func(c *workerd.Config) { c.Clock = clock })
	done := make(chan int64, 1)
	go func() { done <- callInt(t, r, "sleeper", "sleep", 250) }()
	for clock.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	clock.Advance(250 * time.Millisecond)
	if got := <-done; got != 250 {
		t.Errorf("sleep = %d", got)
	}
	out, err := call(t, r, "sleeper", "name")
	if err != nil || string(out) != "\xa7sleeper" {
		t.Errorf("name = %q, %v", out, err)
	}
}

func TestIDs(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	id := r.NewUniqueID("Probe")
	if got, err := r.IDFromString("Probe", strings.ToUpper(id)); err != nil || got != id {
		t.Errorf("IDFromString of a new ID: %q, %v", got, err)
	}
	if _, err := r.IDFromString("Probe", "abc"); err == nil || err.Error() != "Invalid Durable Object ID: must be 64 hex digits" {
		t.Errorf("short ID: %v", err)
	}
	other := workerd.NewIsolate(workerd.Config{Module: guestModule(t), Script: "other"})
	if _, err := other.IDFromString("Probe", id); err == nil || err.Error() != "Durable Object ID is not valid for this namespace." {
		t.Errorf("ID of another namespace: %v", err)
	}
}
