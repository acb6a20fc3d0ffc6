// The kv.get experiment (godurable-bench -kvexp, bench/PROFILE.md): why a
// storage read costs more when Go's instance makes it through an import
// than in a JavaScript loop. One Durable Object class, KVExp, runs a
// variant N times inside one event (loop) or once per RPC event (once);
// the Worker's fetch calls it and times the calls with performance.now,
// which in workerd advances across I/O (an RPC is I/O) but not while code
// runs. The per-operation cost is the difference to the same call with no
// operation (n=0), divided by the operations.
//
//	GET /loop?variant=V&n=N        one RPC event that runs variant V N times
//	GET /once?variant=V&n=N        N RPC events that run variant V once each
//	GET /setup                     stores the values
//
// The wasm modules (built by godurable-bench into bench/build/kvexp) are
// hand-assembled: loop(n) calls the import op(i) n times; one has 1 page
// of memory, the other 1024 pages (64 MiB, like a Go instance that grew).
import { DurableObject } from "cloudflare:workers";
import small from "../build/kvexp/loop.wasm";
import big from "../build/kvexp/loop64.wasm";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KEY_BYTES = enc.encode("bytes");
const VALUE_BYTES = new Uint8Array([0xd3, 0, 0, 0, 0, 0, 0, 0, 42]); // MessagePack int64 42, as Go stores it

export class KVExp extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.kv = ctx.storage.kv;
    this.sink = 0;
    const imports = (memory) => ({
      env: {
        op: (i) => this.wasmOp(i, memory()),
      },
    });
    let mSmall, mBig;
    this.small = new WebAssembly.Instance(small, imports(() => mSmall));
    this.big = new WebAssembly.Instance(big, imports(() => mBig));
    mSmall = this.small.exports.memory;
    mBig = this.big.exports.memory;
    this.wasmVariant = "nothing";
    this.memory64 = new WebAssembly.Memory({ initial: 1024 });
  }

  setup() {
    this.kv.put("num", 42);
    this.kv.put("bytes", VALUE_BYTES);
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY AUTOINCREMENT, by INTEGER NOT NULL)");
    return true;
  }

  // wasmOp is the import the wasm modules call.
  wasmOp(i, memory) {
    switch (this.wasmVariant) {
      case "nothing":
        return;
      case "get":
        this.sink ^= this.kv.get("bytes").length;
        return;
      case "get-view": {
        // What the shim does for a result: a view on the memory, a copy in.
        const v = this.kv.get("bytes");
        new Uint8Array(memory.buffer, 64, v.length).set(v);
        return;
      }
      case "view": // the view and copy alone
        new Uint8Array(memory.buffer, 64, VALUE_BYTES.length).set(VALUE_BYTES);
        return;
    }
  }

  // op runs one operation of a variant.
  op(variant) {
    const kv = this.kv;
    switch (variant) {
      case "none":
        return;
      case "get-num":
        this.sink ^= kv.get("num");
        return;
      case "get-bytes":
        this.sink ^= kv.get("bytes").length;
        return;
      case "get-bytes-freshkey": // the key decoded from bytes, as the shim's MessagePack decoder makes it
        this.sink ^= kv.get(dec.decode(KEY_BYTES)).length;
        return;
      case "get-bytes-slice": // and the result copied, as the shim copies Go's requests
        this.sink ^= kv.get("bytes").slice().length;
        return;
      case "get-bytes-view64": {
        const v = kv.get("bytes");
        new Uint8Array(this.memory64.buffer, 64, v.length).set(v);
        return;
      }
      case "get-get": // two reads: the second one's cost is the marginal one
        this.sink ^= kv.get("bytes").length ^ kv.get("bytes").length;
        return;
      case "fill2m": // touch 2 MiB of memory: what a big instance does to the caches
        new Uint8Array(this.memory64.buffer, 0, 2 << 20).fill(this.sink++ & 0xff);
        return;
      case "fill2m-get":
        new Uint8Array(this.memory64.buffer, 0, 2 << 20).fill(this.sink++ & 0xff);
        this.sink ^= kv.get("bytes").length;
        return;
      case "allocs": // the small buffers and views a Go event's shim makes
        for (let i = 0; i < 40; i++) this.sink ^= VALUE_BYTES.slice().length ^ new Uint8Array(this.memory64.buffer, 64 + i, 9).length;
        return;
      case "allocs-get":
        for (let i = 0; i < 40; i++) this.sink ^= VALUE_BYTES.slice().length ^ new Uint8Array(this.memory64.buffer, 64 + i, 9).length;
        this.sink ^= kv.get("bytes").length;
        return;
      case "put-bytes":
        kv.put("bytes", VALUE_BYTES.slice());
        return;
      case "increment-js": {
        // the JavaScript twin's increment: get, put, insert
        const v = (kv.get("num") ?? 0) + 1;
        kv.put("num", v);
        this.ctx.storage.sql.exec("INSERT INTO t (by) VALUES (?)", 1);
        return;
      }
    }
    if (variant.startsWith("wasm-") || variant.startsWith("wasm64-")) {
      const [kind, wv] = [variant.slice(0, variant.indexOf("-")), variant.slice(variant.indexOf("-") + 1)];
      this.wasmVariant = wv;
      (kind === "wasm" ? this.small : this.big).exports.loop(1);
      return;
    }
    throw new TypeError("unknown variant " + variant);
  }

  loop(variant, n) {
    if (variant.startsWith("wasm-") || variant.startsWith("wasm64-")) {
      // the loop in wasm: n import calls from one export call
      const [kind, wv] = [variant.slice(0, variant.indexOf("-")), variant.slice(variant.indexOf("-") + 1)];
      this.wasmVariant = wv;
      (kind === "wasm" ? this.small : this.big).exports.loop(n);
      return this.sink;
    }
    for (let i = 0; i < n; i++) this.op(variant);
    return this.sink;
  }

  once(variant) {
    this.op(variant);
    return this.sink;
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const stub = env.KVEXP.getByName("exp");
    const variant = url.searchParams.get("variant") ?? "none";
    const n = Number(url.searchParams.get("n") ?? "1000");
    const t0 = performance.now();
    if (url.pathname === "/setup") return Response.json(await stub.setup());
    if (url.pathname === "/loop") {
      await stub.loop(variant, n);
    } else if (url.pathname === "/once") {
      for (let i = 0; i < n; i++) await stub.once(variant);
    } else {
      return new Response("no route\n", { status: 404 });
    }
    return Response.json({ variant, n, ms: performance.now() - t0 });
  },
};
