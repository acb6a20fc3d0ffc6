package conformance

import (
	"maps"
	"slices"
	"testing"
	"time"
)

// JSValuesObject is the Plain object whose storage the JSValues scenario
// reads after a JavaScript object of the same class stored its values
// (internal/conformance/jsvalues/worker.js; dotest: Object.PutJS with
// JSValues).
const JSValuesObject = "js-values"

// JSValues are the values of worker.js as Go stands for them (see
// dotest's Object.PutJS), by key.
func JSValues() map[string]any {
	return map[string]any{
		"string":       "héllo",
		"int":          42,
		"negative":     -7,
		"float":        1.5,
		"unsafe":       float64(1<<53 + 2),
		"bool":         true,
		"null":         nil,
		"object":       map[string]any{"a": 1, "b": []any{"x", 2.5, false}, "c": map[string]any{"d": nil}},
		"array":        []any{1, "two", []any{3}},
		"date":         time.UnixMilli(1700000000123),
		"map":          map[string]any{"k": 1, "j": "v"}, // a Map with string keys
		"set":          []any{"a", "b"},                  // a Set
		"bigint":       uint64(9007199254740993),
		"nested_bytes": map[string]any{"b": []byte{4, 5}},
		"bytes":        []byte{1, 2, 3}, // a Uint8Array
	}
}

// RunJSValues checks what Go's KV.Get reads of values that JavaScript
// stored: MessagePack of the value, Maps and Sets included; a top-level
// Uint8Array is its bytes, which KV.Get refuses and KV.GetRaw returns.
func RunJSValues(t *testing.T, target Target) {
	keys := slices.Sorted(maps.Keys(JSValues()))
	got, jsErr := target.Call(t, "PLAIN", JSValuesObject, "readJS", keys)
	if jsErr != nil {
		t.Fatal(jsErr)
	}
	value := func(typ string, v any) any { return map[string]any{"found": true, "type": typ, "value": v} }
	equal(t, "what Go reads", got, map[string]any{
		"string":       value("string", "héllo"),
		"int":          value("int8", "int8 42"),
		"negative":     value("int8", "int8 -7"),
		"float":        value("float64", "float64 1.5"),
		"unsafe":       value("float64", "float64 9.007199254740994e+15"),
		"bool":         value("bool", true),
		"null":         value("<nil>", nil),
		"object":       value("map[string]interface {}", map[string]any{"a": "int8 1", "b": []any{"x", "float64 2.5", false}, "c": map[string]any{"d": nil}}),
		"array":        value("[]interface {}", []any{"int8 1", "two", []any{"int8 3"}}),
		"date":         value("time.Time", "time 2023-11-14T22:13:20.123Z"),
		"map":          value("map[string]interface {}", map[string]any{"k": "int8 1", "j": "v"}),
		"set":          value("[]interface {}", []any{"a", "b"}),
		"bigint":       value("uint64", "uint64 9007199254740993"),
		"nested_bytes": value("map[string]interface {}", map[string]any{"b": []any{4.0, 5.0}}),
		"bytes": map[string]any{"found": true, "raw": []any{1.0, 2.0, 3.0}, "notOneValue": true,
			"error": `storage: decoding "bytes" (an integer) into *interface {}: not one MessagePack value: 2 bytes after the value`},
	})
}
