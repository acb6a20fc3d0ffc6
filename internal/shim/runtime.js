// The godurable runtime for workerd: it runs one Go instance per isolate and
// hands it every event. The constants and tables it uses (ABI, CALL_OPS,
// ASYNC_OPS, EVENTS) are generated from the Go package internal/abi and
// prepended by internal/shim; this file implements every row of those tables, in
// SYNC_OPS, ASYNC_OPS_IMPL, OBJECT_EVENTS and WORKER_EVENTS below, and
// nothing else (a Go test checks both).

import { DurableObject } from "cloudflare:workers";
import { Encoder, Decoder, ExtensionCodec, ExtData } from "@msgpack/msgpack";

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();
// A bigint beyond 64 bits crosses as ABI.ExtBigInt (its digits); Go's
// *big.Int always does. (useBigInt64 alone writes such a bigint modulo
// 2^64, silently.)
const extensions = new ExtensionCodec();
extensions.register({ type: ABI.ExtBigInt, encode: () => null, decode: (data) => BigInt(textDecoder.decode(data)) });
// Go's http.Header, *http.Request and *http.Response are Headers, Requests
// and Responses (ABI.ExtHeaders, ExtRequest, ExtResponse), bodies whole.
extensions.register({ type: ABI.ExtHeaders, encode: () => null, decode: (data) => new Headers(decode(data)) });
extensions.register({ type: ABI.ExtRequest, encode: () => null, decode: (data) => requestFromGo(decode(data)) });
extensions.register({ type: ABI.ExtResponse, encode: () => null, decode: (data) => responseValue(decode(data)) });
// A stream crosses as ABI.ExtStream (an abi.StreamRef); see streamToGo and
// OBJECT_EVENTS.call.
extensions.register({ type: ABI.ExtStream, encode: () => null, decode: (data) => new StreamRef(refDecoder.decode(data)) });
// A Durable Object stub crosses as ABI.ExtStub (an abi.StubTarget): Go's
// names a binding's object or a stub the runtime keeps for Go, by handle;
// one that reaches Go is kept, and named by its handle (Runtime.keep).
extensions.register({ type: ABI.ExtStub, encode: () => null, decode: (data) => stubRuntime.stub(refDecoder.decode(data)) });
let stubRuntime = null; // the module's Runtime (createRuntime makes one)
const refDecoder = new Decoder(); // not the decoder that is decoding the extension
const encoder = new Encoder({ useBigInt64: true });
const decoder = new Decoder({ extensionCodec: extensions });
// exactDecoder keeps Go's 64-bit integers as bigints, so that a value
// decoded to pass it on is encoded again as Go wrote it (a Go caller's
// result that holds stubs: see __godurableCall).
const exactDecoder = new Decoder({ extensionCodec: extensions, useBigInt64: true });
class StreamRef {
  constructor(ref) {
    this.lines = Boolean(ref?.lines);
    this.reader = ref?.reader ?? 0;
    this.writer = ref?.writer ?? 0;
  }
}
const encode = (v) => encoder.encode(v);
const decode = (b) => decoder.decode(b);
const EMPTY = new Uint8Array(0);

// Standard error types keep their name across Workers RPC; others do not.
const ERROR_TYPES = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

// toJSError builds the JS Error for an error that came from Go.
function toJSError(e) {
  const Ctor = ERROR_TYPES[e.name] ?? Error;
  const err = new Ctor(e.message);
  if (err.name !== e.name) err.name = e.name;
  if (e.code) err.code = e.code;
  if (e.cause) err.cause = toJSError(e.cause);
  return err;
}

// fromJSError describes a thrown JS value for Go.
function fromJSError(err, depth = 0) {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const out = { name: err.name || "Error", message: err.message };
  if (typeof err.code === "string") out.code = err.code;
  if (err.stack) out.stack = String(err.stack);
  if (err.cause !== undefined && depth < ABI.MaxErrorCauses) out.cause = fromJSError(err.cause, depth + 1);
  return out;
}

function deepFreeze(o) {
  for (const v of Object.values(o)) if (v && typeof v === "object") deepFreeze(v);
  return Object.freeze(o);
}

function toBytes(v) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return encode(plainValue(v)); // a value stored by JavaScript: Go reads it as MessagePack
}

// needsPlain reports whether plainValue may change v.
function needsPlain(v) {
  return (v !== null && typeof v === "object") || typeof v === "bigint";
}

// uintBytes is n (below 2^32) as one MessagePack unsigned integer.
function uintBytes(n) {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0xcc, n);
  if (n < 0x10000) return Uint8Array.of(0xcd, n >> 8, n & 0xff);
  return Uint8Array.of(0xce, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

// plainValue turns the structured-clone values that MessagePack has no
// form for into ones it has, for Go: a Map with string keys becomes an
// object (any other Map, a list of [key, value] pairs), a Set a list
// (the encoder would write both as empty maps), a bigint beyond 64 bits
// an ABI.ExtBigInt, Headers an ABI.ExtHeaders, a Request or a Response an
// ABI.ExtRequest or ExtResponse whose data is filled in once its body is
// read (the reads are added to reads: see encodeForGo), and a Durable
// Object stub an ABI.ExtStub of the handle the runtime keeps it under.
function plainValue(v, reads) {
  if (typeof v === "bigint") return v >= INT64_MIN && v <= UINT64_MAX ? v : new ExtData(ABI.ExtBigInt, textEncoder.encode(v.toString()));
  if (v === null || typeof v !== "object" || v instanceof ExtData || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date) return v;
  if (v instanceof Headers) return new ExtData(ABI.ExtHeaders, encode([...v]));
  if (v instanceof Request || v instanceof Response) {
    if (!reads) throw new TypeError(`godurable: a ${v.constructor.name} cannot be stored`);
    const ext = new ExtData(v instanceof Request ? ABI.ExtRequest : ABI.ExtResponse, EMPTY);
    const head = v instanceof Request ? { method: v.method, url: v.url } : { status: v.status };
    head.headers = [...v.headers];
    reads.push(v.arrayBuffer().then((b) => (ext.data = encode({ ...head, body: new Uint8Array(b) }))));
    return ext;
  }
  const plain = (e) => plainValue(e, reads);
  if (v instanceof Error) return { name: v.name, message: v.message };
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null && !(v instanceof Map) && !(v instanceof Set) && !Array.isArray(v)) {
    // A stub made here is a DurableObject; one received over RPC, a
    // Fetcher (measured), as a service binding is.
    const type = Object.prototype.toString.call(v).slice(8, -1);
    if (type === "DurableObject" || type === "Fetcher") return new ExtData(ABI.ExtStub, uintBytes(stubRuntime.keep(v)));
    // An RpcTarget or a class instance: MessagePack would write its own
    // enumerable properties, nothing of what it is.
    throw new TypeError(`godurable: a value of type ${type} cannot cross to Go (of the RPC stubs, only Durable Object stubs and service bindings can)`);
  }
  if (v instanceof Map) {
    const entries = [...v].map(([k, e]) => [k, plain(e)]);
    return entries.every(([k]) => typeof k === "string") ? Object.fromEntries(entries) : entries.map(([k, e]) => [plain(k), e]);
  }
  if (v instanceof Set) return [...v].map(plain);
  if (Array.isArray(v)) return v.map(plain);
  const out = {};
  for (const [k, e] of Object.entries(v)) out[k] = plain(e);
  return out;
}

// encodeForGo encodes an RPC value (arguments, a result) for Go, once the
// bodies of the Requests and Responses in it are read: a promise if it
// has some to read, else at once.
function encodeForGo(v) {
  if (!needsPlain(v)) return encode(v);
  const reads = [];
  const plain = plainValue(v, reads);
  if (reads.length === 0) return encode(plain);
  return Promise.all(reads).then(() => encode(plain));
}

// STREAM_ABOVE is the size above which a body streams into Go (as does
// one whose size is not known) instead of arriving whole with its event.
const STREAM_ABOVE = 64 << 10;

function streams(message) {
  if (message.body === null) return false;
  const n = message.headers.get("content-length");
  return n === null || !(Number(n) <= STREAM_ABOVE) || message.headers.has("content-encoding");
}

// requestToGo describes a request for Go; a body that streams becomes a
// reader of the runtime's bodies, listed in owned (the event's readers).
async function requestToGo(request, bodies, owned) {
  const out = { method: request.method, url: request.url, headers: [...request.headers], body: null };
  if (streams(request)) out.bodyReader = bodies.add(request.body, owned);
  else if (request.body !== null) out.body = new Uint8Array(await request.arrayBuffer());
  return out;
}

