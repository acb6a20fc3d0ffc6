package d1

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/sqlvalue"
	"github.com/godurable/godurable/worker"
)

// BindingKind is what workerd's environment calls a D1 binding, as
// worker.Env.BindingKind reports it.
const BindingKind = "D1Database"

// ErrNotD1 is matched by the error of FromEnv and Open for a name that is
// not a D1 binding of the Worker (which matches worker.ErrNoBinding too).
var ErrNotD1 = errors.New("d1: not a D1 database binding")

// ErrBindingCount is matched by the error of a statement run with more or
// fewer arguments than it has parameters (D1's "Wrong number of parameter
// bindings for SQL query.").
var ErrBindingCount = errors.New("d1: wrong number of parameter bindings")

// ErrNoTransaction is matched by the error of BEGIN, COMMIT, SAVEPOINT and
// the like, and of BeginTx through database/sql: D1 has no interactive
// transactions. Batch is D1's atomic unit.
var ErrNoTransaction = errors.New("d1: D1 has no interactive transactions; run the statements together with Batch, which is atomic")

// ErrNoRows is returned by First when the statement returned no rows. It
// is sql.ErrNoRows, so that either matches.
var ErrNoRows = sql.ErrNoRows

// Database is a D1 database binding (env.DB in JavaScript). It is a name:
// cheap to make, safe for concurrent use.
type Database struct {
	binding string
}

// FromEnv returns the D1 database bound as binding ([[d1_databases]] in
// wrangler.toml). It fails with ErrNotD1 if env has no such D1 binding.
func FromEnv(env *worker.Env, binding string) (*Database, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: no environment (worker.GetEnv)", ErrNotD1)
	}
	if err := env.Binding(binding, "[[d1_databases]]", BindingKind); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotD1, err)
	}
	return &Database{binding: binding}, nil
}

// Binding returns the name of the binding.
func (db *Database) Binding() string { return db.binding }

// Prepare returns a statement of query, with no arguments bound. Nothing
// is checked until it runs.
func (db *Database) Prepare(query string) *Statement {
	return &Statement{db: db, query: query}
}

// Statement is a prepared statement and its arguments (JavaScript's
// D1PreparedStatement). It is immutable: Bind returns a new one, so one
// Statement may run many times, concurrently too.
type Statement struct {
	db    *Database
	query string
	args  []any
	err   error // of an argument
}

// Bind returns a copy of s with args bound to its parameters by position
// (? and ?NNN). An argument of a type the package documentation does not
// list (see Values), or an integer beyond ±(2^53−1), makes the statement
// fail when it runs, before anything is sent to D1.
func (s *Statement) Bind(args ...any) *Statement {
	out := &Statement{db: s.db, query: s.query, args: make([]any, len(args))}
	for i, a := range args {
		v, err := sqlvalue.Arg(a)
		if err != nil {
			out.err = fmt.Errorf("d1: argument %d: %w", i+1, err)
			break
		}
		out.args[i] = v
	}
	return out
}

// Query returns the statement's SQL.
func (s *Statement) Query() string { return s.query }

