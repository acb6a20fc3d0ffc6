package workerd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// The host operations, as the shim's SYNC_OPS and ASYNC_OPS_IMPL implement
// them in workerd, keyed like internal/abi's table (a test checks that
// every row has its case here and that nothing else does).

// A syncOp implements one synchronous operation. s is the storage of the
// operation's object, nil for an operation on no object.
type syncOp func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error)

// The tables are made by init: their operations reach back to them
// through the isolate's events.
var (
	syncOps  map[abi.CallOp]syncOp
	asyncOps map[abi.AsyncOp]asyncOp
)

func init() {
	syncOps = map[abi.CallOp]syncOp{
		abi.CallEnv: func(iso *Isolate, _ *objectStorage, _ []byte) ([]byte, error) {
			return jsEncode(iso.describeEnv())
		},
		abi.CallKVGet: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			key, err := s.key(req)
			if err != nil {
				return nil, err
			}
			v, err := s.db.KVGet(key)
			if err != nil || v == nil {
				return []byte{}, storageError(err)
			}
			return v, nil
		},
		abi.CallKVPut: func(_ *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var p abi.KVPut
			if err := decodeRequest(req, &p); err != nil {
				return nil, err
			}
			if err := s.check(p.Key, ""); err != nil {
				return nil, err
			}
			if p.Value == nil {
				return nil, NewJSError("TypeError", "Cannot read properties of null (reading 'slice')")
			}
			return []byte{}, storageError(s.db.KVPut(p.Key, p.Value))
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
			v, err := jsDecode(req)
			if err != nil {
				return nil, NewJSError("DecodeError", err.Error())
			}
			q, _ := v.(*jsObject)
			if q == nil {
				return nil, NewJSError("TypeError", "godurable: malformed request")
			}
			query, _ := q.vals["query"].(string)
			var args []any
			if a, ok := q.vals["args"].([]any); ok {
				args = a
			}
			for i, a := range args {
				switch a.(type) {
				case nil, float64, string, []byte:
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
			return encodeSQLResult(res)
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
		abi.CallWaitUntil: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			return []byte{}, iso.current().ExtendEvent(id)
		},
		abi.CallWaitUntilDone: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			iso.current().ReleaseEvent(id)
			return []byte{}, nil
		},
		abi.CallBodyWrite: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var c abi.BodyChunk
			if err := decodeRequest(req, &c); err != nil {
				return nil, err
			}
			return jsEncode(float64(iso.body(iso.current(), abi.BodyRef{Event: c.Event, Stream: c.Stream}).write(c.Data)))
		},
		abi.CallBodyCancel: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			iso.readers.cancel(id)
			return []byte{}, nil
		},
		abi.CallBodyClose: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var e abi.BodyEnd
			if err := decodeRequest(req, &e); err != nil {
				return nil, err
			}
			iso.body(iso.current(), abi.BodyRef{Event: e.Event, Stream: e.Stream}).close(e.Error)
			return []byte{}, nil
		},
		abi.CallAbort: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var reason string
			if err := decodeRequest(req, &reason); err != nil {
				return nil, err
			}
			iso.Evict(s.class, s.id) // once its events in flight are over, as workerd resets it
			return []byte{}, nil
		},
		abi.CallIDFromName: idOp(func(iso *Isolate, class string, t *abi.StubTarget) (*jsObject, error) {
			o := jsID(iso.IDFromName(class, t.Name))
			o.set("name", t.Name)
			return o, nil
		}),
		abi.CallIDFromString: idOp(func(iso *Isolate, class string, t *abi.StubTarget) (*jsObject, error) {
			id, err := iso.IDFromString(class, t.ID)
			return jsID(id), err // no name
		}),
		abi.CallJurisdiction: idOp(func(*Isolate, string, *abi.StubTarget) (*jsObject, error) {
			return nil, nil // namespaceOf has refused the jurisdiction
		}),
		abi.CallStubRelease: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var handles []uint32
			if err := decodeRequest(req, &handles); err != nil {
				return nil, err
			}
			iso.release(handles)
			return []byte{}, nil
		},
		abi.CallNewUniqueID: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var r abi.NewUniqueID
			if err := decodeRequest(req, &r); err != nil {
				return nil, err
			}
			host, class, err := iso.namespaceOf(&r.Namespace)
			if err != nil {
				return nil, err
			}
			if r.Jurisdiction != "" {
				return nil, &driver.JSError{Err: errJurisdiction}
			}
			return jsEncode(jsID(host.NewUniqueID(class)))
		},
	}
	for _, ops := range []map[abi.CallOp]syncOp{wsOps, socketOps, jsSyncOps} {
		for op, impl := range ops {
			syncOps[op] = impl
		}
	}
	initAsyncOps()
}

