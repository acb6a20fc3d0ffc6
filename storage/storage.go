package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/storage/internal/storageconn"
)

func init() {
	storageconn.Of = func(v any) rt.Conn {
		if s, ok := v.(*Storage); ok && s != nil {
			return s.SQL.c()
		}
		return nil
	}
}

// Storage is the storage of one Durable Object. Its zero value belongs to
// no object: its methods return an error.
type Storage struct {
	// KV stores MessagePack-encoded Go values under string keys.
	KV *KV
	// SQL runs SQLite statements on the object's database.
	SQL *SQL
}

// FromContext returns the storage of the Durable Object whose event ctx
// belongs to (the ctx of an RPC method, r.Context() in ServeHTTP), and
// false if ctx belongs to no Durable Object's event. It is the same
// storage as the State's.
func FromContext(ctx context.Context) (*Storage, bool) {
	c, ok := rt.ConnFromContext(ctx)
	if !ok {
		return &Storage{}, false
	}
	return &Storage{KV: &KV{conn: c}, SQL: &SQL{conn: c}}, true
}

// DeleteAll deletes all of the object's storage, as workerd's deleteAll
// does for SQLite-backed objects: every KV key, every SQL table, and the
// alarm (in workerd with a compatibility date from 2026-02-24; the dotest
// harness deletes it at any date). The object goes on running; its next
// writes start a new, empty database.
func (s *Storage) DeleteAll() error {
	var c rt.Conn
	if s != nil {
		c = s.KV.c()
	}
	if _, err := rt.Do(conn(c), abi.OpDeleteAll, nil); err != nil {
		return fmt.Errorf("storage: deleteAll: %w", err)
	}
	return nil
}

// Sync waits until every write the object has made so far is durable, as
// workerd's storage.sync() does. An event's response already waits for its
// writes (workerd holds it until they are durable); Sync is for waiting
// before something else, such as a message on a socket. ctx is the
// context of the object's event.
func (s *Storage) Sync(ctx context.Context) error {
	if _, err := awaitObject(ctx, abi.OpSync, nil); err != nil {
		return fmt.Errorf("storage: sync: %w", err)
	}
	return nil
}

// CurrentBookmark returns a bookmark of the object's storage as it is now
// (workerd's getCurrentBookmark): a string that sorts after every earlier
// bookmark, to restore to later with RestoreOnNextSession.
func (s *Storage) CurrentBookmark(ctx context.Context) (string, error) {
	b, err := awaitObject(ctx, abi.OpCurrentBookmark, nil)
	if err != nil {
		return "", fmt.Errorf("storage: current bookmark: %w", err)
	}
	return b, nil
}

// BookmarkForTime returns the bookmark of the object's storage as it was
// at t, within the last 30 days (workerd's getBookmarkForTime). Local
// workerd and the dotest harness do not keep the history: there it
// returns the back-end's error.
func (s *Storage) BookmarkForTime(ctx context.Context, t time.Time) (string, error) {
	ms := float64(t.UnixMilli())
	b, err := awaitObject(ctx, abi.OpBookmarkForTime, &ms)
	if err != nil {
		return "", fmt.Errorf("storage: bookmark for %v: %w", t, err)
	}
	return b, nil
}

// RestoreOnNextSession has the object's storage restored to bookmark when
// the object next starts (workerd's onNextSessionRestoreBookmark), and
// returns a bookmark that undoes the restore. The restore happens when the
// object restarts: call State.Abort to restart it now. Local workerd and
// the dotest harness do not implement it: there it returns the back-end's
// error.
func (s *Storage) RestoreOnNextSession(ctx context.Context, bookmark string) (string, error) {
	undo, err := awaitObject(ctx, abi.OpRestoreBookmark, &bookmark)
	if err != nil {
		return "", fmt.Errorf("storage: restore %q on the next session: %w", bookmark, err)
	}
	return undo, nil
}

// awaitObject performs op on behalf of ctx's event, which must be a
// Durable Object's.
func awaitObject[Req, Res any](ctx context.Context, op abi.Async[Req, Res], req *Req) (Res, error) {
	if _, ok := rt.ConnFromContext(ctx); !ok {
		var none Res
		return none, rt.ErrNoObject
	}
	return rt.AwaitOp(ctx, op, req)
}

// Transaction runs fn as workerd's transactionSync runs its callback: the
// KV and SQL writes fn makes commit together when it returns nil, and
// roll back together when it returns an error or panics; then Transaction
// returns fn's error, or re-panics with its value. A Transaction inside fn
// nests (a savepoint): its rollback undoes only its own writes.
//
// fn runs synchronously, as the JavaScript callback must: storage calls
// are fine, but an operation that waits on I/O (a fetch, a stub call, an
// alarm operation) returns ErrTransactionWait, and fn must not block on
// anything another event would have to provide (a channel, a lock held
// across a wait, time.Sleep): the Go instance cannot leave fn until it
// returns, so that crashes the instance with an error saying so.
//
// Writes outside a Transaction are already atomic per event (workerd
// commits them together when the event next waits or returns); Transaction
// is for undoing them when something fails half way.
func (s *Storage) Transaction(fn func() error) error {
	var c rt.Conn
	if s != nil {
		c = s.KV.c()
	}
	if c == nil {
		return fmt.Errorf("storage: transaction: %w", errNilStorage)
	}
	if fn == nil {
		return errors.New("storage: transaction: nil function")
	}
	return rt.Transaction(c, fn)
}

// ErrTransactionWait is returned by an operation that waits on I/O when
// it is called inside a Transaction's function.
var ErrTransactionWait = rt.ErrTransactionWait

// ErrUnsafeInteger is matched by the error of a SQL argument that is an
// integer beyond ±(2^53-1): it would cross to JavaScript as an inexact
// number. Store such values as TEXT or BLOB.
var ErrUnsafeInteger = abi.ErrUnsafeInteger

// ErrNotOneValue is the error of KV.Get of a value that is not one
// MessagePack value: most often binary that JavaScript stored (a
// Uint8Array is stored as its bytes), which KV.GetRaw returns.
var ErrNotOneValue = abi.ErrTrailing

// ErrStubNotStorable is matched by the error of KV.Put (and PutMany) of a
// value that holds a *worker.Stub: a stub lives only as long as the Go
// instance. Store the object's name or ID, and get its stub again.
var ErrStubNotStorable = abi.ErrStubNotStorable

// ErrNoHost is returned when storage is used outside a Worker: in a plain
// unit test on the host, say. Use the dotest harness to test objects.
var ErrNoHost = rt.ErrNoHost

// errNilStorage guards against a Storage that was not handed out by the
// runtime.
var errNilStorage = errors.New("this Storage belongs to no Durable Object (a State made by hand?); use the one the constructor receives")

// conn returns c, or the connection of a Storage made by hand (c is
// nil), whose every operation fails with errNilStorage.
func conn(c rt.Conn) rt.Conn {
	if c == nil {
		return noStorage{}
	}
	return c
}

// noStorage is the connection of a Storage that belongs to no object.
type noStorage struct{}

func (noStorage) Call(abi.CallOp, []byte) ([]byte, error) { return nil, errNilStorage }
