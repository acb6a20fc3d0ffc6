package abi

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The hot storage operations' requests and results laid out by hand, not
// as MessagePack: an object's event that reads and writes its storage
// makes several of these calls, and the general MessagePack codecs on
// both sides (the shim's @msgpack/msgpack, Go's vmihailenco) cost more
// than workerd's own storage call (bench/PROFILE.md, "Issue 22"). Like
// WSFrame, each layout is a []byte type: the guest appends it, the shim
// (features/storage.js) reads or writes it with a DataView, and the
// dotest model (internal/workerd) parses and writes it with the functions
// here.
//
// Integers in the layouts are little-endian, as wasm's memory and a
// DataView with littleEndian set read them; a length is a uint32. A SQL
// value is a tag byte followed by its payload:
//
//	SQLNull    nothing
//	SQLNumber  a float64 (a JavaScript number)
//	SQLString  a length, then that many bytes of UTF-8
//	SQLBlob    a length, then that many bytes
//	SQLFalse   nothing (a request only: workerd refuses a boolean argument)
//	SQLTrue    nothing (likewise)
//
// A number crosses as JavaScript has it, a float64: an argument's int64
// (within ±(2^53-1): package storage refuses others) becomes one, and a
// result's number is an int64 when it is an integer JavaScript holds
// exactly (Number.isSafeInteger), else a float64, as the MessagePack
// encoding of a JavaScript number read them before.

// The tags of a SQL value in SQLExecRequest and SQLExecResult.
const (
	SQLNull   = 0
	SQLNumber = 1
	SQLString = 2
	SQLBlob   = 3
	SQLFalse  = 4
	SQLTrue   = 5
)

// Layout is implemented by a pointer to a request or a result that is
// bytes as they are rather than a message (Raw, WSFrame,
// WSBroadcastFrame, the layouts here): its LayoutBytes are what crosses.
// The shim hands such a request to its implementation undecoded
// (RawRequest).
type Layout interface {
	LayoutBytes() *[]byte
}

// LayoutBytes implements Layout.
func (r *Raw) LayoutBytes() *[]byte { return (*[]byte)(r) }

// LayoutBytes implements Layout.
func (f *WSFrame) LayoutBytes() *[]byte { return (*[]byte)(f) }

// LayoutBytes implements Layout.
func (f *WSBroadcastFrame) LayoutBytes() *[]byte { return (*[]byte)(f) }

// KVGetRequest is the request of CallKVGet: the key's UTF-8 bytes, the
// whole request.
type KVGetRequest []byte

// LayoutBytes implements Layout.
func (r *KVGetRequest) LayoutBytes() *[]byte { return (*[]byte)(r) }

// KVPutRequest is the request of CallKVPut: the key's length, the key's
// UTF-8 bytes, then the value's bytes to the end.
type KVPutRequest []byte

// LayoutBytes implements Layout.
func (r *KVPutRequest) LayoutBytes() *[]byte { return (*[]byte)(r) }

// AppendKVPutRequest appends the request that stores value under key.
func AppendKVPutRequest(dst []byte, key string, value []byte) KVPutRequest {
	dst = grow(dst, 4+len(key)+len(value))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(key)))
	return append(append(dst, key...), value...)
}

// Parse returns the request's key and value; the value shares the
// request's bytes. (The strings Parse returns are the bytes the guest
// wrote; the shim's TextDecoder replaces ill-formed UTF-8 in them.)
func (r KVPutRequest) Parse() (key string, value []byte, err error) {
	l := layoutReader{b: r, what: "kv.put request"}
	k := l.take(l.count(0))
	if l.err != nil {
		return "", nil, l.err
	}
	return string(k), r[l.i:], nil
}

// SQLExecRequest is the request of CallSQLExec: the statement's length,
// its UTF-8 bytes, the number of arguments, then each argument as a SQL
// value.
type SQLExecRequest []byte

// LayoutBytes implements Layout.
func (r *SQLExecRequest) LayoutBytes() *[]byte { return (*[]byte)(r) }

// AppendSQLExecRequest appends the request that runs query with args:
// nil, bool, int64 (within ±(2^53-1)), float64, string or []byte (a nil
// one is NULL).
func AppendSQLExecRequest(dst []byte, query string, args []any) (SQLExecRequest, error) {
	size := 8 + len(query)
	for _, a := range args {
		switch v := a.(type) {
		case string:
			size += 5 + len(v)
		case []byte:
			size += 5 + len(v)
		default:
			size += 9
		}
	}
	dst = grow(dst, size)
	dst = appendLayoutString(dst, query)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(args)))
	for i, a := range args {
		var err error
		if dst, err = appendSQLValue(dst, a, true); err != nil {
			return nil, fmt.Errorf("abi: SQL argument %d: %w", i+1, err)
		}
	}
	return dst, nil
}

// Parse returns the request's statement and arguments as JavaScript
// receives them: nil, bool, float64, string or []byte (sharing the
// request's bytes).
func (r SQLExecRequest) Parse() (query string, args []any, err error) {
	l := layoutReader{b: r, what: "sql.exec request"}
	query = string(l.take(l.count(0)))
	n := l.count(1)
	if l.err == nil {
		args = make([]any, n)
	}
	for i := range args {
		if args[i] = l.value(true); l.err != nil {
			break
		}
	}
	if l.err == nil && l.i != len(r) {
		l.fail("%d bytes after the arguments", len(r)-l.i)
	}
	if l.err != nil {
		return "", nil, l.err
	}
	return query, args, nil
}

// SQLExecResult is the result of CallSQLExec: the number of columns and
// each column's name (a length and its UTF-8 bytes), rowsRead and
// rowsWritten (float64s), the number of rows, then each row's values, as
// many as there are columns, as SQL values.
type SQLExecResult []byte

