// Package storage is a Durable Object's own storage: a key-value store (KV)
// and a SQLite database (SQL), both synchronous, as workerd offers them to
// SQLite-backed classes (new_sqlite_classes in wrangler.toml).
//
// Writes made while an event runs are committed together when its code
// next waits (or returns), as in JavaScript; a Durable Object's response is
// held until they are durable.
package storage

import (
	"errors"

	"github.com/godurable/godurable/internal/rt"
)

// Storage is the storage of one Durable Object.
type Storage struct {
	// KV stores MessagePack-encoded Go values under string keys.
	KV *KV
	// SQL runs SQLite statements on the object's database.
	SQL *SQL
}

// ErrNoHost is returned when storage is used outside a Worker: in a plain
// unit test on the host, say. Use the dotest harness to test objects.
var ErrNoHost = rt.ErrNoHost

func init() {
	rt.NewStorage = func(object uint32) any {
		return &Storage{KV: &KV{object: object}, SQL: &SQL{object: object}}
	}
}

// errNilStorage guards against a Storage that was not handed out by the
// runtime.
var errNilStorage = errors.New("storage: this Storage belongs to no Durable Object (a State made by hand?); use the one the constructor receives")
