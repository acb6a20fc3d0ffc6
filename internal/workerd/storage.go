package workerd

import (
	"errors"

	"fmt"
	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/embed" // the SQLite build
	_ "github.com/ncruces/go-sqlite3/vfs/memdb"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// DB is the SQLite database of one Durable Object, with workerd's rules:
// user SQL goes through its limits and authorizer, and the KV store lives
// in the table _cf_KV like workerd's ctx.storage.kv.
type DB struct {
	mu      sync.Mutex
	conn    *sqlite3.Conn
	name    string // the memdb file's, for other connections
	trusted bool   // internal statements skip the authorizer
	txn     bool   // the authorizer refused a transaction statement
	kvReady bool   // _cf_KV exists
	alarm   *time.Time
	txDepth int // transactions running
	// bookmarks counts the current bookmarks handed out, which local
	// workerd numbers in the bookmark's second field.
	bookmarks uint32
	// stmts keeps prepared statements by their SQL, as workerd keeps a
	// cursor's: internal ones and user ones of a single statement.
	stmts map[string]*sqlite3.Stmt
	// epoch counts the storage operations on the database, the guest's
	// and a test's alike (Conn.Epoch).
	epoch atomic.Uint64
}

// maxCachedStatements bounds db.stmts.
const maxCachedStatements = 128

// prepared returns the prepared statement of sql, from the cache if it is
// there, and whether it came from the cache. It holds db.mu.
func (db *DB) prepared(sql string) (*sqlite3.Stmt, string, bool, error) {
	if stmt, ok := db.stmts[sql]; ok {
		return stmt, "", true, nil
	}
	stmt, tail, err := db.conn.Prepare(sql)
	if err != nil || stmt == nil || strings.TrimLeft(tail, " \t\n\r\v\f") != "" {
		return stmt, tail, false, err
	}
	if len(db.stmts) >= maxCachedStatements {
		for k, old := range db.stmts { // drop one, any
			old.Close()
			delete(db.stmts, k)
			break
		}
	}
	if db.stmts == nil {
		db.stmts = map[string]*sqlite3.Stmt{}
	}
	db.stmts[sql] = stmt
	return stmt, tail, true, nil
}

// closeStatements finalizes the cached statements. It holds db.mu.
func (db *DB) closeStatements() {
	for k, stmt := range db.stmts {
		stmt.Close()
		delete(db.stmts, k)
	}
}

// Alarm returns the time of the object's alarm, and false if none is set.
func (db *DB) Alarm() (time.Time, bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.alarm == nil {
		return time.Time{}, false
	}
	return *db.alarm, true
}

// SetAlarm stores the time of the object's alarm; nil deletes it.
func (db *DB) SetAlarm(at *time.Time) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.alarm = at
}

var dbCounter atomic.Uint64

var sqliteConfigOnce sync.Once

// UseCompilationCache makes the SQLite engine (itself a wasm module run by
// wazero) keep its compilation in cache. It has effect only before the
// first database is opened.
func UseCompilationCache(cache wazero.CompilationCache) {
	sqliteConfigOnce.Do(func() {
		if sqlite3.RuntimeConfig == nil {
			sqlite3.RuntimeConfig = wazero.NewRuntimeConfig().
				WithMemoryLimitPages(4096).
				WithCoreFeatures(api.CoreFeaturesV2).
				WithCompilationCache(cache)
		}
	})
}

// OpenDB opens a new, empty, in-memory database.
func OpenDB() (*DB, error) {
	db := &DB{}
	if err := db.open(); err != nil {
		return nil, err
	}
	return db, nil
}

// open gives db a new, empty connection with workerd's limits and
// authorizer. It holds db.mu or db is not shared yet.
func (db *DB) open() error {
	sqliteConfigOnce.Do(func() {})
	name := fmt.Sprintf("file:/godurable-%d-%d.db?vfs=memdb", dbSeed, dbCounter.Add(1))
	conn, err := sqlite3.Open(name)
	if err != nil {
		return fmt.Errorf("opening SQLite: %w", err)
	}
	if _, err := conn.Config(sqlite3.DBCONFIG_DEFENSIVE, true); err != nil {
		conn.Close()
		return err
	}
	for _, l := range sqlLimits {
		conn.Limit(l.id, l.value)
	}
	db.trusted = true
	err = conn.SetAuthorizer(func(action sqlite3.AuthorizerActionCode, p1, p2, schema, inner string) sqlite3.AuthorizerReturnCode {
		if db.trusted {
			return sqlite3.AUTH_OK
		}
		return authorize(action, p1, p2, schema, &db.txn)
	})
	if err != nil {
		conn.Close()
		return err
	}
	db.conn, db.name, db.trusted, db.kvReady = conn, name, false, false
	return nil
}