// responseToGo describes a response for Go. A WebSocket it carries (an
// upgraded fetch) stays with the event ev, named by ABI.WebSocketHeader.
async function responseToGo(response, ev, bodies) {
  const headers = [...response.headers];
  if (response.webSocket) {
    const id = randomID();
    ev.upgrades.set(id, response.webSocket);
    headers.push([ABI.WebSocketHeader, id]);
  }
  if (response.status !== 101 && streams(response)) {
    return encode({ status: response.status, headers, body: EMPTY, bodyReader: bodies.add(response.body, ev.readers) });
  }
  return encode({
    status: response.status,
    headers,
    body: response.status === 101 ? EMPTY : new Uint8Array(await response.arrayBuffer()),
  });
}

function randomID() {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

function hex(bytes) {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

// requestFromGo builds a request Go sends on behalf of ev; a body that
// streams from Go (bodyWriter) is one of ev's streams.
function requestFromGo(r, ev) {
  const init = { method: r.method, headers: r.headers };
  if (r.method === "GET" || r.method === "HEAD") return new Request(r.url, init);
  if (r.bodyWriter) init.body = ev.stream(r.bodyWriter).readable(r.body);
  else if (r.body && r.body.length > 0) init.body = r.body;
  return new Request(r.url, init);
}

// sendRequest sends Go's request r with send and describes the response
// for Go; if it fails, a body Go is still streaming is given up.
async function sendRequest(ev, r, send, bodies) {
  try {
    return await responseToGo(await send(requestFromGo(r, ev)), ev, bodies);
  } catch (err) {
    if (r.bodyWriter) ev.bodies.get(r.bodyWriter)?.abandon();
    throw err;
  }
}

// WASI preview1 numbers this runtime uses.
const WASI = {
  SUCCESS: 0,
  EAGAIN: 6,
  EBADF: 8,
  ENOSYS: 52,
  CLOCK_REALTIME: 0,
  FILETYPE_CHARACTER_DEVICE: 2,
  FDFLAGS_NONBLOCK: 4,
  EVENTTYPE_CLOCK: 0,
  EVENTTYPE_FD_READ: 1,
  SUBSCRIPTION_SIZE: 48,
  EVENT_SIZE: 32,
};

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

// responseFromGo builds the Response of a Go handler of event ev. A 101
// names the WebSocket to return in ABI.WebSocketHeader.
function responseFromGo(r, ev) {
  if (r.status === 101) {
    let webSocket = null;
    const headers = r.headers.filter(([k, v]) => {
      if (k.toLowerCase() !== ABI.WebSocketHeader) return true;
      webSocket = ev.upgrades.get(v) ?? null;
      ev.upgrades.delete(v);
      return false;
    });
    if (!webSocket) throw new TypeError("godurable: a 101 response without a WebSocket: accept the request with ws.Accept, or return the response of the upgraded fetch");
    return new Response(null, { status: 101, headers, webSocket });
  }
  if (r.stream) return new Response(ev.stream(0).readable(r.body), { status: r.status, headers: r.headers });
  const body = NULL_BODY_STATUS.has(r.status) || !r.body || r.body.length === 0 ? null : r.body;
  // Its length tells a caller through stub.fetch that it need not stream
  // (workerd gives such a caller no Content-Length of its own). It joins
  // the pairs Go sent: setting it on the Response's Headers afterwards
  // costs two more calls into workerd for every response.
  const headers = r.headers ?? [];
  if (body !== null && !hasHeader(headers, "content-length")) headers.push(["content-length", String(body.length)]);
  return new Response(body, { status: r.status, headers });
}

// hasHeader reports whether pairs (name, value) name the header name,
// given in lower case.
function hasHeader(pairs, name) {
  for (const [k] of pairs) if (k.length === name.length && k.toLowerCase() === name) return true;
  return false;
}

// responseValue builds a Response that Go passes as an RPC value.
function responseValue(r) {
  const body = NULL_BODY_STATUS.has(r.status) || !r.body || r.body.length === 0 ? null : r.body;
  return new Response(body, { status: r.status, headers: r.headers });
}

// BodyStream is the streamed body of an event's response: Go writes
// chunks (body.write) from whatever call into Go is running, and the
// event's own loop moves them into the ReadableStream, in the event's I/O
// context. drain waits for the client to read; cancel (the client went
// away) cancels the Go event.
class BodyStream {
  // A response's cancel (the client went away) cancels the Go event; a
  // request body's only stops Go's writes.
  constructor(ev, isResponse) {
    this.ev = ev;
    this.isResponse = isResponse;
    this.chunks = []; // written by Go, not yet in the stream
    this.controller = null;
    this.end = null; // { error } once Go closed the body
    this.gone = false; // the client went away
    this.drains = [];
  }

  readable(first) {
    if (first && first.length > 0) this.chunks.unshift(first); // the body before the stream began
    return new ReadableStream(
      {
        start: (controller) => {
          this.controller = controller;
          this.pump();
        },
        pull: () => this.settleDrains(),
        cancel: () => {
          this.abandon();
          if (this.isResponse && this.ev.alive()) {
            this.ev.cancelRequested = true; // the event's loop cancels it in Go
            this.ev.wake();
          }
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 1 << 20 }),
    );
  }

  // abandon drops what Go writes from now on: nothing will read it.
  abandon() {
    this.gone = true;
    this.chunks = [];
    this.settleDrains();
  }

  write(data) {
    if (this.gone) return;
    this.chunks.push(data);
    this.ev.wake();
  }

  close(error) {
    this.end = { error };
    this.ev.wake();
  }

  // pump runs in the event's I/O context (its loop, or start).
  pump() {
    const c = this.controller;
    if (!c || this.gone) return;
    while (this.chunks.length > 0) c.enqueue(this.chunks.shift());
    if (this.end && !this.closed) {
      this.closed = true;
      if (this.end.error) c.error(new Error(this.end.error));
      else c.close();
    }
    this.settleDrains();
  }

  unread() {
    const queued = this.controller ? Math.max(0, (1 << 20) - (this.controller.desiredSize ?? 0)) : 0;
    return queued + this.chunks.reduce((n, c) => n + c.length, 0);
  }

  drain() {
    if (this.gone || this.unread() <= 1 << 20) return Promise.resolve(this.gone);
    return new Promise((resolve) => this.drains.push(resolve));
  }

  settleDrains() {
    if (this.drains.length === 0) return;
    if (!this.gone && this.unread() > 1 << 20) return;
    for (const resolve of this.drains.splice(0)) resolve(this.gone);
  }
}

// BodyReaders are the bodies that stream into Go (Request.BodyReader), by
// ID: Go reads one with body.read in the I/O context of the event it
// belongs to, gives it up with body.cancel, and what an event leaves
// unread is cancelled when the event retires.
class BodyReaders {
  constructor() {
    this.byID = new Map();
    this.next = 0;
  }

  // add makes a reader of stream and lists its ID in owned.
  add(stream, owned) {
    const id = ++this.next;
    this.byID.set(id, stream.getReader());
    owned.push(id);
    return id;
  }

  async read(id) {
    const reader = this.byID.get(id);
    if (!reader) throw new Error("godurable: the body has been closed");
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          this.byID.delete(id);
          return EMPTY;
        }
        if (value.byteLength > 0) return toBytes(value);
      }
    } catch (err) {
      this.byID.delete(id);
      throw err;
    }
  }

  cancel(id) {
    const reader = this.byID.get(id);
    if (!reader) return;
    this.byID.delete(id);
    reader.cancel().catch(noop);
  }

  cancelAll(ids) {
    for (const id of ids.splice(0)) this.cancel(id);
  }
}

function noop() {}

// streamToGo makes stream, an RPC argument or the result of a call Go
// made, a reader of bodies listed in owned, and returns the ABI.ExtStream
// Go reads it by.
function streamToGo(stream, bodies, owned, lines = false) {
  const reader = bodies.add(stream, owned);
  return new ExtData(ABI.ExtStream, encode(lines ? { lines: true, reader } : { reader }));
}

// isStreamResult reports whether a call's result is an ABI.ExtStream: Go
// streams it as the event's body.
function isStreamResult(b) {
  return b.length > 2 && EXT_CODES.has(b[0]) && decode(b) instanceof StreamRef;
}

