package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/storage"
)

// The tests run the driver on the host, on the storage of the model of
// workerd (its SQLite, with workerd's rules), as dotest's Object.Storage
// gives it to a test. The conformance suite runs the same code inside a
// Durable Object, in workerd and in dotest.

func TestMain(m *testing.M) {
	if d, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(d, "godurable", "wazero")); err == nil {
			workerd.UseCompilationCache(cache)
		}
	}
	os.Exit(m.Run())
}

// modelStorage returns the storage of a fresh object of the model.
func modelStorage(t *testing.T) *storage.Storage {
	t.Helper()
	iso := workerd.NewIsolate(workerd.Config{})
	t.Cleanup(iso.Close)
	s, ok := storage.FromContext(rt.WithConn(context.Background(), iso.Conn("Test", t.Name())))
	if !ok {
		t.Fatal("no storage")
	}
	return s
}

func open(t *testing.T) *sql.DB {
	t.Helper()
	db := Open(modelStorage(t))
	mustExec(t, db, `CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB, t TEXT, ok INTEGER)`)
	return db
}

func mustExec(t *testing.T, db interface {
	Exec(string, ...any) (sql.Result, error)
}, query string, args ...any) sql.Result {
	t.Helper()
	r, err := db.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return r
}

type celsius float64

func TestValues(t *testing.T) {
	db := open(t)
	when := time.Date(2026, 12, 1, 10, 30, 0, 123000000, time.FixedZone("", 3600))
	five := int64(5)
	res := mustExec(t, db, `INSERT INTO v (i, f, s, b, t, ok) VALUES (?, ?, ?, ?, ?, ?)`,
		int64(abi.MaxSafeInteger), 2.5, "é", []byte{0, 0xff}, when, true)
	if n, err := res.RowsAffected(); n != 1 || err != nil {
		t.Errorf("RowsAffected = %d, %v", n, err)
	}
	if id, err := res.LastInsertId(); id != 1 || err != nil {
		t.Errorf("LastInsertId = %d, %v", id, err)
	}
	mustExec(t, db, `INSERT INTO v (i, f, s, b, t, ok) VALUES (?, ?, ?, ?, ?, ?)`,
		&five, celsius(-1), sql.NullString{}, nil, sql.NullTime{}, false)

	var (
		i  int64
		f  float64
		s  string
		b  []byte
		tm time.Time
		ok bool
	)
	if err := db.QueryRow(`SELECT i, f, s, b, t, ok FROM v WHERE id = 1`).Scan(&i, &f, &s, &b, &tm, &ok); err != nil {
		t.Fatal(err)
	}
	if i != abi.MaxSafeInteger || f != 2.5 || s != "é" || !reflect.DeepEqual(b, []byte{0, 0xff}) || !tm.Equal(when) || !ok {
		t.Errorf("scanned %v %v %q %v %v %v", i, f, s, b, tm, ok)
	}
	// The time is text, and scans as the same text.
	var ts string
	var raw any
	if err := db.QueryRow(`SELECT t, t FROM v WHERE id = 1`).Scan(&ts, &raw); err != nil || ts != "2026-12-01T10:30:00.123+01:00" {
		t.Errorf("time as text = %q, %v", ts, err)
	}
	if _, isTime := raw.(time.Time); !isTime {
		t.Errorf("time into *any = %T, want time.Time", raw)
	}
	var (
		ni  sql.NullInt64
		nf  sql.NullFloat64
		ns  sql.NullString
		nb  []byte
		nt  sql.NullTime
		nok sql.NullBool
		pi  *int64
	)
	if err := db.QueryRow(`SELECT i, f, s, b, t, ok, s FROM v WHERE id = 2`).Scan(&ni, &nf, &ns, &nb, &nt, &nok, &pi); err != nil {
		t.Fatal(err)
	}
	if ni != (sql.NullInt64{Int64: 5, Valid: true}) || nf != (sql.NullFloat64{Float64: -1, Valid: true}) || ns.Valid || nb != nil || nt.Valid || nok != (sql.NullBool{Valid: true}) || pi != nil {
		t.Errorf("scanned %v %v %v %v %v %v %v", ni, nf, ns, nb, nt, nok, pi)
	}
	// Numbers are JavaScript numbers: a REAL 2.0 is the integer 2.
	var v any
	if err := db.QueryRow(`SELECT 2.0`).Scan(&v); err != nil || v != int64(2) {
		t.Errorf("SELECT 2.0 = %#v, %v", v, err)
	}
	if err := db.QueryRow(`SELECT 9007199254740993`).Scan(&v); err != nil || v != 9007199254740992.0 {
		t.Errorf("a large integer = %#v, %v", v, err)
	}
}

