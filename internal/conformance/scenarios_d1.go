package conformance

import (
	"strings"
	"testing"
)

// d1: the D1 binding DB of the sandbox (wrangler dev's local D1, dotest's
// SQLite), reached by the same Go code from the stateless Worker and from
// a Durable Object: values of every type through Bind, All, Raw and
// First, D1's meta, batches (atomic: a failing statement leaves nothing
// of the others), exec, the errors of statements and arguments with the
// names and messages JavaScript sees, and database/sql code shaped as
// sqlc writes it. In want, {p} stands for the caller's table prefix.
func (s *suite) d1(t *testing.T) {
	for _, sc := range []struct {
		name string
		want map[string]string
	}{
		{"types", d1TypesWant},
		{"meta", d1MetaWant},
		{"batch", d1BatchWant},
		{"errors", d1ErrorsWant},
		{"sql", d1SQLWant},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Run("Worker", func(t *testing.T) {
				sameStrings(t, sc.name, s.getJSON(t, "/d1/"+sc.name, 200), prefixed(sc.want, "w_"))
			})
			t.Run("Object", func(t *testing.T) {
				sameStrings(t, sc.name, s.sandboxCall(t, "d1", "d1", sc.name), prefixed(sc.want, "o_"))
			})
		})
	}
}

func prefixed(want map[string]string, p string) map[string]string {
	out := make(map[string]string, len(want))
	for k, v := range want {
		out[k] = strings.ReplaceAll(v, "{p}", p)
	}
	return out
}

// d1TypesWant: values as D1 gives them to JavaScript (a REAL 2.0 is 2, an
// integer beyond 2^53 inexact, an infinity null, a bound number a REAL);
// all() merges repeated column names as JavaScript objects do, raw() not.
var d1TypesWant = map[string]string{
	"all":             "id s b: 2 rows",
	"all repeated":    "a b [2 3]",
	"all scan":        "ok, 1, string \"é ü\", []byte 00ff",
	"first 1":         "ok, int64 9007199254740991, float64 2.5, string \"é ü\", []byte 00ff, time.Time 2026-12-01T10:30:00.123Z, bool true, int16 7",
	"first 2":         "ok, {0 false}, {0 false}, { false}, []byte , false, bool false, *int64 nil",
	"no rows":         "sql: no rows in result set, true",
	"null into int64": "d1: Scan: column 1 (i): NULL into int64; scan into a pointer or an sql.Null type",
	"numbers":         "int64 2, float64 9.007199254740992e+15, <nil> <nil>, string \"real\"",
	"raw columns":     "id i f s b t ok n",
	"raw no rows":     "8 columns, 0 rows",
	"raw repeated":    "a a b [1 2 3]",
	"raw row int64 1": "int64 9007199254740991, float64 2.5, string \"é ü\", []byte 00ff, string \"2026-12-01T10:30:00.123Z\", int64 1, int64 7",
	"raw row int64 2": "<nil> <nil>, <nil> <nil>, <nil> <nil>, []byte , <nil> <nil>, int64 0, <nil> <nil>",
}

// d1MetaWant: meta.changes and meta.last_row_id of writes and reads;
// exec() counts the statements of its lines, blank and comment lines aside.
var d1MetaWant = map[string]string{
	"delete nothing": "changes 0, last_row_id 2, changed_db false, served_by miniflare.db true",
	"exec":           "ok, count 3",
	"insert a":       "changes 1, last_row_id 1, changed_db true, served_by miniflare.db true",
	"insert a wrote": "true true",
	"insert b":       "changes 1, last_row_id 2, changed_db true, served_by miniflare.db true",
	"insert b wrote": "true true",
	"select":         "changes 0, last_row_id 2, changed_db false, served_by miniflare.db true",
	"select read":    "2 0",
	"update":         "changes 2, last_row_id 2, changed_db true, served_by miniflare.db true",
}