const EXT_CODES = new Set([0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]); // MessagePack's ext formats

const ORPHANED = encode({ name: "Error", message: "godurable: the event that started this operation has already finished", code: ABI.CodeOrphaned });

// Event is one fetch or RPC call in flight in a Go instance.
class Event {
  constructor(id, objectHandle) {
    this.id = id;
    this.object = objectHandle; // 0 for the stateless Worker
    this.finished = false;
    this.status = 0;
    this.payload = EMPTY;
    this.queue = []; // operations to start in this event's I/O context
    this.signaled = false;
    this.waker = null;
    this.tickAt = null; // a Go timer this event must arm, in ms since epoch
    this.upgrades = new Map(); // WebSockets of the event's responses, by ID
    this.extended = 0; // Go's WaitUntil work in progress: the event lives on after its result
    this.waitUntil = null; // workerd's ctx.waitUntil for this event, if it has one
    this.readers = []; // IDs of the bodies streaming into Go for this event (BodyReaders)
    this.bodies = new Map(); // bodies streaming from Go: 0 its response, others its requests' (BodyStream)
    this.settled = new Promise((resolve) => (this.onSettled = resolve));
  }

  // alive reports whether the event may still start operations: until its
  // result, and after it while Go's WaitUntil work goes on.
  alive() {
    return !this.finished || this.extended > 0;
  }

  wake() {
    this.signaled = true;
    if (this.waker) this.waker();
  }

  settle(status, payload) {
    if (this.finished) return;
    this.finished = true;
    this.status = status;
    this.payload = payload;
    this.onSettled();
    this.wake();
  }

  // stream returns the body streaming from Go under id, made at first use.
  stream(id) {
    let b = this.bodies.get(id);
    if (!b) this.bodies.set(id, (b = new BodyStream(this, id === 0)));
    return b;
  }

  result() {
    if (this.status === ABI.StatusOK) return this.payload;
    throw toJSError(decode(this.payload));
  }
}

// Instance is one instantiation of the Go module.
class Instance {
  constructor(runtime) {
    this.runtime = runtime;
    this.env = runtime.env;
    this.dead = false;
    this.staged = null;
    this.events = new Map();
    this.nextEvent = 0;
    this.nextOp = 0;
    this.started = []; // operations started by Go during the current export call
    this.orphans = []; // operations whose event finished before they started
    this.idleReady = false;
    this.timerNs = null; // from the last blocking poll: ns until the next Go timer
    this.tick = null; // { timer, at, event }
    this.out = { 1: "", 2: "" };
    this.known = new Set(); // object handles declared to this instance
    this.nested = 0; // transaction functions running (ExportTransaction calls in progress)
    const imports = {
      [ABI.ImportModule]: {
        [ABI.ImportTake]: (ptr) => this.take(ptr),
        [ABI.ImportCall]: (op, obj, req, reqLen, resp, respCap) => this.call(op, obj, req, reqLen, resp, respCap),
        [ABI.ImportStart]: (op, ev, req, reqLen) => this.start(op, ev, req, reqLen),
        [ABI.ImportComplete]: (ev, status, ptr, len) => this.complete(ev, status, ptr, len),
      },
      wasi_snapshot_preview1: this.wasi(runtime.module),
    };
    this.wasm = new WebAssembly.Instance(runtime.module, imports);
    this.exports = this.wasm.exports;
    this.memory = this.exports.memory;
    this.guard(() => this.exports._initialize());
    const version = this.exports[ABI.ExportABIVersion]?.();
    if (version !== ABI.Version) {
      throw new Error(`godurable: the module speaks ABI version ${version}, this shim speaks ${ABI.Version}; rebuild both with the same wasmbuild`);
    }
    // wasmbuild keeps the module's manifest in a custom section: reading
    // it costs nothing, where the export builds it by reflection in Go
    // (about 5 ms of a cold start). A module without it is asked.
    let manifest = runtime.builtManifest;
    if (!manifest) {
      const packed = this.exports[ABI.ExportManifest]();
      const ptr = Number(packed >> 32n), len = Number(packed & 0xffffffffn);
      manifest = decode(this.bytes(ptr, len).slice());
    }
    if (manifest.shape !== runtime.manifest.shape) {
      throw new Error(`godurable: the module does not match this shim: the module registers\n${manifest.shape}\nbut the shim was made for\n${runtime.manifest.shape}\nrun wasmbuild build again`);
    }
  }

  bytes(ptr, len) {
    return new Uint8Array(this.memory.buffer, ptr, len);
  }

  // view returns a DataView of Go's memory, made anew only when the memory
  // has grown (growing detaches the old buffer).
  view() {
    const buf = this.memory.buffer;
    if (this.dataView?.buffer !== buf) this.dataView = new DataView(buf);
    return this.dataView;
  }

  // put writes a result for the guest, into its buffer if it fits, else
  // staged for take.
  put(bytes, ptr, cap, isError) {
    if (bytes.length <= cap) this.bytes(ptr, bytes.length).set(bytes);
    else this.staged = bytes;
    return isError ? -(bytes.length + 1) : bytes.length;
  }

  take(ptr) {
    const s = this.staged ?? EMPTY;
    this.staged = null;
    this.bytes(ptr, s.length).set(s);
  }

  call(op, object, reqPtr, reqLen, respPtr, respCap) {
    try {
      return this.put(this.runtime.hostCall(op, object, this.bytes(reqPtr, reqLen)), respPtr, respCap, false);
    } catch (err) {
      if (err instanceof NestedTrap) throw err.cause; // through Go's frames, to guard
      return this.put(encode(fromJSError(err)), respPtr, respCap, true);
    }
  }

  start(op, eventId, reqPtr, reqLen) {
    const ev = this.events.get(eventId);
    if (!ev || !ev.alive()) return -1;
    let payload;
    try {
      payload = this.bytes(reqPtr, reqLen).slice();
    } catch (err) {
      console.error("godurable: start: bad request buffer:", err);
      return -1; // imports never throw into Go
    }
    const id = ++this.nextOp;
    this.started.push({ id, kind: op, ev, payload });
    return id;
  }

  complete(eventId, status, ptr, len) {
    const ev = this.events.get(eventId);
    if (!ev || ev.finished) return;
    ev.settle(status, this.bytes(ptr, len).slice());
    if (ev.extended === 0) this.retire(ev);
  }

  // retire forgets an event that has finished and has no WaitUntil work
  // left: what it queued is orphaned, its timer moves to another event.
  retire(ev) {
    this.events.delete(ev.id);
    if (ev.readers.length > 0) this.runtime.bodies.cancelAll(ev.readers);
    if (ev.queue.length > 0) this.orphans.push(...ev.queue.splice(0));
    if (this.tick && this.tick.event === ev) this.rearmTick();
  }

  // guard runs a call into Go; a trap poisons the instance.
  guard(fn) {
    if (this.dead) throw new Error("godurable: the Go instance has crashed");
    this.timerNs = null;
    this.wallNs = this.monoNs = undefined;
    try {
      return fn();
    } catch (err) {
      this.poison(err);
      throw this.crashError(err);
    } finally {
      this.flushLines();
    }
  }

  crashError(err) {
    const e = new Error(`godurable: the Go instance crashed (${err && err.message}); the events in flight were lost, and later events run on a fresh instance`);
    e.code = ABI.CodeCrashed;
    return e;
  }

  poison(err) {
    if (this.dead) return;
    this.dead = true;
    this.flushOutput();
    console.error("godurable: the Go instance crashed:", err && err.stack ? err.stack : err);
    if (this.tick) clearTimeout(this.tick.timer);
    this.tick = null;
    const failure = encode(fromJSError(this.crashError(err)));
    for (const ev of this.events.values()) {
      ev.extended = 0;
      for (const b of ev.bodies.values()) b.close("godurable: the Go instance crashed while streaming this body");
      this.runtime.bodies.cancelAll(ev.readers);
      ev.settle(ABI.StatusError, failure);
    }
    this.events.clear();
    this.runtime.instanceDied(this);
  }

