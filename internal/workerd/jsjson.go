package workerd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSON.stringify and JSON.parse of the model's values, as workerd
// serializes a queue message of content type "json".

// jsonStringify is JSON.stringify(v) for a value that is not undefined.
func jsonStringify(v any) (string, error) {
	var b []byte
	b, err := appendJSON(b, v, 0)
	return string(b), err
}

func appendJSON(b []byte, v any, depth int) ([]byte, error) {
	if depth > jsMaxDepth {
		return nil, NewJSError("RangeError", "Maximum call stack size exceeded")
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...), nil
		}
		return append(b, jsNumberString(x)...), nil
	case string:
		return appendJSString(b, x), nil
	case jsBigInt:
		return nil, NewJSError("TypeError", "Do not know how to serialize a BigInt")
	case jsDate:
		if math.IsNaN(x.ms) {
			return append(b, "null"...), nil
		}
		return appendJSString(b, time.UnixMilli(int64(x.ms)).UTC().Format("2006-01-02T15:04:05.000Z")), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if skipsInJSON(e) {
				b = append(b, "null"...)
				continue
			}
			var err error
			if b, err = appendJSON(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []byte: // a Uint8Array: its indexes are its properties
		b = append(b, '{')
		for i, c := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(append(appendJSString(b, strconv.Itoa(i)), ':'), int64(c), 10)
		}
		return append(b, '}'), nil
	case *jsObject:
		b = append(b, '{')
		first := true
		for _, k := range x.orderedKeys() {
			e := x.vals[k]
			if skipsInJSON(e) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(appendJSString(b, k), ':')
			var err error
			if b, err = appendJSON(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case *JSObject:
		if x.Func != nil {
			return append(b, "null"...), nil
		}
	}
	// Headers, a class instance, a stub: no enumerable data properties.
	return append(b, "{}"...), nil
}

// skipsInJSON reports whether JSON.stringify leaves v out of an object
// (and writes null for it in an array): undefined and functions.
func skipsInJSON(v any) bool {
	switch x := v.(type) {
	case jsUndefined:
		return true
	case *JSObject:
		return x.Func != nil
	}
	return false
}

// appendJSString writes s as JSON.stringify writes a string.
func appendJSString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}

// jsonParse is JSON.parse(text): objects keep their keys in order.
func jsonParse(text []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	v, err := jsonParseValue(dec, 0)
	if err != nil {
		return nil, NewJSError("SyntaxError", "Unexpected token in JSON: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, NewJSError("SyntaxError", "Unexpected non-whitespace character after JSON")
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
