package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// RunStorage runs the storage scenarios against target: workerd's SQL
// restrictions, limits and error messages, the values SQL gives back as
// JavaScript sees them, and the KV store's limits. Every message is
// compared whole, as the sandbox object reports it.
func RunStorage(t *testing.T, target Target) {
	s := &suite{target: target}
	t.Run("SQLRestrictions", s.sqlRestrictions)
	t.Run("SQLStatements", s.sqlStatements)
	t.Run("SQLLimits", s.sqlLimits)
	t.Run("SQLValues", s.sqlValues)
	t.Run("SQLErrorFormat", s.sqlErrorFormat)
	t.Run("KVLimits", s.kvLimits)
	t.Run("DeleteAll", s.deleteAll)
	t.Run("Transactions", s.transactions)
	t.Run("ManyKeys", s.manyKeys)
	t.Run("Bookmarks", s.bookmarks)
	t.Run("SQLDB", s.sqldb)
}

// bookmarks: the current bookmark has workerd's form and grows; local
// workerd keeps no history, so the rest of point-in-time recovery
// returns the back-end's error, which dotest reproduces.
func (s *suite) bookmarks(t *testing.T) {
	got, _ := s.sandboxCall(t, "bookmarks", "bookmarks").(map[string]any)
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$`)
	first, _ := got["first"].(string)
	second, _ := got["second"].(string)
	if !form.MatchString(first) || !form.MatchString(second) || !(second > first) {
		t.Errorf("bookmarks %q then %q: want workerd's form, the later one sorting after", first, second)
	}
	const noPITR = "This Durable Object's storage back-end does not implement point-in-time recovery."
	if msg, _ := got["forTime"].(string); !strings.HasSuffix(msg, noPITR) {
		t.Errorf("BookmarkForTime: %q, want the back-end's refusal", msg)
	}
	if msg, _ := got["restore"].(string); !strings.HasSuffix(msg, noPITR) {
		t.Errorf("RestoreOnNextSession: %q, want the back-end's refusal", msg)
	}
}

// manyKeys: KV.PutMany, GetMany (existing keys only, in the order asked)
// and DeleteMany (how many existed), and Storage.Sync.
func (s *suite) manyKeys(t *testing.T) {
	const o = "many-keys"
	s.sandboxCall(t, o, "putMany", map[string]any{"a": 1, "b": "two", "c": []any{3.5, true}})
	equal(t, "getMany", s.sandboxCall(t, o, "getMany", []string{"c", "missing", "a", "b"}),
		[]any{[]any{"c", []any{3.5, true}}, []any{"a", 1.0}, []any{"b", "two"}})
	equal(t, "getMany of nothing", s.sandboxCall(t, o, "getMany", []string{}), []any{})
	equal(t, "deleteMany", s.sandboxCall(t, o, "deleteMany", []string{"a", "missing", "c"}), 2.0)
	equal(t, "getMany after deleteMany", s.sandboxCall(t, o, "getMany", []string{"a", "b", "c"}), []any{[]any{"b", "two"}})
	equal(t, "sync", s.sandboxCall(t, o, "syncWrites"), "synced")
}

// transactions: storage.Transaction commits a function's KV and SQL
// writes together, and rolls both back when the function fails, panics,
// meets a SQL error or calls an operation that waits on I/O; an inner
// transaction's failure undoes only its own writes.
func (s *suite) transactions(t *testing.T) {
	const o = "transactions"
	committed := map[string]any{"tx": "commit", "tx2": nil, "rows": []any{"commit"}}
	equal(t, "commit", s.sandboxCall(t, o, "transact", "commit"), "")
	equal(t, "after the commit", s.sandboxCall(t, o, "txState"), committed)

	equal(t, "a failing function", s.sandboxCall(t, o, "transact", "fail"), "planned failure")
	equal(t, "after the failing function", s.sandboxCall(t, o, "txState"), committed)

	if _, jsErr := s.target.Call(t, "SANDBOX", o, "transact", "panic"); jsErr == nil || !strings.Contains(jsErr.Message, "planned panic") {
		t.Errorf("a panicking function: the call returned %v, want its panic", jsErr)
	}
	equal(t, "after the panic", s.sandboxCall(t, o, "txState"), committed)

	equal(t, "a SQL error", s.sandboxCall(t, o, "transact", "sql"), "storage: sql: no such table: no_such_table: SQLITE_ERROR")
	equal(t, "after the SQL error", s.sandboxCall(t, o, "txState"), committed)

	if msg, _ := s.sandboxCall(t, o, "transact", "wait").(string); !strings.Contains(msg, "cannot wait on I/O") {
		t.Errorf("a function that waits on I/O: %q, want the error saying it cannot", msg)
	}
	equal(t, "after the wait", s.sandboxCall(t, o, "txState"), committed)

	// A function that blocks cannot be waited for: the instance crashes,
	// saying why, and the transaction is rolled back.
	if _, jsErr := s.target.Call(t, "SANDBOX", o, "transact", "block"); jsErr == nil || !strings.Contains(jsErr.Message, "transaction's function blocked") {
		t.Errorf("a function that blocks: the call returned %v, want the crash saying so", jsErr)
	}
	equal(t, "after the blocked function", s.sandboxCall(t, o, "txState"), committed)

	equal(t, "nested", s.sandboxCall(t, o, "transact", "nested"), "")
	equal(t, "after the nested transaction", s.sandboxCall(t, o, "txState"),
		map[string]any{"tx": "nested", "tx2": nil, "rows": []any{"commit", "nested"}})
}

// deleteAll: storage.DeleteAll deletes KV keys and SQL tables alike, and
// the object goes on with an empty database.
func (s *suite) deleteAll(t *testing.T) {
	const o = "delete-all"
	expectStatus(t, s.do(t, http.MethodPut, "/do/"+o+"/kv/k", "application/json", []byte(`"v"`)), http.StatusNoContent)
	s.sqlOK(t, o, `CREATE TABLE t (a)`)
	s.sqlOK(t, o, `INSERT INTO t VALUES (1)`)
	left, jsErr := s.target.Call(t, "SANDBOX", o, "deleteAll")
	if jsErr != nil {
		t.Fatalf("deleteAll: %v", jsErr)
	}
	equal(t, "KV keys left", left, 0.0)
	expectStatus(t, s.get(t, "/do/"+o+"/kv/k"), http.StatusNotFound)
	s.sqlErr(t, o, `SELECT * FROM t`, "no such table: t: SQLITE_ERROR")
	s.sqlOK(t, o, `CREATE TABLE t (a)`)
	equal(t, "rows of the new table", s.sqlOK(t, o, `SELECT count(*) AS n FROM t`)["rows"], []any{[]any{0.0}})
}

// sqlErr runs query on object name and expects the error message want,
// as the sandbox reports it (storage.SQL.Exec's "storage: sql: " prefix).
func (s *suite) sqlErr(t testing.TB, name, query, want string, args ...any) {
	t.Helper()
	v, msg := s.sqlExec(t, name, query, args...)
	if msg == "" {
		t.Errorf("%.60s: succeeded with %v, want the error %q", query, v, want)
		return
	}
	equal(t, fmt.Sprintf("error of %.60s", query), msg, "storage: sql: "+want)
}

func (s *suite) sqlOK(t testing.TB, name, query string, args ...any) map[string]any {
	t.Helper()
	v, msg := s.sqlExec(t, name, query, args...)
	if msg != "" {
		t.Fatalf("%.60s: %s", query, msg)
	}
	return v
}

const txnMessage = "To execute a transaction, please use the state.storage.transaction() or " +
	"state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT " +
	"statements. The JavaScript API is safer because it will automatically roll back on " +
	"exceptions, and because it interacts correctly with Durable Objects' automatic atomic " +
	"write coalescing."

func (s *suite) sqlRestrictions(t *testing.T) {
	const o = "sql-rules"
	for _, q := range []string{"BEGIN", "BEGIN TRANSACTION", "COMMIT", "ROLLBACK", "SAVEPOINT sp", "RELEASE sp"} {
		s.sqlErr(t, o, q, txnMessage)
	}
	s.sqlOK(t, o, `CREATE TABLE IF NOT EXISTS t (a)`)
	// workerd's own tables (_cf_ in any case) are out of reach.
	s.sqlErr(t, o, `CREATE TABLE _cf_mine (a)`, "not authorized: SQLITE_AUTH")
	s.sqlErr(t, o, `CREATE TABLE IF NOT EXISTS _CF_Mine (a)`, "not authorized: SQLITE_AUTH")
	s.sqlErr(t, o, `CREATE INDEX _cf_idx ON t (a)`, "not authorized: SQLITE_AUTH")
	s.sqlOK(t, o, `CREATE TABLE IF NOT EXISTS cf_fine (a)`)
	// SQLite's own rules hold too.
	s.sqlErr(t, o, `CREATE TABLE sqlite_mine (a)`, "object name reserved for internal use: sqlite_mine: SQLITE_ERROR")
	// No other databases, no temporary objects.
	s.sqlErr(t, o, `ATTACH DATABASE 'x.db' AS x`, "not authorized: SQLITE_AUTH")
	s.sqlErr(t, o, `CREATE TEMP TABLE tt (a)`, "not authorized: SQLITE_AUTH")
	// Only some pragmas and functions.
	s.sqlErr(t, o, `PRAGMA journal_mode`, "not authorized: SQLITE_AUTH")
	s.sqlErr(t, o, `PRAGMA foreign_keys = maybe`, "not authorized: SQLITE_AUTH")
	fk := s.sqlOK(t, o, `PRAGMA foreign_keys`)
	equal(t, "foreign keys are on", fk["rows"], []any{[]any{1.0}})
	info := s.sqlOK(t, o, `PRAGMA table_info(t)`)
	equal(t, "table_info columns", info["columns"], []any{"cid", "name", "type", "notnull", "dflt_value", "pk"})
	s.sqlErr(t, o, `SELECT sqlite_version()`, "not authorized to use function: sqlite_version at offset 7: SQLITE_ERROR")
	s.sqlOK(t, o, `SELECT json_extract('{"a":1}', '$.a'), abs(-1), upper('x'), unixepoch(0)`)
}

func (s *suite) sqlStatements(t *testing.T) {
	const o = "sql-statements"
	s.sqlErr(t, o, ``, "SQL code did not contain a statement.")
	s.sqlErr(t, o, `  -- only a comment`, "SQL code did not contain a statement.")
	// Several statements run in order; the last one's rows are returned.
	r := s.sqlOK(t, o, `DROP TABLE IF EXISTS m; CREATE TABLE m (a); INSERT INTO m VALUES (1), (2); SELECT sum(a) AS s FROM m`)
	equal(t, "multi columns", r["columns"], []any{"s"})
	equal(t, "multi rows", r["rows"], []any{[]any{3.0}})
	r = s.sqlOK(t, o, `SELECT a FROM m WHERE a > ? ORDER BY a; `, 1)
	equal(t, "trailing semicolon", r["rows"], []any{[]any{2.0}})
	s.sqlErr(t, o, `SELECT ?; SELECT 1`, "When executing multiple SQL statements in a single call, only the last statement can have parameters.", 1)
	s.sqlErr(t, o, `SELECT 1; -- trailing comment`, "SQL code did not contain a statement.")
	s.sqlErr(t, o, `SELECT ?, ?`, "Wrong number of parameter bindings for SQL query.", 1)
	s.sqlErr(t, o, `SELECT 1`, "Wrong number of parameter bindings for SQL query.", 1)
	// A failing statement after others leaves their effects.
	s.sqlErr(t, o, `INSERT INTO m VALUES (10); SELECT * FROM nowhere`, "no such table: nowhere: SQLITE_ERROR")
	r = s.sqlOK(t, o, `SELECT count(*) FROM m`)
	equal(t, "effects before the error", r["rows"], []any{[]any{3.0}})
}

func (s *suite) sqlLimits(t *testing.T) {
	const o = "sql-limits"
	// At most 100 bound parameters.
	params := func(n int) (string, []any) {
		q := "SELECT " + strings.TrimSuffix(strings.Repeat("?,", n), ",")
		args := make([]any, n)
		for i := range args {
			args[i] = i
		}
		return q, args
	}
	q, args := params(100)
	r := s.sqlOK(t, o, q, args...)
	equal(t, "100 parameters", len(r["rows"].([]any)[0].([]any)), 100)
	q, args = params(101)
	v, msg := s.sqlExec(t, o, q, args...)
	if msg == "" {
		t.Errorf("101 parameters succeeded: %v", v)
	} else {
		contains(t, "101 parameters", msg, "too many SQL variables")
		contains(t, "101 parameters", msg, ": SQLITE_ERROR")
	}
	// Statements up to 100,000 bytes.
	long := "SELECT '" + strings.Repeat("x", 100000-len("SELECT ''")) + "'"
	r = s.sqlOK(t, o, long)
	equal(t, "100000-byte statement", len(r["rows"].([]any)[0].([]any)[0].(string)), 100000-len("SELECT ''"))
	s.sqlErr(t, o, long+" ", "statement too long: SQLITE_TOOBIG")
	// Strings, blobs and rows up to 8,388,642 bytes (2,200,000 before
	// workerd's 2026-08 releases, 4 MiB in some of them).
	r = s.sqlOK(t, o, `SELECT length(zeroblob(8388642))`)
	equal(t, "largest blob", r["rows"], []any{[]any{8388642.0}})
	s.sqlErr(t, o, `SELECT zeroblob(8388643)`, "string or blob too big: SQLITE_TOOBIG")
	s.sqlErr(t, o, `SELECT length(?)`, "string or blob too big: SQLITE_TOOBIG", strings.Repeat("y", 8388643))
	s.sqlErr(t, o, `SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6`,
		"too many terms in compound SELECT: SQLITE_ERROR")
}

func (s *suite) sqlValues(t *testing.T) {
	const o = "sql-values"
	// Numbers cross as JavaScript numbers: bound as doubles, read as
	// doubles (an integral one becomes an integer again on the way back).
	r := s.sqlOK(t, o, `SELECT typeof(?), typeof(?), typeof(?), typeof(?)`, 3, 2.5, "s", nil)
	equal(t, "bound types", r["rows"], []any{[]any{"real", "real", "text", "null"}})
	r = s.sqlOK(t, o, `SELECT 1.0, 2.5, -0.0, 4294967296, 9007199254740993, -9223372036854775808, 'é', x'00ff', NULL`)
	equal(t, "values", r["rows"], []any{[]any{1.0, 2.5, 0.0, 4294967296.0, 9007199254740992.0, -9223372036854775808.0, "é", "AP8=", nil}})
	r = s.sqlOK(t, o, `SELECT 1 AS a, 2 AS a`)
	equal(t, "duplicate column names", r["columns"], []any{"a", "a"})
	s.sqlOK(t, o, `CREATE TABLE IF NOT EXISTS big (n INTEGER)`)
	s.sqlOK(t, o, `DELETE FROM big`)
	s.sqlOK(t, o, `INSERT INTO big VALUES (9007199254740993)`)
	r = s.sqlOK(t, o, `SELECT n, n = 9007199254740993, CAST(n AS TEXT) FROM big`)
	equal(t, "large integer", r["rows"], []any{[]any{9007199254740992.0, 1.0, "9007199254740993"}})
	r = s.sqlOK(t, o, `SELECT typeof(n) FROM big WHERE n > ?`, 1)
	equal(t, "stored integer", r["rows"], []any{[]any{"integer"}})
}

func (s *suite) sqlErrorFormat(t *testing.T) {
	const o = "sql-errors"
	s.sqlErr(t, o, `SELEKT 1`, `near "SELEKT": syntax error at offset 0: SQLITE_ERROR`)
	s.sqlErr(t, o, `SELECT * FROM nowhere`, "no such table: nowhere: SQLITE_ERROR")
	s.sqlOK(t, o, `CREATE TABLE IF NOT EXISTS u (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE, c INTEGER CHECK (c > 0))`)
	s.sqlOK(t, o, `DELETE FROM u`)
	s.sqlOK(t, o, `INSERT INTO u VALUES (1, 'a', 1)`)
	s.sqlErr(t, o, `INSERT INTO u VALUES (1, 'b', 1)`, "UNIQUE constraint failed: u.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)")
	s.sqlErr(t, o, `INSERT INTO u VALUES (2, 'a', 1)`, "UNIQUE constraint failed: u.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)")
	s.sqlErr(t, o, `INSERT INTO u (id, c) VALUES (3, 1)`, "NOT NULL constraint failed: u.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)")
	s.sqlErr(t, o, `INSERT INTO u VALUES (4, 'd', 0)`, "CHECK constraint failed: c > 0: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)")
	s.sqlErr(t, o, `SELECT nocolumn FROM u`, "no such column: nocolumn at offset 7: SQLITE_ERROR")
	s.sqlErr(t, o, `SELECT nofunc(1)`, "no such function: nofunc at offset 7: SQLITE_ERROR")
}

func (s *suite) kvLimits(t *testing.T) {
	put := func(key string, v any) (int, string) {
		t.Helper()
		body, _ := json.Marshal(v)
		r := s.do(t, http.MethodPut, "/do/kv-limits/kv/"+key, "application/json", body)
		if r.Status == http.StatusNoContent {
			return r.Status, ""
		}
		var e struct{ Error string }
		json.Unmarshal(r.Body, &e)
		return r.Status, e.Error
	}
	status, msg := put("fits", strings.Repeat("v", 8_000_000))
	equal(t, "8 MB value status", status, http.StatusNoContent)
	equal(t, "8 MB value error", msg, "")
	status, msg = put("too-big", strings.Repeat("v", 8_400_000))
	equal(t, "8.4 MB value status", status, http.StatusBadRequest)
	equal(t, "8.4 MB value error", msg, `storage: put "too-big": string or blob too big: SQLITE_TOOBIG`)
	expectStatus(t, s.get(t, "/do/kv-limits/kv/too-big"), http.StatusNotFound)
}
