// Package storage is a Durable Object's own storage: a key-value store (KV)
// and a SQLite database (SQL), both synchronous, as workerd offers them to
// SQLite-backed classes (new_sqlite_classes migrations in wrangler.toml).
// An object gets its [Storage] as State.Storage (package durableobject),
// and [FromContext] returns the same storage from the context of any event
// of the object (middleware that needs it from r.Context(), say).
//
// Writes made while an event runs are committed together when its code
// next waits (or returns), as in JavaScript; a Durable Object's response is
// held until they are durable.
//
// # KV
//
// [KV.Get], [KV.Put], [KV.Delete] and [KV.List] store Go values as
// MessagePack (struct fields named by their msgpack tags, else their json
// tags, else their Go names). [KV.GetMany], [KV.PutMany] and
// [KV.DeleteMany] handle many keys in one call to the host. [ListOptions]
// select keys as the options of workerd's ctx.storage.kv.list do (prefix,
// start, startAfter, end, limit, reverse), ordered by their UTF-8 bytes.
//
// # SQL
//
// [SQL.Exec](query, args...) runs a statement and returns a *[Cursor] to
// iterate ([Cursor.Next], [Cursor.Scan] as in database/sql,
// [Cursor.Columns], [Cursor.RowsRead], [Cursor.RowsWritten]). workerd's
// rules apply: no BEGIN or SAVEPOINT (an event's writes commit together;
// [Storage.Transaction] undoes them), at most 100 bound parameters and
// 100 KB per statement, values and rows up to 8 MiB (2.2 MB on the floor's
// workerd, wrangler 4.86), and integers exact only within ±(2^53−1): a
// larger Go integer argument is refused with an error matching
// [ErrUnsafeInteger] rather than silently rounded (KV keeps integers of any
// size: the worker package's docs, Integers, has the one rule for every
// path). Errors from SQLite come
// back as Go errors with SQLite's message. For database/sql and the code
// sqlc generates, use package storage/sqldb on the same database.
//
// # Transactions
//
// [Storage.Transaction](fn) is workerd's transactionSync: the KV and SQL
// writes fn makes commit together when it returns nil, and roll back
// together when it returns an error or panics (the panic goes on after the
// rollback); a Transaction inside fn nests as a savepoint.
//
//	err := st.Transaction(func() error {
//		if err := st.KV.Put("from", a-amount); err != nil {
//			return err
//		}
//		if err := st.KV.Put("to", b+amount); err != nil {
//			return err
//		}
//		if a < amount {
//			return ErrInsufficient // neither Put stays
//		}
//		return nil
//	})
//
// fn runs synchronously, as the JavaScript callback must: storage calls are
// fine, an operation that waits on I/O (a Stub's Call, worker.Fetch, the
// alarm's operations) returns [ErrTransactionWait], and a function that
// blocks on something only another event could give it (a channel, a lock
// held across a wait, time.Sleep) crashes the Go instance with an error
// saying so; the transaction is rolled back either way. The dotest harness
// runs transactions on its SQLite with savepoints, and its
// SetStorageFault reaches the operations inside them.
//
// # Values a JavaScript object stored
//
// A value that JavaScript stored (an earlier JavaScript version of the
// class, say) reads as the MessagePack of the value. [KV.Get] into an any
// gives string, bool, nil (null and undefined), integers within ±(2^53−1)
// as the smallest Go integer type and other numbers as float64, a bigint as
// int64 or uint64, a Date as time.Time, an Array or a Set as []any, an
// object or a Map with string keys as map[string]any (a Map with other keys
// as a list of [key, value] pairs), and a Uint8Array inside them as
// []byte; into a typed variable, the usual MessagePack conversions apply.
//
// A value that is itself binary (a Uint8Array, an ArrayBuffer) is stored as
// its bytes, which is also how Go's own values are stored (MessagePack in a
// Uint8Array, which JavaScript reads as such): [KV.GetRaw] returns those
// bytes, and KV.Get refuses them unless they happen to be one MessagePack
// value ([ErrNotOneValue]). In dotest, Object.PutJS(key, v) stores what
// such a JavaScript put would.
//
// A value that holds a Durable Object stub is refused
// ([ErrStubNotStorable]): a stub lives only as long as the Go instance.
// Store the object's name or ID instead.
//
// # Durability, deletion and point-in-time recovery
//
// [Storage.Sync](ctx) waits until the writes so far are durable (workerd's
// sync()), before a message on a socket, say.
//
// [Storage.DeleteAll] deletes everything, KV and SQL tables alike, and the
// alarm, as workerd's deleteAll does (the alarm from compatibility date
// 2026-02-24 on; dotest deletes it at any date); the object carries on with
// an empty database.
//
// Point-in-time recovery is [Storage.CurrentBookmark],
// [Storage.BookmarkForTime] (within 30 days) and
// [Storage.RestoreOnNextSession] (then State.Abort to restart into the
// restored storage). Local workerd and dotest keep no history, so there
// only the current bookmark works and the others return the back-end's
// error, as they do in wrangler dev.
//
// # Outside a Worker
//
// The zero Storage, and the Storage of a State made by hand, belong to no
// object: their methods return an error saying so. The dotest harness's
// Object.Storage returns a Storage on the object's own database, for a
// test to read or seed.
package storage
