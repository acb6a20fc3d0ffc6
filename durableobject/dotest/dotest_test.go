package dotest_test

import (
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
	status, body := w.Get("/env")
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
		_, body := w.Get("/fetch?url=https://api.example/x")
		done <- body
	}()
	<-arrived
	// The fetch is held open; other events proceed meanwhile.
	if status, body := w.Get("/hello"); status != 200 || body != "hello from Go" {
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
	done := make(chan int64)
	go func() {
		var v int64
		if err := w.Object("SANDBOX", "napper").Call("nap", &v, 60_000); err != nil {
			t.Error(err)
		}
		done <- v
	}()
	for clock.Pending() == 0 {
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
	errc := make(chan error)
	go func() { errc <- w.Object("SANDBOX", "a").Call("nap", nil, 1000) }()
	for clock.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	w.Crash()
	err := <-errc
	if !errors.Is(err, dotest.ErrCrashed) || !strings.HasPrefix(err.Error(), "godurable: the Go instance crashed (unreachable)") {
		t.Errorf("event in flight during a crash: %v", err)
	}
	var v int64
	if err := w.Object("SANDBOX", "a").Call("add", &v, 1, 2); err != nil || v != 3 {
		t.Errorf("after the crash: %d, %v", v, err)
	}
}

func TestBuildError(t *testing.T) {
	_, err := dotest.Start(&dotest.Options{Package: "./no/such/package"})
	if !errors.Is(err, build.ErrBuild) {
		t.Errorf("Start of a missing package: %v", err)
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
`, c.date, c.flags)), 0o644)
		w := dotest.New(t, &dotest.Options{Package: sandbox, Config: config})
		err := w.Object("SANDBOX", "e").Call("fail", nil, "CustomError", "E_CUSTOM", "custom")
		var we *worker.Error
		if !errors.As(err, &we) || we.Name != c.name || we.Message != c.msg || we.Code != c.code {
			t.Errorf("%s [%s]: %#v, want %s %q %q", c.date, c.flags, err, c.name, c.msg, c.code)
		}
	}
}
