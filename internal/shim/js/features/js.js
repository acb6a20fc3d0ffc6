// JavaScript values Go holds by reference (package jsbridge: ABI.ExtJSValue),
// in the Runtime's table of kept values, which stubs share. Every
// operation runs synchronously, in the I/O context Go entered for it; a
// result that is a promise is kept (ABI.ExtJSPromise) and Go awaits it
// with js.await, in its event's loop.

// keepValue keeps a value Go holds by reference and returns its handle;
// keptValue returns it, and takeValue forgets it too.
function keepValue(rt, v) {
  const handle = ++rt.nextKept;
  rt.kept.set(handle, { stub: v, isGo: undefined });
  return handle;
}

function keptValue(rt, handle) {
  const k = rt.kept.get(handle);
  if (!k) throw withCode(new Error("godurable: the Go instance no longer holds this value"), ABI.CodeReleased);
  return k.stub;
}

function takeValue(rt, handle) {
  const v = keptValue(rt, handle);
  rt.kept.delete(handle);
  return v;
}

function withCode(err, code) {
  err.code = code;
  return err;
}

// refBytes is the value kept under handle, by reference.
function refBytes(handle, type = ABI.ExtJSValue) {
  return encode(new ExtData(type, uintBytes(handle)));
}

function isThenable(v) {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";
}

// jsArgs decodes the arguments of a call or a construction: a
// StreamRef that Go writes becomes a ReadableStream of its event.
function jsArgs(rt, req) {
  if (!req.args || req.args.length === 0) return [];
  const ev = rt.instance.events.get(req.event);
  return decode(req.args).map((a) => (a instanceof StreamRef && a.writer && ev ? ev.stream(a.writer).readable() : a));
}

// jsResult encodes the result of a synchronous operation for Go, as
// req.as says; a promise, or a result whose encoding must wait (a
// Response's body to read), is kept for js.await instead.
function jsResult(rt, v, req) {
  if (isThenable(v)) return refBytes(keepValue(rt, { promise: v, as: req.as }), ABI.ExtJSPromise);
  if (req.as === ABI.JSAsResponse && v instanceof Response) {
    return refBytes(keepValue(rt, { promise: Promise.resolve(v), as: req.as }), ABI.ExtJSPromise);
  }
  const out = encodeResult(rt, v, req.as, rt.instance.events.get(req.event));
  return out instanceof Promise ? refBytes(keepValue(rt, { promise: out, as: -1 }), ABI.ExtJSPromise) : out;
}

// jsSettled encodes what a promise kept by jsResult settled with.
async function jsSettled(rt, kept, ev) {
  const v = await kept.promise;
  return kept.as === -1 ? v : encodeResult(rt, v, kept.as, ev); // -1: encoded already
}

// encodeResult encodes v for Go as as says: the bytes, or a promise of
// them.
function encodeResult(rt, v, as, ev) {
  switch (as ?? 0) {
    case ABI.JSAsHandle:
      return v === undefined || v === null ? encode(null) : refBytes(keepValue(rt, v));
    case ABI.JSAsResponse:
      if (v === undefined || v === null) return EMPTY;
      if (!(v instanceof Response)) throw new TypeError(`godurable: the result is a ${Object.prototype.toString.call(v).slice(8, -1)}, not a Response`);
      return responseToGo(v, ev, rt.bodies);
  }
  if (v === undefined) return EMPTY;
  if (v instanceof ReadableStream) return encode(streamToGo(v, rt.bodies, ev ? ev.readers : []));
  return encodeForGo(v);
}

// jsCallable finds what js.call calls: a method of the target, or the
// target itself.
function jsCallable(target, name) {
  const fn = name ? target?.[name] : target;
  if (typeof fn !== "function") {
    const what = name ? `${Object.prototype.toString.call(target).slice(8, -1)}.${name}` : "the value";
    throw withCode(new TypeError(`${what} is not a function`), ABI.CodeNoMethod);
  }
  return fn;
}

// jsError makes workerd's refusal of another request's I/O object
// recognizable by its code.
function jsError(err) {
  if (err instanceof Error && !err.code && String(err.message).startsWith("Cannot perform I/O on behalf of a different")) err.code = ABI.CodeOtherContext;
  return err;
}

function jsOp(fn) {
  return (rt, req, o, ev) => {
    try {
      return fn(rt, req, o, ev);
    } catch (err) {
      throw jsError(err);
    }
  };
}

define(SYNC_OPS, {
  "js.binding": (rt, name) => {
    const v = rt.env?.[name];
    if (v === undefined || v === null) throw withCode(new TypeError(`godurable: the environment has no binding ${name}`), ABI.CodeNoBinding);
    return refBytes(keepValue(rt, v));
  },
  "js.global": (rt, name) => {
    if (name.includes(":")) {
      // A module's specifier (jsbridge.Module): its namespace.
      if (!Object.hasOwn(MODULES, name)) throw new TypeError(`godurable: the shim imports no module ${name}; it imports ${Object.keys(MODULES).join(", ")}`);
      return refBytes(keepValue(rt, MODULES[name]));
    }
    if (!(name in globalThis)) throw new ReferenceError(`${name} is not defined`);
    return refBytes(keepValue(rt, globalThis[name]));
  },
  "js.get": jsOp((rt, req) => jsResult(rt, keptValue(rt, req.target)[req.name], req)),
  "js.set": jsOp((rt, req) => {
    keptValue(rt, req.target)[req.name] = req.args && req.args.length > 0 ? decode(req.args) : undefined;
    return EMPTY;
  }),
  "js.call": jsOp((rt, req) => {
    const target = keptValue(rt, req.target);
    const fn = jsCallable(target, req.name);
    // Reflect.apply: an RPC stub's fn.apply would be a call of its
    // method "apply".
    return jsResult(rt, Reflect.apply(fn, req.name ? target : undefined, jsArgs(rt, req)), req);
  }),
  "js.new": jsOp((rt, req) => {
    const C = keptValue(rt, req.target);
    if (typeof C !== "function") throw new TypeError(`${Object.prototype.toString.call(C).slice(8, -1)} is not a constructor`);
    return jsResult(rt, new C(...jsArgs(rt, req)), req);
  }),
  "js.type": (rt, req) => {
    const v = keptValue(rt, req.target);
    const out = { type: typeof v };
    const ctor = v !== null && (typeof v === "object" || typeof v === "function") ? Object.getPrototypeOf(v)?.constructor?.name : undefined;
    if (ctor) out.class = ctor;
    if (Array.isArray(v)) out.array = true;
    return encode(out);
  },
});

define(ASYNC_OPS_IMPL, {
  "js.await": async (rt, req, o, ev) => {
    try {
      return await jsSettled(rt, takeValue(rt, req.promise), ev);
    } catch (err) {
      throw jsError(err);
    }
  },
});
