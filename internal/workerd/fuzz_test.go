package workerd

import (
	"bytes"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// The host decodes bytes that the guest controls: the requests of the call
// and start imports, and values on their way through JavaScript. Malformed
// input must fail the operation, never panic the host.

func FuzzJSNormalize(f *testing.F) {
	for _, v := range []any{1, -1, 1 << 40, 2.5, "s", []byte{1}, nil, true,
		map[string]any{"a": []any{1, "b"}}, map[int]string{2: "x", 1: "y"}} {
		b, err := abi.EncodeValue(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0xd6, 0xff, 0, 0, 0, 1})       // a timestamp
	f.Add([]byte{0xdd, 0xff, 0xff, 0xff, 0xff}) // an impossible array
	f.Add([]byte{0x81, 0xa9, '_', '_', 'p', 'r', 'o', 't', 'o', '_', '_', 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := jsPass(b, nil, nil, false)
		if err != nil {
			return
		}
		// What JavaScript wrote, JavaScript reads back the same.
		again, err := jsPass(out, nil, nil, false)
		if err != nil {
			t.Fatalf("normalized bytes %x do not decode: %v", out, err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("normalizing is not idempotent: %x -> %x -> %x", b, out, again)
		}
		if err := abi.CheckJSSafe(out); err != nil {
			t.Fatalf("normalized bytes %x: %v", out, err)
		}
	})
}

// fuzzIsolate is an Isolate without a module, with one object, for the
// host calls that need no instance.
func fuzzIsolate(tb testing.TB) *Isolate {
	r := NewIsolate(Config{Script: "fuzz", Namespaces: map[string]string{"NS": "C"}})
	tb.Cleanup(r.Close)
	db, err := r.DB("C", "id")
	if err != nil {
		tb.Fatal(err)
	}
	r.handles[1] = &object{handle: 1, class: "C", id: "id", db: db}
	return r
}

func FuzzHostCall(f *testing.F) {
	add := func(op abi.CallOp, v any) {
		b, err := abi.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(int32(op), b)
	}
	f.Add(int32(abi.CallKVPut), []byte(abi.AppendKVPutRequest(nil, "k", []byte{1, 2})))
	f.Add(int32(abi.CallKVGet), []byte("k"))
	add(abi.CallKVDelete, &abi.KVKey{Key: "k"})
	add(abi.CallKVList, &abi.KVList{Prefix: "k", Limit: 2, Reverse: true})
	add(abi.CallKVList, &abi.KVList{Start: "a", StartAfter: "b"})
	for _, q := range []struct {
		query string
		args  []any
	}{
		{"SELECT ?, ?, ?, ?, ?", []any{int64(1), "x", 1.5, []byte{0}, nil}},
		{"SELECT ?", []any{true}},
		{"CREATE TABLE t (a); INSERT INTO t VALUES (1); SELECT * FROM t", nil},
	} {
		req, err := abi.AppendSQLExecRequest(nil, q.query, q.args)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(int32(abi.CallSQLExec), []byte(req))
	}
	add(abi.CallIDFromName, &abi.StubTarget{Binding: "NS", Name: "n"})
	add(abi.CallNewUniqueID, &abi.NewUniqueID{Namespace: abi.StubTarget{Binding: "nope"}})
	add(abi.CallNewUniqueID, &abi.NewUniqueID{Namespace: abi.StubTarget{Binding: "NS"}, Jurisdiction: "eu"})
	add(abi.CallIDFromString, &abi.StubTarget{Binding: "NS", ID: "00"})
	add(abi.CallJurisdiction, &abi.StubTarget{Binding: "NS", Jurisdiction: "eu"})
	f.Add(int32(abi.CallEnv), []byte{})
	f.Add(int32(abi.CallSQLDatabaseSize), []byte{})
	f.Add(int32(99), []byte{0xc1})
	r := fuzzIsolate(f)
	f.Fuzz(func(t *testing.T, op int32, req []byte) {
		out, err := r.hostCall(abi.CallOp(op), 1, req)
		if err != nil {
			// The error crosses as an abi.Error.
			if _, merr := abi.Marshal(driver.ErrorFromGo(err)); merr != nil {
				t.Fatal(merr)
			}
			return
		}
		switch abi.CallOp(op) {
		case abi.CallKVGet: // KV values are stored bytes
		case abi.CallSQLExec:
			if _, err := abi.SQLExecResult(out).Parse(); err != nil {
				t.Fatalf("sql.exec gave an unreadable result %x: %v", out, err)
			}
		default:
			if _, err := jsDecode(out); len(out) > 0 && err != nil {
				t.Fatalf("op %d gave undecodable bytes %x: %v", op, out, err)
			}
		}
	})
}

func FuzzStartRequests(f *testing.F) {
	for _, v := range []any{
		&abi.Request{Method: "GET", URL: "http://x/"},
		&abi.StubFetch{Target: abi.StubTarget{Binding: "NS", ID: "00"}, Request: abi.Request{Method: "POST", URL: "http://x/"}},
		&abi.StubCall{Target: abi.StubTarget{Binding: "NS", Name: "n"}, Method: "m", Args: []byte{0x90}},
	} {
		b, err := abi.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var req abi.Request
		if decodeRequest(b, &req) == nil {
			requestFromGo(&req)
		}
		var sf abi.StubFetch
		if decodeRequest(b, &sf) == nil {
			jsHeadersOfPairs(sf.Request.Headers)
		}
		var sc abi.StubCall
		if decodeRequest(b, &sc) == nil {
			jsPass(sc.Args, nil, nil, false)
		}
	})
}

func FuzzListOptions(f *testing.F) {
	f.Add("p", "", "", "", 0, false)
	f.Add("a\xff\xff", "a", "", "b", 3, true)
	f.Add("", "x", "y", "", -1, false)
	f.Fuzz(func(t *testing.T, prefix, start, startAfter, end string, limit int, reverse bool) {
		o := abi.KVList{Prefix: prefix, Start: start, StartAfter: startAfter, End: end, Limit: limit, Reverse: reverse}
		s, e, hasEnd, ok, err := compileListOptions(o)
		if err != nil || !ok {
			return
		}
		if hasEnd && e <= s {
			t.Fatalf("empty range [%q, %q) reported as non-empty", s, e)
		}
		if prefix != "" && len(s) >= len(prefix) && s[:len(prefix)] < prefix {
			t.Fatalf("start %q before the prefix %q", s, prefix)
		}
	})
}
