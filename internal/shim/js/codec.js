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
// one that reaches Go is kept, and named by its handle (keepStub).
extensions.register({ type: ABI.ExtStub, encode: () => null, decode: (data) => stubOf(stubRuntime, refDecoder.decode(data)) });
// A JavaScript value Go holds by reference crosses as ABI.ExtJSValue, its
// handle in the same table as stubs (features/js.js).
extensions.register({ type: ABI.ExtJSValue, encode: () => null, decode: (data) => keptValue(stubRuntime, refDecoder.decode(data)) });
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
  return (v !== null && typeof v === "object") || typeof v === "bigint" || typeof v === "function";
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
// form for into ones it has, for Go: an ArrayBuffer becomes a Uint8Array,
// a Map with string keys an object (any other Map, a list of [key, value]
// pairs), a Set a list (the encoder would write the three as empty maps),
// a bigint beyond 64 bits an ABI.ExtBigInt, Headers an ABI.ExtHeaders, a
// Request or a Response an ABI.ExtRequest or ExtResponse whose data is
// filled in once its body is read (the reads are added to reads: see
// encodeForGo), a Durable Object stub an ABI.ExtStub of the handle the
// runtime keeps it under, and another value that is not plain data (a
// class instance, a function) an ABI.ExtJSValue of its handle; without
// reads (a value being stored) the last ones are refused.
function plainValue(v, reads) {
  if (typeof v === "bigint") return v >= INT64_MIN && v <= UINT64_MAX ? v : new ExtData(ABI.ExtBigInt, textEncoder.encode(v.toString()));
  if (typeof v === "function") {
    if (!reads) throw new TypeError("godurable: a function cannot be stored");
    return new ExtData(ABI.ExtJSValue, uintBytes(keepValue(stubRuntime, v)));
  }
  if (v instanceof ArrayBuffer) return new Uint8Array(v); // the encoder would write an ArrayBuffer as an empty map
  if (v === null || typeof v !== "object" || v instanceof ExtData || ArrayBuffer.isView(v) || v instanceof Date) return v;
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
    if (type === "DurableObject" || type === "Fetcher") return new ExtData(ABI.ExtStub, uintBytes(keepStub(stubRuntime, v)));
    // An RpcTarget, a class instance, a stream: MessagePack would write
    // its own enumerable properties, nothing of what it is. It crosses by
    // reference (jsbridge), unless it is being stored.
    if (!reads) throw new TypeError(`godurable: a value of type ${type} cannot be stored`);
    return new ExtData(ABI.ExtJSValue, uintBytes(keepValue(stubRuntime, v)));
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
