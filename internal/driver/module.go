package driver

import (
	"context"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Module is a compiled godurable guest, ready to be instantiated any
// number of times. It owns a wazero runtime with the host modules.
type Module struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	// Manifest is what the module registers.
	Manifest *abi.Manifest
}

// NewModule compiles wasm. cache, if not nil, keeps wazero's compilation
// (e.g. one made with wazero.NewCompilationCacheWithDir), so that the next
// process compiles the same bytes in a fraction of the time.
func NewModule(ctx context.Context, wasm []byte, cache wazero.CompilationCache) (*Module, error) {
	return newModule(ctx, wasm, cache)
}

func newModule(ctx context.Context, wasm []byte, cache wazero.CompilationCache) (*Module, error) {
	cfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(true)
	if cache != nil {
		cfg = cfg.WithCompilationCache(cache)
	}
	r := wazero.NewRuntimeWithConfig(ctx, cfg)
	m := &Module{rt: r}
	ok := false
	defer func() {
		if !ok {
			r.Close(ctx)
		}
	}()
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("compiling the module: %w", err)
	}
	if err := checkExports(compiled); err != nil {
		return nil, err
	}
	m.compiled = compiled
	if err := instantiateWASI(ctx, r, compiled); err != nil {
		return nil, err
	}
	if err := instantiateImports(ctx, r); err != nil {
		return nil, err
	}
	// Read the manifest from a first instance.
	inst, err := m.newInstance(ctx, &Config{})
	if err != nil {
		return nil, err
	}
	m.Manifest = inst.manifest
	inst.Close()
	ok = true
	return m, nil
}

// Close releases the runtime and every instance.
func (m *Module) Close(ctx context.Context) error { return m.rt.Close(ctx) }

func instantiateImports(ctx context.Context, r wazero.Runtime) error {
	i32 := api.ValueTypeI32
	b := r.NewHostModuleBuilder(abi.ImportModule)
	fn := func(f func(inst *Instance, mem api.Memory, s []uint64)) api.GoModuleFunc {
		return func(ctx context.Context, mod api.Module, stack []uint64) {
			inst := instanceFrom(ctx)
			if inst == nil {
				panic("godurable: host function called outside an instance")
			}
			f(inst, mod.Memory(), stack)
		}
	}
	b.NewFunctionBuilder().WithGoModuleFunction(fn(func(inst *Instance, mem api.Memory, s []uint64) {
		inst.take(mem, uint32(s[0]))
	}), []api.ValueType{i32}, nil).Export(abi.ImportTake)
	b.NewFunctionBuilder().WithGoModuleFunction(fn(func(inst *Instance, mem api.Memory, s []uint64) {
		s[0] = uint64(uint32(inst.call(mem, abi.CallOp(int32(s[0])), uint32(s[1]), uint32(s[2]), uint32(s[3]), uint32(s[4]), uint32(s[5]))))
	}), []api.ValueType{i32, i32, i32, i32, i32, i32}, []api.ValueType{i32}).Export(abi.ImportCall)
	b.NewFunctionBuilder().WithGoModuleFunction(fn(func(inst *Instance, mem api.Memory, s []uint64) {
		s[0] = uint64(uint32(inst.start(mem, abi.AsyncOp(int32(s[0])), int32(s[1]), uint32(s[2]), uint32(s[3]))))
	}), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export(abi.ImportStart)
	b.NewFunctionBuilder().WithGoModuleFunction(fn(func(inst *Instance, mem api.Memory, s []uint64) {
		inst.complete(mem, int32(s[0]), abi.Status(int32(s[1])), uint32(s[2]), uint32(s[3]))
	}), []api.ValueType{i32, i32, i32, i32}, nil).Export(abi.ImportComplete)
	_, err := b.Instantiate(ctx)
	return err
}