  // run calls an export on behalf of the event whose I/O context we are
  // in, then starts the operations Go began and arms Go's timers.
  run(ctxEvent, fn) {
    this.guard(fn);
    const started = this.started;
    this.started = [];
    for (const op of started) {
      if (!op.ev.alive()) this.orphans.push(op);
      else if (op.ev === ctxEvent) this.launch(op);
      else {
        op.ev.queue.push(op);
        op.ev.wake();
      }
    }
    if (this.timerNs !== null) this.scheduleTick(ctxEvent, Date.now() + Number(this.timerNs) / 1e6);
    while (this.orphans.length > 0 && !this.dead) {
      const op = this.orphans.shift();
      this.resume(op, ABI.StatusError, ORPHANED);
    }
  }

  newEvent(objectHandle) {
    const ev = new Event(++this.nextEvent, objectHandle);
    this.events.set(ev.id, ev);
    return ev;
  }

  // dispatch delivers an event to Go and waits for its result, starting
  // the event's operations in its own I/O context as they come. obj is the
  // Durable Object's __godurable, or null for the Worker.
  async dispatch(kind, obj, arg, payload, signal, waitUntil, readers) {
    for (const h of this.runtime.takeDropped()) {
      if (this.known.delete(h)) this.guard(() => this.exports[ABI.ExportDrop](h));
    }
    const handle = obj ? obj.handle : 0;
    if (obj && !this.known.has(handle)) {
      const ref = encode({ class: obj.class, id: obj.id, name: obj.name });
      this.staged = ref;
      if (this.guard(() => this.exports[ABI.ExportObject](handle, ref.length)) < 0) {
        throw new TypeError(`godurable: the module refused object ${obj.class} ${obj.id}`);
      }
      this.known.add(handle);
    }
    const ev = this.newEvent(handle);
    ev.waitUntil = waitUntil ?? null;
    if (readers) ev.readers = readers;
    this.staged = payload;
    this.run(ev, () => this.exports[ABI.ExportEvent](ev.id, kind, handle, arg, payload.length));
    if (ev.alive()) {
      const cancel = () => {
        if (!ev.finished && !this.dead) this.run(ev, () => this.exports[ABI.ExportCancel](ev.id));
      };
      if (signal?.aborted) cancel();
      signal?.addEventListener("abort", cancel);
      const driving = this.drive(ev).finally(() => signal?.removeEventListener("abort", cancel));
      await Promise.race([ev.settled, driving]);
      // Go's WaitUntil work goes on in the event's I/O context, which
      // workerd keeps for it.
      if (ev.alive()) ev.waitUntil(driving.catch(noop));
      else await driving;
    }
    return ev;
  }

  async drive(ev) {
    // workerd cancels a request that waits with no I/O of its own pending;
    // this event may be waiting for another one, so keep it alive.
    const keepAlive = setInterval(noop, 60_000);
    try {
      while (ev.alive()) {
        if (!ev.signaled) await new Promise((resolve) => (ev.waker = resolve));
        ev.waker = null;
        ev.signaled = false;
        while (ev.queue.length > 0 && ev.alive()) this.launch(ev.queue.shift());
        if (ev.cancelRequested && !this.dead) {
          ev.cancelRequested = false;
          this.run(ev, () => this.exports[ABI.ExportCancel](ev.id));
        }
        for (const b of ev.bodies.values()) b.pump();
        if (ev.tickAt !== null && ev.alive()) {
          const at = ev.tickAt;
          ev.tickAt = null;
          this.armTick(ev, at);
        }
      }
      for (const b of ev.bodies.values()) b.pump(); // what came with the event's last call into Go
    } finally {
      clearInterval(keepAlive);
    }
  }

  launch(op) {
    let promise;
    try {
      promise = this.runtime.startOp(op.kind, op.ev, op.payload);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (result) => this.resume(op, ABI.StatusOK, result),
      (err) => this.resume(op, ABI.StatusError, encode(fromJSError(err))),
    );
  }

  resume(op, status, bytes) {
    if (this.dead) return;
    this.staged = bytes;
    try {
      this.run(op.ev, () => this.exports[ABI.ExportResume](op.id, status, bytes.length));
    } catch (err) {
      // Already reported by poison; the events have failed.
    }
  }

  // scheduleTick makes sure Go is called back at time at (ms), from the
  // I/O context of an event still in flight.
  scheduleTick(ctxEvent, at) {
    if (this.tick && this.tick.at <= at && this.tick.event.alive()) return;
    if (ctxEvent && ctxEvent.alive()) return this.armTick(ctxEvent, at);
    for (const ev of this.events.values()) {
      if (ev.alive()) {
        ev.tickAt = ev.tickAt === null ? at : Math.min(ev.tickAt, at);
        ev.wake();
        return;
      }
    }
    // No event is in flight: Go's timers wait for the next event.
  }

  armTick(ev, at) {
    if (this.tick) clearTimeout(this.tick.timer);
    const timer = setTimeout(() => {
      if (this.tick && this.tick.timer === timer) this.tick = null;
      if (this.dead || !ev.alive()) return;
      try {
        this.run(ev, () => this.exports[ABI.ExportTick](ev.id, ev.object));
      } catch (err) {}
    }, Math.max(0, at - Date.now()));
    this.tick = { timer, at, event: ev };
  }

  rearmTick() {
    const { at } = this.tick;
    clearTimeout(this.tick.timer);
    this.tick = null;
    this.scheduleTick(null, at);
  }

  flushOutput() {
    for (const fd of [1, 2]) {
      if (this.out[fd]) (fd === 1 ? console.log : console.error)(this.out[fd]);
      this.out[fd] = "";
    }
  }

  // write buffers Go's output; whole lines go to the console once the
  // export call returns, so that a panic's trace is one message.
  write(fd, text) {
    this.out[fd] += text;
  }

  flushLines() {
    for (const fd of [1, 2]) {
      const buf = this.out[fd];
      const end = buf.lastIndexOf("\n");
      if (end < 0) continue;
      (fd === 1 ? console.log : console.error)(buf.slice(0, end));
      this.out[fd] = buf.slice(end + 1);
    }
  }

  // wasi implements the few WASI functions a Go reactor imports; the rest
  // answer ENOSYS.
  wasi(module) {
    const E = WASI;
    const fns = {
      args_sizes_get: (argc, size) => {
        const v = this.view();
        v.setUint32(argc, 0, true);
        v.setUint32(size, 0, true);
        return E.SUCCESS;
      },
      args_get: () => E.SUCCESS,
      environ_sizes_get: (count, size) => {
        const v = this.view();
        v.setUint32(count, 0, true);
        v.setUint32(size, 0, true);
        return E.SUCCESS;
      },
      environ_get: () => E.SUCCESS,
      clock_time_get: (id, precision, out) => {
        // workerd's clocks stand still while code runs, so one reading per
        // call into Go serves all of Go's (several per event).
        let ns;
        if (id === E.CLOCK_REALTIME) ns = this.wallNs ??= BigInt(Date.now()) * 1000000n;
        else ns = this.monoNs ??= BigInt(Math.round(performance.now() * 1e6));
        this.view().setBigUint64(out, ns, true);
        return E.SUCCESS;
      },
      clock_res_get: (id, out) => {
        this.view().setBigUint64(out, 1000000n, true);
        return E.SUCCESS;
      },
      random_get: (ptr, len) => {
        for (let off = 0; off < len; off += 65536) {
          crypto.getRandomValues(this.bytes(ptr + off, Math.min(65536, len - off)));
        }
        return E.SUCCESS;
      },
      fd_write: (fd, iovs, iovsLen, nwritten) => {
        if (fd !== 1 && fd !== 2) return E.EBADF;
        const v = this.view();
        let total = 0;
        let text = "";
        for (let i = 0; i < iovsLen; i++) {
          const ptr = v.getUint32(iovs + 8 * i, true);
          const len = v.getUint32(iovs + 8 * i + 4, true);
          text += textDecoder.decode(this.bytes(ptr, len), { stream: true });
          total += len;
        }
        this.write(fd, text);
        v.setUint32(nwritten, total, true);
        return E.SUCCESS;
      },
      fd_read: (fd, iovs, iovsLen, nread) => {
        if (fd !== ABI.IdleFD) return E.EBADF;
        if (!this.idleReady) return E.EAGAIN;
        this.idleReady = false;
        const v = this.view();
        const ptr = v.getUint32(iovs, true);
        this.bytes(ptr, 1)[0] = 1;
        v.setUint32(nread, 1, true);
        return E.SUCCESS;
      },
      fd_fdstat_get: (fd, out) => {
        if (fd !== ABI.IdleFD) return E.EBADF;
        const v = this.view();
        v.setUint8(out, E.FILETYPE_CHARACTER_DEVICE);
        v.setUint16(out + 2, E.FDFLAGS_NONBLOCK, true);
        v.setBigUint64(out + 8, 0xffffffffn, true);
        v.setBigUint64(out + 16, 0n, true);
        return E.SUCCESS;
      },
      fd_fdstat_set_flags: () => E.SUCCESS,
      fd_prestat_get: () => E.EBADF,
      fd_prestat_dir_name: () => E.EBADF,
      fd_close: () => E.SUCCESS,
      sched_yield: () => E.SUCCESS,
      proc_exit: (code) => {
        throw new Error(`Go called proc_exit(${code})`);
      },
      poll_oneoff: (subs, events, n, nevents) => this.poll(subs, events, n, nevents),
    };
    const out = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.module !== "wasi_snapshot_preview1") continue;
      out[imp.name] = fns[imp.name] ?? (() => E.ENOSYS);
    }
    return out;
  }

  // poll answers the Go scheduler's poll_oneoff. A poll that would block
  // means every goroutine has parked: report the idle descriptor ready and
  // remember when the next Go timer is due.
  poll(subs, events, n, nevents) {
    const E = WASI;
    const v = this.view();
    let clock = -1;
    let idle = -1;
    for (let i = 0; i < n; i++) {
      const s = subs + E.SUBSCRIPTION_SIZE * i;
      const tag = v.getUint8(s + 8);
      if (tag === E.EVENTTYPE_CLOCK) clock = s;
      else if (tag === E.EVENTTYPE_FD_READ && v.getUint32(s + 16, true) === ABI.IdleFD) idle = s;
    }
    const timeout = clock >= 0 ? v.getBigUint64(clock + 24, true) : null;
    const blocking = timeout === null || timeout > 0n;
    let out = 0;
    if (idle >= 0 && blocking && this.nested > 0) {
      throw new Error("godurable: a transaction's function blocked (on a channel, a lock, a sleep or an event that cannot come while it runs); it must run to its end without waiting");
    }
    if (idle >= 0 && blocking) {
      this.idleReady = true;
      this.timerNs = timeout;
      writePollEvent(v, events, idle, E.EVENTTYPE_FD_READ);
      out = 1;
    } else if (clock >= 0) {
      writePollEvent(v, events, clock, E.EVENTTYPE_CLOCK);
      out = 1;
    }
    v.setUint32(nevents, out, true);
    return E.SUCCESS;
  }
}

