package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
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

// Event is one event in flight in an instance.
type Event struct {
	id       int32
	object   uint32
	what     string
	finished bool
	status   abi.Status
	payload  []byte
	done     chan struct{}
	ops      map[int32]*op // operations in flight, for reports
	extended int           // WaitUntil work in progress: the event lives on after its result
}

// alive reports whether the event may still start operations: until its
// result, and after it while WaitUntil work goes on.
func (ev *Event) alive() bool { return !ev.finished || ev.extended > 0 }

type op struct {
	id      int32
	kind    abi.AsyncOp
	ev      *Event
	payload []byte
	what    string
}

type tickTimer struct {
	at   time.Time
	ev   *Event // in whose I/O context the tick runs
	stop func() bool
}

var orphaned = mustMarshal(&abi.Error{Name: "Error", Message: "godurable: the event that started this operation has already finished", Code: abi.CodeOrphaned})

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

// CrashError is the error of the events that were in flight when the
// instance crashed, with the message the shim gives them.
type CrashError struct {
	Message string
	Err     error // the trap
}

func (e *CrashError) Error() string { return e.Message }
func (e *CrashError) Unwrap() error { return e.Err }

func crashMessage(err error) string {
	return fmt.Sprintf("godurable: the Go instance crashed (%s); the events in flight were lost, and later events run on a fresh instance", err.Error())
}

// trapError is a wasm trap, with the message V8 gives it.
type trapError struct {
	message string
	detail  string // wazero's description, with the wasm stack
}

func (e *trapError) Error() string { return e.message }

// ErrHang is wrapped by the trap of a guest that ran past its timeout.
var ErrHang = errors.New("the guest ran past its timeout without returning")

var v8Traps = map[string]string{
	"unreachable":                   "unreachable",
	"out of bounds memory access":   "memory access out of bounds",
	"integer divide by zero":        "divide by zero",
	"integer overflow":              "divide result unrepresentable",
	"invalid conversion to integer": "float unrepresentable in integer range",
	"indirect call type mismatch":   "null function or function signature mismatch",
	"invalid table access":          "table index is out of bounds",
	"stack overflow":                "Maximum call stack size exceeded",
}

