package driver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The WASI functions a godurable guest gets, exactly as the shim provides
// them in workerd (internal/shim/js/instance.js): no files, no environment, fd 1
// and 2 for output, the idle descriptor abi.IdleFD, a clock that stands
// still while Go runs, and a poll_oneoff that never blocks. Every other
// function the module imports answers ENOSYS.

const wasiModule = "wasi_snapshot_preview1"

// WASI numbers.
const (
	errnoSuccess = 0
	errnoAgain   = 6
	errnoBadf    = 8
	errnoNosys   = 52

	clockRealtime = 0

	filetypeCharacterDevice = 2
	fdflagsNonblock         = 4

	eventtypeClock  = 0
	eventtypeFDRead = 1

	subscriptionSize = 48
	eventSize        = 32
)

type wasiFunc func(inst *Instance, mem api.Memory, stack []uint64) uint32

var wasiFuncs = map[string]wasiFunc{
	"args_sizes_get":    zeroSizes,
	"args_get":          func(*Instance, api.Memory, []uint64) uint32 { return errnoSuccess },
	"environ_sizes_get": zeroSizes,
	"environ_get":       func(*Instance, api.Memory, []uint64) uint32 { return errnoSuccess },
	"clock_time_get": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		var ns uint64
		if uint32(s[0]) == clockRealtime {
			ns = uint64(inst.now.UnixMilli()) * 1e6
		} else {
			ns = uint64(inst.now.Sub(inst.born).Milliseconds())*1e6 + 1e6
		}
		mem.WriteUint64Le(uint32(s[2]), ns)
		return errnoSuccess
	},
	"clock_res_get": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		mem.WriteUint64Le(uint32(s[1]), 1e6)
		return errnoSuccess
	},
	"random_get": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		if b, ok := mem.Read(uint32(s[0]), uint32(s[1])); ok {
			rand.Read(b)
		}
		return errnoSuccess
	},
	"fd_write": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		fd, iovs, n, nwritten := uint32(s[0]), uint32(s[1]), uint32(s[2]), uint32(s[3])
		if fd != 1 && fd != 2 {
			return errnoBadf
		}
		total := uint32(0)
		for i := uint32(0); i < n; i++ {
			ptr, _ := mem.ReadUint32Le(iovs + 8*i)
			l, _ := mem.ReadUint32Le(iovs + 8*i + 4)
			b, _ := mem.Read(ptr, l)
			inst.out[fd].Write(b)
			total += l
		}
		mem.WriteUint32Le(nwritten, total)
		return errnoSuccess
	},
	"fd_read": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		if uint32(s[0]) != abi.IdleFD {
			return errnoBadf
		}
		if !inst.idleReady {
			return errnoAgain
		}
		inst.idleReady = false
		ptr, _ := mem.ReadUint32Le(uint32(s[1]))
		mem.WriteByte(ptr, 1)
		mem.WriteUint32Le(uint32(s[3]), 1)
		return errnoSuccess
	},
	"fd_fdstat_get": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		if uint32(s[0]) != abi.IdleFD {
			return errnoBadf
		}
		out := uint32(s[1])
		mem.WriteByte(out, filetypeCharacterDevice)
		mem.WriteUint16Le(out+2, fdflagsNonblock)
		mem.WriteUint64Le(out+8, 0xffffffff)
		mem.WriteUint64Le(out+16, 0)
		return errnoSuccess
	},
	"fd_fdstat_set_flags": func(*Instance, api.Memory, []uint64) uint32 { return errnoSuccess },
	"fd_prestat_get":      func(*Instance, api.Memory, []uint64) uint32 { return errnoBadf },
	"fd_prestat_dir_name": func(*Instance, api.Memory, []uint64) uint32 { return errnoBadf },
	"fd_close":            func(*Instance, api.Memory, []uint64) uint32 { return errnoSuccess },
	"sched_yield":         func(*Instance, api.Memory, []uint64) uint32 { return errnoSuccess },
	"proc_exit": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		panic(&procExit{code: uint32(s[0])})
	},
	"poll_oneoff": func(inst *Instance, mem api.Memory, s []uint64) uint32 {
		return inst.poll(mem, uint32(s[0]), uint32(s[1]), uint32(s[2]), uint32(s[3]))
	},
}

