package abi

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// descriptor is what TestDescriptors reads of a Sync or an Async.
type descriptor interface {
	describe() (async bool, code int32, req, res reflect.Type)
}

func (op Sync[Req, Res]) describe() (bool, int32, reflect.Type, reflect.Type) {
	return false, int32(op.Code), reflect.TypeFor[Req](), reflect.TypeFor[Res]()
}

func (op Async[Req, Res]) describe() (bool, int32, reflect.Type, reflect.Type) {
	return true, int32(op.Code), reflect.TypeFor[Req](), reflect.TypeFor[Res]()
}

// descriptors are every descriptor of the package, by name
// (TestDescriptorsAreListed checks that none is missing).
var descriptors = map[string]descriptor{
	"OpJSBinding":          OpJSBinding,
	"OpWSBroadcast":        OpWSBroadcast,
	"OpJSGlobal":           OpJSGlobal,
	"OpJSGet":              OpJSGet,
	"OpJSSet":              OpJSSet,
	"OpJSCall":             OpJSCall,
	"OpJSNew":              OpJSNew,
	"OpJSType":             OpJSType,
	"OpJSAwait":            OpJSAwait,
	"OpEventProps":         OpEventProps,
	"OpAbort":              OpAbort,
	"OpAlarmDel":           OpAlarmDel,
	"OpAlarmGet":           OpAlarmGet,
	"OpAlarmSet":           OpAlarmSet,
	"OpBodyCancel":         OpBodyCancel,
	"OpBodyClose":          OpBodyClose,
	"OpBodyDrain":          OpBodyDrain,
	"OpBodyRead":           OpBodyRead,
	"OpBodyWrite":          OpBodyWrite,
	"OpBookmarkForTime":    OpBookmarkForTime,
	"OpCurrentBookmark":    OpCurrentBookmark,
	"OpD1Exec":             OpD1Exec,
	"OpD1Query":            OpD1Query,
	"OpDeleteAll":          OpDeleteAll,
	"OpEnter":              OpEnter,
	"OpEnv":                OpEnv,
	"OpFetch":              OpFetch,
	"OpIDFromName":         OpIDFromName,
	"OpIDFromString":       OpIDFromString,
	"OpJurisdiction":       OpJurisdiction,
	"OpKVDelete":           OpKVDelete,
	"OpKVDeleteMany":       OpKVDeleteMany,
	"OpKVGet":              OpKVGet,
	"OpKVGetMany":          OpKVGetMany,
	"OpKVList":             OpKVList,
	"OpKVPut":              OpKVPut,
	"OpKVPutMany":          OpKVPutMany,
	"OpNewUniqueID":        OpNewUniqueID,
	"OpRestoreBookmark":    OpRestoreBookmark,
	"OpSQLDatabaseSize":    OpSQLDatabaseSize,
	"OpSQLExec":            OpSQLExec,
	"OpSleep":              OpSleep,
	"OpSocketClose":        OpSocketClose,
	"OpSocketConnect":      OpSocketConnect,
	"OpSocketReceive":      OpSocketReceive,
	"OpSocketSend":         OpSocketSend,
	"OpStubCall":           OpStubCall,
	"OpStubFetch":          OpStubFetch,
	"OpStubRelease":        OpStubRelease,
	"OpSync":               OpSync,
	"OpTransactionSync":    OpTransactionSync,
	"OpWSAccept":           OpWSAccept,
	"OpWSAttachment":       OpWSAttachment,
	"OpWSAutoResponse":     OpWSAutoResponse,
	"OpWSAutoResponseTime": OpWSAutoResponseTime,
	"OpWSClose":            OpWSClose,
	"OpWSEventTimeout":     OpWSEventTimeout,
	"OpWSList":             OpWSList,
	"OpWSReadyState":       OpWSReadyState,
	"OpWSSend":             OpWSSend,
	"OpWSSetAttachment":    OpWSSetAttachment,
	"OpWSSetAutoResponse":  OpWSSetAutoResponse,
	"OpWSSetEventTimeout":  OpWSSetEventTimeout,
	"OpWSTags":             OpWSTags,
	"OpWaitUntil":          OpWaitUntil,
	"OpWaitUntilDone":      OpWaitUntilDone,
}

