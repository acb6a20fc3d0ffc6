package dotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/internal/build"
	"github.com/godurable/godurable/worker"
)

const sandbox = "../../internal/conformance/sandbox"

func TestEnvironment(t *testing.T) {
	w := dotest.New(t, &dotest.Options{
		Package: sandbox,
		Vars:    map[string]any{"GREETING": "hi"},
		Secrets: map[string]string{"TOKEN": "s3cret"},
	})
	status, body := w.Get(t, "/env")
	var env map[string]any
	if err := json.Unmarshal([]byte(body), &env); status != 200 || err != nil {
		t.Fatalf("GET /env: %d %s", status, body)
	}
	if env["greeting"] != "hi" {
		t.Errorf("GREETING = %v, want the option's", env["greeting"])
	}
	cfg, _ := env["config"].(map[string]any)
	if cfg["region"] != "local" {
		t.Errorf("CONFIG from wrangler.toml = %v", env["config"])
	}
	if env["sandboxBinding"] != "DurableObjectNamespace" {
		t.Errorf("SANDBOX binding kind = %v", env["sandboxBinding"])
	}
	// The ID is the one wrangler dev derives for the Worker godurable-sandbox.
	if id := w.IDFromName("SANDBOX", "alice"); len(id) != 64 || id != w.Object("SANDBOX", "alice").ID() {
		t.Errorf("IDFromName = %q", id)
	}
}

func TestFetchHandler(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	w := dotest.New(t, &dotest.Options{
		Package: sandbox,
		Fetch: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-release
			rw.Header().Set("X-Reply", "fake")
			rw.Write([]byte(r.Method + " " + r.URL.String() + " " + r.Header.Get("X-From")))
		}),
	})
	done := make(chan string)
	go func() {
		_, body := w.Get(t, "/fetch?url=https://api.example/x")
		done <- body
	}()
	<-arrived
	// The fetch is held open; other events proceed meanwhile.
	if status, body := w.Get(t, "/hello"); status != 200 || body != "hello from Go" {
		t.Errorf("GET /hello during a held fetch: %d %q", status, body)
	}
	close(release)
	var got map[string]any
	json.Unmarshal([]byte(<-done), &got)
	if got["body"] != "GET https://api.example/x godurable" || got["header"] != "fake" {
		t.Errorf("outbound fetch = %v", got)
	}
}

func TestManualClock(t *testing.T) {
	clock := dotest.NewManualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	w := dotest.New(t, &dotest.Options{Package: sandbox, Clock: clock})
	armed := clock.Pending() // the sandbox's cron trigger
	done := make(chan int64)
	go func() {
		var v int64
		if err := w.Object("SANDBOX", "napper").Call(t.Context(), "nap", &v, 60_000); err != nil {
			t.Error(err)
		}
		done <- v
	}()
	for clock.Pending() == armed {
		time.Sleep(time.Millisecond)
	}
	clock.Advance(time.Minute)
	if v := <-done; v != 60_000 {
		t.Errorf("nap = %d", v)
	}
}

func TestCrashedEventsFail(t *testing.T) {
	clock := dotest.NewManualClock(time.Unix(0, 0))
	w := dotest.New(t, &dotest.Options{Package: sandbox, Clock: clock})
	armed := clock.Pending() // the sandbox's cron trigger
	errc := make(chan error)
	go func() { errc <- w.Object("SANDBOX", "a").Call(context.Background(), "nap", nil, 1000) }()
	for clock.Pending() == armed {
		time.Sleep(time.Millisecond)
	}
	w.Crash()
	err := <-errc
	if !errors.Is(err, dotest.ErrCrashed) || !strings.HasPrefix(err.Error(), "godurable: the Go instance crashed (unreachable)") {
		t.Errorf("event in flight during a crash: %v", err)
	}
	var v int64
	if err := w.Object("SANDBOX", "a").Call(t.Context(), "add", &v, 1, 2); err != nil || v != 3 {
		t.Errorf("after the crash: %d, %v", v, err)
	}
}

func TestBuildError(t *testing.T) {
	_, err := dotest.Start(&dotest.Options{Package: "./no/such/package"})
	if !errors.Is(err, build.ErrBuild) {
		t.Errorf("Start of a missing package: %v", err)
	}
}

// A Worker made in a parent test serves its subtests, parallel ones too.
func TestSubtests(t *testing.T) {
	w := dotest.New(t, &dotest.Options{Package: sandbox})
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			var v int64
			if err := w.Object("SANDBOX", "shared").Call(t.Context(), "add", &v, i, 1); err != nil || v != int64(i+1) {
				t.Errorf("add(%d, 1) = %d, %v", i, v, err)
			}
			if status, body := w.Get(t, "/hello"); status != 200 || body != "hello from Go" {
				t.Errorf("GET /hello: %d %q", status, body)
			}
		})
	}
}

// dotest reads wrangler.jsonc (and the .dev.vars beside it) as wasmbuild
// does.
func TestJSONCConfig(t *testing.T) {
	dir := t.TempDir()
	config := `{
		// the sandbox, configured in JSONC
		"name": "godurable-sandbox",
		"main": "build/worker.mjs",
		"compatibility_date": "2026-04-01",
		"vars": {"GREETING": "from jsonc", "CONFIG": {"region": "jsonc"}},
		"durable_objects": {"bindings": [{"name": "BOX", "class_name": "Sandbox"}]},
	}`
	if err := os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".dev.vars"), []byte("GREETING=\"from .dev.vars\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := dotest.New(t, &dotest.Options{Package: sandbox, Config: filepath.Join(dir, "wrangler.jsonc"), Bindings: map[string]string{"SANDBOX": "Sandbox"}})
	status, body := w.Get(t, "/env")
	var env map[string]any
	if err := json.Unmarshal([]byte(body), &env); status != 200 || err != nil {
		t.Fatalf("GET /env: %d %s", status, body)
	}
	cfg, _ := env["config"].(map[string]any)
	if env["greeting"] != "from .dev.vars" || cfg["region"] != "jsonc" {
		t.Errorf("environment from wrangler.jsonc and .dev.vars = %v", env)
	}
	if id := w.IDFromName("BOX", "a"); id != w.IDFromName("SANDBOX", "a") {
		t.Errorf("the binding from wrangler.jsonc reaches another class: %s", id)
	}
}