// idOp is an operation on the namespace that a StubTarget names, given
// the Isolate that hosts its class. Its
// result is an abi.ObjectID as the shim's encodeID writes it (a name only
// when the DurableObjectId has one), or empty when nil.
func idOp(id func(iso *Isolate, class string, t *abi.StubTarget) (*jsObject, error)) syncOp {
	return func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		var t abi.StubTarget
		if err := decodeRequest(req, &t); err != nil {
			return nil, err
		}
		host, class, err := iso.namespaceOf(&t)
		if err != nil {
			return nil, err
		}
		m, err := id(host, class, &t)
		switch {
		case err != nil:
			return nil, err
		case m == nil:
			return []byte{}, nil
		}
		return jsEncode(m)
	}
}

// jsID is the abi.ObjectID of a DurableObjectId with no name and, as in
// local workerd, no jurisdiction.
func jsID(id string) *jsObject {
	o := newJSObject()
	o.set("id", id)
	return o
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
		s.db.epoch.Add(1)
	}
	return impl(iso, s, req)
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

// Conn returns the storage of the Durable Object of class with id as the
// guest's storage package reaches it, for a test to read and write with
// the same code: the same operations, without storage faults.
func (iso *Isolate) Conn(class, id string) *Conn {
	return &Conn{iso: iso, class: class, id: id}
}

// Conn performs the storage operations of one object for a test.
type Conn struct {
	iso       *Isolate
	class, id string
}

// Call performs the synchronous operation op, as the call import would.
func (c *Conn) Call(op abi.CallOp, req []byte) ([]byte, error) {
	info, ok := op.Info()
	if !ok || !info.Object {
		return nil, fmt.Errorf("godurable: %v is not an operation on an object's storage", op)
	}
	db, err := c.iso.DB(c.class, c.id)
	if err != nil {
		return nil, err
	}
	db.epoch.Add(1)
	return syncOps[op](c.iso, &objectStorage{class: c.class, id: c.id, db: db}, req)
}

// errNoPITR is local workerd's answer to point-in-time recovery beyond the
// current bookmark (measured with wrangler 4.164).
var errNoPITR = NewJSError("Error", "This Durable Object's storage back-end does not implement point-in-time recovery.")

// Epoch counts the storage operations on the object's database so far,
// the guest's and the test's (rt.EpochConn): two equal readings mean that
// none ran in between. ok is false once the Worker is closed.
func (c *Conn) Epoch() (epoch uint64, ok bool) {
	db, err := c.iso.DB(c.class, c.id)
	if err != nil {
		return 0, false
	}
	return db.epoch.Load(), true
}

// errRolledBack is what a transaction's function returns to roll back
// when the guest's function failed.
var errRolledBack = errors.New("the transaction's function failed")

// Transaction runs fn in a transaction on the object's storage, as the
// guest's storage.Transaction does in workerd (the guest's storage package
// calls it for a test, whose function runs in the test's process).
func (c *Conn) Transaction(fn func() error) error {
	db, err := c.iso.DB(c.class, c.id)
	if err != nil {
		return err
	}
	db.epoch.Add(1)
	return db.Transaction(fn)
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

func (iso *Isolate) describeEnv() any {
	vars := newJSObject()
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Vars)) {
		vars.set(k, toJS(iso.cfg.Vars[k]))
	}
	bindings := newJSObject()
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Namespaces)) {
		bindings.set(k, "DurableObjectNamespace")
	}
	for _, k := range iso.cfg.D1 {
		bindings.set(k, "D1Database")
	}
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Fakes)) {
		bindings.set(k, iso.cfg.Fakes[k].Class)
	}
	for _, k := range slices.Sorted(maps.Keys(iso.cfg.Unemulated)) {
		if _, faked := iso.cfg.Fakes[k]; !faked {
			bindings.set(k, iso.cfg.Unemulated[k])
		}
	}
	env := newJSObject()
	env.set("vars", vars)
	env.set("bindings", bindings)
	return env
}

func encodeSQLResult(res *abi.SQLResult) ([]byte, error) {
	cols := make([]any, len(res.Columns))
	for i, c := range res.Columns {
		cols[i] = c
	}
	rows := make([]any, len(res.Rows))
	for i, row := range res.Rows {
		rows[i] = row
	}
	o := newJSObject()
	o.set("columns", cols)
	o.set("rows", rows)
	o.set("rowsRead", float64(res.RowsRead))
	o.set("rowsWritten", float64(res.RowsWritten))
	return jsEncode(o)
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

// An asyncOp implements one asynchronous operation; it may block as long
// as the operation takes. s is as for a syncOp.
type asyncOp func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error)

