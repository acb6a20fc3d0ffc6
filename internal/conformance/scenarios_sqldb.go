package conformance

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// sqldb: database/sql on the object's own storage (storage/sqldb), run
// inside the sandbox object: values of every type through Exec, Prepare
// and Query, NULLs, failing scans, the errors of statements and
// arguments, RowsAffected and LastInsertId, transactions through
// sqldb.Transaction with sqlc-style queries on its *sql.Tx, a connection
// held across a wait by one event while another queries, and one *sql.DB
// per object.
func (s *suite) sqldb(t *testing.T) {
	t.Run("Types", s.sqldbTypes)
	t.Run("ScanErrors", s.sqldbScanErrors)
	t.Run("Errors", s.sqldbErrors)
	t.Run("Results", s.sqldbResults)
	t.Run("Transactions", s.sqldbTransactions)
	t.Run("RowsAcrossWait", s.sqldbRowsAcrossWait)
	t.Run("OneDBPerObject", s.sqldbOneDB)
}

// sameStrings compares a map of texts that a sandbox method returned with
// want, key by key, and reports every difference.
func sameStrings(t testing.TB, what string, got any, want map[string]string) {
	t.Helper()
	m, ok := got.(map[string]any)
	if !ok {
		t.Errorf("%s: got %#v, want an object", what, got)
		return
	}
	keys := map[string]bool{}
	for k := range m {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		g, inGot := m[k]
		w, inWant := want[k]
		switch {
		case !inWant:
			t.Errorf("%s[%q] = %#v, not expected", what, k, g)
		case !inGot:
			t.Errorf("%s[%q] missing, want %q", what, k, w)
		case g != w:
			t.Errorf("%s[%q] =\n\t%#v\nwant\n\t%#v", what, k, g, w)
		}
	}
}

func (s *suite) sqldbTypes(t *testing.T) {
	sameStrings(t, "types", s.sandboxCall(t, "sqldb", "sqldbTypes"), map[string]string{
		"row 1":   `ok, int64 9007199254740991, float64 2.5, string "é ü", []byte 00ff, time.Time 2026-12-01T10:30:00.123+01:00, bool true, int64 7`,
		"row 2":   `ok, int64 -42, float64 0.5, string "valid", []byte , time.Time 2026-12-01T09:30:00.123Z, bool false, int64 255`,
		"columns": "i f s b t ok l",
		// Into *any: what the driver gives database/sql. A time's text
		// is a time.Time, an empty blob is NULL-free but empty.
		"any 1":            `int64 9007199254740991, float64 2.5, string "é ü", []byte 00ff, time.Time 2026-12-01T10:30:00.123+01:00, int64 1, int64 7`,
		"any 2":            `int64 -42, float64 0.5, string "valid", []byte , time.Time 2026-12-01T09:30:00.123Z, int64 0, int64 255`,
		"any 3":            `<nil> <nil>, <nil> <nil>, <nil> <nil>, <nil> <nil>, <nil> <nil>, <nil> <nil>, <nil> <nil>`,
		"null 2":           `ok, {-42 true}, {0.5 true}, {valid true}, "" false, 2026-12-01T09:30:00.123Z true, {false true}, *int64 255`,
		"null 3":           `ok, {0 false}, {0 false}, { false}, "" true, 0001-01-01T00:00:00Z false, {false false}, *int64 nil`,
		"numbers":          "ok, int64 2, float64 9.007199254740992e+15",
		"no rows":          "sql: no rows in result set",
		"strftime default": "ok, true",
	})
}

