package jsbridge

import (
	"context"
	"testing"
)

// TestDecodeResultNull: undefined and null decode into the zero value,
// whatever the variable held.
func TestDecodeResultNull(t *testing.T) {
	for _, out := range [][]byte{nil, {0xc0}} {
		var x any = "unset"
		n := 7
		var s = []int{1}
		for _, r := range []any{&x, &n, &s} {
			if err := decodeResult(context.Background(), out, r, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if x != nil || n != 0 || s != nil {
			t.Errorf("% x decoded into %v, %v, %v; want the zero values", out, x, n, s)
		}
	}
}
