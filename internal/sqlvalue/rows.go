package sqlvalue

import (
	"errors"
	"fmt"
)

// Rows iterates over rows that crossed the boundary, as storage.Cursor and
// d1.Rows present them: Next, then Values or Scan.
type Rows struct {
	Columns []string
	Data    [][]any
	pos     int // 1 + the index of the current row; 0 before the first
}

// Next advances to the next row and reports whether there is one.
func (r *Rows) Next() bool {
	if r.pos >= len(r.Data) {
		r.pos = len(r.Data) + 1
		return false
	}
	r.pos++
	return true
}

// Rewind goes back to before the first row.
func (r *Rows) Rewind() { r.pos = 0 }

// Values returns the current row, normalized, or nil without one.
func (r *Rows) Values() []any {
	if r.pos < 1 || r.pos > len(r.Data) {
		return nil
	}
	row := make([]any, len(r.Data[r.pos-1]))
	for i, v := range r.Data[r.pos-1] {
		row[i] = Normalize(v)
	}
	return row
}

// ErrNoCurrentRow is returned by Scan before Next or after the last row.
var ErrNoCurrentRow = errors.New("Scan called without a current row; call Next first")

// Scan copies the columns of the current row into dest with
// ConvertAssign, one destination per column.
func (r *Rows) Scan(dest ...any) error {
	row := r.Values()
	if row == nil {
		return ErrNoCurrentRow
	}
	if len(dest) != len(row) {
		return fmt.Errorf("%d destinations for %d columns", len(dest), len(row))
	}
	for i, d := range dest {
		if err := ConvertAssign(d, row[i]); err != nil {
			return fmt.Errorf("column %d (%s): %w", i+1, r.Columns[i], err)
		}
	}
	return nil
}