// Object panics on a binding the Worker lacks, with an error that says
// which bindings it has; ObjectByID returns errors.
func TestBadInput(t *testing.T) {
	w := dotest.New(t, &dotest.Options{Package: sandbox})
	func() {
		defer func() {
			err, _ := recover().(error)
			if !errors.Is(err, dotest.ErrNoBinding) || !strings.Contains(err.Error(), "SANDBOX") {
				t.Errorf("Object of an unknown binding panicked with %v", err)
			}
		}()
		w.Object("NOPE", "a")
	}()
	if _, err := w.ObjectByID("SANDBOX", "not hex"); err == nil {
		t.Error("ObjectByID accepted a bad ID")
	}
	if _, err := w.ObjectByID("NOPE", "00"); !errors.Is(err, dotest.ErrNoBinding) {
		t.Errorf("ObjectByID of an unknown binding: %v", err)
	}
}

// TestRPCErrorsFollowTheCompatibilityDate checks that Object.Call gives
// the error a JavaScript caller would catch with the configuration's
// compatibility date and flags (enhanced_error_serialization, 2026-04-21).
func TestRPCErrorsFollowTheCompatibilityDate(t *testing.T) {
	for _, c := range []struct {
		date, flags     string
		name, msg, code string
	}{
		{"2026-04-20", "", "Error", "CustomError: custom", ""},
		{"2026-04-21", "", "CustomError", "custom", "E_CUSTOM"},
		{"2026-04-20", `"enhanced_error_serialization"`, "CustomError", "custom", "E_CUSTOM"},
		{"2026-11-24", `"legacy_error_serialization"`, "Error", "CustomError: custom", ""},
	} {
		config := filepath.Join(t.TempDir(), "wrangler.toml")
		os.WriteFile(config, []byte(fmt.Sprintf(`name = "godurable-sandbox"
compatibility_date = %q
compatibility_flags = [%s]
[[durable_objects.bindings]]
name = "SANDBOX"
class_name = "Sandbox"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Sandbox"]
`, c.date, c.flags)), 0o644)
		w := dotest.New(t, &dotest.Options{Package: sandbox, Config: config})
		err := w.Object("SANDBOX", "e").Call(t.Context(), "fail", nil, "CustomError", "E_CUSTOM", "custom")
		var we *worker.Error
		if !errors.As(err, &we) || we.Name != c.name || we.Message != c.msg || we.Code != c.code {
			t.Errorf("%s [%s]: %#v, want %s %q %q", c.date, c.flags, err, c.name, c.msg, c.code)
		}
	}
}

// D1 bindings come from the wrangler configuration and Options.D1; each
// is a database of its own, and the environment lists it as workerd does.
func TestD1Bindings(t *testing.T) {
	w := dotest.New(t, &dotest.Options{Package: sandbox, D1: []string{"OTHER"}})
	if _, err := w.D1("NOPE"); err == nil || !strings.Contains(err.Error(), "NOPE is not a D1 database binding") {
		t.Errorf("D1 of no binding: %v", err)
	}
	db, err := w.D1("DB")
	if err != nil {
		t.Fatal(err)
	}
	other, err := w.D1("OTHER")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := w.D1("DB"); again != db {
		t.Error("two *sql.DBs for one binding")
	}
	if _, err := db.Exec(`CREATE TABLE t (v)`); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`SELECT * FROM t`); err == nil {
		t.Error("OTHER sees DB's table")
	}
	w.Restart() // a new isolate: D1, like storage, stays
	if _, err := db.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Errorf("after Restart: %v", err)
	}
}

// TestWorkerStubsInTests: in a test, Object.Stub is a *worker.Stub of the
// object, as a typed stub's method with a *worker.Stub parameter takes
// it, and a stub result decodes into a *worker.Stub that calls and
// fetches through the object.
func TestWorkerStubsInTests(t *testing.T) {
	w := dotest.New(t, &dotest.Options{Package: sandbox})
	ctx := context.Background()
	s := w.Object("SANDBOX", "stubs")
	var who map[string]any
	if err := s.Call(ctx, "whoamiOf", &who, w.Object("PLAIN", "p").Stub()); err != nil || who["name"] != "p" {
		t.Fatalf("whoamiOf(a *worker.Stub) = %v, %v; want p's whoami", who, err)
	}
	var st *worker.Stub
	if err := s.Call(ctx, "stubOf", &st, "PLAIN", "q"); err != nil {
		t.Fatal(err)
	}
	if err := st.Call(ctx, "whoami", &who); err != nil || who["name"] != "q" {
		t.Fatalf("the returned stub's whoami() = %v, %v; want q's", who, err)
	}
	if err := s.Call(ctx, "whoamiOf", &who, st); err != nil || who["name"] != "q" {
		t.Fatalf("whoamiOf(the returned stub) = %v, %v; want q's", who, err)
	}
	if err := s.Call(ctx, "stubOf", &st, "SANDBOX", "fetched"); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://do/do/fetched/whoami", nil)
	resp, err := st.Fetch(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body["name"] != "fetched" {
		t.Errorf("Fetch through the returned stub: %d %v, %v", resp.StatusCode, body, err)
	}
}
