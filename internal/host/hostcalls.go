package host

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/godurable/godurable/internal/abi"
)

// hostCall implements the call import, as the shim's Runtime.hostCall.
func (r *Runtime) hostCall(callOp abi.CallOp, handle uint32, req []byte) ([]byte, error) {
	switch callOp {
	case abi.CallEnv:
		return jsEncode(r.describeEnv())
	case abi.CallKVGet, abi.CallKVPut, abi.CallKVDelete, abi.CallKVList, abi.CallSQLExec, abi.CallSQLDatabaseSize:
		return r.storageCall(callOp, handle, req)
	case abi.CallIDFromName, abi.CallNewUniqueID:
		var t abi.StubTarget
		if err := decodeRequest(req, &t); err != nil {
			return nil, err
		}
		class, err := r.Namespace(t.Binding)
		if err != nil {
			return nil, err
		}
		if callOp == abi.CallIDFromName {
			return jsEncode(r.IDFromName(class, t.Name))
		}
		return jsEncode(r.NewUniqueID(class))
	}
	return nil, NewJSError("TypeError", fmt.Sprintf("godurable: unknown host call %d", callOp))
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

func (r *Runtime) describeEnv() any {
	vars := newJSObject()
	names := make([]string, 0, len(r.cfg.Vars))
	for k := range r.cfg.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vars.set(k, toJS(r.cfg.Vars[k]))
	}
	bindings := newJSObject()
	names = names[:0]
	for k := range r.cfg.Namespaces {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		bindings.set(k, "DurableObjectNamespace")
	}
	env := newJSObject()
	env.set("vars", vars)
	env.set("bindings", bindings)
	return env
}

func (r *Runtime) storageCall(callOp abi.CallOp, handle uint32, req []byte) ([]byte, error) {
	r.mu.Lock()
	o := r.handles[handle]
	fault := r.fault
	r.mu.Unlock()
	if o == nil {
		return nil, NewJSError("Error", fmt.Sprintf("godurable: no storage for object %d", handle))
	}
	sop := StorageOp{Class: o.class, ID: o.id}
	db := o.db
	switch callOp {
	case abi.CallKVGet, abi.CallKVDelete:
		var k abi.KVKey
		if err := decodeRequest(req, &k); err != nil {
			return nil, err
		}
		sop.Key = k.Key
		if callOp == abi.CallKVGet {
			sop.Op = "kv.get"
			if err := checkFault(fault, sop); err != nil {
				return nil, err
			}
			v, err := db.KVGet(k.Key)
			if err != nil {
				return nil, storageError(err)
			}
			if v == nil {
				return []byte{}, nil
			}
			return v, nil
		}
		sop.Op = "kv.delete"
		if err := checkFault(fault, sop); err != nil {
			return nil, err
		}
		existed, err := db.KVDelete(k.Key)
		if err != nil {
			return nil, storageError(err)
		}
		return jsEncode(existed)
	case abi.CallKVPut:
		var p abi.KVPut
		if err := decodeRequest(req, &p); err != nil {
			return nil, err
		}
		sop.Op, sop.Key = "kv.put", p.Key
		if err := checkFault(fault, sop); err != nil {
			return nil, err
		}
		if p.Value == nil {
			return nil, NewJSError("TypeError", "Cannot read properties of null (reading 'slice')")
		}
		if err := db.KVPut(p.Key, p.Value); err != nil {
			return nil, storageError(err)
		}
		return []byte{}, nil
	case abi.CallKVList:
		var l abi.KVList
		if err := decodeRequest(req, &l); err != nil {
			return nil, err
		}
		sop.Op = "kv.list"
		if err := checkFault(fault, sop); err != nil {
			return nil, err
		}
		entries, err := db.KVList(KVListOptions{Prefix: l.Prefix, Start: l.Start, StartAfter: l.StartAfter, End: l.End, Limit: l.Limit, Reverse: l.Reverse})
		if err != nil {
			return nil, storageError(err)
		}
		out := make([]any, len(entries))
		for i, e := range entries {
			out[i] = []any{e.Key, e.Value}
		}
		return jsEncode(out)
	case abi.CallSQLExec:
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
		sop.Op, sop.Query = "sql.exec", query
		if err := checkFault(fault, sop); err != nil {
			return nil, err
		}
		res, err := db.Exec(query, args)
		if err != nil {
			return nil, storageError(err)
		}
		return encodeSQLResult(res)
	case abi.CallSQLDatabaseSize:
		sop.Op = "sql.databaseSize"
		if err := checkFault(fault, sop); err != nil {
			return nil, err
		}
		n, err := db.Size()
		if err != nil {
			return nil, storageError(err)
		}
		return jsEncode(float64(n))
	}
	return nil, NewJSError("TypeError", fmt.Sprintf("godurable: unknown host call %d", callOp))
}

