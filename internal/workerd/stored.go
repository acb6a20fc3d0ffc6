package workerd

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"time"
)

// StoredJS returns the bytes that the shim hands Go (kv.get) for a value
// a JavaScript object stored, given the Go value that stands for it: nil
// (null), bool, string, a number (int or float64), a bigint (int64 or
// uint64, which the shim's encoder writes in 64 bits), time.Time (a
// Date), []any (an Array, or a Set), map[string]any (an object, or a Map
// with string keys) and []byte (a Uint8Array). A top-level []byte is its
// bytes as they are, as the shim gives binary values.
func StoredJS(v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	js, err := jsStandIn(v, 0)
	if err != nil {
		return nil, err
	}
	return jsEncode(js)
}

// jsBigInt is a JavaScript bigint.
type jsBigInt struct{ v *big.Int }

func jsStandIn(v any, depth int) (any, error) {
	if depth > jsMaxDepth {
		return nil, fmt.Errorf("Too deep objects in depth %d", depth)
	}
	switch x := v.(type) {
	case nil, bool, string, []byte, float64:
		return x, nil
	case int:
		return float64(x), nil
	case float32:
		return float64(x), nil
	case int64:
		return jsBigInt{big.NewInt(x)}, nil
	case uint64:
		return jsBigInt{new(big.Int).SetUint64(x)}, nil
	case *big.Int:
		return jsBigInt{x}, nil
	case time.Time:
		return jsDate{ms: float64(x.UnixMilli())}, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			js, err := jsStandIn(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = js
		}
		return out, nil
	case map[string]any:
		o := newJSObject()
		for _, k := range slices.Sorted(maps.Keys(x)) {
			js, err := jsStandIn(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			o.set(k, js)
		}
		return o, nil
	}
	return nil, fmt.Errorf("no JavaScript value stands for %T", v)
}
