package conformance

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// RunTicker checks the contract of examples/ticker against target: the
// Worker's route forwards the object's stream of ticks as a chunked
// response, and a JavaScript caller of tick reads the same lines and may
// stop early.
func RunTicker(t *testing.T, target Target) {
	lines := func(from, to, of int) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "{\"n\":%d,\"of\":%d}\n", i, of)
		}
		return b.String()
	}
	t.Run("Route", func(t *testing.T) {
		req, _ := http.NewRequest("GET", "http://worker/tick/3?every=20", nil)
		resp := target.Stream(t, req)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "status", resp.StatusCode, 200)
		equal(t, "Content-Type", resp.Header.Get("Content-Type"), "application/x-ndjson")
		equal(t, "ticks", string(body), lines(1, 3, 3))
	})
	t.Run("JavaScriptCaller", func(t *testing.T) {
		text, err := target.ReadStream(t, "TICKER", "js", "tick", 0, 3, 10)
		equal(t, "error", err, (*JSError)(nil))
		equal(t, "ticks", text, lines(1, 3, 3))
	})
	t.Run("JavaScriptCallerStops", func(t *testing.T) {
		// Two ticks of a thousand, then the caller cancels the stream.
		text, err := target.ReadStream(t, "TICKER", "js", "tick", 2, 1000, 10)
		equal(t, "error", err, (*JSError)(nil))
		equal(t, "ticks", text, lines(1, 2, 1000))
	})
}
