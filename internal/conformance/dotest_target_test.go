package conformance

import "testing"

// TestDotestSandbox runs the sandbox and storage scenarios in the dotest
// harness.
func TestDotestSandbox(t *testing.T) {
	upstream := Upstream()
	defer upstream.Close()
	w := NewDotest(t, "./sandbox")
	RunSandbox(t, w, upstream.URL)
	t.Run("Storage", func(t *testing.T) { RunStorage(t, w) })
	t.Run("Alarms", func(t *testing.T) { RunAlarms(t, w) })
	echo := EchoServer()
	defer echo.Close()
	t.Run("Sockets", func(t *testing.T) { RunSockets(t, w, echo.URL) })
}

// TestDotestCounter checks the counter example in the dotest harness.
func TestDotestCounter(t *testing.T) {
	RunCounter(t, NewDotest(t, "../../examples/counter"))
}

// TestDotestReminders checks the reminders example in the dotest harness,
// on the real clock.
func TestDotestReminders(t *testing.T) {
	w := NewDotest(t, "../../examples/reminders")
	t.Run("Scenarios", func(t *testing.T) { RunReminders(t, w) })
	t.Run("Restart", func(t *testing.T) { RunRemindersRestart(t, w) })
}

// TestDotestChat checks the chat example in the dotest harness.
func TestDotestChat(t *testing.T) {
	RunChat(t, NewDotest(t, "../../examples/chat"))
}
