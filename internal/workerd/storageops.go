package workerd

import (
	"errors"
	"fmt"
	"slices"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// The operations on an object's storage, as the shim's
// features/storage.js implements them: KV, SQL, deleteAll,
// transactionSync, sync and point-in-time recovery.

func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallKVGet: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			key := driver.DecodeUTF8(req) // the shim's TextDecoder
			if err := s.check(key, ""); err != nil {
				return nil, err
			}
			v, err := s.db.KVGet(key)
			if err != nil || v == nil {
				return []byte{}, storageError(err)
			}
			return v, nil
		},
		abi.CallKVPut: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			key, value, err := abi.KVPutRequest(req).Parse()
			if err != nil {
				return nil, malformed(err)
			}
			key = driver.DecodeUTF8([]byte(key))
			if err := s.check(key, ""); err != nil {
				return nil, err
			}
			return []byte{}, storageError(s.db.KVPut(key, slices.Clone(value)))
		},
		abi.CallKVDelete: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			key, err := s.key(req)
			if err != nil {
				return nil, err
			}
			existed, err := s.db.KVDelete(key)
			if err != nil {
				return nil, storageError(err)
			}
			return jsEncode(existed)
		},
		abi.CallKVGetMany: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var keys []string
			if err := decodeRequest(req, &keys); err != nil {
				return nil, err
			}
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			out := make([]abi.KVEntry, 0, len(keys))
			for _, k := range keys {
				v, err := s.db.KVGet(k)
				if err != nil {
					return nil, storageError(err)
				}
				if v != nil {
					out = append(out, abi.KVEntry{Key: k, Value: v})
				}
			}
			return abi.Marshal(out)
		},
		abi.CallKVPutMany: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var entries []abi.KVEntry
			if err := decodeRequest(req, &entries); err != nil {
				return nil, err
			}
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			for _, e := range entries {
				if e.Value == nil {
					return nil, NewJSError("TypeError", "Cannot read properties of null (reading 'slice')")
				}
				if err := s.db.KVPut(e.Key, e.Value); err != nil {
					return nil, storageError(err)
				}
			}
			return []byte{}, nil
		},
		abi.CallKVDeleteMany: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var keys []string
			if err := decodeRequest(req, &keys); err != nil {
				return nil, err
			}
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			n := 0
			for _, k := range keys {
				existed, err := s.db.KVDelete(k)
				if err != nil {
					return nil, storageError(err)
				}
				if existed {
					n++
				}
			}
			return jsEncode(float64(n))
		},
		abi.CallKVList: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var l abi.KVList
			if err := decodeRequest(req, &l); err != nil {
				return nil, err
			}
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			entries, err := s.db.KVList(l)
			if err != nil {
				return nil, storageError(err)
			}
			out := make([]any, len(entries))
			for i, e := range entries {
				out[i] = []any{e.Key, e.Value}
			}
			return jsEncode(out)
		},
		abi.CallSQLExec: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			query, args, err := abi.SQLExecRequest(req).Parse()
			if err != nil {
				return nil, malformed(err)
			}
			query = driver.DecodeUTF8([]byte(query)) // the shim's TextDecoder
			for i, a := range args {
				switch a := a.(type) {
				case nil, float64, []byte:
				case string:
					args[i] = driver.DecodeUTF8([]byte(a))
				default:
					return nil, NewJSError("TypeError", fmt.Sprintf("Failed to execute 'exec' on 'SqlStorage': parameter %d is not of type 'string or ArrayBuffer or ArrayBufferView or number'.", i+2))
				}
			}
			if err := s.check("", query); err != nil {
				return nil, err
			}
			res, err := s.db.Exec(query, args)
			if err != nil {
				return nil, storageError(err)
			}
			return abi.AppendSQLExecResult(nil, res)
		},
		abi.CallSQLDatabaseSize: func(_ *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			n, err := s.db.Size()
			if err != nil {
				return nil, storageError(err)
			}
			return jsEncode(float64(n))
		},
		abi.CallDeleteAll: func(iso *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			if err := s.db.DeleteAll(); err != nil {
				return nil, storageError(err)
			}
			iso.setAlarm(s, nil) // deleteAll deletes the alarm too (from 2026-02-24)
			return []byte{}, nil
		},
		abi.CallTransactionSync: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			inst := iso.current()
			err := s.db.Transaction(func() error {
				if !inst.RunTransaction(id) {
					return errRolledBack // the guest has the function's error
				}
				return nil
			})
			if err != nil && err != errRolledBack {
				return nil, storageError(err)
			}
			return []byte{}, nil
		},
	})
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		// The model's writes are durable as they are made.
		abi.AsyncSync: func(_ *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			return []byte{}, s.check("", "")
		},
		// Point-in-time recovery as local workerd has it: a current
		// bookmark, and the back-end's refusal of the rest.
		abi.AsyncCurrentBookmark: func(_ *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			return jsEncode(s.db.NextBookmark())
		},
		abi.AsyncBookmarkForTime: func(_ *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			return nil, errNoPITR
		},
		abi.AsyncRestoreBookmark: func(_ *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			if err := s.check("", ""); err != nil {
				return nil, err
			}
			return nil, errNoPITR
		},
	})
}

// errNoPITR is local workerd's answer to point-in-time recovery beyond the
// current bookmark (measured with wrangler 4.164).
var errNoPITR = NewJSError("Error", "This Durable Object's storage back-end does not implement point-in-time recovery.")

// errRolledBack is what a transaction's function returns to roll back
// when the guest's function failed.
var errRolledBack = errors.New("the transaction's function failed")

// malformed is what the shim throws for a request whose layout it cannot
// read (a DataView's read beyond the request).
func malformed(err error) error {
	return NewJSError("RangeError", "godurable: malformed request: "+err.Error())
}

// storageError turns an error of the storage model into what workerd's
// storage throws; nil stays nil.
func storageError(err error) error {
	if err == nil {
		return nil
	}
	var je *driver.JSError
	if errors.As(err, &je) {
		return je
	}
	var se *SQLError
	if errors.As(err, &se) {
		return NewJSError("Error", se.Message)
	}
	return NewJSError("Error", err.Error())
}