// d1BatchWant: a batch, and an exec(), is one transaction: after a
// failing statement none of the others stays (two rows before, two after).
var d1BatchWant = map[string]string{
	"after failing":        "ok, 2 rows",
	"after failing exec":   "ok, 2 rows",
	"after wrong count":    "ok, 2 rows",
	"empty":                "d1: DB: batch: D1_ERROR: No SQL statements detected.",
	"failing":              "d1: DB: batch: D1_ERROR: UNIQUE constraint failed: {p}batch.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
	"failing exec":         "d1: DB: exec: D1_EXEC_ERROR: Error in line 1: INSERT INTO {p}batch VALUES (8, 'g'): UNIQUE constraint failed: {p}batch.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
	"failing js":           "Error: D1_ERROR: UNIQUE constraint failed: {p}batch.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
	"result 1":             " [] changes 1, last_row_id 1, changed_db true, served_by miniflare.db true",
	"result 2":             "id v [[2 b]] changes 1, last_row_id 2, changed_db true, served_by miniflare.db true",
	"result 3":             "v [[a] [b]] changes 0, last_row_id 2, changed_db false, served_by miniflare.db true",
	"wrong count in batch": "d1: DB: batch: D1_ERROR: Wrong number of parameter bindings for SQL query., true",
}

// d1ErrorsWant: D1's errors as JavaScript sees them (name, message and
// cause), wrapped with the Go call; several statements in one run as
// sql.exec runs them, once: local D1 refuses the same text again.
var d1ErrorsWant = map[string]string{
	"begin is ErrNoTransaction":      "true",
	"empty":                          "d1: DB: query: D1_ERROR: No SQL statements detected.",
	"empty statement":                "d1: DB: query: D1_ERROR: SQL code did not contain a statement.",
	"exec syntax":                    "Error: D1_EXEC_ERROR: Error in line 1: SELEC 1: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR (cause Error: Error in line 1: SELEC 1: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR)",
	"no event":                       "d1: DB: query: godurable: the context does not belong to an event; pass the request's Context() or the ctx given to the method",
	"no such table":                  "d1: DB: query: D1_ERROR: no such table: {p}nowhere: SQLITE_ERROR",
	"none":                           "d1: DB: query: D1_ERROR: Wrong number of parameter bindings for SQL query.",
	"struct":                         "d1: argument 1: unsupported type struct {}",
	"syntax":                         "Error: D1_ERROR: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR (cause Error: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR)",
	"syntax is ErrBindingCount":      "false",
	"too few":                        "d1: DB: query: D1_ERROR: Wrong number of parameter bindings for SQL query.",
	"too few is ErrBindingCount":     "true",
	"too few js":                     "Error: D1_ERROR: Wrong number of parameter bindings for SQL query. (cause Error: Wrong number of parameter bindings for SQL query.)",
	"too many":                       "d1: DB: query: D1_ERROR: Wrong number of parameter bindings for SQL query.",
	"too many is ErrBindingCount":    "true",
	"two statements":                 "two [2]",
	"two statements again":           "d1: DB: query: D1_ERROR: A SQL prepared statement can only be executed once at a time.",
	"two statements with parameters": "d1: DB: query: D1_ERROR: When executing multiple SQL statements in a single call, only the last statement can have parameters.",
	"unsafe integer":                 "d1: argument 1: integer outside JavaScript's safe range ±(2^53-1): 9007199254740992 (SQL values cross to workerd as JavaScript numbers); store it as TEXT or BLOB, a time as milliseconds (UnixMilli) or a time.Time, true",
}

// d1SQLWant: database/sql code shaped as sqlc writes it (:execlastid,
// :one, :many, RETURNING, :execrows), and what D1 lacks.
var d1SQLWant = map[string]string{
	"batch from the *sql.DB": "d1: DB: batch: D1_ERROR: NOT NULL constraint failed: {p}authors.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL); ok, 0 left",
	"BeginTx":                "d1: D1 has no interactive transactions; run the statements together with Batch, which is atomic, true",
	"deactivate rows":        "2",
	"get":                    "1 Le Guin {Earthsea true} 1948-03-04 true 0102",
	"get missing":            "sql: no rows in result set",
	"ids":                    "[1 2 3]",
	"join":                   "ok, 1 2",
	"list":                   "2 Banks { false} 1954-03-04 true ; 3 Chiang { false} 1967-03-04 false ; 1 Le Guin {Earthsea true} 1948-03-04 true 0102",
	"named":                  "sql: converting argument with name \"id\" type: d1: named arguments are not supported (D1 binds arguments by position): pass the arguments in order (got \"id\"), true",
	"prepared":               "3 Chiang { false} 1967-03-04 false ",
	"rename returning":       "ok, 2",
	"same *sql.DB":           "true",
	"wrong count":            "d1: DB: query: D1_ERROR: Wrong number of parameter bindings for SQL query., true",
}
