package dotest

import (
	"context"
	"errors"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/worker"
)

// Storage: the faults a test injects into the guest's storage, and the
// test's own access to an object's storage.

// StorageOp describes a storage operation of the guest, for SetStorageFault.
type StorageOp struct {
	Binding string // the namespace binding of the object's class
	Class   string
	ID      string
	// Op names the operation as workerd's storage API does: "kv.get",
	// "kv.put", "kv.delete", "kv.list", "kv.getMany", "kv.putMany",
	// "kv.deleteMany" (with no Key), "sql.exec", "sql.databaseSize",
	// "storage.sync", "storage.deleteAll", "storage.transactionSync" (before the
	// transaction's function runs; the operations inside it have faults of
	// their own).
	Op    string
	Key   string // for kv.get, kv.put and kv.delete
	Query string // for sql.exec
}

// SetStorageFault installs f, called before every storage operation of
// the guest: if it returns an error, the operation fails with it, as if
// workerd's storage had thrown it (a *worker.Error keeps its name). Nil
// removes it. The test's own Object.Storage never fails this way.
func (w *Worker) SetStorageFault(f func(StorageOp) error) {
	if f == nil {
		w.iso.SetStorageFault(nil)
		return
	}
	bindings := map[string]string{}
	for b, c := range w.bindings {
		if _, ok := bindings[c]; !ok || b < bindings[c] {
			bindings[c] = b
		}
	}
	w.iso.SetStorageFault(func(op workerd.StorageOp) error {
		err := f(StorageOp{Binding: bindings[op.Class], Class: op.Class, ID: op.ID, Op: op.Op, Key: op.Key, Query: op.Query})
		var we *worker.Error
		if errors.As(err, &we) {
			return workerd.NewJSError(we.ErrorName(), we.Message)
		}
		return err
	})
}

// Storage returns the object's storage for the test to read or seed: a
// storage.Storage, the same type the object itself uses, on the same
// database and through the same operations (with workerd's rules), so
// that test code reads like object code. It outlives evictions and
// restarts, and storage faults never apply to it.
func (o *Object) Storage() *storage.Storage {
	s, _ := storage.FromContext(rt.WithConn(context.Background(), o.w.iso.Conn(o.t.Class, o.t.ID)))
	return s
}

// PutJS stores under key what a JavaScript object's storage.kv.put(key,
// value) leaves for Go to read, for the JavaScript value v stands for:
// nil (null), bool, string, int or float64 (a number), int64 or uint64
// (a bigint), time.Time (a Date), []any (an Array or a Set),
// map[string]any (an object, or a Map with string keys) and []byte (a
// Uint8Array). Use it to test that a Go class reads what an earlier
// JavaScript version of it stored.
func (o *Object) PutJS(key string, v any) error {
	b, err := workerd.StoredJS(v)
	if err == nil {
		// Through the host's kv.put as JavaScript's: the value need not be
		// MessagePack (a Uint8Array is its bytes).
		req := abi.AppendKVPutRequest(nil, key, b)
		_, err = rt.Do(o.w.iso.Conn(o.t.Class, o.t.ID), abi.OpKVPut, &req)
	}
	if err != nil {
		return fmt.Errorf("dotest: PutJS %q: %w", key, err)
	}
	return nil
}
