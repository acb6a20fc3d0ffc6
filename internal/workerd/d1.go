package workerd

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// D1 databases as local workerd has them (wrangler dev runs each D1
// binding as a SQLite-backed Durable Object of its own): one database per
// binding, shared by the Worker and every object, with the same SQLite
// rules as a Durable Object's storage. Every call is a transaction of
// its statements; the meta comes from total_changes(), last_insert_rowid()
// and the database's size around each statement. The messages are local
// workerd's, measured with wrangler 4.164: "D1_ERROR: " and the storage's
// message, with the storage's message as the cause.

// d1Database is the database of one D1 binding.
type d1Database struct {
	// mu makes each call one transaction: the model's transactions are
	// savepoints on one connection, which must not interleave.
	mu sync.Mutex
	db *DB
	// ran holds the texts of several statements that have run: local D1
	// keeps each prepared, and refuses to run one again.
	ran map[string]bool
}

// D1 returns the SQLite database of the D1 binding, opening an empty one
// on first use. A test may read and write it (Isolate.D1Name names it for
// another connection).
func (iso *Isolate) D1(binding string) (*DB, error) {
	d, err := iso.d1(binding)
	if err != nil {
		return nil, err
	}
	return d.db, nil
}

func (iso *Isolate) d1(binding string) (*d1Database, error) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.closed {
		return nil, errors.New("godurable: the Worker is closed")
	}
	if d := iso.d1s[binding]; d != nil {
		return d, nil
	}
	known := false
	for _, b := range iso.cfg.D1 {
		known = known || b == binding
	}
	if !known {
		return nil, NewJSError("TypeError", "godurable: "+binding+" is not a D1 database binding")
	}
	db, err := OpenDB()
	if err != nil {
		return nil, err
	}
	if iso.d1s == nil {
		iso.d1s = map[string]*d1Database{}
	}
	d := &d1Database{db: db}
	iso.d1s[binding] = d
	return d, nil
}

// d1Error is the Error that D1's binding throws: prefix and message, with
// the message alone as the cause.
func d1Error(prefix, message string) error {
	return &driver.JSError{Err: &abi.Error{Name: "Error", Message: prefix + ": " + message,
		Cause: &abi.Error{Name: "Error", Message: message}}}
}

// query runs the statements of q in one transaction.
func (d *d1Database) query(q *abi.D1Query) ([]abi.D1Result, error) {
	stmts := make([]abi.SQLQuery, 0, len(q.Statements))
	for _, s := range q.Statements {
		if d1Blank(s.Query) {
			continue
		}
		stmts = append(stmts, s)
	}
	if len(stmts) == 0 {
		return nil, d1Error("D1_ERROR", "No SQL statements detected.")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []abi.D1Result
	err := d.db.Transaction(func() error {
		out = make([]abi.D1Result, len(stmts))
		for i, s := range stmts {
			r, err := d.statement(s)
			if err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		var se *SQLError
		if errors.As(err, &se) {
			return nil, d1Error("D1_ERROR", se.Message)
		}
		return nil, err
	}
	return out, nil
}

// exec runs exec(): the lines of query, as statements without
// parameters, in one transaction. Its error names line 1 whatever line
// failed, as local workerd's does.
func (d *d1Database) exec(query string) (*abi.D1ExecResult, error) {
	lines := strings.Split(strings.TrimSpace(query), "\n")
	q := &abi.D1Query{Statements: make([]abi.SQLQuery, len(lines))}
	for i, l := range lines {
		q.Statements[i] = abi.SQLQuery{Query: l}
	}
	res, err := d.query(q)
	if err != nil {
		var je *driver.JSError
		if errors.As(err, &je) && je.Err.Cause != nil {
			return nil, d1Error("D1_EXEC_ERROR", "Error in line 1: "+lines[0]+": "+je.Err.Cause.Message)
		}
		return nil, err
	}
	out := &abi.D1ExecResult{Count: int64(len(res))}
	for _, r := range res {
		out.Duration += r.Meta.Duration
	}
	return out, nil
}

// d1Comment matches the comment lines that D1 drops before it counts the
// statements of a call.
var d1Comment = regexp.MustCompile(`(?m)^\s*--.*`)

func d1Blank(query string) bool {
	return strings.TrimSpace(d1Comment.ReplaceAllString(query, "")) == ""
}

// statement runs one statement and measures its meta.
func (d *d1Database) statement(s abi.SQLQuery) (abi.D1Result, error) {
	sizeBefore, err := d.db.Size()
	if err != nil {
		return abi.D1Result{}, err
	}
	changesBefore, lastBefore := d.db.counters()
	args := make([]any, len(s.Args))
	for i, a := range s.Args {
		args[i] = d1Param(a)
	}
	if d.ran[s.Query] {
		return abi.D1Result{}, sqlErr("A SQL prepared statement can only be executed once at a time.")
	}
	start := time.Now()
	res, err := d.db.Exec(s.Query, args)
	if err != nil {
		return abi.D1Result{}, err
	}
	if d.db.multiStatement(s.Query) {
		if d.ran == nil {
			d.ran = map[string]bool{}
		}
		d.ran[s.Query] = true
	}
	ms := float64(time.Since(start).Microseconds()) / 1000
	sizeAfter, err := d.db.Size()
	if err != nil {
		return abi.D1Result{}, err
	}
	changesAfter, lastID := d.db.counters()
	for _, row := range res.Rows {
		for i, v := range row {
			if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
				row[i] = nil // D1's rows cross as JSON
			}
		}
	}
	changes := changesAfter - changesBefore
	return abi.D1Result{Columns: res.Columns, Rows: res.Rows, Meta: &abi.D1Meta{
		ServedBy:        "miniflare.db",
		ServedByPrimary: true,
		Duration:        ms,
		Changes:         changes,
		LastRowID:       lastID,
		ChangedDB:       changes != 0 || lastID != lastBefore || sizeAfter != sizeBefore,
		SizeAfter:       sizeAfter,
		RowsRead:        res.RowsRead,
		RowsWritten:     res.RowsWritten,
	}}, nil
}

// multiStatement reports whether query, which SQLite ran, holds more
// than one statement.
func (db *DB) multiStatement(query string) bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.conn == nil {
		return false
	}
	stmt, tail, err := db.conn.Prepare(query)
	if err != nil || stmt == nil {
		return false
	}
	stmt.Close()
	return strings.TrimLeft(tail, " \t\n\r\v\f") != ""
}

// d1Param is what a bound value becomes on its way to D1's database: a
// number is bound as a double, and a number JSON cannot carry as null.
func d1Param(a any) any {
	switch v := a.(type) {
	case int64:
		return float64(v)
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil
		}
	case bool:
		if v {
			return float64(1)
		}
		return float64(0)
	}
	return a
}

