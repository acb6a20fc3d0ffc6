package storage

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/sqlvalue"
)

func TestCursorScan(t *testing.T) {
	c := &Cursor{rows: sqlvalue.Rows{
		Columns: []string{"i", "f", "s", "b", "n"},
		Data:    [][]any{{int8(3), 2.5, "2026-01-02T03:04:05Z", []byte("xy"), nil}},
	}, read: 1}
	if err := c.Scan(new(int)); err == nil {
		t.Error("Scan before Next succeeded")
	}
	if !c.Next() {
		t.Fatal("no first row")
	}
	var (
		i  int
		f  float32
		tm time.Time
		b  []byte
		n  *int64
	)
	if err := c.Scan(&i, &f, &tm, &b, &n); err != nil {
		t.Fatal(err)
	}
	if i != 3 || f != 2.5 || tm.Year() != 2026 || string(b) != "xy" || n != nil {
		t.Errorf("scanned %v %v %v %q %v", i, f, tm, b, n)
	}
	var (
		s   string
		ns  sql.NullString
		any any
		i8  int8
	)
	c.rows.Rewind()
	c.Next()
	if err := c.Scan(&s, &any, &ns, &s, &ns); err != nil {
		t.Fatal(err)
	}
	if any != 2.5 || ns.Valid {
		t.Errorf("any = %v, NullString = %+v", any, ns)
	}
	if err := c.Scan(&i8, &i8, &i8, &i8, &i8); err == nil || !strings.Contains(err.Error(), "column 2 (f)") {
		t.Errorf("fraction into int8: %v", err)
	}
	if err := c.Scan(&i, &f, &s, &b, &i); err == nil || !strings.Contains(err.Error(), "NULL into int") {
		t.Errorf("NULL into int: %v", err)
	}
	if err := c.Scan(&i); err == nil {
		t.Error("one destination for five columns")
	}
	if c.Next() {
		t.Error("a second row")
	}
	if c.RowsRead() != 1 || c.Len() != 1 || c.Columns()[0] != "i" {
		t.Error("metadata")
	}
}

func TestCursorOne(t *testing.T) {
	none := &Cursor{rows: sqlvalue.Rows{Columns: []string{"a"}}}
	if err := none.One(new(int)); !errors.Is(err, ErrNoRows) {
		t.Errorf("no rows: %v", err)
	}
	two := &Cursor{rows: sqlvalue.Rows{Columns: []string{"a"}, Data: [][]any{{int64(1)}, {int64(2)}}}}
	if err := two.One(new(int)); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("two rows: %v", err)
	}
	var v int
	one := &Cursor{rows: sqlvalue.Rows{Columns: []string{"a"}, Data: [][]any{{int64(9)}}}}
	if err := one.One(&v); err != nil || v != 9 {
		t.Errorf("one row: %v %v", v, err)
	}
}

func TestStorageOutsideWasm(t *testing.T) {
	// A Storage made by hand belongs to no object.
	kv := &KV{}
	if _, err := kv.Get("k", new(int)); !errors.Is(err, errNilStorage) {
		t.Errorf("KV.Get of a zero KV: %v", err)
	}
	var zero *KV
	if err := zero.Put("k", 1); !errors.Is(err, errNilStorage) {
		t.Errorf("Put on a nil KV: %v", err)
	}
	if _, err := (&SQL{}).Exec("SELECT 1"); !errors.Is(err, errNilStorage) {
		t.Errorf("SQL.Exec of a zero SQL: %v", err)
	}
	// Outside a guest, the host operations themselves are missing.
	s, ok := FromContext(rt.WithConn(context.Background(), rt.NoObject))
	if !ok {
		t.Fatal("FromContext ignored the conn")
	}
	if _, err := s.KV.Get("k", new(int)); !errors.Is(err, ErrNoHost) {
		t.Errorf("KV.Get on the host: %v", err)
	}
	if _, ok := FromContext(context.Background()); ok {
		t.Error("FromContext of a context without an object reports one")
	}
	if _, err := kv.List(ListOptions{Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
	if _, err := kv.List(ListOptions{Start: "a", StartAfter: "b"}); err == nil {
		t.Error("Start and StartAfter accepted together")
	}
}

func TestCursorValuesNormalizesNumbers(t *testing.T) {
	c := &Cursor{rows: sqlvalue.Rows{Columns: []string{"a", "b", "c", "d"}, Data: [][]any{{5e9, 2.5, uint16(7), float32(3)}}}}
	c.Next()
	got := c.Values()
	want := []any{int64(5e9), 2.5, int64(7), int64(3)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Values = %#v, want %#v", got, want)
	}
}
