package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/storage/sqldb"
	"github.com/godurable/godurable/worker"
)

// database/sql on the object's storage (storage/sqldb): each method runs
// plain database/sql code, and sqlc-style code, inside the object and
// reports what it saw as text, which the scenarios compare whole.

// db returns the object's *sql.DB: Open returns the same one each time.
func (s *Sandbox) db() *sql.DB { return sqldb.Open(&s.state.Storage) }

// show describes a scanned value exactly: its type and value.
func show(v any) string {
	switch v := v.(type) {
	case time.Time:
		return "time.Time " + v.Format(time.RFC3339Nano)
	case []byte:
		return fmt.Sprintf("[]byte %x", v)
	case *int64:
		if v == nil {
			return "*int64 nil"
		}
		return fmt.Sprintf("*int64 %d", *v)
	case string:
		return fmt.Sprintf("string %q", v)
	}
	return fmt.Sprintf("%T %v", v, v)
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// level is a named integer type, as an application would bind.
type level int16

// SqldbTypes writes one row of every argument type through Exec, one
// through a prepared statement and one of NULLs, and scans them back into
// every destination type.
func (s *Sandbox) SqldbTypes(ctx context.Context) (map[string]string, error) {
	db := s.db()
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS types; CREATE TABLE types (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB, t TEXT, ok INTEGER, l INTEGER)`); err != nil {
		return nil, err
	}
	when := time.Date(2026, 12, 1, 10, 30, 0, 123000000, time.FixedZone("", 3600))
	if _, err := db.ExecContext(ctx, `INSERT INTO types VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		1, int64(abi.MaxSafeInteger), 2.5, "é ü", []byte{0, 0xff}, when, true, level(7)); err != nil {
		return nil, err
	}
	ins, err := db.PrepareContext(ctx, `INSERT INTO types VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	minus := int64(-42)
	if _, err := ins.ExecContext(ctx, 2, &minus, float32(0.5), sql.NullString{String: "valid", Valid: true}, []byte{}, when.UTC(), false, uint8(255)); err != nil {
		return nil, err
	}
	if _, err := ins.ExecContext(ctx, 3, nil, sql.NullFloat64{}, sql.NullString{}, []byte(nil), sql.NullTime{}, sql.NullBool{}, (*int64)(nil)); err != nil {
		return nil, err
	}
	out := map[string]string{}
	sel, err := db.PrepareContext(ctx, `SELECT i, f, s, b, t, ok, l FROM types WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	defer sel.Close()
	for id := 1; id <= 2; id++ {
		var (
			i  int64
			f  float64
			st string
			b  []byte
			t  time.Time
			ok bool
			l  level
		)
		err := sel.QueryRowContext(ctx, id).Scan(&i, &f, &st, &b, &t, &ok, &l)
		out[fmt.Sprintf("row %d", id)] = strings.Join([]string{errText(err), show(i), show(f), show(st), show(b), show(t), show(ok), show(int64(l))}, ", ")
	}
	// The same rows into *any, then into sql.Null* and pointers.
	rows, err := db.QueryContext(ctx, `SELECT i, f, s, b, t, ok, l FROM types ORDER BY id`)
	if err != nil {
		return nil, err
	}
	cols, _ := rows.Columns()
	out["columns"] = strings.Join(cols, " ")
	for n := 1; rows.Next(); n++ {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		shown := make([]string, len(vals))
		for i, v := range vals {
			shown[i] = show(v)
		}
		out[fmt.Sprintf("any %d", n)] = strings.Join(shown, ", ")
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for id := 2; id <= 3; id++ {
		var (
			i  sql.NullInt64
			f  sql.NullFloat64
			st sql.NullString
			b  []byte
			t  sql.NullTime
			ok sql.NullBool
			l  *int64
		)
		err := db.QueryRowContext(ctx, `SELECT i, f, s, b, t, ok, l FROM types WHERE id = ?`, id).Scan(&i, &f, &st, &b, &t, &ok, &l)
		out[fmt.Sprintf("null %d", id)] = fmt.Sprintf("%s, %v, %v, %v, %q %v, %v %v, %v, %s", errText(err), i, f, st, b, b == nil,
			t.Time.Format(time.RFC3339Nano), t.Valid, ok, show(l))
	}
	// Numbers are JavaScript's: 2.0 is the integer 2, and integers beyond
	// 2^53 are inexact floats.
	var two, big any
	err = db.QueryRowContext(ctx, `SELECT 2.0, 9007199254740993`).Scan(&two, &big)
	out["numbers"] = errText(err) + ", " + show(two) + ", " + show(big)
	// A default that SQLite writes in the format time.Time is stored in.
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS stamped; CREATE TABLE stamped (v TEXT, at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));
		INSERT INTO stamped (v) VALUES ('x')`); err != nil {
		return nil, err
	}
	var at time.Time
	err = db.QueryRowContext(ctx, `SELECT at FROM stamped`).Scan(&at)
	out["strftime default"] = fmt.Sprint(errText(err), ", ", !at.IsZero())
	var none string
	out["no rows"] = errText(db.QueryRowContext(ctx, `SELECT s FROM types WHERE id = 99`).Scan(&none))
	return out, nil
}

// SqldbScanErrors reports the errors of scans that cannot work.
func (s *Sandbox) SqldbScanErrors(ctx context.Context) (map[string]string, error) {
	db := s.db()
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS scans; CREATE TABLE scans (i INTEGER, f REAL, s TEXT, b BLOB)`); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO scans VALUES (NULL, 2.5, 'abc', x'00ff')`); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var n int64
	var t time.Time
	var ok bool
	var small int8
	out["null into int64"] = errText(db.QueryRowContext(ctx, `SELECT i FROM scans`).Scan(&n))
	out["real into int64"] = errText(db.QueryRowContext(ctx, `SELECT f FROM scans`).Scan(&n))
	out["text into int64"] = errText(db.QueryRowContext(ctx, `SELECT s FROM scans`).Scan(&n))
	out["blob into int64"] = errText(db.QueryRowContext(ctx, `SELECT b FROM scans`).Scan(&n))
	out["large into int64"] = errText(db.QueryRowContext(ctx, `SELECT 9007199254740993`).Scan(&n))
	out["text into time"] = errText(db.QueryRowContext(ctx, `SELECT '2026-12-01 10:30:00'`).Scan(&t))
	out["CURRENT_TIMESTAMP into time"] = errText(db.QueryRowContext(ctx, `SELECT CURRENT_TIMESTAMP AS now`).Scan(&t))
	out["2 into bool"] = errText(db.QueryRowContext(ctx, `SELECT 2`).Scan(&ok))
	out["300 into int8"] = errText(db.QueryRowContext(ctx, `SELECT 300`).Scan(&small))
	out["two columns into one"] = errText(db.QueryRowContext(ctx, `SELECT 1, 2`).Scan(&n))
	return out, nil
}

// SqldbErrors reports the errors of statements and arguments that
// workerd or the driver refuse, and whether they match the package's
// errors.
func (s *Sandbox) SqldbErrors(ctx context.Context) (map[string]string, error) {
	db := s.db()
	out := map[string]string{}
	run := func(name, query string, args ...any) error {
		_, err := db.ExecContext(ctx, query, args...)
		out[name] = errText(err)
		return err
	}
	run("no such table", `INSERT INTO nowhere VALUES (1)`)
	run("syntax", `SELEKT 1`)
	run("create", `DROP TABLE IF EXISTS uniq; CREATE TABLE uniq (v TEXT UNIQUE)`)
	run("first", `INSERT INTO uniq VALUES ('a')`)
	run("unique", `INSERT INTO uniq VALUES (?)`, "a")
	run("bindings", `SELECT ?, ?`, 1)
	err := run("begin", `BEGIN TRANSACTION`)
	out["begin is ErrNoBegin"] = fmt.Sprint(errors.Is(err, sqldb.ErrNoBegin))
	run("savepoint", `SAVEPOINT s`)
	_, err = db.BeginTx(ctx, nil)
	out["BeginTx"] = errText(err)
	out["BeginTx is ErrNoBegin"] = fmt.Sprint(errors.Is(err, sqldb.ErrNoBegin))
	params := func(n int) (string, []any) {
		args := make([]any, n)
		for i := range args {
			args[i] = i
		}
		return "SELECT " + strings.TrimSuffix(strings.Repeat("?,", n), ","), args
	}
	q, args := params(100)
	dest := make([]any, 100)
	for i := range dest {
		dest[i] = new(int)
	}
	err = db.QueryRowContext(ctx, q, args...).Scan(dest...)
	out["100 parameters"] = fmt.Sprint(errText(err), ", last ", *dest[99].(*int))
	q, args = params(101)
	run("101 parameters", q, args...)
	err = run("unsafe integer", `SELECT ?`, int64(abi.MaxSafeInteger)+1)
	out["unsafe integer is ErrUnsafeInteger"] = fmt.Sprint(errors.Is(err, storage.ErrUnsafeInteger))
	err = run("named", `SELECT :a`, sql.Named("a", 1))
	out["named is ErrNamedArg"] = fmt.Sprint(errors.Is(err, sqldb.ErrNamedArg))
	run("struct", `SELECT ?`, struct{}{})
	// A prepared statement with an error fails when it runs.
	bad, err := db.PrepareContext(ctx, `SELECT nocolumn FROM uniq`)
	out["prepare"] = errText(err)
	if err == nil {
		_, err = bad.ExecContext(ctx)
		out["prepared exec"] = errText(err)
		bad.Close()
	}
	return out, nil
}

// SqldbResults reports RowsAffected and LastInsertId after statements,
// on a table with two indexes: workerd's rowsWritten counts their writes,
// RowsAffected does not.
func (s *Sandbox) SqldbResults(ctx context.Context) (map[string]string, error) {
	db := s.db()
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS res; CREATE TABLE res (id INTEGER PRIMARY KEY, v TEXT UNIQUE, w INTEGER); CREATE INDEX res_w ON res (w)`); err != nil {
		return nil, err
	}
	out := map[string]string{}
	report := func(name string, r sql.Result) {
		n, err1 := r.RowsAffected()
		id, err2 := r.LastInsertId()
		out[name] = fmt.Sprintf("affected %d %s, id %d %s", n, errText(err1), id, errText(err2))
	}
	exec := func(query string, args ...any) sql.Result {
		r, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			out[query] = err.Error()
			return nil
		}
		return r
	}
	r := exec(`INSERT INTO res (v, w) VALUES ('a', 1)`)
	if _, err := s.state.Storage.SQL.Exec(`SELECT 1`); err != nil {
		return nil, err
	}
	report("insert, then another statement", r)
	report("insert", exec(`INSERT INTO res (v, w) VALUES ('b', 1)`))
	report("insert 2", exec(`INSERT INTO res (v, w) VALUES ('c', 2), ('d', 2)`))
	report("update 3", exec(`UPDATE res SET w = 5 WHERE w <= 2 AND v != 'c'`))
	none := exec(`UPDATE res SET w = 6 WHERE v = 'none'`)
	report("ignored", exec(`INSERT OR IGNORE INTO res (v, w) VALUES ('a', 9)`))
	report("delete", exec(`DELETE FROM res WHERE v = 'a'`))
	report("update of none, later", none)
	ins := exec(`INSERT INTO res (v, w) VALUES ('e', 1)`)
	if err := s.state.Storage.KV.Put("sqldb-results", 1); err != nil {
		return nil, err
	}
	report("insert, then a KV write", ins)
	var id int64
	err := db.QueryRowContext(ctx, `INSERT INTO res (v, w) VALUES ('f', 1) RETURNING id`).Scan(&id)
	out["returning"] = fmt.Sprint(errText(err), " ", id)
	// Inside a transaction too.
	err = sqldb.Transaction(ctx, db, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO res (v, w) VALUES ('g', 1)`)
		if err != nil {
			return err
		}
		report("insert in a transaction", r)
		return nil
	})
	out["transaction"] = errText(err)
	return out, nil
}

// Queries is sqlc-style generated code: methods over DBTX, which *sql.DB
// and *sql.Tx both satisfy, and WithTx.
type Queries struct{ db DBTX }

// DBTX is what sqlc's generated code runs its statements on.
type DBTX interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	PrepareContext(context.Context, string) (*sql.Stmt, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// NewQueries is sqlc's New.
func NewQueries(db DBTX) *Queries { return &Queries{db: db} }

// WithTx is sqlc's WithTx.
func (q *Queries) WithTx(tx *sql.Tx) *Queries { return &Queries{db: tx} }

const createNote = `INSERT INTO notes (body, at) VALUES (?, ?)`

// CreateNote is an :execlastid query.
func (q *Queries) CreateNote(ctx context.Context, body string, at time.Time) (int64, error) {
	r, err := q.db.ExecContext(ctx, createNote, body, at)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

const countNotes = `SELECT count(*) FROM notes`

// CountNotes is a :one query.
func (q *Queries) CountNotes(ctx context.Context) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, countNotes).Scan(&n)
	return n, err
}

// Note is a row of notes.
type Note struct {
	ID   int64
	Body string
	At   time.Time
}

const listNotes = `SELECT id, body, at FROM notes ORDER BY id`

// ListNotes is a :many query.
func (q *Queries) ListNotes(ctx context.Context) ([]Note, error) {
	rows, err := q.db.QueryContext(ctx, listNotes)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []Note
	for rows.Next() {
		var i Note
		if err := rows.Scan(&i.ID, &i.Body, &i.At); err != nil {
			return nil, err
		}
		items = append(items, i)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	return items, rows.Err()
}

const renameNotes = `UPDATE notes SET body = body || ? WHERE id >= ?`

// RenameNotes is an :execrows query.
func (q *Queries) RenameNotes(ctx context.Context, suffix string, from int64) (int64, error) {
	r, err := q.db.ExecContext(ctx, renameNotes, suffix, from)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func (s *Sandbox) queries(ctx context.Context) (*Queries, error) {
	_, err := s.db().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)`)
	return NewQueries(s.db()), err
}