func TestScanErrors(t *testing.T) {
	db := open(t)
	mustExec(t, db, `INSERT INTO v (i, f, s) VALUES (NULL, 2.5, 'abc')`)
	var n int64
	for col, want := range map[string]string{
		"i":                   `converting NULL to int64 is unsupported`,
		"f":                   `converting driver.Value type float64 ("2.5") to a int64: invalid syntax`,
		"s":                   `converting driver.Value type string ("abc") to a int64: invalid syntax`,
		"9007199254740993":    `converting driver.Value type float64 ("9.007199254740992e+15") to a int64: invalid syntax`,
		"'2026-01-02 03:04'":  `converting driver.Value type string ("2026-01-02 03:04") to a int64: invalid syntax`,
		"x'00'":               `converting driver.Value type []uint8 ("\x00") to a int64: invalid syntax`,
		"'not a time' AS bad": `converting driver.Value type string ("not a time") to a int64: invalid syntax`,
	} {
		err := db.QueryRow(`SELECT ` + col + ` FROM v`).Scan(&n)
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("scanning %s into int64: %v, want %q", col, err, want)
		}
	}
	var tm time.Time
	if err := db.QueryRow(`SELECT s FROM v`).Scan(&tm); err == nil || !strings.Contains(err.Error(), "unsupported Scan, storing driver.Value type string into type *time.Time") {
		t.Errorf("text into time.Time: %v", err)
	}
}

func TestArguments(t *testing.T) {
	db := open(t)
	_, err := db.Exec(`SELECT ?`, int64(abi.MaxSafeInteger+1))
	if !errors.Is(err, storage.ErrUnsafeInteger) || !strings.HasPrefix(err.Error(), "sqldb: argument 1: integer outside JavaScript's safe range") {
		t.Errorf("an unsafe integer: %v", err)
	}
	if _, err := db.Exec(`SELECT ?`, uint64(math.MaxUint64)); !errors.Is(err, storage.ErrUnsafeInteger) {
		t.Errorf("a large uint64: %v", err)
	}
	if _, err := db.Exec(`SELECT :a`, sql.Named("a", 1)); !errors.Is(err, ErrNamedArg) {
		t.Errorf("a named argument: %v", err)
	}
	if _, err := db.Exec(`SELECT ?`, struct{}{}); err == nil {
		t.Error("a struct argument was accepted")
	}
	// :name parameters bind by position.
	var a, b string
	if err := db.QueryRow(`SELECT :x, ?2`, "one", "two").Scan(&a, &b); err != nil || a != "one" || b != "two" {
		t.Errorf("positional :name = %q %q, %v", a, b, err)
	}
	args := make([]any, 101)
	for i := range args {
		args[i] = i
	}
	q := "SELECT " + strings.TrimSuffix(strings.Repeat("?,", 101), ",")
	if _, err := db.Exec(q, args...); err == nil || !strings.HasPrefix(err.Error(), "sqldb: too many SQL variables") {
		t.Errorf("101 parameters: %v", err)
	}
	if _, err := db.Exec(q[:len(q)-2], args[:100]...); err != nil {
		t.Errorf("100 parameters: %v", err)
	}
}

