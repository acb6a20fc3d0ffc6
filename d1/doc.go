// Package d1 reaches Cloudflare D1 databases from a Worker or a Durable
// Object: a small API shaped like JavaScript's D1Database (Prepare, Bind,
// All, Raw, Run, First, Batch, Exec), and a database/sql driver (Open) for
// plain database/sql code and the code sqlc generates.
//
// A D1 database is a binding of wrangler.toml, reached from the stateless
// Worker and from any Durable Object:
//
//	[[d1_databases]]
//	binding = "DB"                 # d1.FromEnv(env, "DB") / d1.Open(env, "DB") in Go, env.DB in JavaScript
//	database_name = "app"
//	database_id = "<the database's ID>"
//
// [FromEnv] gives the direct API. db.Prepare(query).Bind(args...) returns a
// [Statement] (immutable, so reusable), and [Statement.All],
// [Statement.Raw], [Statement.Run] and [Statement.First] run it;
// [Database.Batch] runs statements as one transaction; [Database.Exec]
// runs a text's lines (migrations).
//
//	db, err := d1.FromEnv(env, "DB")
//	// ...
//	var n int64
//	err = db.Prepare(`SELECT count(*) FROM users WHERE team = ?`).Bind(team).First(ctx, &n)
//
//	insert := db.Prepare(`INSERT INTO users (name, team) VALUES (?, ?)`)
//	_, err = db.Batch(ctx, insert.Bind("ann", team), insert.Bind("bob", team)) // both, or neither
//
// Results scan like database/sql's ([Rows.Next], [Rows.Scan]), with D1's
// [Meta] (Changes, LastRowID, RowsRead, RowsWritten, SizeAfter, Duration,
// ServedBy). All returns the rows JavaScript's all() gives as objects,
// which keep the last of repeated column names; Raw returns every column
// as SQLite names it (a join's two ids included).
//
// [Open] returns a *sql.DB for database/sql code and sqlc's: RowsAffected
// and LastInsertId are the statement's own meta.changes and
// meta.last_row_id, and a query reads every column as SQLite names it.
//
// Every call waits for D1 (it is a Promise in JavaScript), so it takes the
// context of an event: r.Context() in an HTTP handler, the ctx of a
// Durable Object's method. While it waits, other events of the Worker, or
// of the object, run.
//
// # Values
//
// Arguments bind by position (? and ?NNN; sql.Named is refused with
// [ErrNamedArg]) and may be nil, bool (bound as 1 or 0, as D1 binds
// booleans), any integer or float type, string, []byte (a BLOB), time.Time
// (RFC 3339 text), pointers to them and driver.Valuer implementations.
// Values cross as JavaScript numbers, so integers are exact only within
// ±(2^53−1): a larger integer argument is refused with an error matching
// storage.ErrUnsafeInteger before anything is sent (the worker package's
// docs, Integers, has the rule for every path), and a larger stored
// INTEGER reads back as an inexact float64. A REAL with an integral value
// (2.0) reads back as the int64 2, and a REAL infinity as NULL (D1's
// results cross as JSON). Results scan as database/sql scans them (see
// [Rows.Scan]): into the integer types, float64, string, []byte, bool,
// time.Time and the sql.Null types.
//
// # Errors
//
// A failing statement returns an *[Error] that wraps the *worker.Error D1
// threw, with the name and message a JavaScript caller catches (Name
// "Error", Message "D1_ERROR: no such table: users: SQLITE_ERROR"), and
// matches [ErrBindingCount] ("D1_ERROR: Wrong number of parameter bindings
// for SQL query.") and [ErrNoTransaction] where they apply.
//
// # Transactions
//
// D1 has no interactive transactions: a BEGIN is refused with
// [ErrNoTransaction], and so is db.BeginTx through database/sql. A batch is
// the atomic unit: [Database.Batch] runs statements as one transaction, and
// a failing statement undoes the batch's others; so does a failing line of
// Exec. Code on database/sql gets the Database for it with [FromSQL], with
// the same SQL (sqlc's query constants, say).
//
// Not yet: D1's sessions (withSession) and read replication.
//
// # Testing
//
// The dotest harness emulates each [[d1_databases]] binding (and each of
// Options.D1) with a SQLite database shared by the Worker and its objects,
// run as local D1 runs it (each call one transaction, the same meta,
// "D1_ERROR:" messages); Worker.D1(binding) gives the test a *sql.DB on it
// to seed or inspect. examples/guestbook is a Worker on D1 through
// database/sql, with its tests.
//
// # Cost
//
// Measured in wrangler dev 4.164 on a loaded 2-core machine (local
// observability off; sequential SELECT ? with All, 4 interleaved rounds of
// 2,000): 0.88–1.19 ms a query from a Go Worker, 0.53–0.88 ms from a
// JavaScript one, so about 0.3 ms more from Go (the operation's round trip
// through the shim and the Go scheduler, and the encoding of the request
// and the rows). Deployed, a query is a network round trip to the
// database, which dwarfs it.
package d1