// LayoutBytes implements Layout.
func (r *SQLExecResult) LayoutBytes() *[]byte { return (*[]byte)(r) }

// AppendSQLExecResult appends the result res. Its rows may hold nil,
// int64, float64, string and []byte.
func AppendSQLExecResult(dst []byte, res *SQLResult) (SQLExecResult, error) {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(res.Columns)))
	for _, c := range res.Columns {
		dst = appendLayoutString(dst, c)
	}
	dst = appendFloat64(dst, float64(res.RowsRead))
	dst = appendFloat64(dst, float64(res.RowsWritten))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(res.Rows)))
	for _, row := range res.Rows {
		if len(row) != len(res.Columns) {
			return nil, fmt.Errorf("abi: a SQL row of %d values for %d columns", len(row), len(res.Columns))
		}
		for _, v := range row {
			var err error
			if dst, err = appendSQLValue(dst, v, false); err != nil {
				return nil, fmt.Errorf("abi: a SQL row: %w", err)
			}
		}
	}
	return dst, nil
}

// Parse decodes the result. Its values are nil, int64, float64, string or
// []byte; a blob shares the result's bytes.
func (r SQLExecResult) Parse() (*SQLResult, error) {
	l := layoutReader{b: r, what: "sql.exec result"}
	res := &SQLResult{}
	res.Columns = make([]string, l.count(4))
	for i := range res.Columns {
		res.Columns[i] = string(l.take(l.count(0)))
	}
	res.RowsRead = int64(l.float64())
	res.RowsWritten = int64(l.float64())
	cols := len(res.Columns)
	n := 0
	if cols > 0 {
		n = l.count(cols) // a value is at least a byte
	} else if n = l.count(0); n > len(r) {
		l.fail("%d rows of no columns", n) // a count that nothing bounds
	}
	if l.err != nil {
		return nil, l.err
	}
	res.Rows = make([][]any, n)
	values := make([]any, n*cols) // one allocation for every row
	for i := range res.Rows {
		row := values[i*cols : (i+1)*cols : (i+1)*cols]
		for j := range row {
			row[j] = l.value(false)
		}
		res.Rows[i] = row
	}
	if l.err == nil && l.i != len(r) {
		l.fail("%d bytes after the rows", len(r)-l.i)
	}
	if l.err != nil {
		return nil, l.err
	}
	return res, nil
}

// layoutReader reads a layout; the first failure sticks, and later reads
// return zero values.
type layoutReader struct {
	b    []byte
	i    int
	what string
	err  error
}

func (l *layoutReader) fail(format string, args ...any) {
	if l.err == nil {
		l.err = fmt.Errorf("%w: %s: %s", ErrMalformed, l.what, fmt.Sprintf(format, args...))
	}
}

func (l *layoutReader) take(n int) []byte {
	if l.err != nil {
		return nil
	}
	if n < 0 || n > len(l.b)-l.i {
		l.fail("%d bytes wanted at %d of %d", n, l.i, len(l.b))
		return nil
	}
	l.i += n
	return l.b[l.i-n : l.i : l.i]
}

// count reads a uint32: a length, or a number of items each at least
// min bytes long, refusing one the rest of the input cannot hold (so that
// nothing allocates for it).
func (l *layoutReader) count(min int) int {
	b := l.take(4)
	if b == nil {
		return 0
	}
	n := int(binary.LittleEndian.Uint32(b))
	if min > 0 && n > (len(l.b)-l.i)/min {
		l.fail("%d items in %d bytes", n, len(l.b)-l.i)
		return 0
	}
	return n
}

func (l *layoutReader) float64() float64 {
	b := l.take(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// value reads a SQL value; booleans only in a request, where a number
// stays a float64 as JavaScript has it.
func (l *layoutReader) value(request bool) any {
	tag := l.take(1)
	if tag == nil {
		return nil
	}
	switch tag[0] {
	case SQLNull:
		return nil
	case SQLNumber:
		f := l.float64()
		if !request && f == math.Trunc(f) && math.Abs(f) <= MaxSafeInteger {
			return int64(f) // Number.isSafeInteger: -0 is 0
		}
		return f
	case SQLString:
		return string(l.take(l.count(0)))
	case SQLBlob:
		return l.take(l.count(0))
	case SQLFalse, SQLTrue:
		if request {
			return tag[0] == SQLTrue
		}
	}
	l.fail("a SQL value of tag %d", tag[0])
	return nil
}

func appendLayoutString(dst []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint32(dst, uint32(len(s))), s...)
}

func appendFloat64(dst []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
}

// appendSQLValue appends v, one of nil, int64 (within ±(2^53-1)),
// float64, string, []byte (a nil one is NULL, as MessagePack's nil was)
// and, in a request, bool.
func appendSQLValue(dst []byte, v any, request bool) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, SQLNull), nil
	case bool:
		if !request {
			break
		}
		if v {
			return append(dst, SQLTrue), nil
		}
		return append(dst, SQLFalse), nil
	case int64:
		if v > MaxSafeInteger || v < -MaxSafeInteger {
			return nil, fmt.Errorf("%d is beyond a JavaScript number's exact integers", v)
		}
		return appendFloat64(append(dst, SQLNumber), float64(v)), nil
	case float64:
		return appendFloat64(append(dst, SQLNumber), v), nil
	case string:
		return appendLayoutString(append(dst, SQLString), v), nil
	case []byte:
		if v == nil {
			return append(dst, SQLNull), nil
		}
		return append(binary.LittleEndian.AppendUint32(append(dst, SQLBlob), uint32(len(v))), v...), nil
	}
	return nil, fmt.Errorf("a %T is not a SQL value", v)
}
