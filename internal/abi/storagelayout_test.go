package abi

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestKVPutRequestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		key   string
		value []byte
	}{
		{"", nil}, {"k", []byte{}}, {"value", []byte{0x92, 1, 2}}, {strings.Repeat("é", 200), bytes.Repeat([]byte{7}, 70000)},
	} {
		req := AppendKVPutRequest(nil, c.key, c.value)
		key, value, err := req.Parse()
		if err != nil || key != c.key || !bytes.Equal(value, c.value) {
			t.Errorf("%q: got %q % x, %v", c.key, key, value, err)
		}
	}
}

func TestSQLExecRequestRoundTrip(t *testing.T) {
	query := "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)"
	args := []any{nil, int64(-5), int64(MaxSafeInteger), 1.5, "s", []byte{9}, []byte{}}
	req, err := AppendSQLExecRequest(nil, query, append(args, true, false, math.Inf(-1), "", []byte(nil)))
	if err != nil {
		t.Fatal(err)
	}
	q, got, err := req.Parse()
	if err != nil {
		t.Fatal(err)
	}
	// Integers cross as JavaScript numbers; booleans as they are (for
	// workerd to refuse).
	want := []any{nil, -5.0, float64(MaxSafeInteger), 1.5, "s", []byte{9}, []byte{}, true, false, math.Inf(-1), "", nil}
	if q != query || !reflect.DeepEqual(got, want) {
		t.Errorf("got %q %#v, want %#v", q, got, want)
	}
	if q, got, err := SQLExecRequest(mustSQLExec(t, "SELECT 1", nil)).Parse(); err != nil || q != "SELECT 1" || len(got) != 0 {
		t.Errorf("no arguments: %q %v %v", q, got, err)
	}
	for _, bad := range []any{int64(MaxSafeInteger + 1), int64(math.MinInt64), int8(1), map[string]any{}} {
		if _, err := AppendSQLExecRequest(nil, "SELECT ?", []any{bad}); err == nil {
			t.Errorf("%T %v was encoded", bad, bad)
		}
	}
}

