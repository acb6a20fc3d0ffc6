package driver

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/godurable/godurable/internal/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// ErrNotGodurable reports a wasm module that is not a godurable guest.
var ErrNotGodurable = errors.New("not a godurable module")

// ReadManifest returns what the module registers: from its
// abi.ManifestSection if wasmbuild wrote one, else by instantiating the
// module just long enough to run its package initializers and ask. No
// event runs, so host functions other than the WASI basics are never
// reached.
func ReadManifest(ctx context.Context, wasm []byte) (*abi.Manifest, error) {
	if b, ok, err := ManifestSection(wasm); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotGodurable, err)
	} else if ok {
		var m abi.Manifest
		if err := abi.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("decoding the module's %s section: %w", abi.ManifestSection, err)
		}
		return &m, nil
	}
	return RunManifest(ctx, wasm)
}

// RunManifest is ReadManifest without the section: it always asks the
// module itself.
func RunManifest(ctx context.Context, wasm []byte) (*abi.Manifest, error) {
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
		return nil, err
	}
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("compiling the module: %w", err)
	}
	if err := checkExports(compiled); err != nil {
		return nil, err
	}
	refuse := func(name string) api.GoModuleFunction {
		return api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			panic(fmt.Sprintf("godurable: host function %s called while reading the manifest (from an init function?)", name))
		})
	}
	b := r.NewHostModuleBuilder(abi.ImportModule)
	i32 := api.ValueTypeI32
	b.NewFunctionBuilder().WithGoModuleFunction(refuse(abi.ImportTake), []api.ValueType{i32}, nil).Export(abi.ImportTake)
	b.NewFunctionBuilder().WithGoModuleFunction(refuse(abi.ImportCall), []api.ValueType{i32, i32, i32, i32, i32, i32}, []api.ValueType{i32}).Export(abi.ImportCall)
	b.NewFunctionBuilder().WithGoModuleFunction(refuse(abi.ImportStart), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export(abi.ImportStart)
	b.NewFunctionBuilder().WithGoModuleFunction(refuse(abi.ImportComplete), []api.ValueType{i32, i32, i32, i32}, nil).Export(abi.ImportComplete)
	if _, err := b.Instantiate(ctx); err != nil {
		return nil, err
	}
	mod, err := r.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithStartFunctions().WithStderr(os.Stderr).WithStdout(os.Stderr))
	if err != nil {
		return nil, fmt.Errorf("instantiating the module: %w", err)
	}
	if _, err := mod.ExportedFunction("_initialize").Call(ctx); err != nil {
		return nil, fmt.Errorf("running the package initializers: %w", err)
	}
	res, err := mod.ExportedFunction(abi.ExportABIVersion).Call(ctx)
	if err != nil {
		return nil, err
	}
	if v := int32(res[0]); v != abi.Version {
		return nil, fmt.Errorf("the module speaks godurable ABI version %d, this tool speaks %d: build it with the same godurable version", v, abi.Version)
	}
	res, err = mod.ExportedFunction(abi.ExportManifest).Call(ctx)
	if err != nil {
		return nil, err
	}
	ptr, n := uint32(res[0]>>32), uint32(res[0])
	b2, ok := mod.Memory().Read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("the manifest (%d bytes at %#x) is outside the module's memory", n, ptr)
	}
	var m abi.Manifest
	if err := abi.Unmarshal(b2, &m); err != nil {
		return nil, fmt.Errorf("decoding the manifest: %w", err)
	}
	return &m, nil
}

// checkExports reports what is missing from a module that is not a
// godurable reactor.
func checkExports(c wazero.CompiledModule) error {
	exports := c.ExportedFunctions()
	if _, ok := exports["_initialize"]; !ok {
		if _, isCommand := exports["_start"]; isCommand {
			return fmt.Errorf("%w: it is a WASI command; build it with -buildmode=c-shared (wasmbuild does)", ErrNotGodurable)
		}
		return fmt.Errorf("%w: it has no _initialize export", ErrNotGodurable)
	}
	if _, ok := exports[abi.ExportABIVersion]; !ok {
		return fmt.Errorf("%w: it has no %s export; does the package import github.com/godurable/godurable/durableobject or /worker?", ErrNotGodurable, abi.ExportABIVersion)
	}
	return nil
}
