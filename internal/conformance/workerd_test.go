package conformance

import "testing"

// TestWorkerdSandbox runs the sandbox and storage scenarios in real
// workerd, in one wrangler session.
func TestWorkerdSandbox(t *testing.T) {
	RequireWrangler(t)
	upstream := Upstream()
	defer upstream.Close()
	w := StartWorkerd(t, "./internal/conformance/sandbox", "internal/conformance/sandbox/build",
		"internal/conformance/sandbox/wrangler.toml", "internal/conformance/jscaller/sandbox.toml")
	RunSandbox(t, w, upstream.URL)
	t.Run("Storage", func(t *testing.T) { RunStorage(t, w) })
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