// DSN returns the data source name of the database, for another
// connection to it with ncruces/go-sqlite3's driver.
func (db *DB) DSN() string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.name
}

// DeleteAll deletes the whole database, as workerd's deleteAll does for a
// SQLite-backed object: it resets the database, KV, tables and alarm.
func (db *DB) DeleteAll() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.conn == nil {
		return errors.New("database is closed")
	}
	db.closeStatements()
	if err := db.conn.Close(); err != nil {
		return err
	}
	db.conn, db.alarm = nil, nil
	return db.open()
}

var dbSeed = func() uint64 {
	var b [8]byte
	randRead(b[:])
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
}()

// Close releases the database.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.conn == nil {
		return nil
	}
	db.closeStatements()
	err := db.conn.Close()
	db.conn = nil
	return err
}

// NextBookmark returns the database's current bookmark as local workerd
// writes it: four hex fields, the second counting the bookmarks asked for,
// so that a later one sorts after an earlier one.
func (db *DB) NextBookmark() string {
	db.mu.Lock()
	defer db.mu.Unlock()
	b := fmt.Sprintf("%08x-%08x-%08x-%032x", 0, db.bookmarks, 0, 0)
	db.bookmarks++
	return b
}

// Transaction runs fn as workerd's transactionSync runs its callback:
// inside a savepoint, released when fn returns nil and rolled back when
// it returns an error or panics (the panic goes on). Transactions nest.
func (db *DB) Transaction(fn func() error) (err error) {
	db.mu.Lock()
	db.txDepth++
	name := fmt.Sprintf("_cf_godurable_tx%d", db.txDepth)
	db.mu.Unlock()
	defer func() {
		db.mu.Lock()
		db.txDepth--
		db.mu.Unlock()
	}()
	if _, err := db.trusted1("SAVEPOINT " + name); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done { // fn panicked
			db.rollback(name)
		}
	}()
	if err := fn(); err != nil {
		done = true
		db.rollback(name)
		return err
	}
	done = true
	if _, err := db.trusted1("RELEASE " + name); err != nil {
		db.rollback(name)
		return err
	}
	return nil
}

func (db *DB) rollback(name string) {
	db.trusted1("ROLLBACK TO " + name)
	db.trusted1("RELEASE " + name)
}

// SQLError is an error of a SQL statement, as workerd reports it to
// JavaScript: an Error whose message is Message.
type SQLError struct{ Message string }

func (e *SQLError) Error() string { return e.Message }

func sqlErr(format string, args ...any) *SQLError {
	return &SQLError{Message: fmt.Sprintf(format, args...)}
}

// Exec runs query, which may hold several statements (only the last may
// have parameters, and only its rows are returned), as
// ctx.storage.sql.exec does. Args are what JavaScript would bind: nil,
// float64 (numbers are bound as doubles), string or []byte. The rows hold
// what the cursor gives JavaScript: nil, float64 (every number:
// JavaScript has one number type), string or []byte.
func (db *DB) Exec(query string, args []any) (*abi.SQLResult, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.conn == nil {
		return nil, errors.New("database is closed")
	}
	if len(query) > maxSQLLength {
		return nil, sqlErr("statement too long: SQLITE_TOOBIG")
	}
	sql := query
	for {
		db.txn = false
		stmt, tail, cached, err := db.prepared(sql)
		if err != nil {
			if db.txn {
				return nil, sqlErr("%s", transactionMessage)
			}
			return nil, &SQLError{Message: sqlErrorMessage(err, sql)}
		}
		if stmt == nil {
			return nil, sqlErr("SQL code did not contain a statement.")
		}
		tail = strings.TrimLeft(tail, " \t\n\r\v\f")
		if tail != "" {
			// Not the last statement: run it now, to its first row.
			if stmt.BindCount() != 0 {
				stmt.Close()
				return nil, sqlErr("When executing multiple SQL statements in a single call, only the last statement can have parameters.")
			}
			stmt.Step()
			err := stmt.Err()
			stmt.Close()
			if err != nil {
				return nil, &SQLError{Message: sqlErrorMessage(err, "")}
			}
			sql = tail
			continue
		}
		if !cached {
			defer stmt.Close()
		}
		return db.run(stmt, args)
	}
}

