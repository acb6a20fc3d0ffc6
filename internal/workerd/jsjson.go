package workerd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"time"
)

// jsonStringify is JSON.stringify(v) for the model's values: those of
// JavaScript (a JSObject's properties, with its toJSON method if it has
// one) and the Go values a fake's function is given (maps, slices,
// numbers, time.Time for a Date). undefined, functions and objects with
// nothing but methods are left out of objects, as JavaScript leaves them.
func jsonStringify(v any) (any, error) {
	var b bytes.Buffer
	ok, err := writeJSON(&b, v, 0)
	if err != nil || !ok {
		return jsUndefined{}, err
	}
	return b.String(), nil
}

// writeJSON writes v as JSON and reports whether it has a JSON form.
func writeJSON(b *bytes.Buffer, v any, depth int) (bool, error) {
	if depth > jsMaxDepth {
		return false, NewJSError("RangeError", "Maximum call stack size exceeded")
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case jsUndefined:
		return false, nil
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writeJSONString(b, x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
		} else {
			b.WriteString(jsNumberString(x))
		}
	case jsBigInt, *big.Int:
		return false, NewJSError("TypeError", "Do not know how to serialize a BigInt")
	case jsDate:
		if math.IsNaN(x.ms) { // an invalid Date
			b.WriteString("null")
			break
		}
		b.WriteString(`"` + time.UnixMilli(int64(x.ms)).UTC().Format("2006-01-02T15:04:05.000Z") + `"`)
	case time.Time:
		return writeJSON(b, jsDate{ms: float64(x.UnixMilli())}, depth)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if ok, err := writeJSON(b, e, depth+1); err != nil {
				return false, err
			} else if !ok {
				b.WriteString("null")
			}
		}
		b.WriteByte(']')
	case []byte: // a Uint8Array: an object of its indices
		o := newJSObject()
		for i, c := range x {
			o.set(strconv.Itoa(i), float64(c))
		}
		return writeJSON(b, o, depth)
	case jsExt, *jsStream:
		b.WriteString("{}")
	case *jsObject:
		return writeJSONObject(b, x.orderedKeys(), func(k string) any { return x.vals[k] }, depth)
	case map[string]any:
		return writeJSONObject(b, slices.Sorted(maps.Keys(x)), func(k string) any { return x[k] }, depth)
	case *JSObject:
		if fn, ok := x.Methods["toJSON"]; ok {
			res, err := callFunc(fn, nil, x.Class+".toJSON")
			if err != nil {
				return false, err
			}
			return writeJSON(b, res, depth+1)
		}
		if x.Func != nil || (x.Props == nil && len(x.Methods) > 0) {
			return false, nil // a function, or an object of methods alone
		}
		x.mu.Lock()
		props := make(map[string]any, len(x.Props))
		for k, p := range x.Props {
			props[k] = p
		}
		x.mu.Unlock()
		return writeJSONObject(b, slices.Sorted(maps.Keys(props)), func(k string) any { return props[k] }, depth)
	default:
		return writeJSON(b, toJS(v), depth+1) // a Go number, a []map[string]any, ...
	}
	return true, nil
}

func writeJSONObject(b *bytes.Buffer, keys []string, get func(string) any, depth int) (bool, error) {
	b.WriteByte('{')
	first := true
	for _, k := range keys {
		mark := b.Len()
		if !first {
			b.WriteByte(',')
		}
		writeJSONString(b, k)
		b.WriteByte(':')
		ok, err := writeJSON(b, get(k), depth+1)
		if err != nil {
			return false, err
		}
		if !ok {
			b.Truncate(mark)
			continue
		}
		first = false
	}
	b.WriteByte('}')
	return true, nil
}

// writeJSONString writes s as a JSON string, as JavaScript escapes it (not
// <, > and &, as encoding/json does).
func writeJSONString(b *bytes.Buffer, s string) {
	e := json.NewEncoder(b)
	e.SetEscapeHTML(false)
	e.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// jsonParse is JSON.parse(text): objects keep their keys in order; text
// that is not JSON is a SyntaxError.
func jsonParse(text []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	v, err := jsonParseValue(dec, 0)
	if err == nil {
		if _, end := dec.Token(); !errors.Is(end, io.EOF) {
			err = errors.New("text after the value")
		}
	}
	if err != nil {
		if len(bytes.TrimSpace(text)) == 0 {
			return nil, NewJSError("SyntaxError", "Unexpected end of JSON input")
		}
		return nil, NewJSError("SyntaxError", fmt.Sprintf("%q is not valid JSON", text))
	}
	return v, nil
}

func jsonParseValue(dec *json.Decoder, depth int) (any, error) {
	if depth > jsMaxDepth {
		return nil, errors.New("nested too deeply")
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			o := newJSObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := jsonParseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			_, err := dec.Token() // }
			return o, err
		case '[':
			out := []any{}
			for dec.More() {
				v, err := jsonParseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			_, err := dec.Token() // ]
			return out, err
		}
		return nil, fmt.Errorf("unexpected %v", x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return f, nil
	}
	return t, nil // string, bool, nil
}
