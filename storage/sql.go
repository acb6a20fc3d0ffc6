package storage

import (
	"errors"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/sqlvalue"
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
	bound := make([]any, len(args))
	for i, a := range args {
		v, err := sqlvalue.Arg(a)
		if err != nil {
			return nil, fmt.Errorf("storage: sql: argument %d: %w", i+1, err)
		}
		bound[i] = v
	}
	req, err := abi.AppendSQLExecRequest(nil, query, bound)
	if err != nil {
		return nil, fmt.Errorf("storage: sql: %w", err)
	}
	out, err := rt.Do(conn(s.c()), abi.OpSQLExec, &req)
	if err != nil {
		return nil, fmt.Errorf("storage: sql: %w", err)
	}
	res, err := out.Parse()
	if err != nil {
		return nil, fmt.Errorf("storage: sql: godurable: host sent a malformed result: %w", err)
	}
	return &Cursor{rows: sqlvalue.Rows{Columns: res.Columns, Data: res.Rows}, read: res.RowsRead, written: res.RowsWritten}, nil
}

// DatabaseSize returns the size of the object's database in bytes.
func (s *SQL) DatabaseSize() (int64, error) {
	n, err := rt.Do(conn(s.c()), abi.OpSQLDatabaseSize, nil)
	if err != nil {
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

// Cursor holds the rows of one statement. Use it like sql.Rows: call Next,
// then Scan.
type Cursor struct {
	rows          sqlvalue.Rows
	read, written int64
}

// Columns returns the names of the columns.
func (c *Cursor) Columns() []string { return c.rows.Columns }

// RowsRead returns how many rows SQLite read to run the statement, as
// workerd bills them.
func (c *Cursor) RowsRead() int64 { return c.read }

// RowsWritten returns how many rows the statement wrote.
func (c *Cursor) RowsWritten() int64 { return c.written }

// Len returns the number of rows.
func (c *Cursor) Len() int { return len(c.rows.Data) }

// Next advances to the next row and reports whether there is one.
func (c *Cursor) Next() bool { return c.rows.Next() }

// Values returns the current row: nil, int64, float64, string or []byte
// per column. As in JavaScript, an integral number is an integer, whatever
// the column's type: a REAL 2.0 comes back as int64(2).
func (c *Cursor) Values() []any { return c.rows.Values() }

// Scan copies the columns of the current row into dest, one pointer per
// column, converting as database/sql does: into *int64 and the other
// integer types, *float64, *string, *[]byte, *bool, *time.Time, *any, or
// an sql.Scanner such as *sql.NullString. NULL can only go into a pointer
// to a pointer, *any or a Scanner.
func (c *Cursor) Scan(dest ...any) error {
	if err := c.rows.Scan(dest...); err != nil {
		return fmt.Errorf("storage: Scan: %w", err)
	}
	return nil
}

// One scans the only row into dest. It returns ErrNoRows or ErrTooManyRows
// if there is not exactly one.
func (c *Cursor) One(dest ...any) error {
	switch len(c.rows.Data) {
	case 0:
		return ErrNoRows
	case 1:
	default:
		return fmt.Errorf("%w: %d rows", ErrTooManyRows, len(c.rows.Data))
	}
	c.rows.Rewind()
	c.rows.Next()
	return c.Scan(dest...)
}