func (db *DB) run(stmt *sqlite3.Stmt, args []any) (*abi.SQLResult, error) {
	defer stmt.Reset() // for the next use of a cached statement
	stmt.ClearBindings()
	if stmt.BindCount() != len(args) {
		return nil, sqlErr("Wrong number of parameter bindings for SQL query.")
	}
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case nil:
			err = stmt.BindNull(i + 1)
		case float64:
			err = stmt.BindFloat(i+1, v)
		case int64:
			err = stmt.BindInt64(i+1, v)
		case string:
			err = stmt.BindText(i+1, v)
		case []byte:
			err = stmt.BindBlob(i+1, v)
		case bool:
			// Not a binding type of workerd's; the guest never sends one.
			return nil, &SQLError{Message: "Failed to execute 'exec' on 'SqlStorage': parameter " + fmt.Sprint(i+2) + " is not of type 'string or ArrayBuffer or ArrayBufferView or number'."}
		default:
			return nil, fmt.Errorf("unsupported binding %T", a)
		}
		if err != nil {
			return nil, &SQLError{Message: sqlErrorMessage(err, "")}
		}
	}
	before := db.conn.TotalChanges()
	res := &abi.SQLResult{Columns: make([]string, stmt.ColumnCount()), Rows: [][]any{}}
	for i := range res.Columns {
		res.Columns[i] = stmt.ColumnName(i)
	}
	for stmt.Step() {
		row := make([]any, len(res.Columns))
		for i := range row {
			switch stmt.ColumnType(i) {
			case sqlite3.INTEGER:
				row[i] = float64(stmt.ColumnInt64(i))
			case sqlite3.FLOAT:
				row[i] = stmt.ColumnFloat(i)
			case sqlite3.TEXT:
				row[i] = driver.DecodeUTF8(stmt.ColumnRawText(i))
			case sqlite3.BLOB:
				row[i] = append([]byte{}, stmt.ColumnRawBlob(i)...)
			default:
				row[i] = nil
			}
		}
		res.Rows = append(res.Rows, row)
	}
	if err := stmt.Err(); err != nil {
		return nil, &SQLError{Message: sqlErrorMessage(err, "")}
	}
	// workerd counts rows with a patched SQLite; these are estimates.
	scanned := int64(stmt.Status(sqlite3.STMTSTATUS_FULLSCAN_STEP, true))
	if scanned > 0 {
		scanned++
	}
	res.RowsRead = max(int64(len(res.Rows)), scanned)
	res.RowsWritten = db.conn.TotalChanges() - before
	return res, nil
}

// Size returns the database size as ctx.storage.sql.databaseSize does.
func (db *DB) Size() (int64, error) {
	res, err := db.trusted1(`SELECT (SELECT * FROM pragma_page_count) - (SELECT * FROM pragma_freelist_count), (SELECT * FROM pragma_page_size)`)
	if err != nil {
		return 0, err
	}
	return int64(res.Rows[0][0].(float64) * res.Rows[0][1].(float64)), nil
}

// trusted1 runs one internal statement without the authorizer.
func (db *DB) trusted1(query string, args ...any) (*abi.SQLResult, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.conn == nil {
		return nil, errors.New("database is closed")
	}
	db.trusted = true
	defer func() { db.trusted = false }()
	stmt, _, cached, err := db.prepared(query)
	if err != nil {
		return nil, &SQLError{Message: sqlErrorMessage(err, query)}
	}
	if !cached {
		defer stmt.Close()
	}
	return db.run(stmt, args)
}

func (db *DB) ensureKV() error {
	if db.kvReady {
		return nil
	}
	_, err := db.trusted1(`CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`)
	if err == nil {
		db.kvReady = true
	}
	return err
}

