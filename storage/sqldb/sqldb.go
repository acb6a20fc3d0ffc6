package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/storage/internal/storageconn"
)

// ErrNoBegin is matched by the error of db.BeginTx, and of a BEGIN,
// COMMIT, ROLLBACK, SAVEPOINT or RELEASE statement: a Durable Object's
// transactions are functions, run with Transaction.
var ErrNoBegin = errors.New("sqldb: a Durable Object's SQL has no BEGIN or COMMIT (workerd runs transactions as callbacks, with transactionSync): " +
	"run the transaction with sqldb.Transaction(ctx, db, func(tx *sql.Tx) error { ... })")

// ErrNamedArg is matched by the error of a statement given a sql.Named
// argument: workerd binds arguments by position only.
var ErrNamedArg = errors.New("sqldb: named arguments are not supported (workerd binds arguments by position): pass the arguments in order")

// ErrResultGone is returned by RowsAffected and LastInsertId when other
// storage operations have run since the statement: SQLite's changes() and
// last_insert_rowid() now describe those instead.
var ErrResultGone = errors.New("sqldb: RowsAffected and LastInsertId read SQLite's changes() and last_insert_rowid(), " +
	"and other storage operations have run since the statement: call them right after Exec, or use INSERT ... RETURNING")

var (
	opened   sync.Mutex
	openedDB = map[uint32]*sql.DB{} // by object handle
)

// Open returns a *sql.DB on the object's storage s, the Storage of its
// State. Call it in the object's constructor and keep the *sql.DB in the
// object:
//
//	func newRoom(state *durableobject.State, env *worker.Env) (*Room, error) {
//		db := sqldb.Open(&state.Storage)
//		if _, err := db.Exec(schema); err != nil {
//			return nil, err
//		}
//		return &Room{db: db, q: New(db)}, nil
//	}
//
// It is cheap: every Open of one object's storage returns the same
// *sql.DB, made on the first (a few kilobytes, and the goroutine that
// database/sql starts for each *sql.DB), and closed when the runtime drops
// the object, so an object rebuilt after an eviction gets a new one, and
// an Open in every event costs a map lookup. Its connections cost nothing
// either (each is the same storage), so leave the pool's limits alone:
// with db.SetMaxOpenConns, an event that needs a connection while another
// event holds the last one across a wait (an open *sql.Rows, say) waits
// for it (giving the other its turn back), and Transaction, whose function
// must not wait, refuses a limited pool.
//
// Closing the *sql.DB is not needed; after Close, the next Open returns a
// new one. A Storage that belongs to no object (the zero Storage, or that
// of a State made by hand) gives a *sql.DB whose statements fail; the
// dotest harness's Object.Storage works, for a test to read the object's
// database through database/sql.
func Open(s *storage.Storage) *sql.DB {
	c := storageconn.Of(s)
	h, ok := rt.ObjectHandle(c)
	if !ok { // the dotest harness's storage, or none
		return sql.OpenDB(newConnector(s))
	}
	opened.Lock()
	defer opened.Unlock()
	if db := openedDB[h]; db != nil {
		return db
	}
	k := newConnector(s)
	db := sql.OpenDB(k)
	if rt.OnDrop(c, func() { db.Close() }) {
		k.handle, k.db = h, db
		openedDB[h] = db
	}
	return db
}

// NewConnector returns a driver.Connector on the object's storage s, for
// code that makes its own *sql.DB with sql.OpenDB (and then owns it: a
// *sql.DB keeps a goroutine until it is closed). Objects should use Open.
func NewConnector(s *storage.Storage) driver.Connector { return newConnector(s) }

func newConnector(s *storage.Storage) *connector {
	if s == nil {
		s = &storage.Storage{}
	}
	return &connector{st: s, conn: storageconn.Of(s)}
}

// connector is the driver.Connector, and driver.Driver, of one object's
// storage.
type connector struct {
	st     *storage.Storage
	conn   rt.Conn // nil for a Storage of no object
	handle uint32  // the object's, when db is Open's for it
	db     *sql.DB
}

// Connect returns a connection. Every connection is the same storage.
func (k *connector) Connect(context.Context) (driver.Conn, error) { return &conn{k: k}, nil }

// Driver returns k itself.
func (k *connector) Driver() driver.Driver { return k }

// Open refuses: a Durable Object's storage has no data source name.
func (k *connector) Open(name string) (driver.Conn, error) {
	return nil, errors.New("sqldb: a Durable Object's storage has no data source name: use sqldb.Open(&state.Storage)")
}

// Close is called by the *sql.DB's Close: Open forgets the DB.
func (k *connector) Close() error {
	if k.db != nil {
		opened.Lock()
		if openedDB[k.handle] == k.db {
			delete(openedDB, k.handle)
		}
		opened.Unlock()
	}
	return nil
}

// Transaction runs fn inside a transaction of db's storage, which must
// come from Open or NewConnector: workerd's transactionSync, as
// storage.Transaction runs it. fn gets a *sql.Tx for its statements (pass
// it to sqlc's WithTx); the writes fn makes, through tx and through any
// other storage call, commit together when it returns nil, and roll back
// together when it returns an error or panics. Transaction returns fn's
// error as it is, or re-panics with its value. tx.Rollback in fn rolls
// everything back when fn returns, even if fn returns nil; tx.Commit in
// fn only ends tx, and the writes still commit when fn returns nil, and
// only then. A Transaction inside fn nests: its rollback undoes only its
// own writes.
//
// fn runs synchronously, as for storage.Transaction: statements are fine,
// an operation that waits on I/O returns storage.ErrTransactionWait, and
// blocking on something only another event could provide crashes the Go
// instance. So the pool must not be limited (db.SetMaxOpenConns), or a
// statement in fn could wait for a connection that nobody can return;
// Transaction refuses a limited pool.
func Transaction(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	if db == nil || fn == nil {
		return errors.New("sqldb: Transaction: nil *sql.DB or function")
	}
	k, ok := db.Driver().(*connector)
	if !ok {
		return fmt.Errorf("sqldb: Transaction: the *sql.DB's driver is %T, not sqldb's: open it with sqldb.Open", db.Driver())
	}
	if n := db.Stats().MaxOpenConnections; n > 0 {
		return fmt.Errorf("sqldb: Transaction: the pool is limited to %d connections (SetMaxOpenConns): "+
			"a statement waiting for a connection inside the transaction would stop the object; leave the limit at 0", n)
	}
	m := &txMarker{k: k}
	tctx, cancel := context.WithCancel(context.WithValue(ctx, txKey{}, m))
	defer cancel()
	var fnErr error
	err := k.st.Transaction(func() error {
		tx, err := db.BeginTx(tctx, nil)
		if err != nil {
			return err
		}
		ended := false
		defer func() {
			if !ended { // fn panicked
				tx.Rollback()
			}
		}()
		fnErr = fn(tx)
		ended = true
		if fnErr != nil {
			tx.Rollback()
			return fnErr
		}
		if m.rolledBack.Load() {
			return errRolledBack
		}
		if err := tx.Commit(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			return err
		}
		return nil
	})
	switch {
	case err == nil, err == errRolledBack:
		return nil
	case fnErr != nil && err == fnErr:
		return err
	}
	return fmt.Errorf("sqldb: transaction: %w", err)
}

// errRolledBack rolls the storage transaction back after fn called
// tx.Rollback and returned nil.
var errRolledBack = errors.New("sqldb: rolled back by tx.Rollback")
