package d1

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/godurable/godurable/internal/sqlvalue"
	"github.com/godurable/godurable/worker"
)

var (
	openedMu sync.Mutex
	opened   = map[string]*sql.DB{} // by binding
)

// Open returns a *sql.DB on the D1 database bound as binding, for
// database/sql code and the code sqlc generates for SQLite. Every Open of
// one binding returns the same *sql.DB: call it where convenient (in each
// request costs a map lookup), and leave it open.
//
// Each statement is a call to D1 of its own: QueryContext runs it with
// raw(), which gives every column as SQLite names it (a join's repeated
// names included), and ExecContext with run(), whose meta gives
// RowsAffected (meta.changes) and LastInsertId (meta.last_row_id), exact
// and at any time. Arguments are bound by position (? or
// ?NNN; sql.Named is refused). Use the context variants (QueryContext,
// ExecContext, QueryRowContext) with the event's context: D1 calls wait,
// and a context from no event fails. BeginTx fails with ErrNoTransaction:
// use Batch (from FromEnv's Database) for statements that must commit
// together. A time.Time argument is stored as RFC 3339 text and scans back
// into a time.Time.
func Open(env *worker.Env, binding string) (*sql.DB, error) {
	d, err := FromEnv(env, binding)
	if err != nil {
		return nil, err
	}
	openedMu.Lock()
	defer openedMu.Unlock()
	if db := opened[binding]; db != nil {
		return db, nil
	}
	db := sql.OpenDB(&connector{db: d})
	opened[binding] = db
	return db, nil
}

// NewConnector returns a driver.Connector on db, for code that makes its
// own *sql.DB with sql.OpenDB (and then owns it: a *sql.DB keeps a
// goroutine until it is closed). Most code should use Open.
func NewConnector(db *Database) driver.Connector { return &connector{db: db} }

// FromSQL returns the Database under db, a *sql.DB from Open or
// NewConnector, for what database/sql has no form for: a Batch of
// statements that commit together, say, with the SQL of sqlc's queries.
func FromSQL(db *sql.DB) (*Database, error) {
	if db != nil {
		if k, ok := db.Driver().(*connector); ok {
			return k.db, nil
		}
	}
	return nil, fmt.Errorf("%w: the *sql.DB is not d1's (open it with d1.Open)", ErrNotD1)
}

// connector is the driver.Connector, and driver.Driver, of one database.
type connector struct{ db *Database }

// Connect returns a connection; connections hold nothing.
func (k *connector) Connect(context.Context) (driver.Conn, error) { return &conn{db: k.db}, nil }

// Driver returns k itself.
func (k *connector) Driver() driver.Driver { return k }

// Open refuses: a D1 database is reached through its binding.
func (k *connector) Open(string) (driver.Conn, error) {
	return nil, errors.New("d1: a D1 database has no data source name: use d1.Open(env, binding)")
}

// conn is a driver.Conn: every connection runs statements on the same
// binding, each statement in a call to D1 of its own.
type conn struct{ db *Database }

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
)

// Prepare returns a statement; nothing is checked until it runs.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return &sqlvalue.Stmt{Conn: c, SQL: query}, nil
}

// PrepareContext is Prepare.
func (c *conn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	return c.Prepare(query)
}

// Close does nothing.
func (c *conn) Close() error { return nil }

// Begin refuses: D1 has no interactive transactions.
func (c *conn) Begin() (driver.Tx, error) { return c.BeginTx(context.Background(), driver.TxOptions{}) }

// BeginTx refuses: D1 has no interactive transactions.
func (c *conn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	return nil, ErrNoTransaction
}

// ExecContext runs a statement with run() and returns its meta.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	m, err := c.statement(query, args).Run(ctx)
	if err != nil {
		return nil, err
	}
	return result(m), nil
}

// QueryContext runs a statement with raw() and returns its rows.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.statement(query, args).Raw(ctx)
	if err != nil {
		return nil, err
	}
	return &sqlvalue.DriverRows{Src: r}, nil
}

func (c *conn) statement(query string, args []driver.NamedValue) *Statement {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	return c.db.Prepare(query).Bind(vals...)
}

// ErrNamedArg is matched by the error of a statement given a sql.Named
// argument: D1 binds arguments by position.
var ErrNamedArg = errors.New("d1: named arguments are not supported (D1 binds arguments by position): pass the arguments in order")

// CheckNamedValue refuses sql.Named arguments and converts the others as
// sqlvalue does for every driver of godurable.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if nv.Name != "" {
		return fmt.Errorf("%w (got %q)", ErrNamedArg, nv.Name)
	}
	return sqlvalue.CheckDriverValue(nv)
}

// result is a statement's meta as a driver.Result.
type result Meta

// RowsAffected returns meta.changes.
func (r result) RowsAffected() (int64, error) { return r.Changes, nil }

// LastInsertId returns meta.last_row_id.
func (r result) LastInsertId() (int64, error) { return r.LastRowID, nil }