// ROLLBACK is what the transaction callback throws when Go's function
// failed: transactionSync rolls back and rethrows it, and the operation
// reports success (Go already has the function's error).
const ROLLBACK = new Error("godurable: the transaction's function failed");

// NestedTrap carries a trap of Go inside a transaction's function out of
// transactionSync, so that the import rethrows it instead of reporting an
// error to Go frames that the trap has unwound.
class NestedTrap extends Error {
  constructor(cause) {
    super(cause && cause.message, { cause });
  }
}

// writePollEvent writes poll_oneoff's event for the subscription at sub.
// (A function of the module, not a closure made on every poll: wrangler
// bundles with keepNames, which names each new closure at run time.)
function writePollEvent(v, e, sub, type) {
  for (let k = 0; k < WASI.EVENT_SIZE; k++) v.setUint8(e + k, 0);
  v.setBigUint64(e, v.getBigUint64(sub, true), true);
  v.setUint8(e + 10, type);
  if (type === WASI.EVENTTYPE_FD_READ) v.setBigUint64(e + 16, 1n, true);
}

// The synchronous host operations (CALL_OPS), by name. Each gets the
// runtime, the decoded request and, for an operation on an object, the
// object's record (its ctx, storage and sockets); it returns the result's
// bytes.
const SYNC_OPS = {
  "env": (rt) => encode(describeEnv(rt.env)),
  "kv.get": (rt, req, o) => {
    const v = o.storage.kv.get(req.key);
    return v === undefined ? EMPTY : toBytes(v);
  },
  "kv.put": (rt, req, o) => {
    o.storage.kv.put(req.key, req.value.slice());
    return EMPTY;
  },
  "kv.delete": (rt, req, o) => encode(Boolean(o.storage.kv.delete(req.key))),
  "kv.getMany": (rt, keys, o) => {
    const out = [];
    for (const key of keys) {
      const v = o.storage.kv.get(key);
      if (v !== undefined) out.push([key, toBytes(v)]);
    }
    return encode(out);
  },
  "kv.putMany": (rt, entries, o) => {
    for (const [key, value] of entries) o.storage.kv.put(key, value.slice());
    return EMPTY;
  },
  "kv.deleteMany": (rt, keys, o) => {
    let n = 0;
    for (const key of keys) if (o.storage.kv.delete(key)) n++;
    return encode(n);
  },
  "kv.list": (rt, req, o) => {
    const opts = {};
    for (const k of ["prefix", "start", "startAfter", "end", "limit", "reverse"]) if (req[k]) opts[k] = req[k];
    const out = [];
    for (const [key, value] of o.storage.kv.list(opts)) out.push([key, toBytes(value)]);
    return encode(out);
  },
  "sql.exec": (rt, req, o) => {
    const cursor = o.storage.sql.exec(req.query, ...(req.args ?? []));
    const rows = cursor.raw().toArray();
    // Blobs come back as ArrayBuffers, which the encoder would write as empty maps.
    for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i] instanceof ArrayBuffer) row[i] = new Uint8Array(row[i]);
    return encode({ columns: cursor.columnNames, rows, rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten });
  },
  "sql.databaseSize": (rt, req, o) => encode(o.storage.sql.databaseSize),
  "storage.deleteAll": (rt, req, o) => {
    // SQLite-backed storage deletes at once; the promise only reports it.
    o.storage.deleteAll().catch((err) => console.error("godurable: deleteAll failed:", err));
    return EMPTY;
  },
  "storage.transactionSync": (rt, req, o) => {
    // Go's function runs inside the callback, through the one export
    // called while an import is running. It reports failure by its
    // result; the callback then throws, which rolls the transaction back.
    const inst = rt.instance;
    let failed = false;
    try {
      o.storage.transactionSync(() => {
        let r;
        inst.nested++;
        try {
          r = inst.exports[ABI.ExportTransaction](req);
        } catch (err) {
          throw new NestedTrap(err); // Go's frames are gone: the instance is lost
        } finally {
          inst.nested--;
        }
        if (r !== 0) {
          failed = true;
          throw ROLLBACK;
        }
      });
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
    return EMPTY;
  },
  "event.waitUntil": (rt, id) => {
    const ev = rt.instance.events.get(id);
    if (!ev || !ev.alive()) throw new Error("godurable: WaitUntil: the event has already finished");
    if (!ev.waitUntil) throw new Error("godurable: WaitUntil: this kind of event cannot be kept alive");
    ev.extended++;
    return EMPTY;
  },
  "event.waitUntilDone": (rt, id) => {
    const inst = rt.instance;
    const ev = inst.events.get(id);
    if (ev && ev.extended > 0 && --ev.extended === 0 && ev.finished) {
      inst.retire(ev);
      ev.wake(); // its drive loop ends
    }
    return EMPTY;
  },
  "body.write": (rt, req) => {
    const ev = rt.instance.events.get(req.event);
    if (!ev || !ev.alive()) throw new Error("godurable: the body's event has already finished");
    const body = ev.stream(req.stream ?? 0);
    body.write(req.data.slice());
    return encode(body.unread());
  },
  "body.close": (rt, req) => {
    rt.instance.events.get(req.event)?.stream(req.stream ?? 0).close(req.error ?? "");
    return EMPTY;
  },
  "body.cancel": (rt, id) => {
    rt.bodies.cancel(id);
    return EMPTY;
  },
  "state.abort": (rt, reason, o) => {
    // Not now: ctx.abort throws through its caller, which would be Go.
    queueMicrotask(() => {
      try {
        o.ctx.abort(reason);
      } catch (err) {}
    });
    return EMPTY;
  },
  "id.fromName": (rt, req) => encodeID(rt.namespace(req.binding, req.jurisdiction).idFromName(req.name ?? "")),
  "id.fromString": (rt, req) => encodeID(rt.namespace(req.binding, req.jurisdiction).idFromString(req.id ?? "")),
  "id.newUnique": (rt, req) => {
    const ns = rt.namespace(req.namespace.binding, req.namespace.jurisdiction);
    return encodeID(req.jurisdiction ? ns.newUniqueId({ jurisdiction: req.jurisdiction }) : ns.newUniqueId());
  },
  "ns.jurisdiction": (rt, req) => {
    rt.namespace(req.binding, req.jurisdiction);
    return EMPTY;
  },
  "stub.release": (rt, handles) => {
    for (const h of handles) rt.kept.delete(h);
    return EMPTY;
  },

  "ws.accept": (rt, req, o) => {
    const ev = rt.instance.events.get(req.event);
    if (!ev) throw new Error("godurable: ws.Accept outside the fetch event of its request");
    const [client, server] = Object.values(new WebSocketPair());
    const id = crypto.getRandomValues(new Uint8Array(SOCKET_ID_BYTES));
    server.serializeAttachment(concat(id, req.attachment)); // refuses one too large before the socket is accepted
    o.ctx.acceptWebSocket(server, req.tags ?? []);
    const sid = hex(id);
    socketIDs.set(server, sid);
    o.sockets.set(sid, server);
    ev.upgrades.set(sid, client);
    return encode(sid);
  },
  "ws.send": (rt, req, o) => {
    o.socket(req.socket).send(req.isText ? req.text ?? "" : req.binary ?? EMPTY);
    return EMPTY;
  },
  "ws.close": (rt, req, o) => {
    closeSocket(o.socket(req.socket), req);
    return EMPTY;
  },
  "ws.list": (rt, req, o) => encode(o.ctx.getWebSockets(req.tag || undefined).map((ws) => o.adopt(ws))),
  "ws.tags": (rt, req, o) => encode(o.ctx.getTags(o.socket(req.socket))),
  "ws.attachment": (rt, req, o) => o.socket(req.socket).deserializeAttachment().subarray(SOCKET_ID_BYTES),
  "ws.setAttachment": (rt, req, o) => {
    const ws = o.socket(req.socket);
    ws.serializeAttachment(concat(ws.deserializeAttachment().subarray(0, SOCKET_ID_BYTES), req.attachment));
    return EMPTY;
  },
  "ws.readyState": (rt, req, o) => encode(o.socket(req.socket).readyState),
  "ws.setAutoResponse": (rt, req, o) => {
    if (!req.request && !req.response) o.ctx.setWebSocketAutoResponse();
    else o.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(req.request, req.response));
    return EMPTY;
  },
  "ws.autoResponse": (rt, req, o) => {
    const p = o.ctx.getWebSocketAutoResponse();
    return encode(p ? { request: p.request, response: p.response } : null);
  },
  "ws.autoResponseTime": (rt, req, o) => encode(o.ctx.getWebSocketAutoResponseTimestamp(o.socket(req.socket))?.getTime() ?? null),
  "ws.setEventTimeout": (rt, req, o) => {
    if (req == null) o.ctx.setHibernatableWebSocketEventTimeout();
    else o.ctx.setHibernatableWebSocketEventTimeout(req);
    return EMPTY;
  },
  "ws.eventTimeout": (rt, req, o) => encode(o.ctx.getHibernatableWebSocketEventTimeout() ?? null),

  "socket.connect": (rt, req) => {
    const ev = rt.instance.events.get(req.event);
    const ws = ev?.upgrades.get(req.upgrade);
    if (!ws) throw new TypeError("godurable: no upgraded response of this event has that WebSocket");
    ev.upgrades.delete(req.upgrade);
    return encode(rt.connect(ws));
  },
  "socket.send": (rt, req) => {
    rt.outbound(req.socket).ws.send(req.isText ? req.text ?? "" : req.binary ?? EMPTY);
    return EMPTY;
  },
  "socket.close": (rt, req) => {
    closeSocket(rt.outbound(req.socket).ws, req);
    return EMPTY;
  },
};

