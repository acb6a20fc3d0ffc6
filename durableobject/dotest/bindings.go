package dotest

import (
	"fmt"

	"github.com/godurable/godurable/analytics"
	"github.com/godurable/godurable/internal/workerd"
)

// DataPoints returns the data points that the Worker wrote to the
// Analytics Engine dataset bound as binding, in the order it wrote them:
// local workerd sends them nowhere, and dotest keeps them for the test.
// Its error is for a binding that is no dataset that dotest emulates (a
// fake of one keeps what it likes).
func (w *Worker) DataPoints(binding string) ([]analytics.DataPoint, error) {
	o := w.fakes[binding]
	if o == nil {
		return nil, fmt.Errorf("dotest: the Worker has no binding %q", binding)
	}
	points, ok := workerd.AnalyticsPoints(o)
	if !ok {
		return nil, fmt.Errorf("dotest: %q is no Analytics Engine dataset that dotest emulates (it is a %s)", binding, o.Class)
	}
	out := make([]analytics.DataPoint, len(points))
	for i, p := range points {
		out[i] = analytics.DataPoint{Indexes: p.Indexes, Blobs: p.Blobs, Doubles: p.Doubles}
	}
	return out, nil
}
