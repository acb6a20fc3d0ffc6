// Runs a Go Worker built by wasmbuild (app.wasm and its generated shim
// godurable.mjs) in Node's V8 with fake storage, so that the event path
// can be timed and traced with V8 flags workerd does not take from
// wrangler (--liftoff-only, --no-liftoff, --trace-wasm-compilation-times,
// ...). The shim is the generated one, unchanged but for its import of
// "cloudflare:workers", which Node lacks; this copies it beside the build
// with a stand-in DurableObject class. See bench/PROFILE.md.
//
//	node run.mjs DIR bench [N] [ROUNDS]   µs per RPC call (increment, get, benchNoop)
//	node run.mjs DIR count                 imported-function calls per event
//	node run.mjs DIR cold                  compile, instantiate + _initialize, first calls (wall and CPU ms)
//	node run.mjs DIR kv [N]                kv.get from the Go import against a JS loop
//	node run.mjs DIR thrash [N]            µs per call when MiB of memory are written between calls
//	                                       (0, 1, 4, 16 MiB): how much of an event's cost is cold caches
//	node --trace-wasm-compilation-times run.mjs DIR footprint
//	                                       marks between the first events, to count the functions
//	                                       each compiles lazily (the code an event runs)
//	node run.mjs DIR inittrace             _initialize under node:wasi with GODEBUG=inittrace=1:
//	                                       Go prints the time of each package initializer
//
// DIR is a wasmbuild output directory (app.wasm, godurable.mjs), e.g.
// bench/build/counter-probe. Storage is an in-memory fake: this measures
// the Go instance and the shim, not workerd's storage.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, mode = "bench", ...rest] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node run.mjs DIR bench|count|cold|kv [N] [ROUNDS]");
  process.exit(2);
}
const now = () => performance.now();

// A copy of the shim that imports stand-ins for cloudflare:workers.
const shimSrc = readFileSync(join(dir, "godurable.mjs"), "utf8").replace(
  /import \{ ([\w, ]+) \} from "cloudflare:workers";/,
  (_, names) =>
    names
      .split(", ")
      .map((n) => `class ${n} { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }`)
      .join("\n"),
);
const shimFile = resolve(dir, "godurable.node.mjs");
writeFileSync(shimFile, shimSrc);
const manifest = JSON.parse(/const manifest = (\{.*\});/.exec(readFileSync(join(dir, "worker.mjs"), "utf8"))[1]);

// Import calls, counted when mode is count: WebAssembly.Instance is wrapped
// so that every imported function counts its calls.
const counts = new Map();
if (mode === "count") {
  const Orig = WebAssembly.Instance;
  WebAssembly.Instance = function (module, imports) {
    const wrapped = {};
    for (const [mod, fns] of Object.entries(imports)) {
      wrapped[mod] = {};
      for (const [name, fn] of Object.entries(fns)) {
        const key = mod + "." + name;
        wrapped[mod][name] = (...args) => {
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return fn(...args);
        };
      }
    }
    return new Orig(module, wrapped);
  };
}

// Fake storage with workerd's synchronous API shape.
class FakeCursor {
  constructor(rows, columns, written) {
    this.rows = rows;
    this.columnNames = columns;
    this.rowsRead = rows.length;
    this.rowsWritten = written;
  }
  raw() {
    return { toArray: () => this.rows.map((r) => [...r]) };
  }
  toArray() {
    return this.rows.map((r) => Object.fromEntries(this.columnNames.map((c, i) => [c, r[i]])));
  }
}
function fakeStorage() {
  const kv = new Map();
  const history = [];
  return {
    kv: {
      get: (k) => kv.get(k),
      put: (k, v) => void kv.set(k, v),
      delete: (k) => kv.delete(k),
      *list() {
        yield* [...kv.entries()].sort();
      },
    },
    sql: {
      exec(query, ...args) {
        if (/^\s*INSERT/i.test(query)) {
          history.push([history.length + 1, args[0]]);
          return new FakeCursor([], [], 1);
        }
        if (/^\s*SELECT/i.test(query)) return new FakeCursor(history.map((r) => [r[1]]), ["by"], 0);
        return new FakeCursor([], [], 0);
      },
      databaseSize: 4096,
    },
  };
}

if (mode === "inittrace") {
  // node:wasi passes the environment, which the shim does not; the
  // godurable imports are not reached by _initialize.
  const { WASI } = await import("node:wasi");
  const wasi = new WASI({ version: "preview1", env: { GODEBUG: "inittrace=1" }, returnOnExit: true });
  const mod = new WebAssembly.Module(readFileSync(join(dir, "app.wasm")));
  const imports = wasi.getImportObject();
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (!imports[imp.module]?.[imp.name]) (imports[imp.module] ??= {})[imp.name] = () => 0;
  }
  const inst = new WebAssembly.Instance(mod, imports);
  const t = now();
  wasi.initialize(inst);
  console.error(`_initialize took ${(now() - t).toFixed(2)} ms`);
  process.exit(0);
}