func (s *suite) sqldbScanErrors(t *testing.T) {
	const conv = "sql: Scan error on column index 0, name "
	sameStrings(t, "scan errors", s.sandboxCall(t, "sqldb", "sqldbScanErrors"), map[string]string{
		"null into int64":             conv + `"i": converting NULL to int64 is unsupported`,
		"real into int64":             conv + `"f": converting driver.Value type float64 ("2.5") to a int64: invalid syntax`,
		"text into int64":             conv + `"s": converting driver.Value type string ("abc") to a int64: invalid syntax`,
		"blob into int64":             conv + `"b": converting driver.Value type []uint8 ("\x00\xff") to a int64: invalid syntax`,
		"large into int64":            conv + `"9007199254740993": converting driver.Value type float64 ("9.007199254740992e+15") to a int64: invalid syntax`,
		"text into time":              `sql: Scan error on column index 0, name "'2026-12-01 10:30:00'": unsupported Scan, storing driver.Value type string into type *time.Time`,
		"CURRENT_TIMESTAMP into time": `sql: Scan error on column index 0, name "now": unsupported Scan, storing driver.Value type string into type *time.Time`,
		"2 into bool":                 `sql: Scan error on column index 0, name "2": sql/driver: couldn't convert 2 into type bool`,
		"300 into int8":               `sql: Scan error on column index 0, name "300": converting driver.Value type int64 ("300") to a int8: value out of range`,
		"two columns into one":        "sql: expected 2 destination arguments in Scan, not 1",
	})
}

func (s *suite) sqldbErrors(t *testing.T) {
	sameStrings(t, "errors", s.sandboxCall(t, "sqldb", "sqldbErrors"), map[string]string{
		"no such table":                      "sqldb: no such table: nowhere: SQLITE_ERROR",
		"syntax":                             `sqldb: near "SELEKT": syntax error at offset 0: SQLITE_ERROR`,
		"create":                             "ok",
		"first":                              "ok",
		"unique":                             "sqldb: UNIQUE constraint failed: uniq.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
		"bindings":                           "sqldb: Wrong number of parameter bindings for SQL query.",
		"begin":                              "sqldb: " + txnMessage + " In Go, use sqldb.Transaction.",
		"begin is ErrNoBegin":                "true",
		"savepoint":                          "sqldb: " + txnMessage + " In Go, use sqldb.Transaction.",
		"BeginTx":                            "sqldb: BeginTx: " + noBegin,
		"BeginTx is ErrNoBegin":              "true",
		"100 parameters":                     "ok, last 99",
		"101 parameters":                     "sqldb: too many SQL variables at offset 207: SQLITE_ERROR",
		"unsafe integer":                     "sqldb: argument 1: integer outside JavaScript's safe range ±(2^53-1): 9007199254740992 (SQL values cross to workerd as JavaScript numbers); store it as TEXT or BLOB, a time as milliseconds (UnixMilli) or a time.Time",
		"unsafe integer is ErrUnsafeInteger": "true",
		"named":                              "sql: converting argument with name \"a\" type: " + noNamed + ` (got "a")`,
		"named is ErrNamedArg":               "true",
		"struct":                             "sql: converting argument $1 type: unsupported type struct {}, a struct",
		"prepare":                            "ok",
		"prepared exec":                      "sqldb: no such column: nocolumn at offset 7: SQLITE_ERROR",
	})
}

const noBegin = "sqldb: a Durable Object's SQL has no BEGIN or COMMIT (workerd runs transactions as callbacks, with transactionSync): " +
	"run the transaction with sqldb.Transaction(ctx, db, func(tx *sql.Tx) error { ... })"

const noNamed = "sqldb: named arguments are not supported (workerd binds arguments by position): pass the arguments in order"

const resultGone = "sqldb: RowsAffected and LastInsertId read SQLite's changes() and last_insert_rowid(), " +
	"and other storage operations have run since the statement: call them right after Exec, or use INSERT ... RETURNING"

func (s *suite) sqldbResults(t *testing.T) {
	sameStrings(t, "results", s.sandboxCall(t, "sqldb", "sqldbResults"), map[string]string{
		"insert, then another statement": "affected 0 " + resultGone + ", id 0 " + resultGone,
		// One row each, though workerd counts the index entries it
		// writes in rowsWritten.
		"insert":   "affected 1 ok, id 2 ok",
		"insert 2": "affected 2 ok, id 4 ok",
		"update 3": "affected 3 ok, id 4 ok",
		"ignored":  "affected 0 ok, id 4 ok",
		"delete":   "affected 1 ok, id 4 ok",
		// A statement that wrote nothing affected nothing, whenever asked.
		"update of none, later":   "affected 0 ok, id 0 " + resultGone,
		"insert, then a KV write": "affected 0 " + resultGone + ", id 0 " + resultGone,
		"returning":               "ok 6",
		"insert in a transaction": "affected 1 ok, id 7 ok",
		"transaction":             "ok",
	})
}