func describeTrap(err error, timeout time.Duration) error {
	for nt := (*nestedTrap)(nil); errors.As(err, &nt); {
		err = nt.err // the trap inside a transaction's function
	}
	var pe *procExit
	if errors.As(err, &pe) {
		return pe
	}
	var ee *sys.ExitError
	if errors.As(err, &ee) {
		switch ee.ExitCode() {
		case sys.ExitCodeDeadlineExceeded, sys.ExitCodeContextCanceled:
			return fmt.Errorf("%w (%v): an infinite loop, or a wait on something only the host can end?", ErrHang, timeout)
		}
		return &procExit{code: ee.ExitCode()}
	}
	msg := err.Error()
	if strings.Contains(msg, "Go called proc_exit(") {
		i := strings.Index(msg, "Go called proc_exit(")
		j := strings.Index(msg[i:], ")")
		return &trapError{message: msg[i : i+j+1], detail: msg}
	}
	if rest, ok := strings.CutPrefix(msg, "wasm error: "); ok {
		first, _, _ := strings.Cut(rest, "\n")
		if v8, ok := v8Traps[first]; ok {
			return &trapError{message: v8, detail: msg}
		}
		return &trapError{message: first, detail: msg}
	}
	return &trapError{message: msg, detail: msg}
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

// run calls an export on behalf of the event in whose I/O context the
// host calls it (nil for none), then starts the operations Go began and
// arms Go's timers, as the shim's Instance.run. It holds inst.mu.
func (inst *Instance) run(ioEvent *Event, fn func(ctx context.Context) error) error {
	inst.ioEvent = ioEvent
	err := inst.guard(fn)
	inst.ioEvent = nil
	if err != nil {
		return err
	}
	started := inst.started
	inst.started = nil
	for _, o := range started {
		if !o.ev.alive() {
			inst.orphans = append(inst.orphans, o)
		} else {
			inst.launch(o)
		}
	}
	if inst.timerNs >= 0 {
		d := time.Duration(inst.timerNs)
		if r := d % time.Millisecond; r != 0 {
			d += time.Millisecond - r
		}
		inst.scheduleTick(ioEvent, inst.clock.Now().Add(d))
	}
	for len(inst.orphans) > 0 && !inst.dead {
		o := inst.orphans[0]
		inst.orphans = inst.orphans[1:]
		inst.resume(o, abi.StatusError, orphaned)
	}
	return nil
}

// Message is an event to deliver to Go.
type Message struct {
	Kind abi.EventKind
	// Object is the handle of the event's Durable Object, 0 for the
	// stateless Worker; Ref describes it, for the first event of the
	// handle on this instance.
	Object uint32
	Ref    abi.ObjectRef
	Arg    uint32
	// Payload is the event's message (see abi.EventInfo).
	Payload []byte
	// Dropped are the handles of objects the host no longer holds.
	Dropped []uint32
	// What describes the event in errors ("Counter.increment()").
	What string
}

// Dispatch delivers an event to Go and waits until it finishes or ctx is
// done. It returns the event's result, a *JSError if the event failed, or
// a *CrashError.
func (inst *Instance) Dispatch(ctx context.Context, msg *Message) ([]byte, error) {
	_, out, err := inst.DispatchEvent(ctx, msg)
	return out, err
}

// DispatchEvent is Dispatch that returns the event too, whose ID names it
// in the host operations that follow its result (a streamed body's).
func (inst *Instance) DispatchEvent(ctx context.Context, msg *Message) (*Event, []byte, error) {
	ev, err := inst.Send(msg)
	if err != nil {
		return nil, nil, err
	}
	out, err := inst.Wait(ctx, ev)
	if info, _ := msg.Kind.Info(); info.Cancelable && errors.Is(err, ErrTimeout) {
		inst.Cancel(ev) // the client went away, as workerd aborts request.signal
	}
	return ev, out, err
}

// ID returns the event's ID, as the guest knows it.
func (ev *Event) ID() int32 { return ev.id }

// Cancel cancels ev's context in Go (abi.ExportCancel), as the shim does
// when the request's signal aborts; the event goes on until its handler
// returns.
func (inst *Instance) Cancel(ev *Event) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.dead || !ev.alive() {
		return
	}
	inst.run(ev, func(ctx context.Context) error {
		_, err := inst.wasm.ExportedFunction(abi.ExportCancel).Call(ctx, uint64(uint32(ev.id)))
		return err
	})
}

// Send delivers an event to Go without waiting for it to finish.
func (inst *Instance) Send(msg *Message) (*Event, error) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.dead {
		return nil, ErrCrashed
	}
	for _, h := range msg.Dropped {
		if !inst.known[h] {
			continue
		}
		delete(inst.known, h)
		if err := inst.guard(func(ctx context.Context) error {
			_, err := inst.fnDrop.Call(ctx, uint64(h))
			return err
		}); err != nil {
			return nil, err
		}
	}
	if msg.Object != 0 && !inst.known[msg.Object] {
		ref, err := abi.Marshal(&msg.Ref)
		if err != nil {
			return nil, err
		}
		inst.staged = ref
		var res []uint64
		if err := inst.guard(func(ctx context.Context) (err error) {
			res, err = inst.fnObject.Call(ctx, uint64(msg.Object), uint64(len(ref)))
			return err
		}); err != nil {
			return nil, err
		}
		if int32(res[0]) < 0 {
			return nil, NewJSError("TypeError", fmt.Sprintf("godurable: the module refused object %s %s", msg.Ref.Class, msg.Ref.ID))
		}
		inst.known[msg.Object] = true
	}
	inst.nextEvent++
	ev := &Event{id: inst.nextEvent, object: msg.Object, what: msg.What, done: make(chan struct{}), ops: map[int32]*op{}}
	inst.events[ev.id] = ev
	inst.staged = msg.Payload
	if err := inst.run(ev, func(ctx context.Context) error {
		_, err := inst.fnEvent.Call(ctx, uint64(uint32(ev.id)), uint64(msg.Kind), uint64(msg.Object), uint64(msg.Arg), uint64(len(msg.Payload)))
		return err
	}); err != nil {
		return nil, err
	}
	return ev, nil
}

// JSError is a JavaScript exception: the error an event finished with,
// or what a host operation throws.
type JSError struct{ Err *abi.Error }

