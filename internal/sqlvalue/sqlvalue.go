// Package sqlvalue converts SQL values between Go and what crosses the
// boundary as JavaScript values, for the storage package's SQL and for D1:
// arguments, the integers of results, and scanning into Go variables as
// database/sql does. The database/sql drivers (storage/sqldb, d1) share
// its argument checks and row conversion.
package sqlvalue

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/godurable/godurable/internal/abi"
)

// Arg converts a Go argument to what crosses the boundary: nil, int64
// (within ±(2^53-1), else an error matching abi.ErrUnsafeInteger),
// float64, string or []byte; a bool is 1 or 0, a time.Time RFC 3339
// text, a driver.Valuer its value.
func Arg(a any) (any, error) {
	if v, ok := a.(driver.Valuer); ok {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, nil // as database/sql binds a nil *sql.NullString
		}
		dv, err := v.Value()
		if err != nil {
			return nil, err
		}
		a = dv
	}
	switch v := a.(type) {
	case nil, string, []byte, float64:
		return v, nil
	case int64:
		if v > abi.MaxSafeInteger || v < -abi.MaxSafeInteger {
			return nil, unsafeInteger(v)
		}
		return v, nil
	case int:
		return Arg(int64(v))
	case float32:
		return float64(v), nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	}
	rv := reflect.ValueOf(a)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		if n > abi.MaxSafeInteger || n < -abi.MaxSafeInteger {
			return nil, unsafeInteger(n)
		}
		return n, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := rv.Uint()
		if n > abi.MaxSafeInteger {
			return nil, unsafeInteger(n)
		}
		return int64(n), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return Arg(rv.Bool())
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return Arg(rv.Elem().Interface())
	}
	return nil, fmt.Errorf("unsupported type %T", a)
}

// Normalize maps what crosses from JavaScript to SQLite's Go types: every
// integer to int64, and so every integral number, since JavaScript numbers
// do not tell 2 from 2.0 (workerd returns a REAL 2.0 as 2, and the shim
// writes integers beyond 32 bits as floats).
func Normalize(v any) any {
	switch n := v.(type) {
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int:
		return int64(n)
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n)
		}
	case float32:
		return Normalize(float64(n))
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= abi.MaxSafeInteger {
			return int64(n)
		}
	}
	return v
}

// ConvertAssign stores src, a normalized value, into dest as database/sql
// would: into pointers to the integer types, floats, strings, []byte,
// bool, time.Time (from RFC 3339 text), any, pointers to them, or an
// sql.Scanner.
func ConvertAssign(dest, src any) error {
	if s, ok := dest.(sql.Scanner); ok {
		return s.Scan(src)
	}
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.IsNil() {
		return fmt.Errorf("destination %T is not a non-nil pointer", dest)
	}
	target := dv.Elem()
	if target.Kind() == reflect.Interface && target.NumMethod() == 0 {
		if src == nil {
			target.SetZero()
		} else {
			target.Set(reflect.ValueOf(src))
		}
		return nil
	}
	if src == nil {
		if target.Kind() == reflect.Pointer {
			target.SetZero()
			return nil
		}
		return fmt.Errorf("NULL into %s; scan into a pointer or an sql.Null type", target.Type())
	}
	if target.Kind() == reflect.Pointer {
		if target.IsNil() {
			target.Set(reflect.New(target.Type().Elem()))
		}
		return ConvertAssign(target.Interface(), src)
	}
	if t, ok := dest.(*time.Time); ok {
		s, ok := src.(string)
		if !ok {
			return fmt.Errorf("%T into time.Time; store times as RFC 3339 text", src)
		}
		parsed, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return err
		}
		*t = parsed
		return nil
	}
	switch s := src.(type) {
	case int64:
		switch target.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if target.OverflowInt(s) {
				return fmt.Errorf("%d overflows %s", s, target.Type())
			}
			target.SetInt(s)
			return nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if s < 0 || target.OverflowUint(uint64(s)) {
				return fmt.Errorf("%d does not fit %s", s, target.Type())
			}
			target.SetUint(uint64(s))
			return nil
		case reflect.Float32, reflect.Float64:
			target.SetFloat(float64(s))
			return nil
		case reflect.Bool:
			target.SetBool(s != 0)
			return nil
		case reflect.String:
			target.SetString(fmt.Sprint(s))
			return nil
		}
	case float64:
		switch target.Kind() {
		case reflect.Float32, reflect.Float64:
			target.SetFloat(s)
			return nil
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if s != math.Trunc(s) || target.OverflowInt(int64(s)) {
				return fmt.Errorf("%v does not fit %s", s, target.Type())
			}
			target.SetInt(int64(s))
			return nil
		case reflect.String:
			target.SetString(fmt.Sprint(s))
			return nil
		}
	case string:
		switch target.Kind() {
		case reflect.String:
			target.SetString(s)
			return nil
		case reflect.Slice:
			if target.Type().Elem().Kind() == reflect.Uint8 {
				target.SetBytes([]byte(s))
				return nil
			}
		}
	case []byte:
		switch target.Kind() {
		case reflect.Slice:
			if target.Type().Elem().Kind() == reflect.Uint8 {
				target.SetBytes(append([]byte(nil), s...))
				return nil
			}
		case reflect.String:
			target.SetString(string(s))
			return nil
		}
	}
	return fmt.Errorf("cannot store %T into %s", src, target.Type())
}

// unsafeInteger is the error of an integer argument that a JavaScript
// number, which carries every SQL value to workerd, would round.
func unsafeInteger[T int64 | uint64](n T) error {
	return fmt.Errorf("%w: %d (SQL values cross to workerd as JavaScript numbers); store it as TEXT or BLOB, a time as milliseconds (UnixMilli) or a time.Time", abi.ErrUnsafeInteger, n)
}