// noteTime is the time of every note: the scenarios compare it.
var noteTime = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// SqldbTransact runs one sqldb.Transaction that adds the note mode
// through sqlc-style queries on its *sql.Tx (and counts the notes inside),
// ending as mode says: "commit", "fail" (the function returns an error),
// "panic", "rollback" (the function calls tx.Rollback and returns nil),
// "commit-call" (it calls tx.Commit, then returns nil), "db" (the note
// goes through the *sql.DB instead of tx; the function fails), "nested"
// (an inner transaction adds "inner" and fails; the outer commits),
// "wait" (the function calls an operation that waits on I/O), "sql" (a
// bad statement; the function returns its error), "limited" (on a pool
// limited by SetMaxOpenConns). It returns what the function saw and the
// error Transaction returned, as text.
func (s *Sandbox) SqldbTransact(ctx context.Context, mode string) (string, error) {
	q, err := s.queries(ctx)
	if err != nil {
		return "", err
	}
	db := s.db()
	if mode == "limited" {
		db = sql.OpenDB(sqldb.NewConnector(&s.state.Storage))
		defer db.Close()
		db.SetMaxOpenConns(1)
	}
	var seen string
	err = sqldb.Transaction(ctx, db, func(tx *sql.Tx) error {
		qtx := q.WithTx(tx)
		if mode == "db" {
			if _, err := q.CreateNote(ctx, mode, noteTime); err != nil {
				return err
			}
		} else {
			id, err := qtx.CreateNote(ctx, mode, noteTime)
			if err != nil {
				return err
			}
			n, err := qtx.CountNotes(ctx)
			if err != nil {
				return err
			}
			seen = fmt.Sprintf("id %d, %d notes; ", id, n)
		}
		switch mode {
		case "commit":
			return nil
		case "fail", "db":
			return errors.New("planned failure")
		case "panic":
			panic("planned panic")
		case "rollback":
			return tx.Rollback()
		case "commit-call":
			if err := tx.Commit(); err != nil {
				return err
			}
			_, err := qtx.CountNotes(ctx)
			seen += "after Commit: " + errText(err) + "; "
			return nil
		case "nested":
			inner := sqldb.Transaction(ctx, db, func(tx2 *sql.Tx) error {
				if _, err := q.WithTx(tx2).CreateNote(ctx, "inner", noteTime); err != nil {
					return err
				}
				return errors.New("inner failure")
			})
			seen += "inner: " + errText(inner) + "; "
			return nil
		case "wait":
			_, _, err := alarm.Get(ctx)
			return err
		case "sql":
			_, err := tx.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`)
			return err
		}
		return errors.New("unknown mode " + mode)
	})
	return seen + errText(err), nil
}

// SqldbNotes lists the notes, through the sqlc-style queries outside a
// transaction.
func (s *Sandbox) SqldbNotes(ctx context.Context) ([]string, error) {
	q, err := s.queries(ctx)
	if err != nil {
		return nil, err
	}
	notes, err := q.ListNotes(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, n := range notes {
		out = append(out, fmt.Sprintf("%d %s %s", n.ID, n.Body, n.At.Format(time.RFC3339)))
	}
	return out, nil
}

// SqldbRename appends suffix to the notes from id on and returns how
// many changed (sqlc's :execrows).
func (s *Sandbox) SqldbRename(ctx context.Context, suffix string, from int64) (int64, error) {
	q, err := s.queries(ctx)
	if err != nil {
		return 0, err
	}
	return q.RenameNotes(ctx, suffix, from)
}

// SqldbHoldRows opens a *sql.Rows and keeps it open while it waits
// (worker.Sleep, which lets other events of the object run) until
// SqldbRelease, another event, has queried through the same *sql.DB; or
// until it has waited rounds times. It reports which.
func (s *Sandbox) SqldbHoldRows(ctx context.Context, rounds int64) (string, error) {
	db := s.db()
	rows, err := db.QueryContext(ctx, `SELECT 1 UNION ALL SELECT 2`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	rows.Next()
	if err := s.state.Storage.KV.Put("sqldb-holding", true); err != nil {
		return "", err
	}
	for range rounds {
		if err := worker.Sleep(ctx, 20*time.Millisecond); err != nil {
			return "", err
		}
		var released bool
		if _, err := s.state.Storage.KV.Get("sqldb-released", &released); err != nil {
			return "", err
		}
		if released {
			var n int
			rows.Scan(&n)
			rows.Next()
			rows.Scan(&n)
			s.state.Storage.KV.Delete("sqldb-holding")
			s.state.Storage.KV.Delete("sqldb-released")
			return fmt.Sprintf("released; the rows went on to %d", n), nil
		}
	}
	return "never released", nil
}

// SqldbRelease queries through the object's *sql.DB while SqldbHoldRows
// holds a connection, and tells it so. It reports false, doing nothing,
// if SqldbHoldRows is not holding yet.
func (s *Sandbox) SqldbRelease(ctx context.Context) (bool, error) {
	var holding bool
	if _, err := s.state.Storage.KV.Get("sqldb-holding", &holding); err != nil || !holding {
		return false, err
	}
	var n int64
	if err := s.db().QueryRowContext(ctx, `SELECT 40 + 2`).Scan(&n); err != nil {
		return false, err
	}
	return n == 42, s.state.Storage.KV.Put("sqldb-released", true)
}

var (
	keptMu sync.Mutex
	kept   = map[string]*sql.DB{}
)

// SqldbKeep keeps the object's *sql.DB under key, for SqldbKept to look
// at later from any object, and reports whether Open returns the same one
// each time.
func (s *Sandbox) SqldbKeep(key string) bool {
	db := s.db()
	keptMu.Lock()
	kept[key] = db
	keptMu.Unlock()
	return db == s.db()
}

// SqldbKept pings the *sql.DB kept under key ("sql: database is closed"
// once its object was dropped), and reports whether it is the one this
// object's Open returns now.
func (s *Sandbox) SqldbKept(ctx context.Context, key string) string {
	keptMu.Lock()
	db := kept[key]
	keptMu.Unlock()
	if db == nil {
		return "nothing kept"
	}
	return fmt.Sprintf("ping: %s, this object's: %v", errText(db.PingContext(ctx)), db == s.db())
}
