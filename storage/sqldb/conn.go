package sqldb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/sqlvalue"
	"github.com/godurable/godurable/storage"
)

// conn is a driver.Conn. Connections hold no state of their own: they all
// run their statements on the same storage, inside whatever transaction
// of it is running. database/sql gives a *sql.Tx a connection of its own
// until it ends, so only Transaction's statements go through the
// connection of its driver.Tx.
type conn struct {
	k *connector
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.Result             = (*result)(nil)
)

// Prepare returns a statement; nothing is checked until it runs.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return &sqlvalue.Stmt{Conn: c, SQL: query}, nil
}

// PrepareContext is Prepare.
func (c *conn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	return c.Prepare(query)
}

// Close does nothing: the storage stays.
func (c *conn) Close() error { return nil }

// Begin is BeginTx without options.
func (c *conn) Begin() (driver.Tx, error) { return c.BeginTx(context.Background(), driver.TxOptions{}) }

// BeginTx refuses, except for the Transaction that ctx belongs to.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	m, _ := ctx.Value(txKey{}).(*txMarker)
	if m == nil || m.k != c.k || !m.begun.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("sqldb: BeginTx: %w", ErrNoBegin)
	}
	return &txn{m: m}, nil
}

// ExecContext runs a statement and discards its rows.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cur, err := c.exec(ctx, query, args)
	if err != nil {
		return nil, err
	}
	r := &result{k: c.k, written: cur.RowsWritten()}
	r.epoch, r.known = rt.StorageEpoch(c.k.conn)
	return r, nil
}

// QueryContext runs a statement and returns its rows.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cur, err := c.exec(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return &sqlvalue.DriverRows{Src: cur}, nil
}

func (c *conn) exec(ctx context.Context, query string, args []driver.NamedValue) (*storage.Cursor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	cur, err := c.k.st.SQL.Exec(query, vals...)
	if err != nil {
		return nil, statementError(err)
	}
	return cur, nil
}

// CheckNamedValue lets every argument through that storage.SQL.Exec
// takes as it is (it checks integers against JavaScript's safe range, so
// that a large one fails with that error), and converts the others as
// database/sql would: driver.Valuer implementations, pointers, named
// types. sql.Named arguments are refused.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if nv.Name != "" {
		return fmt.Errorf("%w (got %q)", ErrNamedArg, nv.Name)
	}
	return sqlvalue.CheckDriverValue(nv)
}

// result is a driver.Result. RowsAffected and LastInsertId read SQLite's
// changes() and last_insert_rowid() on their first use, if nothing has
// used the storage since the statement (its epoch).
type result struct {
	k       *connector
	written int64
	epoch   uint64
	known   bool // epoch is known

	fetched         bool
	changes, lastID int64
	err             error
}

// RowsAffected returns SQLite's changes(), or 0 if the statement wrote
// nothing.
func (r *result) RowsAffected() (int64, error) {
	if r.written == 0 {
		return 0, nil
	}
	if err := r.fetch(); err != nil {
		return 0, err
	}
	return r.changes, nil
}

// LastInsertId returns SQLite's last_insert_rowid().
func (r *result) LastInsertId() (int64, error) {
	if err := r.fetch(); err != nil {
		return 0, err
	}
	return r.lastID, nil
}

func (r *result) fetch() error {
	if r.fetched {
		return r.err
	}
	r.fetched = true
	if now, ok := rt.StorageEpoch(r.k.conn); !ok || !r.known || now != r.epoch {
		r.err = ErrResultGone
		return r.err
	}
	cur, err := r.k.st.SQL.Exec(`SELECT changes(), last_insert_rowid()`)
	if err == nil {
		err = cur.One(&r.changes, &r.lastID)
	}
	if err != nil {
		r.err = fmt.Errorf("sqldb: reading changes() and last_insert_rowid(): %w", err)
	}
	return r.err
}

// txn is the driver.Tx of a Transaction: the storage transaction around
// it commits or rolls back.
type txn struct {
	m *txMarker
}

// Commit ends the *sql.Tx; the writes commit when the Transaction's
// function returns nil.
func (t *txn) Commit() error { return nil }

// Rollback ends the *sql.Tx and has the Transaction roll back when its
// function returns.
func (t *txn) Rollback() error {
	t.m.rolledBack.Store(true)
	return nil
}

// txKey is the context key of the txMarker that Transaction passes to
// db.BeginTx.
type txKey struct{}

// txMarker lets one BeginTx through: the one of the Transaction that made
// it, for its connector.
type txMarker struct {
	k          *connector
	begun      atomic.Bool
	rolledBack atomic.Bool
}

// storagePrefix starts the errors of storage.SQL.Exec.
const storagePrefix = "storage: sql: "

// workerdTxnMessage starts workerd's error for BEGIN, COMMIT, ROLLBACK and
// SAVEPOINT statements.
const workerdTxnMessage = "To execute a transaction, please use the state.storage.transaction()"

// stmtError is the error of a statement: SQLite's (or workerd's)
// message, and the storage package's error beneath.
type stmtError struct {
	err   error
	begin bool // workerd refused a transaction statement
}

func statementError(err error) error {
	return &stmtError{err: err, begin: strings.Contains(err.Error(), workerdTxnMessage)}
}

func (e *stmtError) Error() string {
	msg := "sqldb: " + strings.TrimPrefix(e.err.Error(), storagePrefix)
	if e.begin {
		msg += " In Go, use sqldb.Transaction."
	}
	return msg
}

func (e *stmtError) Unwrap() error { return e.err }

// Is matches ErrNoBegin for workerd's refusal of a transaction statement.
func (e *stmtError) Is(target error) bool { return e.begin && target == ErrNoBegin }