// counters returns SQLite's total_changes() and last_insert_rowid().
func (db *DB) counters() (total, lastID int64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.conn == nil {
		return 0, 0
	}
	return db.conn.TotalChanges(), db.conn.LastInsertRowID()
}

func d1Request[T any](req []byte) (*T, error) {
	var v T
	if err := decodeRequest(req, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// d1QueryOp is the model's d1.query.
func d1QueryOp(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
	q, err := d1Request[abi.D1Query](req)
	if err != nil {
		return nil, err
	}
	d, err := iso.d1(q.Binding)
	if err != nil {
		return nil, err
	}
	if !q.Batch && len(q.Statements) != 1 {
		return nil, fmt.Errorf("godurable: d1.query of %d statements without batch", len(q.Statements))
	}
	res, err := d.query(q)
	if err != nil {
		return nil, err
	}
	return encodeD1Results(q, res)
}

// d1ExecOp is the model's d1.exec.
func d1ExecOp(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
	q, err := d1Request[abi.D1Exec](req)
	if err != nil {
		return nil, err
	}
	d, err := iso.d1(q.Binding)
	if err != nil {
		return nil, err
	}
	res, err := d.exec(q.Query)
	if err != nil {
		return nil, err
	}
	o := newJSObject()
	o.set("count", float64(res.Count))
	o.set("duration", res.Duration)
	return jsEncode(o)
}

// encodeD1Results encodes results as the shim does for the mode: raw()
// has no meta, run() no rows, and all() (and batch) name as columns the
// keys of the first row, which JavaScript has merged where names repeat.
func encodeD1Results(q *abi.D1Query, res []abi.D1Result) ([]byte, error) {
	out := make([]any, len(res))
	for i, r := range res {
		mode := q.Mode
		if q.Batch {
			mode = abi.D1All
		}
		cols, rows := r.Columns, r.Rows
		switch mode {
		case abi.D1Run:
			cols, rows = nil, nil
		case abi.D1Raw:
		default:
			cols, rows = objectRows(cols, rows)
		}
		o := newJSObject()
		o.set("columns", stringsToJS(cols))
		jsRows := make([]any, len(rows))
		for j, row := range rows {
			jsRows[j] = row
		}
		o.set("rows", jsRows)
		if mode == abi.D1Raw {
			o.set("meta", nil)
		} else {
			o.set("meta", d1MetaToJS(r.Meta))
		}
		out[i] = o
	}
	return jsEncode(out)
}

// objectRows reproduces what becomes of rows that cross as JavaScript
// objects: a repeated column keeps its last value, in its first place,
// and index-like names come first, in numeric order.
func objectRows(cols []string, rows [][]any) ([]string, [][]any) {
	if len(rows) == 0 {
		return []string{}, rows
	}
	first := newJSObject()
	for _, c := range cols {
		first.set(c, nil)
	}
	keys := first.orderedKeys()
	if len(keys) == len(cols) && strings.Join(keys, "\x00") == strings.Join(cols, "\x00") {
		return cols, rows
	}
	out := make([][]any, len(rows))
	for i, row := range rows {
		byName := map[string]any{}
		for j, c := range cols {
			byName[c] = row[j]
		}
		r := make([]any, len(keys))
		for j, k := range keys {
			r[j] = byName[k]
		}
		out[i] = r
	}
	return keys, out
}

func stringsToJS(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func d1MetaToJS(m *abi.D1Meta) any {
	o := newJSObject()
	o.set("served_by", m.ServedBy)
	o.set("served_by_primary", m.ServedByPrimary)
	o.set("total_attempts", float64(1))
	t := newJSObject()
	t.set("sql_duration_ms", m.Duration)
	o.set("timings", t)
	o.set("duration", m.Duration)
	o.set("changes", float64(m.Changes))
	o.set("last_row_id", float64(m.LastRowID))
	o.set("changed_db", m.ChangedDB)
	o.set("size_after", float64(m.SizeAfter))
	o.set("rows_read", float64(m.RowsRead))
	o.set("rows_written", float64(m.RowsWritten))
	return o
}

// The operations on D1 databases, as the shim's features/d1.js.
func init() {
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		abi.AsyncD1Query: d1QueryOp,
		abi.AsyncD1Exec:  d1ExecOp,
	})
}
