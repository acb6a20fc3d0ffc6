package analytics

import (
	"errors"
	"strings"
	"testing"
)

// The limits at their edges, with workerd's messages.
func TestCheck(t *testing.T) {
	blobs := func(n, size int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("b", size)
		}
		return out
	}
	for _, c := range []struct {
		p    DataPoint
		want string // "" for none
	}{
		{DataPoint{}, ""},
		{DataPoint{Indexes: []string{strings.Repeat("i", 96)}, Blobs: blobs(20, 256), Doubles: make([]float64, 20)}, ""},
		{DataPoint{Indexes: []string{"a", "b"}}, "writeDataPoint(): Maximum of 1 indexes supported."},
		{DataPoint{Indexes: []string{strings.Repeat("é", 49)}}, "writeDataPoint(): Size of indexes[0] exceeds 96 bytes)."},
		{DataPoint{Blobs: blobs(21, 1)}, "writeDataPoint(): Maximum of 20 blobs supported."},
		{DataPoint{Blobs: append(blobs(19, 256), strings.Repeat("b", 257))}, "writeDataPoint(): Cumulative size of blobs exceeds 5120 bytes)."},
		{DataPoint{Doubles: make([]float64, 21)}, "writeDataPoint(): Maximum of 20 doubles supported."},
	} {
		err := c.p.Check()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%d indexes, %d blobs, %d doubles: %v", len(c.p.Indexes), len(c.p.Blobs), len(c.p.Doubles), err)
		case c.want != "" && (!errors.Is(err, ErrLimit) || !strings.HasSuffix(err.Error(), ": "+c.want)):
			t.Errorf("got %v, want ErrLimit with %q", err, c.want)
		}
	}
}
