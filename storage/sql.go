package storage

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// SQL is a Durable Object's SQLite database (ctx.storage.sql in
// JavaScript). workerd's rules apply: no BEGIN or SAVEPOINT (each event's
// writes are one transaction already), at most 100 bound parameters and
// 100 KB per statement, values and rows up to 8 MiB, and integers that cross as
// JavaScript numbers, so exact only within ±(2^53-1).
type SQL struct {
	conn rt.Conn
}

// ErrNoRows is returned by Cursor.One when the statement returned no rows.
var ErrNoRows = errors.New("storage: no rows")

// ErrTooManyRows is returned by Cursor.One when the statement returned more
// than one row.
var ErrTooManyRows = errors.New("storage: more than one row")

// Exec runs one SQL statement with args bound to its ? parameters and
// returns its rows. Args may be nil, bool, any integer or float type,
// string, []byte, time.Time (stored as RFC 3339 text) or a driver.Valuer.
// An error from SQLite (bad SQL, a broken constraint, a limit) is returned
// as an error whose message is SQLite's.
func (s *SQL) Exec(query string, args ...any) (*Cursor, error) {
	q := abi.SQLQuery{Query: query, Args: make([]any, len(args))}
	for i, a := range args {
		v, err := sqlArg(a)
		if err != nil {
			return nil, fmt.Errorf("storage: sql: argument %d: %w", i+1, err)
		}
		q.Args[i] = v
	}
	var res abi.SQLResult
	if err := call(s.c(), abi.CallSQLExec, &q, &res); err != nil {
		return nil, fmt.Errorf("storage: sql: %w", err)
	}
	return &Cursor{columns: res.Columns, rows: res.Rows, read: res.RowsRead, written: res.RowsWritten, next: -1}, nil
}

// DatabaseSize returns the size of the object's database in bytes.
func (s *SQL) DatabaseSize() (int64, error) {
	var n int64
	if err := call(s.c(), abi.CallSQLDatabaseSize, nil, &n); err != nil {
		return 0, fmt.Errorf("storage: sql: database size: %w", err)
	}
	return n, nil
}

func (s *SQL) c() rt.Conn {
	if s == nil {
		return nil
	}
	return s.conn
}

func sqlArg(a any) (any, error) {
	if v, ok := a.(driver.Valuer); ok {
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
			return nil, fmt.Errorf("%w: %d; store it as TEXT or BLOB", abi.ErrUnsafeInteger, v)
		}
		return v, nil
	case int:
		return sqlArg(int64(v))
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
			return nil, fmt.Errorf("%w: %d; store it as TEXT or BLOB", abi.ErrUnsafeInteger, n)
		}
		return n, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := rv.Uint()
		if n > abi.MaxSafeInteger {
			return nil, fmt.Errorf("%w: %d; store it as TEXT or BLOB", abi.ErrUnsafeInteger, n)
		}
		return int64(n), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return sqlArg(rv.Bool())
	}
	return nil, fmt.Errorf("unsupported type %T", a)
}

// Cursor holds the rows of one statement. Use it like sql.Rows: call Next,
// then Scan.
type Cursor struct {
	columns       []string
	rows          [][]any
	next          int
	read, written int64
}

// Columns returns the names of the columns.
func (c *Cursor) Columns() []string { return c.columns }

// RowsRead returns how many rows SQLite read to run the statement, as
// workerd bills them.
func (c *Cursor) RowsRead() int64 { return c.read }

// RowsWritten returns how many rows the statement wrote.
func (c *Cursor) RowsWritten() int64 { return c.written }

// Len returns the number of rows.
func (c *Cursor) Len() int { return len(c.rows) }

// Next advances to the next row and reports whether there is one.
func (c *Cursor) Next() bool {
	if c.next+1 >= len(c.rows) {
		c.next = len(c.rows)
		return false
	}
	c.next++
	return true
}

// Values returns the current row: nil, int64, float64, string or []byte
// per column. As in JavaScript, an integral number is an integer, whatever
// the column's type: a REAL 2.0 comes back as int64(2).
func (c *Cursor) Values() []any {
	if c.next < 0 || c.next >= len(c.rows) {
		return nil
	}
	row := make([]any, len(c.rows[c.next]))
	for i, v := range c.rows[c.next] {
		row[i] = normalize(v)
	}
	return row
}

// Scan copies the columns of the current row into dest, one pointer per
// column, converting as database/sql does: into *int64 and the other
// integer types, *float64, *string, *[]byte, *bool, *time.Time, *any, or
// an sql.Scanner such as *sql.NullString. NULL can only go into a pointer
// to a pointer, *any or a Scanner.
func (c *Cursor) Scan(dest ...any) error {
	row := c.Values()
	if row == nil {
		return errors.New("storage: Scan called without a current row; call Next first")
	}
	if len(dest) != len(row) {
		return fmt.Errorf("storage: Scan: %d destinations for %d columns", len(dest), len(row))
	}
	for i, d := range dest {
		if err := convertAssign(d, row[i]); err != nil {
			return fmt.Errorf("storage: Scan: column %d (%s): %w", i+1, c.columns[i], err)
		}
	}
	return nil
}

// One scans the only row into dest. It returns ErrNoRows or ErrTooManyRows
// if there is not exactly one.
func (c *Cursor) One(dest ...any) error {
	switch len(c.rows) {
	case 0:
		return ErrNoRows
	case 1:
	default:
		return fmt.Errorf("%w: %d rows", ErrTooManyRows, len(c.rows))
	}
	c.next = 0
	return c.Scan(dest...)
}

// normalize maps what crosses from JavaScript to SQLite's Go types: every
// integer to int64, and so every integral number, since JavaScript numbers
// do not tell 2 from 2.0 (workerd returns a REAL 2.0 as 2, and the shim
// writes integers beyond 32 bits as floats).
func normalize(v any) any {
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
		return normalize(float64(n))
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= abi.MaxSafeInteger {
			return int64(n)
		}
	}
	return v
}

func convertAssign(dest, src any) error {
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
		return convertAssign(target.Interface(), src)
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
