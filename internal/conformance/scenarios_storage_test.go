package conformance

import "testing"

// TestDotestStorage runs the storage scenarios in the dotest harness.
func TestDotestStorage(t *testing.T) {
	RunStorage(t, NewDotest(t, "./sandbox"))
}

// TestWorkerdStorage runs the storage scenarios in real workerd.
func TestWorkerdStorage(t *testing.T) {
	RequireWrangler(t)
	w := StartWorkerd(t, "./internal/conformance/sandbox", "internal/conformance/sandbox/build",
		"internal/conformance/sandbox/wrangler.toml", "internal/conformance/jscaller/sandbox.toml")
	RunStorage(t, w)
	if t.Failed() {
		t.Logf("workerd output:\n%s", w.Output())
	}
}