// A hibernatable socket's attachment starts with its ID, so that the same
// socket has the same ID after the object hibernates.
const SOCKET_ID_BYTES = 16;
const socketIDs = new WeakMap(); // WebSocket -> ID

function socketID(ws) {
  let id = socketIDs.get(ws);
  if (id === undefined) {
    id = hex(ws.deserializeAttachment().subarray(0, SOCKET_ID_BYTES));
    socketIDs.set(ws, id);
  }
  return id;
}

function concat(a, b) {
  if (!b || b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function closeSocket(ws, req) {
  if (req.code) ws.close(req.code, req.reason);
  else if (req.reason) ws.close(undefined, req.reason); // workerd refuses a reason without a code, as it should
  else ws.close();
}

// The asynchronous host operations (ASYNC_OPS), by name: each gets what a
// synchronous one gets and the event that started it, and returns a
// promise of the result's bytes.
const ASYNC_OPS_IMPL = {
  "fetch": (rt, req, o, ev) => sendRequest(ev, req, (request) => fetch(request), rt.bodies),
  "stub.fetch": (rt, req, o, ev) => sendRequest(ev, req.request, (request) => rt.stub(req.target).fetch(request), rt.bodies),
  "body.read": (rt, id) => rt.bodies.read(id),
  "timer.sleep": (rt, ms) => new Promise((resolve) => setTimeout(() => resolve(EMPTY), ms)),
  // Started in the event's own I/O context (its loop), it settles there:
  // Go carries on on the event's behalf.
  "event.enter": () => Promise.resolve(EMPTY),
  "stub.call": (rt, req, o, ev) => rt.stubCall(req, ev),
  "alarm.get": async (rt, req, o) => encode((await o.storage.getAlarm()) ?? null),
  "alarm.set": async (rt, req, o) => {
    await o.storage.setAlarm(req);
    return EMPTY;
  },
  "alarm.delete": async (rt, req, o) => {
    await o.storage.deleteAlarm();
    return EMPTY;
  },
  "body.drain": async (rt, req) => {
    const body = rt.instance.events.get(req.event)?.bodies.get(req.stream ?? 0);
    return encode(body ? await body.drain() : true);
  },
  "storage.sync": async (rt, req, o) => {
    await o.storage.sync();
    return EMPTY;
  },
  "storage.getCurrentBookmark": async (rt, req, o) => encode(await o.storage.getCurrentBookmark()),
  "storage.getBookmarkForTime": async (rt, ms, o) => encode(await o.storage.getBookmarkForTime(ms)),
  "storage.onNextSessionRestoreBookmark": async (rt, bookmark, o) => encode(await o.storage.onNextSessionRestoreBookmark(bookmark)),
  "socket.receive": async (rt, req) => encode(await rt.outbound(req.socket).receive()),
  "d1.query": async (rt, req) => {
    const db = rt.d1(req.binding);
    const stmts = req.statements.map((s) => db.prepare(s.query).bind(...(s.args ?? [])));
    if (req.batch) return encode((await db.batch(stmts)).map(d1Result));
    switch (req.mode) {
      case "raw": {
        const [columns = [], ...rows] = await stmts[0].raw({ columnNames: true });
        return encode([{ columns, rows: rows.map(d1Row), meta: null }]);
      }
      case "run":
        return encode([{ columns: [], rows: [], meta: (await stmts[0].run()).meta }]);
      default:
        return encode([d1Result(await stmts[0].all())]);
    }
  },
  "d1.exec": async (rt, req) => encode(await rt.d1(req.binding).exec(req.query)),
};

// d1Result describes a D1Result for Go: its rows are objects, whose keys
// are the columns (JavaScript has already merged duplicate names).
function d1Result(r) {
  const results = r.results ?? [];
  const columns = results.length > 0 ? Object.keys(results[0]) : [];
  return { columns, rows: results.map((o) => d1Row(columns.map((c) => o[c]))), meta: r.meta };
}

// d1Row turns a row's blobs, which D1 gives as arrays of bytes, into bytes.
function d1Row(row) {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (Array.isArray(v)) row[i] = Uint8Array.from(v);
    else if (v instanceof ArrayBuffer) row[i] = new Uint8Array(v);
  }
  return row;
}

// The events of Durable Objects (EVENTS.object), by the name of their
// handler: payload turns the handler's arguments (and the object's
// record) into the event's payload, result turns the finished event into
// what the handler returns.
const OBJECT_EVENTS = {
  fetch: {
    payload: async ([request], o, bodies, owned) => encode(await requestToGo(request, bodies, owned)),
    result: (ev) => responseFromGo(decode(ev.result()), ev),
    // The request's signal aborts when its client goes away (with the
    // enable_request_signal compatibility flag): Go's context is cancelled.
    signal: ([request]) => request.signal,
  },
  call: {
    // A ReadableStream argument streams into Go (an io.Reader parameter).
    // Plain arguments (the common case) encode at once, without a copy.
    payload: (args, o, bodies, owned) => {
      if (!args.some(needsPlain)) return encode(args);
      return encodeForGo(args.map((a) => (a instanceof ReadableStream ? streamToGo(a, bodies, owned) : a)));
    },
    // A stream result is the event's body, as Go writes it.
    result: (ev) => {
      const b = ev.result();
      if (b.length === 0) return undefined;
      const v = decode(b);
      return v instanceof StreamRef ? ev.stream(0).readable() : v;
    },
  },
  alarm: {
    // alarmInfo is missing under old compatibility dates and when a test
    // calls alarm() itself.
    payload: ([info]) =>
      encode({
        scheduledTime: info?.scheduledTime ?? Date.now(),
        retryCount: info?.retryCount ?? 0,
        isRetry: Boolean(info?.isRetry),
      }),
    result: (ev) => {
      ev.result(); // throws the handler's error, and workerd retries the alarm
    },
  },
  webSocketMessage: {
    payload: ([ws, message], o) => {
      const socket = o.adopt(ws);
      if (typeof message === "string") return encode({ socket, isText: true, text: message });
      return encode({ socket, isText: false, binary: new Uint8Array(message) });
    },
    result: (ev) => {
      ev.result();
    },
  },
  webSocketClose: {
    payload: ([ws, code, reason, wasClean], o) => encode({ socket: o.adopt(ws), code, reason, wasClean }),
    // The close handshake ends with the object's answer: the Go handler's
    // own close, else the peer's code and reason sent back (workerd ignores
    // a second close; its web_socket_auto_reply_to_close does not answer
    // hibernatable sockets).
    result: (ev, [ws, code, reason]) => {
      try {
        if (code === 1005 || code === 1006) ws.close();
        else ws.close(code, reason);
      } catch (err) {
        console.error("godurable: answering a WebSocket's close:", err);
      }
      ev.result();
    },
  },
  webSocketError: {
    payload: ([ws, error], o) => encode({ socket: o.adopt(ws), error: fromJSError(error) }),
    result: (ev) => {
      ev.result();
    },
  },
};

// The events of the stateless Worker (EVENTS.worker), likewise.
const WORKER_EVENTS = {
  fetch: OBJECT_EVENTS.fetch,
};

// ObjectRecord is what the runtime keeps of a Durable Object: its ctx and
// the sockets it has seen since it woke, by ID.
class ObjectRecord {
  constructor(ctx) {
    this.ctx = ctx;
    this.storage = ctx.storage;
    this.sockets = new Map();
  }

  adopt(ws) {
    const id = socketID(ws);
    this.sockets.set(id, ws);
    return id;
  }

  socket(id) {
    let ws = this.sockets.get(id);
    if (ws === undefined) {
      for (const s of this.ctx.getWebSockets()) this.adopt(s); // after hibernation
      ws = this.sockets.get(id);
    }
    if (ws === undefined) throw new Error(`godurable: the object has no WebSocket ${id}; it has closed`);
    return ws;
  }
}

// OutboundSocket is a WebSocket the Worker or an object opened with fetch:
// the shim reads it, and Go receives its messages one by one.
class OutboundSocket {
  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.closed = null;
    this.waiter = null;
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => {
      this.push(typeof e.data === "string" ? { isText: true, text: e.data } : { isText: false, binary: new Uint8Array(e.data) });
    });
    ws.addEventListener("close", (e) => this.finish({ code: e.code, reason: e.reason, wasClean: e.wasClean }));
    ws.addEventListener("error", (e) => this.finish({ code: 1006, reason: String(e?.message ?? e?.error ?? "error"), wasClean: false }));
    ws.accept();
  }

  push(m) {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(m);
    } else this.queue.push(m);
  }

  finish(closed) {
    if (this.closed) return;
    this.closed = closed;
    if (this.waiter) this.push({ closed });
  }

  receive() {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    if (this.closed) return Promise.resolve({ closed: this.closed });
    if (this.waiter) return Promise.reject(new Error("godurable: two receives at once on one WebSocket"));
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

// implementOps pairs each row of a generated table of operations with its
// implementation, by code; implementEvents does the same for events, by
// name. A shim that lacks an implementation refuses to load.
function implementOps(table, impls, what) {
  const out = new Map();
  for (const [code, row] of Object.entries(table)) {
    const impl = impls[row.name];
    if (impl === undefined) throw new Error(`godurable: this shim does not implement the ${what} ${row.name}; regenerate it with wasmbuild`);
    out.set(Number(code), { ...row, impl });
  }
  return out;
}

function implementEvents(table, impls, what) {
  const out = new Map();
  for (const [name, kind] of Object.entries(table)) {
    const impl = impls[name];
    if (impl === undefined) throw new Error(`godurable: this shim does not implement the ${what} ${name}; regenerate it with wasmbuild`);
    out.set(name, { kind, impl });
  }
  return out;
}

const syncOps = implementOps(CALL_OPS, SYNC_OPS, "host operation");
const asyncOps = implementOps(ASYNC_OPS, ASYNC_OPS_IMPL, "async operation");
const objectEvents = implementEvents(EVENTS.object, OBJECT_EVENTS, "object event");
const workerEvents = implementEvents(EVENTS.worker, WORKER_EVENTS, "worker event");

// Runtime is the per-isolate state: the compiled module, the Go instance
// (created on the first event, replaced after a crash) and the objects.
class Runtime {
  constructor(module, manifest) {
    this.module = module;
    this.manifest = manifest;
    const sections = WebAssembly.Module.customSections(module, ABI.ManifestSection);
    this.builtManifest = sections.length === 1 ? decode(new Uint8Array(sections[0])) : null;
    this.instance = null;
    this.env = null;
    this.nextHandle = 0;
    this.objects = new Map(); // object handle -> ObjectRecord
    this.sockets = new Map(); // outbound socket ID -> OutboundSocket
    this.bodies = new BodyReaders();
    this.dropped = [];
    this.goBindings = new Map(); // binding name -> whether its objects are Go objects
    this.kept = new Map(); // handle -> { stub, isGo }: the stubs that reached the Go instance (ABI.ExtStub)
    this.nextKept = 0;
    stubRuntime = this;
    this.methodIndex = new Map(); // class -> Map(JS method name -> index)
    this.stubResults = new Map(); // class -> the JS names of its methods whose results can hold stubs
    for (const c of manifest.classes) {
      this.methodIndex.set(c.name, new Map(c.methods.map((m, i) => [m.jsName, i])));
      this.stubResults.set(c.name, new Set(c.methods.filter((m) => m.stubs).map((m) => m.jsName)));
    }
    this.registry =
      typeof FinalizationRegistry === "function"
        ? new FinalizationRegistry((handle) => {
            this.objects.delete(handle);
            this.dropped.push(handle);
          })
        : null;
  }

  getInstance(env) {
    if (this.env === null) this.env = env;
    if (this.instance === null) this.instance = new Instance(this);
    return this.instance;
  }

  instanceDied(inst) {
    if (this.instance === inst) this.instance = null;
    this.dropped = [];
    this.kept.clear(); // the handles died with the instance
  }

  // keep keeps a stub that reaches Go, and returns its handle.
  keep(stub) {
    const handle = ++this.nextKept;
    this.kept.set(handle, { stub, isGo: undefined });
    return handle;
  }

  registerObject(obj, ctx) {
    const handle = ++this.nextHandle;
    this.objects.set(handle, new ObjectRecord(ctx));
    this.registry?.register(obj, handle);
    return handle;
  }

  takeDropped() {
    if (this.dropped.length === 0) return EMPTY_LIST;
    const d = this.dropped;
    this.dropped = [];
    return d;
  }

  object(handle) {
    const o = this.objects.get(handle);
    if (!o) throw new Error(`godurable: no Durable Object ${handle}`);
    return o;
  }

  connect(ws) {
    const id = randomID();
    this.sockets.set(id, new OutboundSocket(ws));
    return id;
  }

  outbound(id) {
    const s = this.sockets.get(id);
    if (!s) throw new Error(`godurable: no outbound WebSocket ${id}; it has closed`);
    if (s.closed && s.queue.length === 0) this.sockets.delete(id); // after this, it is gone
    return s;
  }

  // namespace returns the namespace bound as binding, or its sub-namespace
  // of a jurisdiction (which local workerd refuses).
  namespace(binding, jurisdiction) {
    const ns = this.env?.[binding];
    if (!ns || typeof ns.idFromName !== "function") {
      throw new TypeError(`godurable: ${binding} is not a Durable Object namespace binding`);
    }
    return jurisdiction ? ns.jurisdiction(jurisdiction) : ns;
  }

  // stub returns the stub of ns.get(id, {locationHint}). An ID crosses as
  // its string and, when it has one, its name: by name, the object gets
  // ctx.id.name as with getByName; both must agree, which refuses an ID
  // made by another namespace as idFromString would. A handle names a
  // stub kept for Go instead.
  stub(target) {
    if (target.handle) return this.keptStub(target.handle).stub;
    const ns = this.namespace(target.binding, target.jurisdiction);
    let id;
    if (target.name !== undefined || !target.id) {
      id = ns.idFromName(target.name ?? "");
      if (target.id && id.toString() !== target.id) throw new TypeError("Durable Object ID is not valid for this namespace.");
    } else {
      id = ns.idFromString(target.id);
    }
    return target.locationHint ? ns.get(id, { locationHint: target.locationHint }) : ns.get(id);
  }

  keptStub(handle) {
    const k = this.kept.get(handle);
    if (!k) throw new Error("godurable: the Go instance no longer holds this stub");
    return k;
  }

  // isGo reports whether target's objects are known to be Go objects
  // (undefined: not known yet); setGo records it.
  isGo(target) {
    return target.handle ? this.keptStub(target.handle).isGo : this.goBindings.get(target.binding);
  }

  setGo(target, isGo) {
    if (target.handle) this.keptStub(target.handle).isGo = isGo;
    else this.goBindings.set(target.binding, isGo);
  }

  // d1 returns the D1 database bound as binding.
  d1(binding) {
    const db = this.env?.[binding];
    if (!db || typeof db.prepare !== "function" || typeof db.batch !== "function") {
      throw new TypeError(`godurable: ${binding} is not a D1 database binding`);
    }
    return db;
  }

  hostCall(code, handle, reqBytes) {
    const op = syncOps.get(code);
    if (op === undefined) throw new TypeError(`godurable: unknown host call ${code}`);
    const req = reqBytes.length > 0 ? decode(reqBytes) : undefined;
    return op.impl(this, req, op.object ? this.object(handle) : undefined);
  }

  startOp(code, ev, reqBytes) {
    const op = asyncOps.get(code);
    if (op === undefined) throw new TypeError(`godurable: unknown async operation ${code}`);
    const req = reqBytes.length > 0 ? decode(reqBytes) : undefined;
    return op.impl(this, req, op.object ? this.object(ev.object) : undefined, ev);
  }

  // stubCall calls an RPC method. A godurable object is called through its
  // __godurableCall method, which returns the Go result or error as it
  // came from Go, so that a Go caller gets the error's name and code, which
  // Workers RPC would drop; any other object is called as JS would.
  async stubCall(req, ev) {
    const stub = this.stub(req.target);
    // An io.Reader argument is a ReadableStream of what Go writes.
    const args = (req.args ?? []).map((a) => (a instanceof StreamRef && a.writer ? ev.stream(a.writer).readable() : a));
    if (this.isGo(req.target) !== false) {
      let reply;
      try {
        reply = await stub.__godurableCall(req.method, args);
      } catch (err) {
        if (!String(err?.message).includes("__godurableCall")) throw err;
        this.setGo(req.target, false); // not a Go object
      }
      if (reply) {
        this.setGo(req.target, true);
        if (reply.status !== ABI.StatusOK) throw toJSError(decode(reply.payload));
        if (reply.stream) return encode(streamToGo(reply.stream, this.bodies, ev.readers, decode(reply.payload).lines));
        return reply.decoded ? encodeForGo(reply.value) : reply.payload;
      }
    }
    const result = await stub[req.method](...args);
    if (result instanceof ReadableStream) return encode(streamToGo(result, this.bodies, ev.readers));
    return result === undefined ? EMPTY : encodeForGo(result);
  }

  async workerEvent(name, args, env, ctx) {
    const event = workerEvents.get(name);
    const readers = [];
    const payload = await event.impl.payload(args, null, this.bodies, readers);
    const waitUntil = ctx && ((promise) => ctx.waitUntil(promise));
    const ev = await this.getInstance(env).dispatch(event.kind, null, 0, payload, event.impl.signal?.(args), waitUntil, readers);
    return event.impl.result(ev);
  }

}

const EMPTY_LIST = Object.freeze([]);

// encodeID encodes a DurableObjectId as abi.ObjectID.
function encodeID(id) {
  const m = { id: id.toString() };
  if (id.name !== undefined) m.name = id.name;
  if (id.jurisdiction) m.jurisdiction = id.jurisdiction;
  return encode(m);
}

function describeEnv(env) {
  const vars = {};
  const bindings = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) vars[name] = value;
    else if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) vars[name] = value;
    else bindings[name] = value?.constructor?.name ?? typeof value;
  }
  return { vars, bindings };
}