func (e *JSError) Error() string { return e.Err.Message }

// NewJSError returns a *JSError with name and message.
func NewJSError(name, message string) *JSError {
	return &JSError{&abi.Error{Name: name, Message: message}}
}

// ErrTimeout is wrapped by the error of Wait when ctx ends first.
var ErrTimeout = errors.New("the event did not finish")

// Wait waits for ev to finish or ctx to be done.
func (inst *Instance) Wait(ctx context.Context, ev *Event) ([]byte, error) {
	select {
	case <-ev.done:
	case <-ctx.Done():
		inst.mu.Lock()
		pending := ev.describeOps()
		inst.mu.Unlock()
		return nil, fmt.Errorf("%w: %s: %v; still waiting for %s", ErrTimeout, ev.what, ctx.Err(), pending)
	}
	if ev.status == abi.StatusOK {
		return ev.payload, nil
	}
	var e abi.Error
	if err := abi.Unmarshal(ev.payload, &e); err != nil {
		return nil, fmt.Errorf("godurable: the guest failed the event with a malformed error: %w", err)
	}
	if e.Code == abi.CodeCrashed {
		return nil, &CrashError{Message: e.Message}
	}
	return nil, &JSError{&e}
}

func (ev *Event) describeOps() string {
	if len(ev.ops) == 0 {
		return "nothing the host knows of (the guest itself has not completed it)"
	}
	var parts []string
	for _, o := range ev.ops {
		parts = append(parts, o.what)
	}
	return strings.Join(parts, ", ")
}

func (ev *Event) settle(status abi.Status, payload []byte) {
	if ev.finished {
		return
	}
	ev.finished = true
	ev.status = status
	ev.payload = payload
	close(ev.done)
}

// InFlight returns the number of events in flight.
func (inst *Instance) InFlight() int {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return len(inst.events)
}

func (inst *Instance) launch(o *op) {
	o.what = describeOp(o.kind, o.payload)
	o.ev.ops[o.id] = o
	go func() {
		res, err := inst.startOp(o)
		status := abi.StatusOK
		if err != nil {
			status = abi.StatusError
			res = mustMarshal(ErrorFromGo(err))
		}
		inst.mu.Lock()
		defer inst.mu.Unlock()
		delete(o.ev.ops, o.id)
		inst.resume(o, status, res)
	}()
}

func (inst *Instance) startOp(o *op) (res []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("godurable: host operation panicked: %v", v)
		}
	}()
	if inst.cfg.Start == nil {
		return nil, NewJSError("TypeError", fmt.Sprintf("godurable: unknown async operation %d", o.kind))
	}
	return inst.cfg.Start(o.kind, o.ev.object, o.payload)
}

func describeOp(kind abi.AsyncOp, payload []byte) string {
	switch kind {
	case abi.AsyncFetch:
		var r abi.Request
		if abi.Unmarshal(payload, &r) == nil {
			return "fetch " + r.Method + " " + r.URL
		}
	case abi.AsyncStubFetch:
		var r abi.StubFetch
		if abi.Unmarshal(payload, &r) == nil {
			return "fetch " + r.Request.Method + " " + r.Request.URL + " on " + describeTarget(r.Target)
		}
	case abi.AsyncStubCall:
		var r abi.StubCall
		if abi.Unmarshal(payload, &r) == nil {
			return r.Method + "() on " + describeTarget(r.Target)
		}
	}
	return kind.String()
}

func describeTarget(t abi.StubTarget) string {
	ns := t.Binding
	if t.Jurisdiction != "" {
		ns += " (" + t.Jurisdiction + ")"
	}
	if t.Name == "" && t.ID != "" {
		return fmt.Sprintf("%s object %s", ns, t.ID)
	}
	return fmt.Sprintf("%s object %q", ns, t.Name)
}

// resume hands a settled operation to Go. It holds inst.mu.
func (inst *Instance) resume(o *op, status abi.Status, payload []byte) {
	if inst.dead {
		return
	}
	inst.staged = payload
	inst.run(o.ev, func(ctx context.Context) error {
		_, err := inst.fnResume.Call(ctx, uint64(uint32(o.id)), uint64(uint32(status)), uint64(len(payload)))
		return err
	})
}