func encodeSQLResult(res *Result) ([]byte, error) {
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

func checkFault(fault func(StorageOp) error, op StorageOp) error {
	if fault == nil {
		return nil
	}
	if err := fault(op); err != nil {
		var je *JSError
		if errors.As(err, &je) {
			return je
		}
		return NewJSError("Error", err.Error())
	}
	return nil
}

func storageError(err error) error {
	var je *JSError
	if errors.As(err, &je) {
		return je
	}
	var se *SQLError
	if errors.As(err, &se) {
		return NewJSError("Error", se.Message)
	}
	return NewJSError("Error", err.Error())
}

// startOp implements the start import's operations, as the shim's
// Runtime.startOp.
func (r *Runtime) startOp(kind abi.AsyncOp, req []byte) ([]byte, error) {
	ctx := context.Background()
	switch kind {
	case abi.AsyncFetch:
		var in abi.Request
		if err := decodeRequest(req, &in); err != nil {
			return nil, err
		}
		hreq, err := requestFromGo(&in)
		if err != nil {
			return nil, err
		}
		if r.cfg.Fetch == nil {
			return nil, NewJSError("TypeError", "godurable: outbound fetch is not available in this test (set a Fetch handler): "+in.Method+" "+in.URL)
		}
		resp, err := r.cfg.Fetch(hreq)
		if err != nil {
			var je *JSError
			if errors.As(err, &je) {
				return nil, je
			}
			return nil, NewJSError("TypeError", "fetch failed: "+err.Error())
		}
		return responseToGo(resp)
	case abi.AsyncStubFetch:
		var in abi.StubFetch
		if err := decodeRequest(req, &in); err != nil {
			return nil, err
		}
		t, err := r.Resolve(in.Target)
		if err != nil {
			return nil, err
		}
		if _, err := requestFromGo(&in.Request); err != nil {
			return nil, err
		}
		in.Request.Headers = jsHeadersOfPairs(in.Request.Headers)
		in.Request.Method = normalizeMethod(in.Request.Method)
		if in.Request.Method == "GET" || in.Request.Method == "HEAD" || len(in.Request.Body) == 0 {
			in.Request.Body = nil
		}
		resp, err := r.ObjectFetch(ctx, t, &in.Request)
		if err != nil {
			return nil, r.RPCError(err)
		}
		resp.Headers = jsHeadersOfPairs(resp.Headers)
		if nullBodyStatus[resp.Status] {
			resp.Body = nil
		}
		if resp.Body == nil {
			resp.Body = []byte{}
		}
		return mustMarshal(resp), nil
	case abi.AsyncStubCall:
		var in abi.StubCall
		if err := decodeRequest(req, &in); err != nil {
			return nil, err
		}
		t, err := r.Resolve(in.Target)
		if err != nil {
			return nil, err
		}
		return r.goCall(ctx, t, in.Method, in.Args)
	}
	return nil, NewJSError("TypeError", fmt.Sprintf("godurable: unknown async operation %d", kind))
}

// goCall is a Go caller's call of a Go object's method, as the shim makes
// it through __godurableCall: the arguments go through JavaScript, the
// result and the error come back as Go wrote them (name and code kept).
func (r *Runtime) goCall(ctx context.Context, t Target, jsName string, args []byte) ([]byte, error) {
	goName := r.goMethod(t.Class, jsName)
	if goName == "" {
		return nil, NewJSError("TypeError", "The RPC receiver does not implement the method \""+jsName+"\".")
	}
	if len(args) == 0 {
		args = []byte{0x90}
	}
	norm, err := jsNormalize(args)
	if err != nil {
		return nil, NewJSError("DecodeError", err.Error())
	}
	out, err := r.objectEvent(ctx, t, &abi.Event{Kind: abi.EventObjectCall, Method: goName, Args: norm}, t.Class+"."+jsName+"()")
	if err != nil {
		var ce *CrashError
		if errors.As(err, &ce) {
			return nil, NewJSError("Error", ce.Message)
		}
		var je *JSError
		if errors.As(err, &je) {
			return nil, &JSError{withoutStack(je.Err)}
		}
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// withoutStack drops the stacks, which the shim replaces with its own.
func withoutStack(e *abi.Error) *abi.Error {
	out := *e
	out.Stack = ""
	if e.Cause != nil {
		out.Cause = withoutStack(e.Cause)
	}
	return &out
}
