package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/storage/sqldb"
	"github.com/godurable/godurable/worker"
)

// Board is a Durable Object that keeps its messages in its own SQLite
// database, through database/sql.
type Board struct {
	db *sql.DB
}

const schema = `CREATE TABLE IF NOT EXISTS messages (
	id INTEGER PRIMARY KEY,
	author TEXT NOT NULL,
	body TEXT NOT NULL,
	posted TEXT NOT NULL -- a time.Time, as RFC 3339 text
)`

func newBoard(state *durableobject.State, env *worker.Env) (*Board, error) {
	db := sqldb.Open(&state.Storage)
	if _, err := db.Exec(schema); err != nil {
		return nil, fmt.Errorf("creating the messages table: %w", err)
	}
	return &Board{db: db}, nil
}

// Post is an RPC method: it stores a message and returns its id.
func (b *Board) Post(ctx context.Context, author, body string) (int64, error) {
	res, err := b.db.ExecContext(ctx, `INSERT INTO messages (author, body, posted) VALUES (?, ?, ?)`,
		author, body, time.Now())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId() // right after the statement, as sqlc's :execlastid does
}

// Since returns the bodies of the messages posted after t.
func (b *Board) Since(ctx context.Context, t time.Time) ([]string, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT body, posted FROM messages ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var body string
		var posted time.Time
		if err := rows.Scan(&body, &posted); err != nil {
			return nil, err
		}
		if posted.After(t) {
			out = append(out, body)
		}
	}
	return out, rows.Err()
}

// A Durable Object class whose constructor opens the object's *sql.DB.
// Code that sqlc generates for SQLite works on it as it is: pass the
// *sql.DB to New, and the *sql.Tx of sqldb.Transaction to WithTx.
func Example() {
	// In a Worker, this runs in an init function; "Board" is the class_name
	// of a binding in wrangler.toml, whose migration has new_sqlite_classes.
	durableobject.Register("Board", newBoard)
}

// ErrTooLong is returned by Rename for a name over 40 bytes.
var ErrTooLong = errors.New("name too long")

// Rename changes an author's name in every message, and records the
// change, or does neither.
func (b *Board) Rename(ctx context.Context, from, to string) (int64, error) {
	var n int64
	err := sqldb.Transaction(ctx, b.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET author = ? WHERE author = ?`, to, from)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (author, body, posted) VALUES ('board', ?, ?)`,
			from+" is now "+to, time.Now()); err != nil {
			return err
		}
		if len(to) > 40 {
			return ErrTooLong // undoes both statements
		}
		return nil
	})
	return n, err
}

// A transaction: fn's statements commit together when it returns nil,
// and roll back together when it returns an error (or panics). db.BeginTx
// is refused, as workerd refuses BEGIN.
func ExampleTransaction() {
	var b *Board // an object made by newBoard
	_ = b.Rename // b.Rename(ctx, "gopher", "Gopher")
}