func initAsyncOps() {
	asyncOps = map[abi.AsyncOp]asyncOp{
		abi.AsyncD1Query: d1QueryOp,
		abi.AsyncD1Exec:  d1ExecOp,
		// A timer of the Worker's clock, as the shim's setTimeout.
		// Settles at once; the driver resumes Go in the event's context.
		abi.AsyncEnter: func(*Isolate, *objectStorage, []byte) ([]byte, error) {
			return []byte{}, nil
		},
		abi.AsyncSleep: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var ms float64
			if err := decodeRequest(req, &ms); err != nil {
				return nil, err
			}
			done := make(chan struct{})
			iso.cfg.Clock.AfterFunc(time.Duration(ms*float64(time.Millisecond)), func() { close(done) })
			<-done
			return []byte{}, nil
		},
		abi.AsyncBodyRead: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			return iso.readers.read(id)
		},
		abi.AsyncBodyDrain: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var ref abi.BodyRef
			if err := decodeRequest(req, &ref); err != nil {
				return nil, err
			}
			return jsEncode(iso.body(iso.current(), ref).drain())
		},
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
		abi.AsyncFetch: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var in abi.Request
			if err := decodeRequest(req, &in); err != nil {
				return nil, err
			}
			sent, fail := iso.sending(&in)
			hreq, err := requestFromGo(&in)
			if err != nil {
				return fail(err)
			}
			if sent != nil {
				hreq.Body, hreq.ContentLength = sent, -1
			}
			if isUpgrade(&in) {
				return iso.dialOutbound(context.Background(), &in)
			}
			if iso.cfg.Fetch == nil {
				return fail(NewJSError("TypeError", "godurable: outbound fetch is not available in this test (set a Fetch handler): "+in.Method+" "+in.URL))
			}
			resp, err := iso.cfg.Fetch(hreq)
			if err != nil {
				var je *driver.JSError
				if errors.As(err, &je) {
					return fail(je)
				}
				return fail(NewJSError("TypeError", "fetch failed: "+err.Error()))
			}
			return iso.responseToGo(resp)
		},
		abi.AsyncStubFetch: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var in abi.StubFetch
			if err := decodeRequest(req, &in); err != nil {
				return nil, err
			}
			sent, fail := iso.sending(&in.Request)
			host, t, err := iso.Resolve(in.Target)
			if err != nil {
				return fail(err)
			}
			if _, err := requestFromGo(&in.Request); err != nil {
				return fail(err)
			}
			in.Request.Headers = jsHeadersOfPairs(in.Request.Headers)
			in.Request.Method = normalizeMethod(in.Request.Method)
			if in.Request.Method == "GET" || in.Request.Method == "HEAD" || len(in.Request.Body) == 0 {
				in.Request.Body = nil
			}
			if sent != nil { // it streams on into the object
				in.Request.Rest, in.Request.BodyWriter = sent, 0
			}
			resp, err := host.ObjectFetch(context.Background(), t, &in.Request)
			if err != nil {
				return nil, host.RPCError(err)
			}
			h := abi.PairsHeader(resp.Headers)
			if nullBodyStatus[resp.Status] {
				resp.Body = nil
			}
			if resp.Rest == nil && len(resp.Body) > 0 && h.Get("Content-Length") == "" {
				// The shim's responseFromGo gives the length, so that a
				// body up to streamAbove need not stream.
				h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
			}
			switch { // the caller reads a body that streams as it comes, as the shim's
			case resp.Rest != nil:
				resp.BodyReader = iso.readers.add(readCloser{io.MultiReader(bytes.NewReader(resp.Body), resp.Rest), resp.Rest})
				resp.Body, resp.Stream, resp.Rest = nil, false, nil
			case len(resp.Body) > streamAbove:
				resp.BodyReader = iso.readers.add(io.NopCloser(bytes.NewReader(resp.Body)))
				resp.Body = nil
			}
			resp.Headers = JSHeaders(h)
			if resp.Body == nil {
				resp.Body = []byte{}
			}
			return mustMarshal(resp), nil
		},
		abi.AsyncStubCall: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var in abi.StubCall
			if err := decodeRequest(req, &in); err != nil {
				return nil, err
			}
			host, t, err := iso.Resolve(in.Target)
			if err != nil {
				return nil, err
			}
			return host.goCall(iso, t, in.Method, iso.passStreams(host, in.Args))
		},
	}
	for op, impl := range alarmOps {
		asyncOps[op] = impl
	}
	for op, impl := range jsAsyncOps {
		asyncOps[op] = impl
	}
	asyncOps[abi.AsyncSocketReceive] = func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		var r abi.WSSocket
		if err := decodeRequest(req, &r); err != nil {
			return nil, err
		}
		return iso.receive(context.Background(), r.Socket)
	}
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

// goCall is a Go caller's call of a Go object's method, as the shim makes
// it through __godurableCall: the arguments go through JavaScript from the
// caller's Isolate, the result and the error come back as Go wrote them
// (name and code kept), unless the method's result can hold a stub: then
// it goes through JavaScript too, exactly, to be the caller's.
func (iso *Isolate) goCall(caller *Isolate, t Target, jsName string, args []byte) ([]byte, error) {
	out, err := iso.call(context.Background(), t, jsName, args, false, caller)
	if err != nil {
		var ce *driver.CrashError
		if errors.As(err, &ce) {
			return nil, &driver.JSError{Err: &abi.Error{Name: "Error", Message: ce.Message, Code: abi.CodeCrashed}}
		}
		var je *driver.JSError
		if errors.As(err, &je) {
			return nil, &driver.JSError{Err: withoutStack(je.Err)}
		}
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	if _, ok := abi.StreamOf(out); !ok && len(out) > 0 && iso.stubResult(t.Class, jsName) {
		return jsPass(out, iso, caller, true)
	}
	return out, nil
}
