package boundary

import (
	"strings"
	"sync"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

// fakeHost answers the guest's imports as the shim and workerd would for
// the benchmarks' events, in memory: one Durable Object (handle 1, class
// Counter) whose KV holds "value", a SQL table that takes inserts, and a
// stub call that answers 42.
type fakeHost struct {
	mu       sync.Mutex
	staged   []byte
	idle     chan struct{} // one signal each time the export's goroutines park
	results  map[int32]completed
	pending  []int32 // async operations started and not yet resumed
	calls    []abi.CallOp
	value    []byte
	declared bool
	nextID   int32
}

type completed struct {
	status  abi.Status
	payload []byte
}

var (
	envResult, _  = abi.Marshal(&abi.Env{Vars: map[string]any{}, Bindings: map[string]string{"COUNTER": "DurableObjectNamespace"}})
	sqlResult, _  = abi.AppendSQLExecResult(nil, &abi.SQLResult{Columns: []string{}, Rows: [][]any{}, RowsWritten: 1})
	callResult, _ = abi.EncodeValue(int64(42))
)

func newFakeHost() *fakeHost {
	return &fakeHost{idle: make(chan struct{}, 1), results: map[int32]completed{}}
}

func (h *fakeHost) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = nil
	h.value = nil
}

func (h *fakeHost) callNames() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	names := make([]string, len(h.calls))
	for i, c := range h.calls {
		names[i] = c.String()
	}
	return strings.Join(names, " ")
}

// event delivers one event as the shim does and drives it to its end,
// settling the async operations it starts; it returns the result.
func (h *fakeHost) event(tb testing.TB, kind abi.EventKind, object, arg uint32, payload []byte) []byte {
	if object != 0 && !h.declared {
		ref, _ := abi.Marshal(&abi.ObjectRef{Class: "Counter", ID: strings.Repeat("ab", 32), Name: "hot"})
		h.staged = ref
		if hostcall.Handlers.Object(object, int32(len(ref))) != 0 {
			tb.Fatal("the guest refused the object")
		}
		h.declared = true
	}
	h.nextID++
	id := h.nextID
	h.staged = payload
	hostcall.Handlers.Event(id, kind, object, arg, int32(len(payload)))
	for {
		h.mu.Lock()
		res, done := h.results[id]
		var op int32
		if !done && len(h.pending) > 0 {
			op, h.pending = h.pending[0], h.pending[1:]
		}
		h.mu.Unlock()
		switch {
		case done:
			delete(h.results, id)
			if res.status != abi.StatusOK {
				var e abi.Error
				abi.Unmarshal(res.payload, &e)
				tb.Fatalf("the event failed: %s", e.Message)
			}
			return res.payload
		case op != 0:
			h.staged = callResult
			hostcall.Handlers.Resume(op, abi.StatusOK, int32(len(callResult)))
		default:
			tb.Fatal("the event neither finished nor waits for an operation")
		}
	}
}

func (h *fakeHost) Take(b []byte) {
	copy(b, h.staged)
	h.staged = nil
}

func (h *fakeHost) Call(op abi.CallOp, object uint32, req, resp []byte) int32 {
	h.mu.Lock()
	h.calls = append(h.calls, op)
	var out []byte
	switch op {
	case abi.CallEnv:
		out = envResult
	case abi.CallKVGet:
		out = h.value
	case abi.CallKVPut:
		_, value, _ := abi.KVPutRequest(req).Parse()
		h.value = append([]byte(nil), value...)
	case abi.CallSQLExec:
		out = sqlResult
	}
	h.mu.Unlock()
	if len(out) <= cap(resp) {
		copy(resp[:len(out)], out)
	} else {
		h.staged = out
	}
	return int32(len(out))
}

func (h *fakeHost) Start(op abi.AsyncOp, event int32, req []byte) int32 {
	h.mu.Lock()
	h.nextID++
	id := h.nextID
	h.pending = append(h.pending, id)
	h.mu.Unlock()
	h.signal()
	return id
}

func (h *fakeHost) Complete(event int32, status abi.Status, payload []byte) {
	h.mu.Lock()
	h.results[event] = completed{status, append([]byte(nil), payload...)}
	h.mu.Unlock()
	h.signal()
}

func (h *fakeHost) WaitIdle() { <-h.idle }

func (h *fakeHost) signal() {
	select {
	case h.idle <- struct{}{}:
	default:
	}
}