func (db *DB) hasKV() bool {
	if db.kvReady {
		return true
	}
	res, err := db.trusted1(`SELECT name FROM sqlite_master WHERE type='table' AND name='_cf_KV'`)
	db.kvReady = err == nil && len(res.Rows) > 0
	return db.kvReady
}

// kvError keeps only the errors workerd shows to JavaScript: a value or
// key too big. Others become an internal error, as in workerd.
func kvError(err error) error {
	var se *SQLError
	if errors.As(err, &se) && strings.HasSuffix(se.Message, ": SQLITE_TOOBIG") {
		return se
	}
	return &SQLError{Message: "internal error; reference = " + err.Error()}
}

// KVGet returns the value stored under key, or nil if there is none.
func (db *DB) KVGet(key string) ([]byte, error) {
	if !db.hasKV() {
		return nil, nil
	}
	res, err := db.trusted1(`SELECT value FROM _cf_KV WHERE key = ?`, key)
	if err != nil {
		return nil, kvError(err)
	}
	if len(res.Rows) == 0 {
		return nil, nil
	}
	v, _ := res.Rows[0][0].([]byte)
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// KVPut stores value under key.
func (db *DB) KVPut(key string, value []byte) error {
	if err := db.ensureKV(); err != nil {
		return kvError(err)
	}
	if value == nil {
		value = []byte{}
	}
	_, err := db.trusted1(`INSERT INTO _cf_KV VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return kvError(err)
	}
	return nil
}

// KVDelete deletes key and reports whether it existed.
func (db *DB) KVDelete(key string) (bool, error) {
	if !db.hasKV() {
		return false, nil
	}
	res, err := db.trusted1(`DELETE FROM _cf_KV WHERE key = ?`, key)
	if err != nil {
		return false, kvError(err)
	}
	return res.RowsWritten > 0, nil
}

// KVList lists entries as ctx.storage.kv.list does.
func (db *DB) KVList(o abi.KVList) ([]abi.KVEntry, error) {
	start, end, hasEnd, ok, err := compileListOptions(o)
	if err != nil {
		return nil, err
	}
	if !ok || !db.hasKV() {
		return []abi.KVEntry{}, nil
	}
	q := `SELECT key, value FROM _cf_KV WHERE key >= ?`
	args := []any{start}
	if hasEnd {
		q += ` AND key < ?`
		args = append(args, end)
	}
	if o.Reverse {
		q += ` ORDER BY key DESC`
	} else {
		q += ` ORDER BY key`
	}
	if o.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, int64(o.Limit))
	}
	res, err := db.trusted1(q, args...)
	if err != nil {
		return nil, kvError(err)
	}
	out := make([]abi.KVEntry, len(res.Rows))
	for i, r := range res.Rows {
		k, _ := r[0].(string)
		v, _ := r[1].([]byte)
		out[i] = abi.KVEntry{Key: k, Value: v}
	}
	return out, nil
}

// compileListOptions turns list options into a key range [start, end), as
// workerd does; ok is false for an empty range.
func compileListOptions(o abi.KVList) (start, end string, hasEnd, ok bool, err error) {
	if o.Start != "" && o.StartAfter != "" {
		return "", "", false, false, NewJSError("TypeError", "list() cannot be called with both start and startAfter values.")
	}
	if o.Limit < 0 || o.Limit > math.MaxUint32 {
		return "", "", false, false, NewJSError("TypeError", "List limit must be positive.")
	}
	start = o.Start
	if o.StartAfter != "" {
		start = o.StartAfter + "\x00"
	}
	if o.End != "" {
		end, hasEnd = o.End, true
	}
	if p := o.Prefix; p != "" {
		if start < p {
			start = p
		} else if !strings.HasPrefix(start, p) {
			return "", "", false, false, nil
		}
		after := []byte(p)
		for len(after) > 0 && after[len(after)-1] == 0xff {
			after = after[:len(after)-1]
		}
		if len(after) > 0 {
			after[len(after)-1]++
			if hasEnd {
				if end <= p {
					return "", "", false, false, nil
				} else if !strings.HasPrefix(end, p) {
					end = string(after)
				}
			} else {
				end, hasEnd = string(after), true
			}
		}
	}
	if hasEnd && end <= start {
		return "", "", false, false, nil
	}
	return start, end, hasEnd, true, nil
}