// createRuntime returns the Durable Object base class and the Worker's
// default export for a module and its manifest.
export function createRuntime(module, manifest) {
  const runtime = new Runtime(module, manifest);

  // dispatchCall runs RPC method index of obj, a GoDurableObject, with
  // args; their streams are the event's readers.
  async function dispatchCall(obj, index, args) {
    const event = objectEvents.get("call");
    const readers = [];
    let payload = event.impl.payload(args, null, runtime.bodies, readers);
    if (payload instanceof Promise) payload = await payload; // only when a body must be read first
    return runtime.getInstance(obj.env).dispatch(event.kind, obj.__godurable, index, payload, undefined, obj.__waitUntil, readers);
  }

  class GoDurableObject extends DurableObject {
    constructor(ctx, env) {
      super(ctx, env);
      const handle = runtime.registerObject(this, ctx);
      this.__godurable = { handle, class: new.target.goClass, id: ctx.id.toString(), name: ctx.id.name ?? "" };
      this.__waitUntil = (promise) => ctx.waitUntil(promise);
    }

    // __event runs the handler of a capability (fetch, alarm, ...).
    async __event(name, args) {
      const event = objectEvents.get(name);
      const readers = [];
      const payload = await event.impl.payload(args, runtime.object(this.__godurable.handle), runtime.bodies, readers);
      const ev = await runtime.getInstance(this.env).dispatch(event.kind, this.__godurable, 0, payload, event.impl.signal?.(args), this.__waitUntil, readers);
      return event.impl.result(ev, args);
    }

    // __call runs the RPC method with the given index.
    async __call(index, args) {
      return objectEvents.get("call").impl.result(await dispatchCall(this, index, args));
    }

    // __godurableCall is how Go callers reach a Go object: the result or
    // error comes back as the MessagePack Go wrote, with nothing lost.
    async __godurableCall(jsName, args) {
      const index = runtime.methodIndex.get(this.__godurable.class)?.get(jsName);
      if (index === undefined) {
        const err = { name: "TypeError", message: `The RPC receiver does not implement the method "${jsName}".` };
        return { status: ABI.StatusError, payload: encode(err) };
      }
      const ev = await dispatchCall(this, index, args);
      // A stream result crosses as a ReadableStream beside it; a result
      // that can hold stubs (abi.Method.Stubs) as a value, so that workerd
      // passes them on: a handle would mean nothing to the caller.
      if (ev.status === ABI.StatusOK && isStreamResult(ev.payload)) return { status: ev.status, payload: ev.payload, stream: ev.stream(0).readable() };
      if (ev.status === ABI.StatusOK && ev.payload.length > 0 && runtime.stubResults.get(this.__godurable.class).has(jsName)) {
        return { status: ev.status, decoded: true, value: exactDecoder.decode(ev.payload) };
      }
      return { status: ev.status, payload: ev.payload };
    }
  }

  // The Worker's handlers are called with the event's arguments, then env
  // and ctx.
  const worker = {};
  for (const name of manifest.worker) {
    worker[name] = (...args) => runtime.workerEvent(name, args.slice(0, -2), args.at(-2), args.at(-1));
  }
  if (!worker.fetch) {
    worker.fetch = () => new Response("godurable: this module registers no Worker handler (worker.Handle)\n", { status: 404 });
  }

  return { GoDurableObject, worker, runtime };
}
