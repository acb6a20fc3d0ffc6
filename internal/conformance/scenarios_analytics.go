package conformance

import "testing"

// analytics: the sandbox's Analytics Engine dataset EVENTS, through
// package analytics: a write succeeds (wrangler dev sends it nowhere;
// dotest keeps it, which TestDotestAnalytics reads), one beyond the
// limits is refused before it is sent, and JavaScript's own
// writeDataPoint refuses nothing locally.
func (s *suite) analytics(t *testing.T) {
	got := s.getJSON(t, "/analytics?run="+cacheKey(t), 200).(map[string]any)
	equal(t, "a write", got["write"], "")
	equal(t, "an index of 97 bytes", got["longIndex"], []any{true, "analytics: the data point is beyond Analytics Engine's limits: writeDataPoint(): Size of indexes[0] exceeds 96 bytes)."})
	equal(t, "blobs of 5,121 bytes", got["blobBytes"], []any{true, "analytics: the data point is beyond Analytics Engine's limits: writeDataPoint(): Cumulative size of blobs exceeds 5120 bytes)."})
	equal(t, "a binding of another kind", got["notDataset"], []any{true, true})
	equal(t, "JavaScript's writeDataPoint beyond the limits, locally", got["jsBeyondLimits"], "")
}
