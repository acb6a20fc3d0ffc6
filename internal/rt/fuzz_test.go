package rt

import (
	"context"
	"reflect"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

type fuzzPoint struct {
	X, Y int64
	Tags []string
	M    map[string]float64
	P    *fuzzPoint
}

var fuzzTypes = []reflect.Type{
	reflect.TypeFor[int64](), reflect.TypeFor[int8](), reflect.TypeFor[uint16](), reflect.TypeFor[uint64](),
	reflect.TypeFor[float64](), reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[[]byte](),
	reflect.TypeFor[[]int](), reflect.TypeFor[map[string]any](), reflect.TypeFor[any](),
	reflect.TypeFor[fuzzPoint](), reflect.TypeFor[*fuzzPoint](), reflect.TypeFor[[3]int32](),
}

// FuzzDecodeArg feeds arbitrary bytes, as a JavaScript caller could send
// them, to the decoder of RPC arguments: an error, never a panic.
func FuzzDecodeArg(f *testing.F) {
	for _, v := range []any{int64(1), -5, 2.5, "s", true, nil, []byte{1}, []any{1, "a"},
		map[string]any{"X": 1, "Tags": []string{"t"}, "P": map[string]any{"Y": 2}}} {
		b, err := abi.EncodeValue(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
	}
	f.Add([]byte{0xdd, 0xff, 0xff, 0xff, 0xff}, uint8(8))
	f.Add([]byte{0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0}, uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		typ := fuzzTypes[int(which)%len(fuzzTypes)]
		DecodeArg(b, typ)
	})
}

// FuzzDecodeArgs checks the decoder of a whole argument array.
func FuzzDecodeArgs(f *testing.F) {
	m := &method{name: "M", jsName: "m", params: []reflect.Type{reflect.TypeFor[int64](), reflect.TypeFor[string](), reflect.TypeFor[fuzzPoint]()}}
	b, _ := abi.EncodeValue([]any{1, "a", map[string]any{"X": 1}})
	f.Add(b)
	f.Add([]byte{0x93, 0xc1})
	f.Fuzz(func(t *testing.T, b []byte) {
		if items, err := argItems(m, b); err == nil {
			decodeArgs(context.Background(), m, items)
		}
	})
}
