package dotest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
)

// In a test, use dotest.New(t, opts); Start is its twin for examples.
func start() *dotest.Worker {
	w, err := dotest.Start(&dotest.Options{Package: "../../examples/counter"})
	if err != nil {
		log.Fatal(err)
	}
	return w
}

// A test drives the Worker over HTTP and its Durable Objects over RPC.
func Example() {
	w := start()
	defer w.Close()

	resp := w.Fetch(httptest.NewRequest("POST", "/counter/a/increment?by=2", nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))

	var n int64
	if err := w.Object("COUNTER", "a").Call(context.Background(), "increment", &n, 3); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output:
	// 200 {"name":"a","value":2}
	// 5
}

// An error returned by an RPC method arrives as the *worker.Error that a
// JavaScript caller catches.
func ExampleObject_Call() {
	w := start()
	defer w.Close()

	err := w.Object("COUNTER", "a").Call(context.Background(), "increment", nil, -1)
	var we *worker.Error
	if errors.As(err, &we) {
		fmt.Println(we.Name, we.Message)
	}
	// Output: RangeError by must be a positive integer
}

// Storage outlives evictions and restarts, and a test can read it.
func ExampleWorker_Restart() {
	w := start()
	defer w.Close()

	c := w.Object("COUNTER", "a")
	c.Call(context.Background(), "increment", nil, 5)
	c.Evict()
	w.Restart()

	// The test reads storage with the object's own storage.Storage.
	var stored, rows int64
	c.Storage().KV.Get("value", &stored)
	cur, _ := c.Storage().SQL.Exec("SELECT count(*) FROM history")
	cur.One(&rows)
	fmt.Println(stored, rows)
	// Output: 5 1
}

// A test can make storage fail, to see what the object does then.
func ExampleWorker_SetStorageFault() {
	w := start()
	defer w.Close()

	w.SetStorageFault(func(op dotest.StorageOp) error {
		if op.Op == "kv.put" {
			return errors.New("disk full")
		}
		return nil
	})
	err := w.Object("COUNTER", "a").Call(context.Background(), "increment", nil, 1)
	fmt.Println(err)
	// Output: storage: put "value": disk full
}

// A D1 binding ([[d1_databases]] in wrangler.toml) is a SQLite database
// in the test: seed it, run the Worker, read what it wrote.
func ExampleWorker_D1() {
	w, err := dotest.Start(&dotest.Options{Package: "../../examples/guestbook"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	db, err := w.D1("DB")
	if err != nil {
		log.Fatal(err)
	}
	db.Exec(`CREATE TABLE entries (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (name <> ''), message TEXT NOT NULL, at TEXT NOT NULL)`)
	db.Exec(`INSERT INTO entries (name, message, at) VALUES ('seed', 'from the test', '2026-12-01T10:00:00Z')`)

	resp := w.Fetch(httptest.NewRequest("POST", "/entries", strings.NewReader(`{"name":"ann","message":"hello"}`)))
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))

	var names []string
	rows, _ := db.Query(`SELECT name FROM entries ORDER BY id`)
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	fmt.Println(names)
	// Output:
	// 201 {"id":2}
	// [seed ann]
}
