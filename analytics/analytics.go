package analytics

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// ErrLimit is matched by the error of [Dataset.WriteDataPoint] for a data
// point beyond Analytics Engine's limits, which workerd checks on
// Cloudflare (the local emulator does not): at most one index of at most
// 96 bytes, at most 20 blobs of at most 5,120 bytes in all, at most 20
// doubles. The error's message is workerd's.
var ErrLimit = errors.New("analytics: the data point is beyond Analytics Engine's limits")

// ErrNotDataset is matched by the error of [FromEnv] for a binding that is
// not an Analytics Engine dataset (it wraps worker.ErrNoBinding too).
var ErrNotDataset = errors.New("analytics: not an Analytics Engine dataset")

// The limits of a data point, as workerd checks them
// (analytics-engine-impl.h).
const (
	MaxIndexes   = 1
	MaxIndexSize = 96
	MaxBlobs     = 20
	MaxBlobBytes = 5120 // of all the blobs of a data point
	MaxDoubles   = 20
)

// classes are the JavaScript classes of a dataset's binding: workerd's on
// Cloudflare, the local emulator's in wrangler dev, and that of a fake in
// dotest.
var classes = []string{"AnalyticsEngine", "LocalAnalyticsEngineDataset", "AnalyticsEngineDataset"}

// Dataset is an Analytics Engine dataset's binding. It is safe for
// concurrent use.
type Dataset struct {
	name string
	v    *jsbridge.Value
}

// FromEnv returns the dataset bound as name in env
// ([[analytics_engine_datasets]] binding = name).
func FromEnv(env *worker.Env, name string) (*Dataset, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: no environment (worker.GetEnv)", ErrNotDataset)
	}
	if err := env.Binding(name, "[[analytics_engine_datasets]]", classes...); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotDataset, err)
	}
	v, err := jsbridge.Binding(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotDataset, err)
	}
	return &Dataset{name: name, v: v}, nil
}

// Binding returns the name of the binding.
func (d *Dataset) Binding() string { return d.name }

// DataPoint is one event to record: what JavaScript's writeDataPoint
// takes. Blobs and indexes are bytes in Analytics Engine: a string of
// valid UTF-8 crosses as text, any other as bytes (a Uint8Array).
type DataPoint struct {
	// Indexes is the sampling key: at most one, of at most 96 bytes
	// (index1 is "" without one).
	Indexes []string
	// Blobs are blob1, blob2, ...: at most 20, of at most 5,120 bytes in
	// all.
	Blobs []string
	// Doubles are double1, double2, ...: at most 20.
	Doubles []float64
}

// Check returns an error matching ErrLimit, with workerd's message, if p
// is beyond the limits of a data point; WriteDataPoint checks it first.
func (p *DataPoint) Check() error {
	const prefix = "writeDataPoint(): "
	if len(p.Indexes) > MaxIndexes {
		return fmt.Errorf("%w: %sMaximum of %d indexes supported.", ErrLimit, prefix, MaxIndexes)
	}
	if len(p.Indexes) == 1 && len(p.Indexes[0]) > MaxIndexSize {
		return fmt.Errorf("%w: %sSize of indexes[0] exceeds %d bytes).", ErrLimit, prefix, MaxIndexSize)
	}
	if len(p.Blobs) > MaxBlobs {
		return fmt.Errorf("%w: %sMaximum of %d blobs supported.", ErrLimit, prefix, MaxBlobs)
	}
	sum := 0
	for _, b := range p.Blobs {
		if sum += len(b); sum > MaxBlobBytes {
			return fmt.Errorf("%w: %sCumulative size of blobs exceeds %d bytes).", ErrLimit, prefix, MaxBlobBytes)
		}
	}
	if len(p.Doubles) > MaxDoubles {
		return fmt.Errorf("%w: %sMaximum of %d doubles supported.", ErrLimit, prefix, MaxDoubles)
	}
	return nil
}

// WriteDataPoint records p, on behalf of the event of ctx. It returns at
// once: workerd sends the data point after the event, and tells nobody
// whether it arrived. It returns an error matching ErrLimit, before
// sending anything, for a data point beyond the limits.
func (d *Dataset) WriteDataPoint(ctx context.Context, p DataPoint) error {
	if err := p.Check(); err != nil {
		return err
	}
	event := map[string]any{}
	if len(p.Indexes) > 0 {
		event["indexes"] = values(p.Indexes)
	}
	if len(p.Blobs) > 0 {
		event["blobs"] = values(p.Blobs)
	}
	if len(p.Doubles) > 0 {
		event["doubles"] = p.Doubles
	}
	if err := d.v.Call(ctx, "writeDataPoint", nil, event); err != nil {
		return fmt.Errorf("analytics: %s: %w", d.name, err)
	}
	return nil
}

// values are strings as they cross: text, or bytes if they are not UTF-8.
func values(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		if utf8.ValidString(s) {
			out[i] = s
		} else {
			out[i] = []byte(s)
		}
	}
	return out
}