// All runs the statement and returns its rows and meta (D1's all()). The
// rows are those JavaScript gets as objects: their columns are the keys
// of the first row, and a repeated column name keeps only its last value.
// Use Raw for every column of a join.
func (s *Statement) All(ctx context.Context) (*Result, error) {
	res, err := s.db.run(ctx, abi.D1All, false, s)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// Raw runs the statement and returns its rows with every column as SQLite
// names it, duplicates included (D1's raw({columnNames: true})); D1 gives
// no meta with them.
func (s *Statement) Raw(ctx context.Context) (*Rows, error) {
	res, err := s.db.run(ctx, abi.D1Raw, false, s)
	if err != nil {
		return nil, err
	}
	return res[0].Rows, nil
}

// Run runs the statement for its effect and returns its meta (D1's
// run()): Changes and LastRowID for an INSERT, UPDATE or DELETE.
func (s *Statement) Run(ctx context.Context) (Meta, error) {
	res, err := s.db.run(ctx, abi.D1Run, false, s)
	if err != nil {
		return Meta{}, err
	}
	return res[0].Meta, nil
}

// First runs the statement and scans its first row into dest, as Scan
// does (D1's first()). It returns ErrNoRows if there is none.
func (s *Statement) First(ctx context.Context, dest ...any) error {
	rows, err := s.Raw(ctx)
	if err != nil {
		return err
	}
	if !rows.Next() {
		return ErrNoRows
	}
	return rows.Scan(dest...)
}

// Batch runs the statements in order as one transaction (D1's batch()):
// if one fails, none of them has any effect, and the error is the failing
// statement's. It returns a result per statement, as All gives it.
func (db *Database) Batch(ctx context.Context, stmts ...*Statement) ([]*Result, error) {
	return db.run(ctx, abi.D1All, true, stmts...)
}

// Exec runs the statements of query, one per line and without arguments,
// as one transaction (D1's exec(), meant for migrations and
// maintenance). It returns how many statements ran. A failing
// statement's error says "Error in line 1" and quotes the first line,
// whichever line failed, as D1 reports it.
func (db *Database) Exec(ctx context.Context, query string) (ExecResult, error) {
	res, err := rt.AwaitOp(ctx, abi.OpD1Exec, &abi.D1Exec{Binding: db.binding, Query: query})
	if err != nil {
		return ExecResult{}, db.error("exec", err)
	}
	return ExecResult{Count: int(res.Count), Duration: msDuration(res.Duration)}, nil
}

// ExecResult is what Exec returns.
type ExecResult struct {
	// Count is the number of statements that ran.
	Count int
	// Duration is how long D1 took to run them.
	Duration time.Duration
}

func (db *Database) run(ctx context.Context, mode string, batch bool, stmts ...*Statement) ([]*Result, error) {
	q := abi.D1Query{Binding: db.binding, Mode: mode, Batch: batch, Statements: make([]abi.SQLQuery, len(stmts))}
	what := "query"
	if batch {
		what = "batch"
	}
	for i, s := range stmts {
		if s == nil {
			return nil, fmt.Errorf("d1: %s: %s: statement %d is nil", db.binding, what, i+1)
		}
		if s.db == nil || s.db.binding != db.binding {
			return nil, fmt.Errorf("d1: %s: %s: statement %d was prepared on another database", db.binding, what, i+1)
		}
		if s.err != nil {
			return nil, s.err
		}
		q.Statements[i] = abi.SQLQuery{Query: s.query, Args: s.args}
	}
	res, err := rt.AwaitOp(ctx, abi.OpD1Query, &q)
	if err != nil {
		return nil, db.error(what, err)
	}
	if len(res) != len(stmts) {
		return nil, fmt.Errorf("d1: %s: %s: %d results for %d statements", db.binding, what, len(res), len(stmts))
	}
	results := make([]*Result, len(res))
	for i, r := range res {
		results[i] = &Result{Rows: &Rows{rows: sqlvalue.Rows{Columns: r.Columns, Data: r.Rows}}}
		if r.Meta != nil {
			results[i].Meta = metaFromABI(r.Meta)
		}
	}
	return results, nil
}

// Result is a statement's rows and meta.
type Result struct {
	*Rows
	Meta Meta
}

// Meta is what D1 reports about a statement (D1Result.meta).
type Meta struct {
	// Changes is the number of rows the statement inserted, updated or
	// deleted (SQLite's changes()).
	Changes int64
	// LastRowID is the rowid of the last row inserted into the database
	// (SQLite's last_insert_rowid()), by this statement or an earlier one.
	LastRowID int64
	// RowsRead and RowsWritten are the rows D1 read and wrote to run it,
	// indexes included, as it bills them.
	RowsRead, RowsWritten int64
	// ChangedDB reports whether the statement changed the database.
	ChangedDB bool
	// SizeAfter is the database's size in bytes after the statement.
	SizeAfter int64
	// Duration is how long D1 took to run it.
	Duration time.Duration
	// ServedBy names the database instance that ran it ("miniflare.db"
	// locally), ServedByPrimary whether it was the primary.
	ServedBy        string
	ServedByPrimary bool
}

func metaFromABI(m *abi.D1Meta) Meta {
	return Meta{
		Changes: m.Changes, LastRowID: m.LastRowID,
		RowsRead: m.RowsRead, RowsWritten: m.RowsWritten,
		ChangedDB: m.ChangedDB, SizeAfter: m.SizeAfter,
		Duration: msDuration(m.Duration),
		ServedBy: m.ServedBy, ServedByPrimary: m.ServedByPrimary,
	}
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// Rows holds the rows of a statement, all in memory. Use it like sql.Rows:
// call Next, then Scan.
type Rows struct {
	rows sqlvalue.Rows
}

// Columns returns the names of the columns.
func (r *Rows) Columns() []string { return r.rows.Columns }

// Len returns the number of rows.
func (r *Rows) Len() int { return len(r.rows.Data) }

// Next advances to the next row and reports whether there is one.
func (r *Rows) Next() bool { return r.rows.Next() }

// Values returns the current row: nil, int64, float64, string or []byte
// per column. As in JavaScript, an integral number is an integer, whatever
// the column's type.
func (r *Rows) Values() []any { return r.rows.Values() }

// Scan copies the columns of the current row into dest, one pointer per
// column, converting as database/sql does: into *int64 and the other
// integer types, *float64, *string, *[]byte, *bool, *time.Time (from RFC
// 3339 text), *any, or an sql.Scanner such as *sql.NullString. NULL can
// only go into a pointer to a pointer, *any or a Scanner.
func (r *Rows) Scan(dest ...any) error {
	if err := r.rows.Scan(dest...); err != nil {
		return fmt.Errorf("d1: Scan: %w", err)
	}
	return nil
}

// d1's messages that the sentinels match.
const (
	bindingCountMessage = "Wrong number of parameter bindings for SQL query."
	transactionMessage  = "To execute a transaction, please use the state.storage.transaction()"
)

// Error is the error of a D1 call: what failed, and the *worker.Error that
// D1 threw, with its name and message.
type Error struct {
	// Binding is the database's binding; Op is "query", "batch" or "exec".
	Binding, Op string
	// Err is D1's error, a *worker.Error for an error D1 threw.
	Err error
}

// Error returns "d1: ", the binding, the call and D1's message.
func (e *Error) Error() string { return "d1: " + e.Binding + ": " + e.Op + ": " + e.Err.Error() }

// Unwrap returns D1's error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches ErrBindingCount and ErrNoTransaction for D1's errors of
// those kinds.
func (e *Error) Is(target error) bool {
	msg := e.Err.Error()
	switch target {
	case ErrBindingCount:
		return strings.Contains(msg, bindingCountMessage)
	case ErrNoTransaction:
		return strings.Contains(msg, transactionMessage)
	}
	return false
}

func (db *Database) error(op string, err error) error {
	return &Error{Binding: db.binding, Op: op, Err: err}
}
