// The event-floor prototype of bench/PROFILE.md (godurable-bench -proto):
// a Durable Object that calls the exports of bench/proto/floor (a minimal
// Go reactor, built into bench/build/proto/app.wasm) directly, without
// godurable's shim, to measure what an event into a Go instance costs at
// the least, piece by piece, against JavaScript doing the same. The
// Worker's fetch times the calls like bench/kvexp does.
//
//	GET /loop?variant=V&n=N        one RPC event running variant V N times
//	GET /once?variant=V&n=N        N RPC events running variant V once
//	GET /setup                     stores the value
import { DurableObject } from "cloudflare:workers";
import { Encoder } from "@msgpack/msgpack";
import mod from "../build/proto/app.wasm";

const encoder = new Encoder({ useBigInt64: true });
const textEncoder = new TextEncoder();
const VALUE = new Uint8Array([0xd3, 0, 0, 0, 0, 0, 0, 0, 42]);

// One Go instance per isolate, made on the first event (random_get is
// refused at global scope), like godurable's shim.
let go = null;
let currentKV = null;

function instantiate() {
  let memory;
  const view = () => new DataView(memory.buffer);
  const wasi = {
    args_sizes_get: (a, b) => (view().setUint32(a, 0, true), view().setUint32(b, 0, true), 0),
    args_get: () => 0,
    environ_sizes_get: (a, b) => (view().setUint32(a, 0, true), view().setUint32(b, 0, true), 0),
    environ_get: () => 0,
    clock_time_get: (id, prec, out) => (view().setBigUint64(out, BigInt(Date.now()) * 1000000n, true), 0),
    random_get: (ptr, len) => (crypto.getRandomValues(new Uint8Array(memory.buffer, ptr, len)), 0),
    fd_write: (fd, iovs, n, nwritten) => {
      let total = 0;
      for (let i = 0; i < n; i++) total += view().getUint32(iovs + 8 * i + 4, true);
      view().setUint32(nwritten, total, true);
      return 0;
    },
    fd_prestat_get: () => 8,
    fd_prestat_dir_name: () => 8,
    proc_exit: (c) => {
      throw new Error("proc_exit " + c);
    },
    sched_yield: () => 0,
    poll_oneoff: (subs, events, n, nevents) => {
      // Only reached when Go would block: answer the first subscription.
      const v = view();
      v.setBigUint64(events, v.getBigUint64(subs, true), true);
      v.setUint16(events + 8, 0, true);
      v.setUint8(events + 10, v.getUint8(subs + 8));
      v.setUint32(nevents, 1, true);
      return 0;
    },
  };
  const imports = { wasi_snapshot_preview1: {}, proto: {} };
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.module === "wasi_snapshot_preview1") imports.wasi_snapshot_preview1[imp.name] = wasi[imp.name] ?? (() => 52);
  }
  imports.proto.kv_get = (keyPtr, keyLen, out, cap) => {
    const key = textDecoder.decode(new Uint8Array(memory.buffer, keyPtr, keyLen));
    const v = currentKV.get(key);
    if (v === undefined) return -1;
    new Uint8Array(memory.buffer, out, v.length).set(v);
    return v.length;
  };
  const instance = new WebAssembly.Instance(mod, imports);
  memory = instance.exports.memory;
  instance.exports._initialize();
  return { exports: instance.exports, memory };
}
const textDecoder = new TextDecoder();

export class ProtoFloor extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.kv = ctx.storage.kv;
    this.sink = 0;
    this.id = ctx.id.toString();
  }

  setup() {
    this.kv.put("value", VALUE);
    go ??= instantiate();
    return true;
  }

  op(variant) {
    go ??= instantiate();
    currentKV = this.kv;
    const x = go.exports;
    switch (variant) {
      case "js-noop":
        return;
      case "js-get": // what the JavaScript twin does
        this.sink ^= this.kv.get("value").length;
        return;
      case "go-noop":
        this.sink ^= x.proto_noop(1);
        return;
      case "go-get":
        this.sink ^= Number(x.proto_get());
        return;
      case "go-chan":
        this.sink ^= x.proto_chan();
        return;
      case "js-encode-event": // the shim's encoding of an RPC event, and the copy into Go's memory
      case "go-decode-event": {
        const b = encoder.encode({ kind: 3, method: "BenchNoop", args: [], object: { handle: 1, class: "Counter", id: this.id, name: "exp" } });
        new Uint8Array(go.memory.buffer, x.proto_buf(), b.length).set(b);
        if (variant === "go-decode-event") this.sink ^= x.proto_decode(b.length);
        return;
      }
    }
    throw new TypeError("unknown variant " + variant);
  }

  loop(variant, n) {
    if (variant === "go-get") {
      go ??= instantiate();
      currentKV = this.kv;
      this.sink ^= Number(go.exports.proto_get_loop(n));
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
    const stub = env.PROTO.getByName("exp");
    const variant = url.searchParams.get("variant") ?? "js-noop";
    const n = Number(url.searchParams.get("n") ?? "1000");
    const t0 = performance.now();
    if (url.pathname === "/setup") return Response.json(await stub.setup());
    if (url.pathname === "/loop") await stub.loop(variant, n);
    else if (url.pathname === "/once") for (let i = 0; i < n; i++) await stub.once(variant);
    else return new Response("no route\n", { status: 404 });
    return Response.json({ variant, n, ms: performance.now() - t0 });
  },
};
