package conformance

import (
	"fmt"
	"io"
	"math/big"
	"net/http"
	"reflect"
	"time"

	"github.com/godurable/godurable/internal/workerd"
)

// Normalize converts a decoded value to what a JavaScript caller holds:
// every number becomes a float64 (JS has one number type), maps become
// map[string]any, slices other than []byte become []any; a bigint beyond
// 64 bits (*big.Int) and a Date (time.Time) become tagged strings; an
// http.Header, *http.Request and *http.Response become the forms the
// JavaScript caller reports of Headers, a Request, a Response. Both targets
// normalize their RPC results with it so that they compare equal.
func Normalize(v any) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case []byte:
		return x
	case string, bool:
		return x
	case *big.Int: // a bigint beyond 64 bits
		return "bigint " + x.String()
	case time.Time: // a Date
		return "date " + x.UTC().Format(time.RFC3339Nano)
	case http.Header: // Headers, as the JavaScript caller reports them
		return map[string]any{"$headers": jsHeaders(x)}
	case *http.Request:
		return map[string]any{"$request": map[string]any{"method": x.Method, "url": x.URL.String(), "headers": jsHeaders(x.Header), "body": readBody(x.Body)}}
	case *http.Response:
		return map[string]any{"$response": map[string]any{"status": float64(x.StatusCode), "headers": jsHeaders(x.Header), "body": readBody(x.Body)}}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = Normalize(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			out[fmt.Sprint(iter.Key().Interface())] = Normalize(iter.Value().Interface())
		}
		return out
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return Normalize(rv.Elem().Interface())
	}
	return v
}

func readBody(body io.ReadCloser) string {
	if body == nil {
		return ""
	}
	defer body.Close()
	b, _ := io.ReadAll(body)
	return string(b)
}

// jsHeaders lists h as the JavaScript caller reports Headers.
func jsHeaders(h http.Header) []any {
	out := []any{}
	for _, kv := range workerd.JSHeaders(h) {
		out = append(out, []any{kv[0], kv[1]})
	}
	return out
}