const t0 = now();
const module = new WebAssembly.Module(readFileSync(join(dir, "app.wasm")));
const tCompile = now() - t0;
const { createRuntime } = await import(pathToFileURL(shimFile).href);
// The main thread's CPU time (Node 23.9+), else the process's.
const cpu = () => {
  const u = process.threadCpuUsage?.() ?? process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const { GoDurableObject, runtime } = createRuntime(module, manifest);

function makeObject(name) {
  const ctx = { id: { toString: () => "id-" + name, name }, storage: fakeStorage() };
  const cls = manifest.classes[0];
  const C = class extends GoDurableObject {
    static goClass = cls.name;
  };
  const o = new C(ctx, {});
  cls.methods.forEach((m, i) => (o[m.jsName] = (...args) => o.__call(i, args)));
  return o;
}

async function loop(o, method, n) {
  const args = method === "increment" ? [1] : [];
  const t = now();
  for (let i = 0; i < n; i++) await o[method](...args);
  return ((now() - t) * 1000) / n;
}

// METHODS=get,benchNoop restricts the methods measured (for a profile of one).
const only = (process.env.METHODS ?? "increment,get,benchNoop").split(",");
const methods = manifest.classes[0].methods.map((m) => m.jsName).filter((m) => only.includes(m));

if (mode === "bench") {
  const n = Number(rest[0] ?? 20000);
  const rounds = Number(rest[1] ?? 5);
  const o = makeObject("bench");
  const res = {};
  for (const m of methods) res[m] = [];
  for (let r = 0; r < rounds; r++) for (const m of methods) res[m].push(await loop(o, m, n));
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const out = {};
  for (const m of methods) out[m] = { median: +med(res[m]).toFixed(2), rounds: res[m].map((x) => +x.toFixed(2)) };
  console.log(JSON.stringify(out));
} else if (mode === "count") {
  const o = makeObject("count");
  for (const m of methods) await loop(o, m, 100); // warm, past the first event
  const out = {};
  for (const m of methods) {
    counts.clear();
    const n = 1000;
    await loop(o, m, n);
    out[m] = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / n]));
  }
  console.log(JSON.stringify(out, null, 1));
} else if (mode === "cold") {
  // Wall time, and CPU time (less disturbed by other processes on a
  // shared machine).
  const o = makeObject("cold");
  let t = now(), c = cpu();
  runtime.getInstance({}); // new WebAssembly.Instance, _initialize, manifest check
  const tInstance = now() - t, cInstance = cpu() - c;
  t = now(), c = cpu();
  await o.increment(1);
  const tFirst = now() - t, cFirst = cpu() - c;
  t = now();
  await o.increment(1);
  const tSecond = now() - t;
  const r = (x, n = 2) => +x.toFixed(n);
  console.log(JSON.stringify({ compileMs: r(tCompile), instanceAndInitializeMs: r(tInstance), firstIncrementMs: r(tFirst), secondIncrementMs: r(tSecond, 3), instanceAndInitializeCpuMs: r(cInstance), firstIncrementCpuMs: r(cFirst) }));
} else if (mode === "thrash") {
  // Between two calls, write MiB of a buffer (evicting the caches, as
  // workerd's other work between two events of an object does); the fill
  // alone is timed too and subtracted.
  const n = Number(rest[0] ?? 5000);
  const o = makeObject("thrash");
  const buf = new Uint8Array(16 << 20);
  const out = {};
  for (const m of methods) await loop(o, m, 2000);
  for (const mib of [0, 1, 4, 16]) {
    const len = mib << 20;
    let t = now();
    for (let i = 0; i < n; i++) if (len) buf.fill(i & 0xff, 0, len);
    const fill = ((now() - t) * 1000) / n;
    for (const m of methods) {
      const args = m === "increment" ? [1] : [];
      t = now();
      for (let i = 0; i < n; i++) {
        if (len) buf.fill(i & 0xff, 0, len);
        await o[m](...args);
      }
      (out[m] ??= {})[mib + "MiB"] = +(((now() - t) * 1000) / n - fill).toFixed(1);
    }
  }
  console.log(JSON.stringify(out));
} else if (mode === "footprint") {
  const o = makeObject("footprint");
  runtime.getInstance({});
  console.log("MARK instance");
  for (const m of ["benchNoop", "get", "increment"]) {
    if (!methods.includes(m) && m !== "increment") continue;
    await o[m](...(m === "increment" ? [1] : []));
    console.log("MARK first " + m);
    await o[m](...(m === "increment" ? [1] : []));
    console.log("MARK second " + m);
  }
} else if (mode === "kv") {
  // kv.get of the same key through the Go import (one get() RPC call does
  // one) and from a plain JS loop over the same fake storage.
  const n = Number(rest[0] ?? 20000);
  const o = makeObject("kv");
  await o.increment(1);
  const st = o.ctx.storage;
  const t = now();
  let x;
  for (let i = 0; i < n; i++) x = st.kv.get("value");
  const js = ((now() - t) * 1000) / n;
  console.log(JSON.stringify({ jsLoopKvGetUs: +js.toFixed(3), goGetRpcUs: +(await loop(o, "get", n)).toFixed(2), value: x?.length }));
}
