// Package driver runs a godurable module on wazero: it compiles the module,
// instantiates it with the WASI functions and the imports of the ABI, calls
// its exports, and handles traps and hangs, exactly as the shim
// (internal/shim/js/instance.js) does in workerd. What the host operations
// do is not its business: a Config supplies them (internal/workerd models
// workerd's). wasmbuild uses this package alone, to read a module's
// manifest, so it links neither SQLite nor the model.
package driver
