package driver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Config is what an Instance needs from its host: the implementations of
// the operations, a clock, and where the guest's output goes.
type Config struct {
	// Call performs a synchronous host operation for the object with the
	// given handle (0 for none). A returned error reaches the guest as an
	// abi.Error (see ErrorFromGo).
	Call func(op abi.CallOp, object uint32, req []byte) ([]byte, error)
	// Start performs an asynchronous host operation for the object with
	// the given handle (that of the event that started it; 0 for the
	// Worker). It runs on its own goroutine and may block as long as the
	// operation takes.
	Start func(op abi.AsyncOp, object uint32, req []byte) ([]byte, error)
	// Clock is the time the guest sees and the timers it arms. Nil means
	// the real clock.
	Clock Clock
	// Stdout and Stderr receive the guest's output, one line at a time.
	Stdout, Stderr func(line string)
	// Timeout bounds one call into the guest (an export running Go until
	// every goroutine parks). A guest that runs longer, in an infinite
	// loop say, crashes the instance. Zero means 30 seconds.
	Timeout time.Duration
	// OnCrash is called (with the instance's lock held) when the instance
	// crashes, after its events have failed.
	OnCrash func(inst *Instance, err error)
	// OnRetire is called (with the instance's lock held) when an event has
	// finished and has no WaitUntil work left: the I/O context of an event
	// of the stateless Worker (object 0) ends with it.
	OnRetire func(event int32, object uint32)
}

// DefaultTimeout is the default of Config.Timeout.
const DefaultTimeout = 30 * time.Second

// Instance is one instantiation of a module: one Go runtime, serving many
// events at once, like the shim's Instance in internal/shim/js/instance.js.
type Instance struct {
	m        *Module
	cfg      *Config
	clock    Clock
	wasm     api.Module
	manifest *abi.Manifest
	fnObject api.Function
	fnDrop   api.Function
	fnEvent  api.Function
	fnResume api.Function
	fnTick   api.Function

	deadFlag atomic.Bool // set with dead, readable without mu

	mu        sync.Mutex // held while Go runs, and for all the fields below
	dead      bool
	staged    []byte
	events    map[int32]*Event
	known     map[uint32]bool // object handles declared to the guest
	nextEvent int32
	nextOp    int32
	started   []*op
	orphans   []*op
	idleReady bool
	timerNs   int64 // from the last blocking poll; -1 if none
	tick      *tickTimer
	born, now time.Time
	out       [3]*lineWriter
	// callCtx is the context of the call into Go in progress, and nested
	// the transaction functions running inside it (RunTransaction).
	callCtx context.Context
	nested  int
	// ioEvent is the event on whose behalf the call into Go in progress
	// runs (its I/O context), nil for none.
	ioEvent *Event
	// background counts the WaitUntil work in progress; backgroundDone
	// (on mu) is broadcast when it reaches 0 or the instance dies.
	background     int
	backgroundDone *sync.Cond
}

type instKey struct{}

func instanceFrom(ctx context.Context) *Instance {
	inst, _ := ctx.Value(instKey{}).(*Instance)
	return inst
}

