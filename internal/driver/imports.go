package driver

import (
	"fmt"

	"github.com/godurable/godurable/internal/abi"
	"github.com/tetratelabs/wazero/api"
)

// The functions the guest imports from abi.ImportModule, as the shim's
// Instance implements them (internal/shim/js/instance.js): take, call,
// start and complete, and the reentrant call of a transaction's function.

func (inst *Instance) take(mem api.Memory, ptr uint32) {
	s := inst.staged
	inst.staged = nil
	if len(s) > 0 {
		mem.Write(ptr, s)
	}
}

func (inst *Instance) put(mem api.Memory, b []byte, ptr, capacity uint32, isError bool) int32 {
	if uint64(len(b)) <= uint64(capacity) {
		if len(b) > 0 {
			mem.Write(ptr, b)
		}
	} else {
		inst.staged = b
	}
	if isError {
		return -int32(len(b) + 1)
	}
	return int32(len(b))
}

// RunTransaction calls the guest's transaction function id
// (abi.ExportTransaction) and reports whether it succeeded. Only
// Config.Call may call it, for abi.CallTransactionSync, while the guest
// waits in that import: the call is reentrant, as the shim's is from
// inside transactionSync. A trap inside it crashes the instance as a trap
// of the call around it does.
func (inst *Instance) RunTransaction(id int32) bool {
	if inst.callCtx == nil {
		panic("godurable: RunTransaction outside a host call")
	}
	inst.nested++
	defer func() { inst.nested-- }()
	res, err := inst.wasm.ExportedFunction(abi.ExportTransaction).Call(inst.callCtx, uint64(uint32(id)))
	if err != nil {
		panic(&nestedTrap{err})
	}
	return res[0] == 0
}

// nestedTrap is a trap inside a transaction's function, passed up through
// the host call around it (whose recover lets it through) to the call
// into Go that contains both.
type nestedTrap struct{ err error }

func (t *nestedTrap) Error() string { return t.err.Error() }

func (t *nestedTrap) Unwrap() error { return t.err }

func (inst *Instance) call(mem api.Memory, callOp abi.CallOp, object, reqPtr, reqLen, respPtr, respCap uint32) (r int32) {
	defer func() {
		if v := recover(); v != nil {
			if nt, ok := v.(*nestedTrap); ok {
				panic(nt)
			}
			r = inst.put(mem, mustMarshal(&abi.Error{Name: "Error", Message: fmt.Sprintf("godurable: host call %v panicked: %v", callOp, v)}), respPtr, respCap, true)
		}
	}()
	var req []byte
	if reqLen > 0 {
		b, ok := mem.Read(reqPtr, reqLen)
		if !ok {
			return inst.put(mem, mustMarshal(&abi.Error{Name: "RangeError", Message: "godurable: request outside the module's memory"}), respPtr, respCap, true)
		}
		req = append([]byte(nil), b...)
	}
	if inst.cfg.Call == nil {
		return inst.put(mem, mustMarshal(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: unknown host call %d", callOp)}), respPtr, respCap, true)
	}
	res, err := inst.cfg.Call(callOp, object, req)
	if err != nil {
		return inst.put(mem, mustMarshal(ErrorFromGo(err)), respPtr, respCap, true)
	}
	return inst.put(mem, res, respPtr, respCap, false)
}

func (inst *Instance) start(mem api.Memory, kind abi.AsyncOp, eventID int32, reqPtr, reqLen uint32) int32 {
	ev, ok := inst.events[eventID]
	if !ok || !ev.alive() {
		return -1
	}
	b, ok := mem.Read(reqPtr, reqLen)
	if !ok {
		return -1
	}
	inst.nextOp++
	inst.started = append(inst.started, &op{id: inst.nextOp, kind: kind, ev: ev, payload: append([]byte(nil), b...)})
	return inst.nextOp
}

func (inst *Instance) complete(mem api.Memory, eventID int32, status abi.Status, ptr, n uint32) {
	ev, ok := inst.events[eventID]
	if !ok || ev.finished {
		return
	}
	b, _ := mem.Read(ptr, n)
	ev.settle(status, append([]byte(nil), b...))
	if ev.extended == 0 {
		inst.retire(ev)
	}
}

// IOContext returns the I/O context of the call into Go in progress: the
// handle of the Durable Object whose event it runs on behalf of (0 for an
// event of the stateless Worker), and the event's ID; ok is false when it
// runs on behalf of no event. Only Config.Call may call it.
func (inst *Instance) IOContext() (object uint32, event int32, ok bool) {
	if inst.ioEvent == nil {
		return 0, 0, false
	}
	return inst.ioEvent.object, inst.ioEvent.id, true
}
