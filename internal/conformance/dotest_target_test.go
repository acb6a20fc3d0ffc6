package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
)

// TestDotestSandbox runs the sandbox and storage scenarios in the dotest
// harness.
func TestDotestSandbox(t *testing.T) {
	upstream := Upstream()
	defer upstream.Close()
	tcp := StartTCPServers(t)          // before the Worker: its certificate
	pg, pgWhy := PostgresForSandbox(t) // and its database
	peer := dotest.New(t, &dotest.Options{Package: "./peer"})
	w := &Dotest{W: dotest.New(t, &dotest.Options{Package: "./sandbox", Scripts: map[string]*dotest.Worker{"godurable-peer": peer},
		Fakes: map[string]any{"JSSVC": JSService()}})}
	// As the JavaScript caller's service bindings reach the sandbox
	// (jscaller/sandbox.toml).
	w.Services = map[string]*dotest.Entrypoint{
		"TARGET":     w.W.Entrypoint(""),
		"TARGET_OPS": w.W.Entrypoint("Ops").WithProps(map[string]any{"caller": "jscaller", "n": 7}),
	}
	RunSandbox(t, w, upstream.URL)
	t.Run("Storage", func(t *testing.T) { RunStorage(t, w) })
	t.Run("Alarms", func(t *testing.T) { RunAlarms(t, w) })
	echo := EchoServer()
	defer echo.Close()
	t.Run("Sockets", func(t *testing.T) { RunSockets(t, w, echo.URL) })
	t.Run("TCP", func(t *testing.T) { RunTCP(t, w, tcp) })
	t.Run("Postgres", func(t *testing.T) { RunPostgres(t, w, pg, pgWhy) })
	t.Run("JSValues", func(t *testing.T) {
		o := w.W.Object("PLAIN", JSValuesObject)
		for k, v := range JSValues() {
			if err := o.PutJS(k, v); err != nil {
				t.Fatal(err)
			}
		}
		RunJSValues(t, w)
	})
}

// TestDotestCounter checks the counter example in the dotest harness.
func TestDotestCounter(t *testing.T) {
	RunCounter(t, NewDotest(t, "../../examples/counter"))
}

// TestDotestGuestbook checks the guestbook example (D1) in the dotest
// harness.
// TestDotestTicker checks the ticker example in the dotest harness.
func TestDotestTicker(t *testing.T) { RunTicker(t, NewDotest(t, "../../examples/ticker")) }

func TestDotestGuestbook(t *testing.T) {
	RunGuestbook(t, NewDotest(t, "../../examples/guestbook"))
}

// TestDotestReminders checks the reminders example in the dotest harness,
// on the real clock.
func TestDotestReminders(t *testing.T) {
	w := NewDotest(t, "../../examples/reminders")
	t.Run("Scenarios", func(t *testing.T) { RunReminders(t, w) })
	t.Run("Restart", func(t *testing.T) { RunRemindersRestart(t, w) })
}

// TestDotestJobs checks the jobs example in the dotest harness, on the
// real clock.
func TestDotestJobs(t *testing.T) { RunJobs(t, NewDotest(t, "../../examples/jobs")) }

// TestDotestPastebin checks the pastebin example in the dotest harness
// (its expiry is tested on a manual clock, in the example's own tests).
func TestDotestPastebin(t *testing.T) {
	d := NewDotest(t, "../../examples/pastebin")
	d.Services = map[string]*dotest.Entrypoint{"TARGET": d.W.Entrypoint(""), "DEBUG": d.W.Entrypoint("Debug")}
	RunPastebin(t, d)
	t.Run("Restart", func(t *testing.T) { RunPastebinRestart(t, d) })
}

// TestDotestChat checks the chat example in the dotest harness.
func TestDotestChat(t *testing.T) {
	RunChat(t, NewDotest(t, "../../examples/chat"))
}

// TestDotestTransactionFault: a storage fault inside a transaction fails
// the write it hits, and the rollback undoes the writes before it; a
// fault of the transaction itself runs nothing.
func TestDotestTransactionFault(t *testing.T) {
	d := NewDotest(t, "./sandbox")
	ctx := context.Background()
	o := d.W.Object("SANDBOX", "transaction-fault")
	d.W.SetStorageFault(func(op dotest.StorageOp) error {
		if op.Op == "sql.exec" && strings.HasPrefix(op.Query, "INSERT INTO tx") {
			return &worker.Error{Name: "Error", Message: "database or disk is full: SQLITE_FULL"}
		}
		return nil
	})
	var msg string
	if err := o.Call(ctx, "transact", &msg, "commit"); err != nil || !strings.Contains(msg, "SQLITE_FULL") {
		t.Fatalf("transact with a failing insert = %q, %v; want the fault", msg, err)
	}
	if ok, err := o.Storage().KV.Get("tx", new(string)); ok || err != nil {
		t.Errorf("the KV write before the fault survived the rollback (found %v, %v)", ok, err)
	}

	d.W.SetStorageFault(func(op dotest.StorageOp) error {
		if op.Op == "storage.transactionSync" {
			return &worker.Error{Name: "Error", Message: "storage is unavailable"}
		}
		return nil
	})
	if err := o.Call(ctx, "transact", &msg, "commit"); err != nil || !strings.Contains(msg, "storage is unavailable") {
		t.Fatalf("transact with a failing transaction = %q, %v; want the fault", msg, err)
	}
	d.W.SetStorageFault(nil)
	var state map[string]any
	if err := o.Call(ctx, "txState", &state); err != nil {
		t.Fatal(err)
	}
	if state["tx"] != nil || len(state["rows"].([]any)) != 0 {
		t.Errorf("state after two failed transactions: %v, want nothing written", state)
	}
}

// TestDotestWaitBackground: Worker.WaitBackground returns once the
// request's WaitUntil work has finished, so a test needs no polling.
func TestDotestWaitBackground(t *testing.T) {
	d := NewDotest(t, "./sandbox")
	if status, body := d.W.Get(t, "/background?key=wait-background"); status != 200 || body != "responded" {
		t.Fatalf("GET /background = %d %q", status, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := d.W.WaitBackground(ctx); err != nil {
		t.Fatal(err)
	}
	var note string
	if err := d.W.Object("SANDBOX", "notes").Call(ctx, "readNote", &note, "wait-background"); err != nil {
		t.Fatal(err)
	}
	if want := "handler: godurable: the event has finished; background: <nil>, <nil>"; note != want {
		t.Errorf("note after WaitBackground = %q, want %q", note, want)
	}
}