func zeroSizes(inst *Instance, mem api.Memory, s []uint64) uint32 {
	mem.WriteUint32Le(uint32(s[0]), 0)
	mem.WriteUint32Le(uint32(s[1]), 0)
	return errnoSuccess
}

// procExit is what proc_exit throws, as the shim's proc_exit does.
type procExit struct{ code uint32 }

func (e *procExit) Error() string { return fmt.Sprintf("Go called proc_exit(%d)", e.code) }

// poll answers the Go scheduler's poll_oneoff. A poll that would block
// means every goroutine has parked: report the idle descriptor ready and
// remember when the next Go timer is due. A poll with a zero timeout does
// not block and must not report idle.
func (inst *Instance) poll(mem api.Memory, subs, events, n, nevents uint32) uint32 {
	clock, idle := int64(-1), int64(-1)
	for i := uint32(0); i < n; i++ {
		s := subs + subscriptionSize*i
		tag, _ := mem.ReadByte(s + 8)
		if tag == eventtypeClock {
			clock = int64(s)
		} else if fd, _ := mem.ReadUint32Le(s + 16); tag == eventtypeFDRead && fd == abi.IdleFD {
			idle = int64(s)
		}
	}
	var timeout uint64
	hasTimeout := false
	if clock >= 0 {
		timeout, _ = mem.ReadUint64Le(uint32(clock) + 24)
		hasTimeout = true
	}
	blocking := !hasTimeout || timeout > 0
	out := uint32(0)
	emit := func(sub uint32, typ byte) {
		e := events + eventSize*out
		out++
		zero := make([]byte, eventSize)
		mem.Write(e, zero)
		ud, _ := mem.ReadUint64Le(sub)
		mem.WriteUint64Le(e, ud)
		mem.WriteByte(e+10, typ)
		if typ == eventtypeFDRead {
			mem.WriteUint64Le(e+16, 1)
		}
	}
	if idle >= 0 && blocking && inst.nested > 0 {
		panic(&nestedTrap{errors.New("godurable: a transaction's function blocked (on a channel, a lock, a sleep or an event that cannot come while it runs); it must run to its end without waiting")})
	}
	if idle >= 0 && blocking {
		inst.idleReady = true
		if hasTimeout {
			inst.timerNs = int64(min(timeout, 1<<62))
		}
		emit(uint32(idle), eventtypeFDRead)
	} else if clock >= 0 {
		emit(uint32(clock), eventtypeClock)
	}
	mem.WriteUint32Le(nevents, out)
	return errnoSuccess
}

// instantiateWASI builds the wasi_snapshot_preview1 host module for the
// functions compiled imports, with their own signatures.
func instantiateWASI(ctx context.Context, r wazero.Runtime, compiled wazero.CompiledModule) error {
	b := r.NewHostModuleBuilder(wasiModule)
	for _, def := range compiled.ImportedFunctions() {
		module, name, _ := def.Import()
		if module != wasiModule {
			continue
		}
		fn, ok := wasiFuncs[name]
		if !ok {
			fn = func(*Instance, api.Memory, []uint64) uint32 { return errnoNosys }
		}
		results := def.ResultTypes()
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			inst := instanceFrom(ctx)
			if inst == nil {
				panic("godurable: WASI function called outside an instance")
			}
			errno := fn(inst, mod.Memory(), stack)
			if len(results) == 1 {
				stack[0] = uint64(errno)
			}
		}), def.ParamTypes(), results).Export(name)
	}
	_, err := b.Instantiate(ctx)
	return err
}
