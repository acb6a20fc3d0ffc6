package sqlvalue

import (
	"context"
	"database/sql/driver"
	"io"
	"reflect"
	"time"
)

// CheckDriverValue is the value part of a database/sql driver's
// CheckNamedValue: it lets every argument through that Arg takes as it
// is (Arg checks integers against JavaScript's safe range, so that a
// large one fails with that error), and converts the others as
// database/sql would: driver.Valuer implementations, pointers, named
// types.
func CheckDriverValue(nv *driver.NamedValue) error {
	switch nv.Value.(type) {
	case nil, bool, string, []byte, time.Time, float64, float32,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return nil
	case driver.Valuer:
	default:
		switch reflect.ValueOf(nv.Value).Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return nil // Arg checks the range
		}
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return err
	}
	nv.Value = v
	return nil
}

// DriverRow fills dest, as a driver.Rows' Next does, with a row of
// normalized values. A text that is exactly what time.RFC3339Nano formats
// becomes a time.Time, so that what Arg stored as a time.Time scans back
// into one.
func DriverRow(dest []driver.Value, row []any) {
	for i, v := range row {
		if s, ok := v.(string); ok {
			if t, ok := RFC3339(s); ok {
				v = t
			}
		}
		dest[i] = v
	}
}

// RFC3339 returns the time s stands for if s is exactly how
// time.RFC3339Nano formats it: how Arg stores a time.Time.
func RFC3339(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || len(s) > len("2006-01-02T15:04:05.999999999-07:00") || s[4] != '-' || s[10] != 'T' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Format(time.RFC3339Nano) != s {
		return time.Time{}, false
	}
	return t, true
}

// Conn is what a driver's connection does with a statement's text.
type Conn interface {
	driver.ExecerContext
	driver.QueryerContext
}

// Stmt is the driver.Stmt of godurable's drivers: its text, which its
// connection runs; nothing is checked until it runs.
type Stmt struct {
	Conn Conn
	SQL  string
}

var (
	_ driver.StmtExecContext  = (*Stmt)(nil)
	_ driver.StmtQueryContext = (*Stmt)(nil)
)

// Close does nothing.
func (s *Stmt) Close() error { return nil }

// NumInput is -1: the host checks the number of arguments.
func (s *Stmt) NumInput() int { return -1 }

// Exec runs the statement.
func (s *Stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

// Query runs the statement.
func (s *Stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

// ExecContext runs the statement.
func (s *Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Conn.ExecContext(ctx, s.SQL, args)
}

// QueryContext runs the statement.
func (s *Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Conn.QueryContext(ctx, s.SQL, args)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// RowSource is rows in memory: storage.Cursor, d1.Rows.
type RowSource interface {
	Columns() []string
	Next() bool
	Values() []any
}

// DriverRows is the driver.Rows of a RowSource.
type DriverRows struct{ Src RowSource }

// Columns returns the names of the columns.
func (r *DriverRows) Columns() []string {
	if c := r.Src.Columns(); c != nil {
		return c
	}
	return []string{}
}

// Close does nothing.
func (r *DriverRows) Close() error { return nil }

// Next fills dest with the next row, as DriverRow does.
func (r *DriverRows) Next(dest []driver.Value) error {
	if !r.Src.Next() {
		return io.EOF
	}
	DriverRow(dest, r.Src.Values())
	return nil
}
