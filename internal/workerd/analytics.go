package workerd

import (
	"math"
	"sync"
)

// Analytics Engine datasets ([[analytics_engine_datasets]]), as local
// workerd has them: writeDataPoint takes anything and writes nothing
// (miniflare's LocalAnalyticsEngineDataset). The model keeps what was
// written, for the test to read (AnalyticsPoints).

func init() {
	RegisterEmulator("analytics_engine_datasets", newAnalyticsDataset)
}

// AnalyticsPoint is a data point written to a dataset: its indexes and
// blobs as text (bytes as they are, a null as ""), its doubles.
type AnalyticsPoint struct {
	Indexes []string
	Blobs   []string
	Doubles []float64
}

// analyticsDataset is the state of one dataset's binding.
type analyticsDataset struct {
	mu     sync.Mutex
	points []AnalyticsPoint
}

func newAnalyticsDataset(c BindingConfig) (*JSObject, error) {
	d := &analyticsDataset{}
	o := &JSObject{Class: "LocalAnalyticsEngineDataset", state: d}
	o.Methods = map[string]any{"writeDataPoint": d.write}
	return o, nil
}

// write is writeDataPoint(event): synchronous, as workerd's, and
// refusing nothing, as the local one.
func (d *analyticsDataset) write(v any) {
	event, _ := v.(map[string]any)
	p := AnalyticsPoint{Indexes: texts(event["indexes"]), Blobs: texts(event["blobs"])}
	if list, ok := event["doubles"].([]any); ok {
		for _, v := range list {
			n, ok := numberOf(v)
			if !ok {
				n = math.NaN()
			}
			p.Doubles = append(p.Doubles, n)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.points = append(d.points, p)
}

// texts is a list of strings, bytes and nulls as text.
func texts(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, len(list))
	for i, x := range list {
		switch x := x.(type) {
		case string:
			out[i] = x
		case []byte:
			out[i] = string(x)
		}
	}
	return out
}

// AnalyticsPoints returns the data points written to o, the object of an
// Analytics Engine dataset's binding that the model emulates, in the
// order they were written; ok is false for another object.
func AnalyticsPoints(o *JSObject) (points []AnalyticsPoint, ok bool) {
	d, ok := o.state.(*analyticsDataset)
	if !ok {
		return nil, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]AnalyticsPoint(nil), d.points...), true
}
