package sqldb_test

import (
	"context"
	"fmt"
	"log"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/storage/sqldb"
)

// Open gives database/sql on an object's own SQLite database. In a
// Durable Object, open it in the constructor on &state.Storage (see the
// package example); here it runs on the storage of an object of the
// counter example, which the dotest harness hands a test.
func ExampleOpen() {
	w, err := dotest.Start(&dotest.Options{Package: "../../examples/counter"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	db := sqldb.Open(w.Object("COUNTER", "board").Storage())
	ctx := context.Background()

	if _, err := db.ExecContext(ctx, `CREATE TABLE messages (id INTEGER PRIMARY KEY, author TEXT, body TEXT)`); err != nil {
		log.Fatal(err)
	}
	res, err := db.ExecContext(ctx, `INSERT INTO messages (author, body) VALUES (?, ?)`, "ann", "hello")
	if err != nil {
		log.Fatal(err)
	}
	id, err := res.LastInsertId() // right after the statement
	fmt.Println(id, err)

	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE author = ?`, "ann").Scan(&n)
	fmt.Println(n, err)

	_, err = db.BeginTx(ctx, nil) // workerd has no BEGIN: use sqldb.Transaction
	fmt.Println(err != nil)
	// Output:
	// 1 <nil>
	// 1 <nil>
	// true
}
