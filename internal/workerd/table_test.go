package workerd

import (
	"reflect"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

// eventEntryPoints names the method of Isolate through which a test sends
// each kind of event, as workerd delivers it.
var eventEntryPoints = map[abi.EventKind]string{
	abi.EventWorkerFetch: "Fetch",
	abi.EventObjectFetch: "ObjectFetch",
	abi.EventObjectCall:  "ObjectCall",
	abi.EventWorkerCall:  "EntrypointCall",
	abi.EventAlarm:       "RunAlarm",
	// A socket's events come from its peer, which TakeUpgrade returns.
	abi.EventWebSocketMessage: "TakeUpgrade",
	abi.EventWebSocketClose:   "TakeUpgrade",
	abi.EventWebSocketError:   "TakeUpgrade",
	abi.EventScheduled:        "Scheduled",
	abi.EventQueue:            "Queue",
}

// TestModelImplementsTheTable fails when a row of internal/abi's table has
// no case in this model of workerd, or when the model has a case the table
// lacks.
func TestModelImplementsTheTable(t *testing.T) {
	for _, o := range abi.CallOps() {
		if syncOps[abi.CallOp(o.Code)] == nil {
			t.Errorf("no case for the host operation %s", o.Name)
		}
	}
	for op := range syncOps {
		if _, ok := op.Info(); !ok {
			t.Errorf("a case for the host operation %d, which the table lacks", op)
		}
	}
	for _, o := range abi.AsyncOps() {
		if asyncOps[abi.AsyncOp(o.Code)] == nil {
			t.Errorf("no case for the async operation %s", o.Name)
		}
	}
	for op := range asyncOps {
		if _, ok := op.Info(); !ok {
			t.Errorf("a case for the async operation %d, which the table lacks", op)
		}
	}
	isolate := reflect.TypeFor[*Isolate]()
	for _, e := range abi.Events() {
		name, ok := eventEntryPoints[e.Kind]
		if !ok {
			t.Errorf("no entry point for %v events", e.Kind)
			continue
		}
		if _, ok := isolate.MethodByName(name); !ok {
			t.Errorf("the entry point of %v events, Isolate.%s, does not exist", e.Kind, name)
		}
	}
	for k := range eventEntryPoints {
		if _, ok := k.Info(); !ok {
			t.Errorf("an entry point for %v, which the table lacks", k)
		}
	}
}

// zeroLayouts are the empty requests of the operations laid out without
// MessagePack (a zero value's bytes do not parse).
var zeroLayouts = map[reflect.Type][]byte{
	reflect.TypeFor[abi.KVPutRequest]():   abi.AppendKVPutRequest(nil, "", nil),
	reflect.TypeFor[abi.SQLExecRequest](): must(abi.AppendSQLExecRequest(nil, "", nil)),
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStorageFaults: every operation with a fault label fails when a
// fault is injected for it, before it touches storage.
func TestStorageFaults(t *testing.T) {
	iso := fuzzIsolate(t)
	for _, o := range abi.CallOps() {
		if o.Fault == "" {
			continue
		}
		var seen StorageOp
		iso.SetStorageFault(func(op StorageOp) error {
			seen = op
			return NewJSError("Error", "injected")
		})
		req := []byte{}
		if zero, ok := zeroLayouts[o.Request]; ok {
			req = zero
		} else if o.Request != nil {
			req = mustMarshal(reflect.New(o.Request).Interface())
		}
		_, err := iso.hostCall(abi.CallOp(o.Code), 1, req)
		if err == nil || err.Error() != "injected" || seen.Op != o.Fault || seen.Class != "C" || seen.ID != "id" {
			t.Errorf("%s with a fault: %v (fault saw %+v)", o.Name, err, seen)
		}
	}
}
