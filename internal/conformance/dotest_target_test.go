package conformance

import "testing"

// TestDotestSandbox runs the sandbox scenarios in the dotest harness.
func TestDotestSandbox(t *testing.T) {
	upstream := Upstream()
	defer upstream.Close()
	RunSandbox(t, NewDotest(t, "./sandbox"), upstream.URL)
}

// TestDotestCounter checks the counter example in the dotest harness.
func TestDotestCounter(t *testing.T) {
	RunCounter(t, NewDotest(t, "../../examples/counter"))
}