func TestStatementErrors(t *testing.T) {
	db := open(t)
	_, err := db.Exec(`INSERT INTO nowhere VALUES (1)`)
	if err == nil || err.Error() != "sqldb: no such table: nowhere: SQLITE_ERROR" {
		t.Errorf("no such table: %v", err)
	}
	for _, q := range []string{"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s", "RELEASE s"} {
		_, err := db.Exec(q)
		if !errors.Is(err, ErrNoBegin) || !strings.HasPrefix(err.Error(), "sqldb: To execute a transaction, please use") || !strings.HasSuffix(err.Error(), "In Go, use sqldb.Transaction.") {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := db.Begin(); !errors.Is(err, ErrNoBegin) || !strings.HasPrefix(err.Error(), "sqldb: BeginTx: sqldb: a Durable Object's SQL has no BEGIN") {
		t.Errorf("db.Begin: %v", err)
	}
	if errors.Is(statementError(errors.New("storage: sql: other")), ErrNoBegin) {
		t.Error("every statement error matches ErrNoBegin")
	}
	zero := Open(&storage.Storage{})
	if _, err := zero.Exec(`SELECT 1`); err == nil || !strings.HasPrefix(err.Error(), "sqldb: this Storage belongs to no Durable Object") {
		t.Errorf("a Storage of no object: %v", err)
	}
	if _, err := sql.Open("sqldb", ""); err == nil {
		t.Error("sql.Open found a driver by name")
	}
	if _, err := NewConnector(nil).Driver().Open(""); err == nil {
		t.Error("Driver.Open succeeded")
	}
}

func TestPrepare(t *testing.T) {
	db := open(t)
	ins, err := db.Prepare(`INSERT INTO v (s) VALUES (?)`)
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	for _, s := range []string{"a", "b", "c"} {
		if _, err := ins.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	sel, err := db.Prepare(`SELECT id, s FROM v WHERE id >= ? ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sel.Query(2)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	var got []string
	for rows.Next() {
		var id int
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cols, []string{"id", "s"}) || !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("columns %v, rows %v", cols, got)
	}
	// A bad statement prepares, and fails when it runs.
	bad, err := db.Prepare(`SELEKT 1`)
	if err != nil {
		t.Fatalf("Prepare checked the SQL: %v", err)
	}
	if _, err := bad.Exec(); err == nil || err.Error() != `sqldb: near "SELEKT": syntax error at offset 0: SQLITE_ERROR` {
		t.Errorf("running a bad statement: %v", err)
	}
}

func TestResult(t *testing.T) {
	db := open(t)
	mustExec(t, db, `INSERT INTO v (s) VALUES ('a'), ('b'), ('c')`)
	up := mustExec(t, db, `UPDATE v SET i = 1 WHERE s != 'a'`)
	if n, err := up.RowsAffected(); n != 2 || err != nil {
		t.Errorf("UPDATE: RowsAffected = %d, %v", n, err)
	}
	if id, err := up.LastInsertId(); id != 3 || err != nil {
		t.Errorf("UPDATE: LastInsertId = %d, %v (SQLite's: the last insert's)", id, err)
	}
	ins := mustExec(t, db, `INSERT INTO v (s) VALUES ('d')`)
	none := mustExec(t, db, `UPDATE v SET i = 2 WHERE s = 'nothing'`)
	// Another statement ran since the INSERT.
	if _, err := ins.LastInsertId(); !errors.Is(err, ErrResultGone) {
		t.Errorf("LastInsertId after another statement: %v", err)
	}
	if _, err := ins.RowsAffected(); !errors.Is(err, ErrResultGone) {
		t.Errorf("RowsAffected after another statement: %v", err)
	}
	// A statement that wrote nothing affected nothing, whenever asked.
	mustExec(t, db, `INSERT INTO v (s) VALUES ('e')`)
	if n, err := none.RowsAffected(); n != 0 || err != nil {
		t.Errorf("an UPDATE of no rows: RowsAffected = %d, %v", n, err)
	}
	// A KV write uses SQLite too.
	ins = mustExec(t, db, `INSERT INTO v (s) VALUES ('f')`)
	st := modelStorage(t) // another object: no effect
	st.KV.Put("k", 1)
	if id, err := ins.LastInsertId(); id != 6 || err != nil {
		t.Errorf("after another object's write: %d, %v", id, err)
	}
}

func TestResultAfterKVWrite(t *testing.T) {
	st := modelStorage(t)
	db := Open(st)
	mustExec(t, db, `CREATE TABLE t (a)`)
	r := mustExec(t, db, `INSERT INTO t VALUES (1)`)
	if err := st.KV.Put("k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.LastInsertId(); !errors.Is(err, ErrResultGone) {
		t.Errorf("LastInsertId after a KV write: %v", err)
	}
}

// The sqlc style: generated code over an interface that *sql.DB and
// *sql.Tx both satisfy.
type DBTX interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	PrepareContext(context.Context, string) (*sql.Stmt, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

type Queries struct{ db DBTX }

func New(db DBTX) *Queries                    { return &Queries{db: db} }
func (q *Queries) WithTx(tx *sql.Tx) *Queries { return &Queries{db: tx} }

func (q *Queries) AddNote(ctx context.Context, s string) (int64, error) {
	r, err := q.db.ExecContext(ctx, `INSERT INTO v (s) VALUES (?)`, s)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

func (q *Queries) Notes(ctx context.Context) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT s FROM v ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func TestTransaction(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	q := New(db)
	notes := func(want ...string) {
		t.Helper()
		got, err := q.Notes(ctx)
		if err != nil || !reflect.DeepEqual(got, append([]string{}, want...)) {
			t.Errorf("notes = %v, %v; want %v", got, err, want)
		}
	}
	err := Transaction(ctx, db, func(tx *sql.Tx) error {
		id, err := q.WithTx(tx).AddNote(ctx, "committed")
		if err != nil || id != 1 {
			t.Errorf("AddNote in a transaction = %d, %v", id, err)
		}
		in, err := q.WithTx(tx).Notes(ctx)
		if !reflect.DeepEqual(in, []string{"committed"}) {
			t.Errorf("the transaction sees %v, %v", in, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	notes("committed")

	planned := errors.New("planned")
	if err := Transaction(ctx, db, func(tx *sql.Tx) error {
		q.WithTx(tx).AddNote(ctx, "failed")
		return planned
	}); err != planned {
		t.Errorf("a failing function: %v, want its error as it is", err)
	}
	notes("committed")

	func() {
		defer func() {
			if v := recover(); v != "planned panic" {
				t.Errorf("recovered %v", v)
			}
		}()
		Transaction(ctx, db, func(tx *sql.Tx) error {
			q.WithTx(tx).AddNote(ctx, "panicked")
			panic("planned panic")
		})
	}()
	notes("committed")

	// tx.Rollback rolls back, even though the function returns nil; so do
	// the writes made through db.
	if err := Transaction(ctx, db, func(tx *sql.Tx) error {
		q.WithTx(tx).AddNote(ctx, "rolled back")
		q.AddNote(ctx, "rolled back too")
		return tx.Rollback()
	}); err != nil {
		t.Errorf("tx.Rollback: %v", err)
	}
	notes("committed")

	// tx.Commit ends tx; the function's result decides.
	if err := Transaction(ctx, db, func(tx *sql.Tx) error {
		q.WithTx(tx).AddNote(ctx, "commit called")
		if err := tx.Commit(); err != nil {
			return err
		}
		if _, err := tx.Exec(`SELECT 1`); !errors.Is(err, sql.ErrTxDone) {
			t.Errorf("tx after Commit: %v", err)
		}
		return planned
	}); err != planned {
		t.Errorf("Commit, then an error: %v", err)
	}
	notes("committed")

	// Nested: the inner one's failure undoes only its writes.
	if err := Transaction(ctx, db, func(tx *sql.Tx) error {
		q.WithTx(tx).AddNote(ctx, "outer")
		inner := Transaction(ctx, db, func(tx2 *sql.Tx) error {
			q.WithTx(tx2).AddNote(ctx, "inner")
			return planned
		})
		if inner != planned {
			t.Errorf("inner: %v", inner)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	notes("committed", "outer")

	// A statement prepared on db runs in the transaction through tx.Stmt,
	// as sqlc's prepared queries do after WithTx.
	ins, err := db.PrepareContext(ctx, `INSERT INTO v (s) VALUES (?)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := Transaction(ctx, db, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, ins).ExecContext(ctx, "prepared")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	notes("committed", "outer", "prepared")

	// BeginTx stays refused inside.
	Transaction(ctx, db, func(tx *sql.Tx) error {
		if _, err := db.BeginTx(ctx, nil); !errors.Is(err, ErrNoBegin) {
			t.Errorf("BeginTx inside a transaction: %v", err)
		}
		return nil
	})

	db.SetMaxOpenConns(1)
	if err := Transaction(ctx, db, func(*sql.Tx) error { return nil }); err == nil || !strings.Contains(err.Error(), "limited to 1 connections") {
		t.Errorf("a limited pool: %v", err)
	}
	db.SetMaxOpenConns(0)
	if err := Transaction(ctx, nil, func(*sql.Tx) error { return nil }); err == nil {
		t.Error("a nil sql.DB")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := Transaction(canceled, db, func(*sql.Tx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("a canceled context: %v", err)
	}
}

func TestOpen(t *testing.T) {
	st := modelStorage(t)
	// Outside a guest there is no object to attach the DB to: each Open
	// makes one.
	a, b := Open(st), Open(st)
	if a == b {
		t.Error("Open shared a DB of the harness's storage")
	}
	a.Close()
	if err := b.Ping(); err != nil {
		t.Error(err)
	}
}