// TestDescriptors: every row of the table has exactly one descriptor, and
// the descriptor's types are the row's (Empty for none).
func TestDescriptors(t *testing.T) {
	type key struct {
		async bool
		code  int32
	}
	of := map[key]string{}
	for name, d := range descriptors {
		async, code, req, res := d.describe()
		k := key{async, code}
		if other, ok := of[k]; ok {
			t.Errorf("%s and %s describe the same operation", other, name)
		}
		of[k] = name
		var row OpInfo
		var ok bool
		if async {
			row, ok = AsyncOp(code).Info()
		} else {
			row, ok = CallOp(code).Info()
		}
		if !ok {
			t.Errorf("%s describes operation %d, which the table lacks", name, code)
			continue
		}
		if want := orEmpty(row.Request); req != want {
			t.Errorf("%s's request is %v; the row of %s has %v", name, req, row.Name, want)
		}
		if want := orEmpty(row.Result); res != want {
			t.Errorf("%s's result is %v; the row of %s has %v", name, res, row.Name, want)
		}
	}
	for _, table := range []struct {
		async bool
		rows  []OpInfo
	}{{false, CallOps()}, {true, AsyncOps()}} {
		for _, o := range table.rows {
			if _, ok := of[key{table.async, o.Code}]; !ok {
				t.Errorf("%s has no descriptor", o.Name)
			}
		}
	}
}

// orEmpty is t, or Empty for a row's nil (no request, no result).
func orEmpty(t reflect.Type) reflect.Type {
	if t == nil {
		return reflect.TypeFor[Empty]()
	}
	return t
}

// TestDescriptorsAreListed: every package-level variable of the package
// whose value is a Sync or an Async is in descriptors.
func TestDescriptorsAreListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				v := s.(*ast.ValueSpec)
				for i, val := range v.Values {
					if isDescriptor(val) {
						found = append(found, v.Names[i].Name)
					}
				}
			}
		}
	}
	for _, name := range found {
		if _, ok := descriptors[name]; !ok {
			t.Errorf("%s is a descriptor that TestDescriptors does not check: add it to descriptors", name)
		}
	}
	for name := range descriptors {
		if !slices.Contains(found, name) {
			t.Errorf("descriptors lists %s, which the package does not declare", name)
		}
	}
}

// isDescriptor reports whether e is a composite literal of a Sync or an
// Async.
func isDescriptor(e ast.Expr) bool {
	c, ok := e.(*ast.CompositeLit)
	if !ok {
		return false
	}
	ix, ok := c.Type.(*ast.IndexListExpr)
	if !ok {
		return false
	}
	id, ok := ix.X.(*ast.Ident)
	return ok && (id.Name == "Sync" || id.Name == "Async")
}

// TestMarshalRequest: a scalar request is written as EncodeValue writes
// it (the bytes the guest sent before descriptors), and as Marshal writes
// it but for int32, which EncodeValue writes in its smallest form; a
// message as Marshal writes it.
func TestMarshalRequest(t *testing.T) {
	same := func(what string, got []byte, err error, want []byte, wantErr error) {
		t.Helper()
		if err != nil || wantErr != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: % x (%v), want % x (%v)", what, got, err, want, wantErr)
		}
	}
	for _, n := range []int32{0, 1, 127, 128, -1, -32, -33, 255, 256, 65535, 65536, math.MaxInt32, math.MinInt32} {
		got, err := MarshalRequest(&n)
		want, wantErr := EncodeValue(n)
		same(fmt.Sprint("int32 ", n), got, err, want, wantErr)
	}
	for _, f := range []float64{0, 1, -1.5, 1e300, math.Inf(1), 1 << 53} {
		got, err := MarshalRequest(&f)
		want, wantErr := EncodeValue(f)
		same(fmt.Sprint("float64 ", f), got, err, want, wantErr)
		want, wantErr = Marshal(f)
		same(fmt.Sprint("float64 by Marshal ", f), got, err, want, wantErr)
	}
	for _, s := range []string{"", "a", strings.Repeat("x", 31), strings.Repeat("x", 32), strings.Repeat("x", 256), strings.Repeat("x", 70000)} {
		got, err := MarshalRequest(&s)
		want, wantErr := EncodeValue(s)
		same(fmt.Sprint("string of ", len(s)), got, err, want, wantErr)
		want, wantErr = Marshal(s)
		same(fmt.Sprint("string by Marshal of ", len(s)), got, err, want, wantErr)
	}
	k := &KVKey{Key: "k"}
	got, err := MarshalRequest(k)
	want, wantErr := Marshal(k)
	same("KVKey", got, err, want, wantErr)
	ids := []uint32{1, 1 << 20}
	got, err = MarshalRequest(&ids)
	want, wantErr = Marshal(ids)
	same("[]uint32", got, err, want, wantErr)
	if got, err := MarshalRequest(nil); got != nil || err != nil {
		t.Errorf("no request: % x, %v", got, err)
	}
}