// scheduleTick makes sure Go is called back at time at, in the I/O
// context of an event in flight (ioEvent's if it is), as the shim's
// scheduleTick; with none in flight, Go's timers wait for the next event,
// as in workerd. It holds inst.mu.
func (inst *Instance) scheduleTick(ioEvent *Event, at time.Time) {
	if inst.tick != nil && !inst.tick.at.After(at) && inst.tick.ev.alive() {
		return
	}
	ev := ioEvent
	if ev == nil || !ev.alive() {
		ev = inst.anyEvent()
	}
	if ev == nil {
		return
	}
	inst.stopTick()
	t := &tickTimer{at: at, ev: ev}
	t.stop = inst.clock.AfterFunc(at.Sub(inst.clock.Now()), func() {
		inst.mu.Lock()
		defer inst.mu.Unlock()
		if inst.tick != t {
			return
		}
		inst.tick = nil
		if inst.dead || !ev.alive() {
			return
		}
		inst.run(ev, func(ctx context.Context) error {
			_, err := inst.fnTick.Call(ctx, uint64(uint32(ev.id)), uint64(ev.object))
			return err
		})
	})
	inst.tick = t
}

// anyEvent returns the event in flight with the lowest ID, or nil.
func (inst *Instance) anyEvent() *Event {
	var first *Event
	for _, ev := range inst.events {
		if ev.alive() && (first == nil || ev.id < first.id) {
			first = ev
		}
	}
	return first
}

// retire forgets an event that has finished and has no WaitUntil work
// left; a tick armed in its context moves to another event's.
func (inst *Instance) retire(ev *Event) {
	delete(inst.events, ev.id)
	if t := inst.tick; t != nil && t.ev == ev {
		inst.stopTick()
		inst.scheduleTick(nil, t.at)
	}
}

func (inst *Instance) stopTick() {
	if inst.tick != nil {
		inst.tick.stop()
		inst.tick = nil
	}
}

// The imports.

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

// ExtendEvent keeps the event with the given ID alive after its result
// until ReleaseEvent (workerd's ctx.waitUntil, abi.CallWaitUntil). Only
// Config.Call may call it.
func (inst *Instance) ExtendEvent(id int32) error {
	ev, ok := inst.events[id]
	if !ok || !ev.alive() {
		return NewJSError("Error", "godurable: WaitUntil: the event has already finished")
	}
	ev.extended++
	inst.background++
	return nil
}

// ReleaseEvent ends one ExtendEvent (abi.CallWaitUntilDone). Only
// Config.Call may call it.
func (inst *Instance) ReleaseEvent(id int32) {
	ev, ok := inst.events[id]
	if !ok || ev.extended == 0 {
		return
	}
	ev.extended--
	inst.background--
	if ev.extended == 0 && ev.finished {
		inst.retire(ev)
	}
	if inst.background == 0 {
		inst.backgroundDone.Broadcast()
	}
}

// WaitBackground waits until no event has WaitUntil work left, or ctx is
// done, or the instance dies.
func (inst *Instance) WaitBackground(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		inst.mu.Lock()
		inst.backgroundDone.Broadcast()
		inst.mu.Unlock()
	})
	defer stop()
	inst.mu.Lock()
	defer inst.mu.Unlock()
	for inst.background > 0 && !inst.dead {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("godurable: WaitUntil work still running: %w", err)
		}
		inst.backgroundDone.Wait()
	}
	return nil
}

// ErrorFromGo describes err for the guest, as the shim describes a thrown
// JavaScript value.
func ErrorFromGo(err error) *abi.Error {
	var je *JSError
	if errors.As(err, &je) {
		return je.Err
	}
	return &abi.Error{Name: "Error", Message: err.Error()}
}

func mustMarshal(v any) []byte {
	b, err := abi.Marshal(v)
	if err != nil {
		panic("godurable: encoding an ABI message: " + err.Error())
	}
	return b
}

func (inst *Instance) flushOutput() {
	for _, w := range inst.out[1:] {
		if w != nil {
			w.Flush()
		}
	}
}

// lineWriter decodes UTF-8 output and emits it line by line.
type lineWriter struct {
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(b []byte) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(DecodeUTF8(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) Flush() {
	if len(w.buf) > 0 {
		w.emit(DecodeUTF8(w.buf))
		w.buf = nil
	}
}