// NewInstance instantiates the module and runs its package initializers.
func (m *Module) NewInstance(ctx context.Context, cfg *Config) (*Instance, error) {
	inst, err := m.newInstance(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := abi.CheckShape(inst.manifest, m.Manifest); err != nil {
		inst.Close()
		return nil, fmt.Errorf("godurable: the module does not match what it reported before: %w", err)
	}
	return inst, nil
}

func (m *Module) newInstance(ctx context.Context, cfg *Config) (*Instance, error) {
	inst := &Instance{m: m, cfg: cfg, clock: cfg.Clock, events: map[int32]*Event{}, known: map[uint32]bool{}, timerNs: -1}
	inst.backgroundDone = sync.NewCond(&inst.mu)
	if inst.clock == nil {
		inst.clock = RealClock()
	}
	inst.born = inst.clock.Now()
	inst.now = inst.born
	discard := func(string) {}
	out, errOut := cfg.Stdout, cfg.Stderr
	if out == nil {
		out = discard
	}
	if errOut == nil {
		errOut = discard
	}
	inst.out[1] = &lineWriter{emit: out}
	inst.out[2] = &lineWriter{emit: errOut}

	mod, err := m.rt.InstantiateModule(context.WithValue(ctx, instKey{}, inst), m.compiled,
		wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return nil, fmt.Errorf("instantiating the module: %w", err)
	}
	inst.wasm = mod
	inst.fnObject = mod.ExportedFunction(abi.ExportObject)
	inst.fnDrop = mod.ExportedFunction(abi.ExportDrop)
	inst.fnEvent = mod.ExportedFunction(abi.ExportEvent)
	inst.fnResume = mod.ExportedFunction(abi.ExportResume)
	inst.fnTick = mod.ExportedFunction(abi.ExportTick)
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if err := inst.guard(func(ctx context.Context) error {
		_, err := mod.ExportedFunction("_initialize").Call(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	var version, packed []uint64
	err = inst.guard(func(ctx context.Context) (err error) {
		if version, err = mod.ExportedFunction(abi.ExportABIVersion).Call(ctx); err != nil {
			return err
		}
		packed, err = mod.ExportedFunction(abi.ExportManifest).Call(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if v := int32(version[0]); v != abi.Version {
		mod.Close(ctx)
		return nil, fmt.Errorf("godurable: the module speaks ABI version %d, this host speaks %d; rebuild it with this version of godurable", v, abi.Version)
	}
	ptr, n := uint32(packed[0]>>32), uint32(packed[0])
	b, ok := mod.Memory().Read(ptr, n)
	if !ok {
		mod.Close(ctx)
		return nil, fmt.Errorf("godurable: the manifest (%d bytes at %#x) is outside the module's memory", n, ptr)
	}
	inst.manifest = &abi.Manifest{}
	if err := abi.Unmarshal(b, inst.manifest); err != nil {
		mod.Close(ctx)
		return nil, fmt.Errorf("godurable: decoding the manifest: %w", err)
	}
	return inst, nil
}

// Close discards the instance; events in flight never finish.
func (inst *Instance) Close() {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	inst.dead = true
	inst.deadFlag.Store(true)
	inst.stopTick()
	inst.flushOutput()
	inst.backgroundDone.Broadcast()
	inst.wasm.Close(context.Background())
}

// Dead reports whether the instance has crashed or was closed.
func (inst *Instance) Dead() bool { return inst.deadFlag.Load() }

// Manifest returns what the instance registers.
func (inst *Instance) Manifest() *abi.Manifest { return inst.manifest }

// ErrCrashed is wrapped by the errors of an instance that has crashed.
var ErrCrashed = errors.New("godurable: the Go instance has crashed")

// guard runs a call into Go; a trap or an overlong call poisons the
// instance. It holds inst.mu.
func (inst *Instance) guard(fn func(ctx context.Context) error) error {
	if inst.dead {
		return ErrCrashed
	}
	inst.timerNs = -1
	inst.now = inst.clock.Now().Truncate(time.Millisecond)
	timeout := inst.cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), instKey{}, inst), timeout)
	inst.callCtx = ctx
	err := fn(ctx)
	inst.callCtx = nil
	cancel()
	if err != nil {
		err = describeTrap(err, timeout)
		inst.poison(err)
		return &CrashError{Message: crashMessage(err), Err: err}
	}
	return nil
}

// poison marks the instance dead and fails every event in flight.
func (inst *Instance) poison(err error) {
	if inst.dead {
		return
	}
	inst.dead = true
	inst.deadFlag.Store(true)
	inst.flushOutput()
	detail := err.Error()
	var te *trapError
	if errors.As(err, &te) {
		detail = te.detail
	}
	inst.out[2].emit("godurable: the Go instance crashed: " + detail)
	inst.stopTick()
	failure := mustMarshal(&abi.Error{Name: "Error", Message: crashMessage(err), Code: abi.CodeCrashed})
	for _, ev := range inst.events {
		ev.extended = 0
		ev.settle(abi.StatusError, failure)
	}
	inst.events = map[int32]*Event{}
	inst.background = 0
	inst.backgroundDone.Broadcast()
	if inst.cfg.OnCrash != nil {
		inst.cfg.OnCrash(inst, err)
	}
	go inst.wasm.Close(context.Background())
}

// Kill fails the events in flight with message and discards the instance.
func (inst *Instance) Kill(message string) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.dead {
		return
	}
	inst.dead = true
	inst.deadFlag.Store(true)
	inst.stopTick()
	inst.flushOutput()
	failure := mustMarshal(&abi.Error{Name: "Error", Message: message})
	for _, ev := range inst.events {
		ev.settle(abi.StatusError, failure)
	}
	inst.events = map[int32]*Event{}
	go inst.wasm.Close(context.Background())
}

// Crash makes the instance fail as if the guest had trapped with the
// given V8 message ("unreachable" if empty).
func (inst *Instance) Crash(message string) {
	if message == "" {
		message = "unreachable"
	}
	inst.mu.Lock()
	defer inst.mu.Unlock()
	inst.poison(&trapError{message: message, detail: message + " (forced by the test)"})
}

// InFlight returns the number of events in flight.
func (inst *Instance) InFlight() int {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return len(inst.events)
}
