package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/wranglerdev"
)

// TestWorkerdSandbox runs the sandbox and storage scenarios in real
// workerd, in one wrangler session.
func TestWorkerdSandbox(t *testing.T) {
	RequireWrangler(t)
	upstream := Upstream()
	defer upstream.Close()
	tcp := StartTCPServers(t)          // before wrangler: its certificate
	pg, pgWhy := PostgresForSandbox(t) // and its database
	w := StartWorkerdWith(t, "./internal/conformance/sandbox", "internal/conformance/sandbox/build",
		"internal/conformance/sandbox/wrangler.toml", "internal/conformance/jscaller/sandbox.toml", wranglerdev.Options{}, Peer, JSServiceWorker)
	RunSandbox(t, w, upstream.URL)
	t.Run("Storage", func(t *testing.T) { RunStorage(t, w) })
	t.Run("Alarms", func(t *testing.T) { RunAlarms(t, w) })
	echo := EchoServer()
	defer echo.Close()
	t.Run("Sockets", func(t *testing.T) { RunSockets(t, w, echo.URL) })
	t.Run("TCP", func(t *testing.T) { RunTCP(t, w, tcp) })
	t.Run("Postgres", func(t *testing.T) { RunPostgres(t, w, pg, pgWhy) })
	t.Run("SocketReliability", func(t *testing.T) {
		// 100 sockets on 10 objects, 100 messages each, real clients.
		start := time.Now()
		if n := RunSocketLoad(t, w, SocketLoad{Objects: 10, PerObject: 10, Messages: 100}); n != 10000 {
			t.Errorf("received %d echoes, want 10000", n)
		}
		t.Logf("workerd: 100 echoing sockets x 100 messages in %v", time.Since(start).Round(time.Millisecond))
	})
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdCounter checks the counter example in real workerd.
func TestWorkerdCounter(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./examples/counter", "build", "wrangler.toml", "internal/conformance/jscaller/counter.toml")
	RunCounter(t, w)
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdTicker checks the ticker example (streams over RPC) in real
// workerd.
func TestWorkerdTicker(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./examples/ticker", "examples/ticker/build", "examples/ticker/wrangler.toml", "internal/conformance/jscaller/ticker.toml")
	RunTicker(t, w)
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdGuestbook checks the guestbook example (D1) in real workerd,
// with wrangler dev's local D1.
func TestWorkerdGuestbook(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./examples/guestbook", "examples/guestbook/build", "examples/guestbook/wrangler.toml", "internal/conformance/jscaller/guestbook.toml")
	RunGuestbook(t, w)
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdJobs checks the jobs example (queues, a dead-letter queue,
// a Durable Object) in real workerd, with wrangler dev's local queues.
func TestWorkerdJobs(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./examples/jobs", "examples/jobs/build", "examples/jobs/wrangler.toml", "")
	RunJobs(t, w)
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdFloor checks the oldest setup godurable supports: the
// counter example served by wrangler 4.86 (internal/conformance/floor) on
// the system's Node.js (20 is enough), at the newest compatibility date
// its workerd accepts. One wrangler session, the scenarios that need no
// restart.
func TestWorkerdFloor(t *testing.T) {
	RequireWrangler(t) // the shim's and the JS caller's @msgpack/msgpack come from the root's node_modules
	tools := RequireFloor(t)
	t.Logf("floor: %s", tools)
	w := StartWorkerdWith(t, "./examples/counter", "build", "wrangler.toml", "internal/conformance/jscaller/counter.toml",
		wranglerdev.Options{Tools: tools, CompatibilityDate: wranglerdev.FloorMaxCompatibilityDate})
	RunCounter(t, w, "Contract", "JavaScriptCallers")
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdReminders checks the reminders example in real workerd,
// across a restart of wrangler dev with its state kept.
func TestWorkerdReminders(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./examples/reminders", "examples/reminders/build", "examples/reminders/wrangler.toml", "internal/conformance/jscaller/reminders.toml")
	t.Run("Scenarios", func(t *testing.T) { RunReminders(t, w) })
	t.Run("Restart", func(t *testing.T) { RunRemindersRestart(t, w) })
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdChat checks the chat example in real workerd, with a real
// WebSocket client.
func TestWorkerdChat(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./examples/chat", "examples/chat/build", "examples/chat/wrangler.toml", "internal/conformance/jscaller/chat.toml")
	t.Run("Scenarios", func(t *testing.T) { RunChat(t, w) })
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdJSValues serves a JavaScript Worker with the sandbox's name
// and classes, which stores values in a Plain object, then the Go sandbox
// on the same persisted state, which reads them.
func TestWorkerdJSValues(t *testing.T) {
	RequireWrangler(t)
	persist := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	js, err := wranglerdev.Start(ctx, wranglerdev.Options{Dir: RepoRoot(t), Configs: []string{"internal/conformance/jsvalues/wrangler.toml"}, PersistTo: persist, Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(js.URL + "/put?name=" + JSValuesObject)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	js.Stop()
	if err != nil {
		t.Fatalf("storing the values from JavaScript: %v", err)
	}
	w := StartWorkerdWith(t, "./internal/conformance/sandbox", "internal/conformance/sandbox/build",
		"internal/conformance/sandbox/wrangler.toml", "internal/conformance/jscaller/sandbox.toml", wranglerdev.Options{PersistTo: persist})
	RunJSValues(t, w)
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdTestScheduled: wrangler dev --test-scheduled, as wasmbuild
// dev runs it for a configuration with cron triggers, serves
// /__scheduled?cron=... on the Go Worker (only the first Worker of a
// session gets it: the sandbox is served alone), which runs the scheduled
// handler with that cron and the time of the request, and answers 200
// "Ran scheduled event", or 500 with the error when the handler fails.
func TestWorkerdTestScheduled(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerdWith(t, "./internal/conformance/sandbox", "internal/conformance/sandbox/build", "internal/conformance/sandbox/wrangler.toml", "",
		wranglerdev.Options{TestScheduled: true})
	get := func(path string) *Response {
		req, err := http.NewRequest(http.MethodGet, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return w.Fetch(t, req)
	}
	const cron = "*/5 * * * *"
	before := time.Now().UnixMilli()
	if r := get("/__scheduled?cron=" + url.QueryEscape(cron)); r.Status != http.StatusOK || string(r.Body) != "Ran scheduled event" {
		t.Errorf("GET /__scheduled: %d %s", r.Status, r.Body)
	}
	after := time.Now().UnixMilli()
	var runs []struct {
		Cron string
		Time int64
	}
	if r := get("/scheduled/runs?cron=" + url.QueryEscape(cron)); json.Unmarshal(r.Body, &runs) != nil || len(runs) != 1 {
		t.Fatalf("the handler recorded %d %s", r.Status, r.Body)
	}
	if runs[0].Time < before-1 || runs[0].Time > after {
		t.Errorf("scheduledTime %d, want the time of the request (%d to %d)", runs[0].Time, before, after)
	}
	if r := get("/__scheduled?cron=fail"); r.Status != http.StatusInternalServerError || !strings.HasPrefix(string(r.Body), "Error: the scheduled handler failed") {
		t.Errorf("GET /__scheduled?cron=fail: %d %s", r.Status, r.Body)
	}
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}

// TestWorkerdPastebin checks the pastebin example (KV, R2, cron, RPC
// through service bindings) in real workerd, from a JavaScript caller,
// across a restart of wrangler dev with its state kept, and a paste's
// expiry (a minute of real time, spent on the other scenarios first).
func TestWorkerdPastebin(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./examples/pastebin", "examples/pastebin/build", "examples/pastebin/wrangler.toml", "internal/conformance/jscaller/pastebin.toml")
	expiring := StartPastebinExpiry(t, w)
	RunPastebin(t, w)
	t.Run("Restart", func(t *testing.T) { RunPastebinRestart(t, w) })
	t.Run("Expiry", func(t *testing.T) { RunPastebinExpired(t, w, expiring) })
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}
