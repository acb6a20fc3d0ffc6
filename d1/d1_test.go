package d1

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/sqlvalue"
	"github.com/godurable/godurable/worker"
)

func TestFromEnv(t *testing.T) {
	if _, err := FromEnv(nil, "DB"); !errors.Is(err, ErrNotD1) {
		t.Errorf("nil env: %v", err)
	}
	env, _ := worker.GetEnv() // empty off wasm
	if _, err := FromEnv(env, "DB"); !errors.Is(err, ErrNotD1) || !strings.Contains(err.Error(), "[[d1_databases]]") {
		t.Errorf("no binding: %v", err)
	}
	if _, err := Open(env, "DB"); !errors.Is(err, ErrNotD1) {
		t.Errorf("Open without a binding: %v", err)
	}
}

func TestErrorMatching(t *testing.T) {
	count := &Error{Binding: "DB", Op: "query", Err: worker.NewError("Error", "D1_ERROR: Wrong number of parameter bindings for SQL query.")}
	if !errors.Is(count, ErrBindingCount) || errors.Is(count, ErrNoTransaction) {
		t.Errorf("binding count error matches wrongly")
	}
	var we *worker.Error
	if !errors.As(count, &we) || we.Message != "D1_ERROR: Wrong number of parameter bindings for SQL query." {
		t.Errorf("no *worker.Error in %v", count)
	}
	if got := count.Error(); got != "d1: DB: query: D1_ERROR: Wrong number of parameter bindings for SQL query." {
		t.Errorf("Error() = %q", got)
	}
	begin := &Error{Binding: "DB", Op: "query", Err: worker.NewError("Error", "D1_ERROR: To execute a transaction, please use the state.storage.transaction() or ...")}
	if !errors.Is(begin, ErrNoTransaction) || errors.Is(begin, ErrBindingCount) {
		t.Errorf("transaction error matches wrongly")
	}
}

func TestStatementChecks(t *testing.T) {
	db, other := &Database{binding: "DB"}, &Database{binding: "OTHER"}
	ctx := context.Background()
	s := db.Prepare("SELECT ?")
	if _, err := s.Bind(int64(abi.MaxSafeInteger) + 1).All(ctx); !errors.Is(err, abi.ErrUnsafeInteger) {
		t.Errorf("unsafe integer: %v", err)
	}
	if _, err := s.Bind(struct{}{}).Run(ctx); err == nil || !strings.Contains(err.Error(), "argument 1: unsupported type") {
		t.Errorf("struct: %v", err)
	}
	if _, err := db.Batch(ctx, s.Bind(1), other.Prepare("SELECT 1")); err == nil || !strings.Contains(err.Error(), "statement 2 was prepared on another database") {
		t.Errorf("another database's statement: %v", err)
	}
	if _, err := db.Batch(ctx, nil); err == nil || !strings.Contains(err.Error(), "statement 1 is nil") {
		t.Errorf("nil statement: %v", err)
	}
	// Bind makes a new statement; the first keeps its arguments.
	a, b := s.Bind(1), s.Bind(2)
	if a.args[0] != int64(1) || b.args[0] != int64(2) || s.args != nil {
		t.Errorf("Bind shares arguments: %v %v %v", a.args, b.args, s.args)
	}
	// Off wasm the call itself fails, after the checks.
	if _, err := s.Bind(1).All(ctx); !errors.Is(err, rt.ErrNoHost) {
		t.Errorf("off wasm: %v", err)
	}
}

func TestRowsScan(t *testing.T) {
	r := &Rows{rows: sqlvalue.Rows{Columns: []string{"n", "s"}, Data: [][]any{{2.0, "x"}, {nil, "y"}}}}
	var n int64
	var s string
	if err := r.Scan(&n, &s); err == nil {
		t.Error("Scan before Next")
	}
	r.Next()
	if err := r.Scan(&n, &s); err != nil || n != 2 || s != "x" {
		t.Errorf("row 1: %d %q %v", n, s, err)
	}
	r.Next()
	if err := r.Scan(&n, &s); err == nil || !strings.Contains(err.Error(), "d1: Scan: column 1 (n): NULL into int64") {
		t.Errorf("NULL into int64: %v", err)
	}
	if r.Next() || r.Len() != 2 {
		t.Error("a third row")
	}
}

func TestFromSQL(t *testing.T) {
	want := &Database{binding: "DB"}
	db := sql.OpenDB(NewConnector(want))
	defer db.Close()
	if got, err := FromSQL(db); err != nil || got != want {
		t.Errorf("FromSQL = %v, %v", got, err)
	}
	if _, err := FromSQL(nil); !errors.Is(err, ErrNotD1) {
		t.Errorf("FromSQL(nil): %v", err)
	}
	if _, err := db.BeginTx(context.Background(), nil); !errors.Is(err, ErrNoTransaction) {
		t.Errorf("BeginTx: %v", err)
	}
	if _, err := db.ExecContext(context.Background(), "SELECT ?", sql.Named("a", 1)); !errors.Is(err, ErrNamedArg) {
		t.Errorf("named argument: %v", err)
	}
}
