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
//
// The class's benchNoop() is the floor of a Go event: godurable's hand-off
// (proto_handoff) and nothing else, called by the front Worker in the
// memory session beside the Go and JavaScript counters' benchNoop().
import { DurableObject } from "cloudflare:workers";
import { Decoder, Encoder } from "@msgpack/msgpack";
import mod from "../build/proto/app.wasm";

const encoder = new Encoder({ useBigInt64: true });
const decoder = new Decoder({ useBigInt64: true });
const IDLE_FD = 1 << 20; // abi.IdleFD
const textEncoder = new TextEncoder();
const VALUE = new Uint8Array([0xd3, 0, 0, 0, 0, 0, 0, 0, 42]);

// One Go instance per isolate, made on the first event (random_get is
// refused at global scope), like godurable's shim.
let go = null;
let currentKV = null;
let result; // what proto_handoff's goroutine completed with

function instantiate() {
  let memory;
  let idleReady = false;
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
    // The idle descriptor, as godurable's shim serves it: a read answers
    // only after a blocking poll_oneoff (every goroutine has parked).
    fd_read: (fd, iovs, iovsLen, nread) => {
      if (fd !== IDLE_FD) return 8; // EBADF
      if (!idleReady) return 6; // EAGAIN
      idleReady = false;
      new Uint8Array(memory.buffer, view().getUint32(iovs, true), 1)[0] = 1;
      view().setUint32(nread, 1, true);
      return 0;
    },
    fd_fdstat_get: (fd, out) => {
      if (fd !== IDLE_FD) return 8;
      const v = view();
      v.setUint8(out, 2); // character device
      v.setUint16(out + 2, 4, true); // nonblocking
      v.setBigUint64(out + 8, 0xffffffffn, true);
      v.setBigUint64(out + 16, 0n, true);
      return 0;
    },
    fd_fdstat_set_flags: () => 0,
    fd_prestat_get: () => 8,
    fd_prestat_dir_name: () => 8,
    proc_exit: (c) => {
      throw new Error("proc_exit " + c);
    },
    sched_yield: () => 0,
    poll_oneoff: (subs, events, n, nevents) => {
      // A poll that would block answers the idle descriptor (every
      // goroutine has parked), else the clock, else the first subscription.
      const v = view();
      let clock = -1;
      let idle = -1;
      for (let i = 0; i < n; i++) {
        const s = subs + 48 * i;
        if (v.getUint8(s + 8) === 0) clock = s;
        else if (v.getUint32(s + 16, true) === IDLE_FD) idle = s;
      }
      const blocking = clock < 0 || v.getBigUint64(clock + 24, true) > 0n;
      let sub = clock >= 0 ? clock : subs;
      if (idle >= 0 && blocking) {
        idleReady = true;
        sub = idle;
      }
      for (let k = 0; k < 32; k++) v.setUint8(events + k, 0);
      v.setBigUint64(events, v.getBigUint64(sub, true), true);
      v.setUint8(events + 10, v.getUint8(sub + 8));
      if (sub === idle) v.setBigUint64(events + 16, 1n, true);
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
  imports.proto.complete = (ptr, len) => {
    result = decoder.decode(new Uint8Array(memory.buffer, ptr, len).slice());
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
      case "go-handoff":
        if (x.proto_handoff() !== 0 || result !== null) throw new Error("the hand-off did not complete");
        result = undefined;
        return;
      case "js-encode-event": // the shim's encoding of an RPC call's arguments, and the copy into Go's memory
      case "go-decode-event": {
        const b = encoder.encode([1]);
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

  // benchNoop is the floor of a Go event (the memory session's row).
  benchNoop() {
    this.op("go-handoff");
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