func mustSQLExec(t *testing.T, query string, args []any) SQLExecRequest {
	t.Helper()
	req, err := AppendSQLExecRequest(nil, query, args)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSQLExecResultRoundTrip(t *testing.T) {
	for _, res := range []*SQLResult{
		{Columns: []string{}, Rows: [][]any{}},
		{Columns: []string{"seq"}, Rows: [][]any{{int64(1)}}, RowsRead: 1, RowsWritten: 1},
		{Columns: []string{"a", "b", "c", "d", "é"}, Rows: [][]any{
			{nil, int64(-3), 2.5, "s", []byte{1, 2}},
			{int64(MaxSafeInteger), int64(-MaxSafeInteger), math.Inf(1), strings.Repeat("x", 70000), []byte{}},
		}, RowsRead: 2},
	} {
		b, err := AppendSQLExecResult(nil, res)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Parse()
		if err != nil || !reflect.DeepEqual(got, res) {
			t.Errorf("got %#v, %v; want %#v", got, err, res)
		}
	}
}

// A result's number is an int64 where JavaScript's Number.isSafeInteger
// holds, else a float64: what the MessagePack encoding of a JavaScript
// number gave Go.
func TestSQLExecResultNumbers(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want any
	}{
		{0, int64(0)}, {math.Copysign(0, -1), int64(0)}, {2, int64(2)}, {-7, int64(-7)},
		{MaxSafeInteger, int64(MaxSafeInteger)}, {-MaxSafeInteger, int64(-MaxSafeInteger)},
		{MaxSafeInteger + 1, float64(MaxSafeInteger + 1)}, {1 << 60, float64(1 << 60)},
		{0.5, 0.5}, {math.Inf(-1), math.Inf(-1)},
	} {
		b, err := AppendSQLExecResult(nil, &SQLResult{Columns: []string{"n"}, Rows: [][]any{{c.in}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Parse()
		if err != nil || !reflect.DeepEqual(got.Rows[0][0], c.want) {
			t.Errorf("%v: got %#v (%v), want %#v", c.in, got.Rows[0][0], err, c.want)
		}
	}
	if _, err := AppendSQLExecResult(nil, &SQLResult{Columns: []string{"a"}, Rows: [][]any{{true}}}); err == nil {
		t.Error("a boolean in a row was encoded")
	}
	if _, err := AppendSQLExecResult(nil, &SQLResult{Columns: []string{"a"}, Rows: [][]any{{}}}); err == nil {
		t.Error("a short row was encoded")
	}
}

// Every truncation of a valid layout, and a few forged counts, are
// refused as ErrMalformed.
func TestStorageLayoutsMalformed(t *testing.T) {
	res, err := AppendSQLExecResult(nil, &SQLResult{Columns: []string{"a", "b"}, Rows: [][]any{{"x", []byte{1}}, {nil, 1.5}}, RowsRead: 2})
	if err != nil {
		t.Fatal(err)
	}
	req := mustSQLExec(t, "SELECT ?, ?", []any{"x", []byte{1}})
	put := AppendKVPutRequest(nil, "key", []byte{1})
	for i := range len(res) {
		if _, err := res[:i].Parse(); !errors.Is(err, ErrMalformed) {
			t.Errorf("result cut at %d: %v", i, err)
		}
	}
	for i := range len(req) {
		if _, _, err := req[:i].Parse(); !errors.Is(err, ErrMalformed) {
			t.Errorf("request cut at %d: %v", i, err)
		}
	}
	for i := range 4 + len("key") {
		if _, _, err := put[:i].Parse(); !errors.Is(err, ErrMalformed) {
			t.Errorf("kv.put request cut at %d: %v", i, err)
		}
	}
	for name, b := range map[string][]byte{
		"a huge column count":      {0xff, 0xff, 0xff, 0xff},
		"rows of no columns":       append(append([]byte{0, 0, 0, 0}, make([]byte, 16)...), 0xff, 0xff, 0xff, 0x7f),
		"a bad tag":                append(append([]byte{1, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 16)...), 1, 0, 0, 0, 9),
		"a boolean":                append(append([]byte{1, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 16)...), 1, 0, 0, 0, SQLTrue),
		"bytes after the rows":     append(append([]byte{0, 0, 0, 0}, make([]byte, 20)...), 0),
		"a string beyond the rest": append(append([]byte{1, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 16)...), 1, 0, 0, 0, SQLString, 9, 0, 0, 0),
	} {
		if _, err := SQLExecResult(b).Parse(); !errors.Is(err, ErrMalformed) {
			t.Errorf("result with %s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{
		"a huge argument count": {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff},
		"a bad tag":             {0, 0, 0, 0, 1, 0, 0, 0, 9},
		"bytes after the args":  {0, 0, 0, 0, 0, 0, 0, 0, 0},
	} {
		if _, _, err := SQLExecRequest(b).Parse(); !errors.Is(err, ErrMalformed) {
			t.Errorf("request with %s: %v", name, err)
		}
	}
}

func FuzzStorageLayouts(f *testing.F) {
	res, _ := AppendSQLExecResult(nil, &SQLResult{Columns: []string{"a", "b"}, Rows: [][]any{{"x", []byte{1}}, {nil, 1.5}}, RowsRead: 2})
	req, _ := AppendSQLExecRequest(nil, "SELECT ?, ?, ?", []any{"x", []byte{1}, true})
	f.Add([]byte(res))
	f.Add([]byte(req))
	f.Add([]byte(AppendKVPutRequest(nil, "k", []byte{1, 2})))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Whatever parses encodes back to the same bytes (a result's
		// numbers aside: an int64 is written back as its float64).
		if r, err := SQLExecResult(b).Parse(); err == nil {
			if again, err := AppendSQLExecResult(nil, r); err != nil || len(again) != len(b) {
				t.Errorf("result % x parsed to %#v, encoded back as % x (%v)", b, r, again, err)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Errorf("result: %v", err)
		}
		if q, args, err := SQLExecRequest(b).Parse(); err == nil {
			if again, err := AppendSQLExecRequest(nil, q, args); err != nil || !bytes.Equal(again, b) {
				t.Errorf("request % x parsed to %q %#v, encoded back as % x (%v)", b, q, args, again, err)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Errorf("request: %v", err)
		}
		if k, v, err := KVPutRequest(b).Parse(); err == nil {
			if again := AppendKVPutRequest(nil, k, v); !bytes.Equal(again, b) {
				t.Errorf("kv.put % x encoded back as % x", b, again)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Errorf("kv.put: %v", err)
		}
	})
}
