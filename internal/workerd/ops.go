package workerd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// The host operations, as the shim's SYNC_OPS and ASYNC_OPS_IMPL implement
// them in workerd, keyed like internal/abi's table (a test checks that
// every row has its case here and that nothing else does). This file
// dispatches them; each feature's file implements its own (storageops.go,
// websockets.go, outbound.go, bodies.go, stubs.go, d1.go, alarms.go,
// event.go, ...), as each of the shim's internal/shim/js/features does.

// A syncOp implements one synchronous operation. s is the storage of the
// operation's object, nil for an operation on no object.
type syncOp func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error)

// An asyncOp implements one asynchronous operation; it may block as long
// as the operation takes. s is as for a syncOp.
type asyncOp func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error)

// The tables of the model's operations: each feature's file adds its own
// from its init, with register.
var (
	syncOps  = map[abi.CallOp]syncOp{}
	asyncOps = map[abi.AsyncOp]asyncOp{}
)

// register adds the implementations of a feature's operations to table;
// an operation implemented twice panics.
func register[Op comparable, Impl any](table map[Op]Impl, impls map[Op]Impl) {
	for op, impl := range impls {
		if _, ok := table[op]; ok {
			panic(fmt.Sprintf("workerd: operation %v implemented twice", op))
		}
		table[op] = impl
	}
}

// objectStorage is the storage an operation acts on, and how to make it
// fail: fault is nil when a test reads storage itself.
type objectStorage struct {
	class, id string
	db        *DB
	op        string // the operation's fault label
	fault     func(StorageOp) error
}

// check consults the storage fault before the operation runs.
func (s *objectStorage) check(key, query string) error {
	if s.fault == nil || s.op == "" {
		return nil
	}
	err := s.fault(StorageOp{Class: s.class, ID: s.id, Op: s.op, Key: key, Query: query})
	if err == nil {
		return nil
	}
	var je *driver.JSError
	if errors.As(err, &je) {
		return je
	}
	return NewJSError("Error", err.Error())
}

// key decodes the request of an operation on one key and consults the
// fault for it.
func (s *objectStorage) key(req []byte) (string, error) {
	var k abi.KVKey
	if err := decodeRequest(req, &k); err != nil {
		return "", err
	}
	return k.Key, s.check(k.Key, "")
}

// hostCall implements the call import, as the shim's Runtime.hostCall.
func (iso *Isolate) hostCall(op abi.CallOp, handle uint32, req []byte) ([]byte, error) {
	info, ok := op.Info()
	impl := syncOps[op]
	if !ok || impl == nil {
		return nil, NewJSError("TypeError", fmt.Sprintf("godurable: unknown host call %d", op))
	}
	if info.Object {
		ioType := ioStorage
		if strings.HasPrefix(info.Name, "ws.") {
			ioType = ioSocket
		}
		if err := iso.requireContext(ioContext{object: handle}, ioType); err != nil {
			return nil, err
		}
	}
	s, err := iso.storageFor(info, handle)
	if err != nil {
		return nil, err
	}
	if s != nil {
		if err := iso.requireSQLite(s.class, info.Name); err != nil {
			return nil, err
		}
		s.db.epoch.Add(1)
	}
	return impl(iso, s, req)
}

// requireSQLite fails a synchronous KV or SQL operation of a class whose
// storage is the key-value backend (no new_sqlite_classes migration
// created it), as workerd does: local workerd keeps every object in
// SQLite, but refuses these APIs to such a class (actor-state.c++).
func (iso *Isolate) requireSQLite(class, op string) error {
	if !iso.cfg.KVBacked[class] {
		return nil
	}
	switch {
	case strings.HasPrefix(op, "kv."):
		return NewJSError("Error", "The storage.kv (synchronous KV) API is only available for SQLite-backed Durable Objects, but this object's namespace is not declared to use SQLite. You can use the older, asyncronous interface via methods of `storage` itself (e.g. `storage.get()`). Alternatively, to enable SQLite, change `new_classes` to `new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or wrangler.toml file. If using workerd directly, set `enableSql = true` in your workerd config for the class. Note that this change cannot be made after the class is already deployed to production.")
	case strings.HasPrefix(op, "sql."):
		return NewJSError("Error", "SQL is not enabled for this Durable Object class. To enable it, change `new_classes` to `new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or wrangler.toml file. If using workerd directly,set `enableSql = true` in your workerd config for the class. Note that this change cannot be made after the class is already deployed to production.")
	}
	return nil
}

// storageFor returns the storage an operation acts on: that of the
// object with handle, or nil for an operation on no object.
func (iso *Isolate) storageFor(info abi.OpInfo, handle uint32) (*objectStorage, error) {
	if !info.Object {
		return nil, nil
	}
	iso.mu.Lock()
	o := iso.handles[handle]
	fault := iso.fault
	iso.mu.Unlock()
	if o == nil {
		return nil, NewJSError("Error", fmt.Sprintf("godurable: no storage for object %d", handle))
	}
	return &objectStorage{class: o.class, id: o.id, db: o.db, op: info.Fault, fault: fault}, nil
}

// decodeRequest decodes the request of a host call. A malformed request
// fails the call as the shim's decoder would.
func decodeRequest(req []byte, v any) error {
	if _, err := jsDecode(req); err != nil {
		return NewJSError("DecodeError", err.Error())
	}
	if err := abi.Unmarshal(req, v); err != nil {
		return NewJSError("TypeError", "godurable: malformed request: "+err.Error())
	}
	return nil
}

// startOp implements the start import's operations, as the shim's
// Runtime.startOp.
func (iso *Isolate) startOp(op abi.AsyncOp, handle uint32, req []byte) ([]byte, error) {
	info, ok := op.Info()
	impl := asyncOps[op]
	if !ok || impl == nil {
		return nil, NewJSError("TypeError", fmt.Sprintf("godurable: unknown async operation %d", op))
	}
	s, err := iso.storageFor(info, handle)
	if err != nil {
		return nil, err
	}
	if s != nil {
		s.db.epoch.Add(1)
	}
	return impl(iso, s, req)
}
