// Runs a Go test binary built for GOOS=wasip1 in Node's V8 (node:wasi), so
// that the boundary micro-benchmarks can be timed in the engine workerd
// uses, not only natively. godurable-bench calls it as
//   node --no-warnings wasi.mjs boundary.wasm -test.run=^$ -test.bench=. ...
// The binary is built with the tag godurable_fakehost, so the benchmarks'
// fake host answers the guest runtime in Go, and the module imports only
// WASI; any other import throws if it is reached.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {}, returnOnExit: true });
const mod = await WebAssembly.compile(await readFile(file));
const imports = wasi.getImportObject();
for (const imp of WebAssembly.Module.imports(mod)) {
  if (imports[imp.module]?.[imp.name]) continue;
  (imports[imp.module] ??= {})[imp.name] = () => {
    throw new Error(`no host function ${imp.module}.${imp.name} in this runner`);
  };
}
const instance = await WebAssembly.instantiate(mod, imports);
process.exitCode = wasi.start(instance);