func (s *suite) sqldbTransactions(t *testing.T) {
	const o = "sqldb-tx"
	notes := func(want ...string) {
		t.Helper()
		got := s.sandboxCall(t, o, "sqldbNotes")
		w := []any{}
		for _, n := range want {
			w = append(w, n+" 2026-12-01T08:00:00Z")
		}
		equal(t, "notes", got, w)
	}
	transact := func(mode, want string) {
		t.Helper()
		equal(t, mode, s.sandboxCall(t, o, "sqldbTransact", mode), want)
	}
	transact("commit", "id 1, 1 notes; ok")
	notes("1 commit")
	transact("fail", "id 2, 2 notes; planned failure")
	notes("1 commit")
	if _, jsErr := s.target.Call(t, "SANDBOX", o, "sqldbTransact", "panic"); jsErr == nil || !strings.Contains(jsErr.Message, "planned panic") {
		t.Errorf("a panicking function: the call returned %v, want its panic", jsErr)
	}
	notes("1 commit")
	transact("rollback", "id 2, 2 notes; ok")
	notes("1 commit")
	transact("db", "planned failure")
	notes("1 commit")
	transact("sql", "id 2, 2 notes; sqldb: no such table: no_such_table: SQLITE_ERROR")
	notes("1 commit")
	transact("wait", "id 2, 2 notes; alarm: get: godurable: a transaction's function cannot wait on I/O (workerd's transactionSync runs it synchronously); do the I/O before or after the transaction")
	notes("1 commit")
	transact("limited", "sqldb: Transaction: the pool is limited to 1 connections (SetMaxOpenConns): a statement waiting for a connection inside the transaction would stop the object; leave the limit at 0")
	notes("1 commit")
	transact("commit-call", "id 2, 2 notes; after Commit: sql: transaction has already been committed or rolled back; ok")
	notes("1 commit", "2 commit-call")
	transact("nested", "id 3, 3 notes; inner: inner failure; ok")
	notes("1 commit", "2 commit-call", "3 nested")
	// sqlc's :execrows outside a transaction.
	equal(t, "renamed", s.sandboxCall(t, o, "sqldbRename", "!", 2), 2.0)
	notes("1 commit", "2 commit-call!", "3 nested!")
}

// sqldbRowsAcrossWait: one event keeps a *sql.Rows (and so a connection)
// open across a wait; another event of the object queries meanwhile,
// through the same *sql.DB, on a connection of its own.
func (s *suite) sqldbRowsAcrossWait(t *testing.T) {
	const o = "sqldb-rows"
	var wg sync.WaitGroup
	var held any
	wg.Add(1)
	go func() {
		defer wg.Done()
		held = s.sandboxCall(t, o, "sqldbHoldRows", 500)
	}()
	released := false
	for range 200 {
		if v, _ := s.sandboxCall(t, o, "sqldbRelease").(bool); v {
			released = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	equal(t, "released", released, true)
	equal(t, "the holding event", held, "released; the rows went on to 2")
}

// sqldbOneDB: sqldb.Open returns the same *sql.DB for one object, and a
// different one for another.
func (s *suite) sqldbOneDB(t *testing.T) {
	equal(t, "the same DB", s.sandboxCall(t, "sqldb-one", "sqldbKeep", "one"), true)
	equal(t, "from the same object", s.sandboxCall(t, "sqldb-one", "sqldbKept", "one"), "ping: ok, this object's: true")
	equal(t, "from another object", s.sandboxCall(t, "sqldb-two", "sqldbKept", "one"), "ping: ok, this object's: false")
}
