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

// ObjectRecord is what the runtime keeps of a Durable Object: its ctx and
// the sockets it has seen since it woke, by ID (features/websockets.js).
class ObjectRecord {
  constructor(ctx) {
    this.ctx = ctx;
    this.storage = ctx.storage;
    this.sockets = new Map();
  }
}

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
    this.sockets = new Map(); // outbound socket ID -> OutboundSocket (features/sockets.js)
    this.bodies = new BodyReaders();
    this.dropped = [];
    this.goBindings = new Map(); // binding name -> whether its objects are Go objects (features/stubs.js)
    this.kept = new Map(); // handle -> { stub, isGo }: the stubs that reached the Go instance (ABI.ExtStub)
    this.nextKept = 0;
    stubRuntime = this;
    this.methodIndex = new Map(); // class -> Map(JS method name -> index)
    this.stubResults = new Map(); // class -> the JS names of its methods whose results can hold stubs
    // Classes and entrypoints by name: they are the module's exports, so
    // no two have the same (the default export's entrypoint is "").
    for (const c of [...manifest.classes, ...(manifest.entrypoints ?? [])]) {
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

  hostCall(code, handle, reqBytes) {
    const op = syncOps.get(code);
    if (op === undefined) throw new TypeError(`godurable: unknown host call ${code}`);
    // A raw request is a view of Go's memory, valid during the call only.
    const req = op.raw ? reqBytes : reqBytes.length > 0 ? decode(reqBytes) : undefined;
    return op.impl(this, req, op.object ? this.object(handle) : undefined);
  }

  startOp(code, ev, reqBytes) {
    const op = asyncOps.get(code);
    if (op === undefined) throw new TypeError(`godurable: unknown async operation ${code}`);
    const req = op.raw ? reqBytes : reqBytes.length > 0 ? decode(reqBytes) : undefined;
    return op.impl(this, req, op.object ? this.object(ev.object) : undefined, ev);
  }

  // workerEvent runs a handler of the Worker: of its default export, or,
  // with arg, what arg names (a named entrypoint's, a method: see
  // ABI's events). The event's props are ctx.props.
  workerEvent(name, args, env, ctx, arg = 0) {
    return andThen(this.dispatchWorker(name, args, env, ctx, arg), (ev) => workerEvents.get(name).impl.result(ev, args));
  }

  // dispatchWorker runs a handler of the Worker as workerEvent does, and
  // returns the finished event (or a Promise of it: Instance.dispatch).
  dispatchWorker(name, args, env, ctx, arg) {
    const event = workerEvents.get(name);
    const readers = [];
    const waitUntil = ctx && ((promise) => ctx.waitUntil(promise));
    return andThen(event.impl.payload(args, null, this.bodies, readers), (payload) =>
      this.getInstance(env).dispatch(event.kind, null, arg, payload, event.impl.signal?.(args), waitUntil, readers, ctx?.props),
    );
  }

  // goReply is what __godurableCall returns of ev, a call of jsName of
  // the class or entrypoint called name: the result or error as Go wrote
  // it, with nothing lost. A stream result crosses as a ReadableStream
  // beside it; a result that can hold stubs (abi.Method.Stubs) as a
  // value, so that workerd passes them on: a handle would mean nothing to
  // the caller.
  goReply(name, jsName, ev) {
    if (ev.status === ABI.StatusOK && isStreamResult(ev.payload)) return { status: ev.status, payload: ev.payload, stream: ev.stream(0).readable() };
    if (ev.status === ABI.StatusOK && ev.payload.length > 0 && this.stubResults.get(name).has(jsName)) {
      return { status: ev.status, decoded: true, value: exactDecoder.decode(ev.payload) };
    }
    return { status: ev.status, payload: ev.payload };
  }

  // noMethod is __godurableCall's reply for a method that name lacks.
  noMethod(name, jsName) {
    const index = this.methodIndex.get(name)?.get(jsName);
    if (index !== undefined) return null;
    const err = { name: "TypeError", message: `The RPC receiver does not implement the method "${jsName}".` };
    return { status: ABI.StatusError, payload: encode(err) };
  }
}

const EMPTY_LIST = Object.freeze([]);

// createRuntime returns the Durable Object base class and the Worker's
// default export for a module and its manifest.
export function createRuntime(module, manifest) {
  const runtime = new Runtime(module, manifest);

  // dispatchCall runs RPC method index of obj, a GoDurableObject, with
  // args; their streams are the event's readers. It returns the finished
  // event, or a Promise of it (Instance.dispatch).
  function dispatchCall(obj, index, args) {
    const event = objectEvents.get("call");
    const readers = [];
    // The payload is a Promise only when a body must be read first.
    return andThen(event.impl.payload(args, null, runtime.bodies, readers), (payload) =>
      runtime.getInstance(obj.env).dispatch(event.kind, obj.__godurable, index, payload, undefined, obj.__waitUntil, readers),
    );
  }

  class GoDurableObject extends DurableObject {
    constructor(ctx, env) {
      super(ctx, env);
      const handle = runtime.registerObject(this, ctx);
      this.__godurable = { handle, class: new.target.goClass, id: ctx.id.toString(), name: ctx.id.name ?? "" };
      this.__waitUntil = (promise) => ctx.waitUntil(promise);
    }

    // __event runs the handler of a capability (fetch, alarm, ...). Its
    // answer is a Promise only when something had to be awaited.
    __event(name, args) {
      const event = objectEvents.get(name);
      const readers = [];
      const dispatched = andThen(event.impl.payload(args, runtime.object(this.__godurable.handle), runtime.bodies, readers), (payload) =>
        runtime.getInstance(this.env).dispatch(event.kind, this.__godurable, 0, payload, event.impl.signal?.(args), this.__waitUntil, readers),
      );
      return andThen(dispatched, (ev) => event.impl.result(ev, args));
    }

    // __call runs the RPC method with the given index.
    __call(index, args) {
      return andThen(dispatchCall(this, index, args), (ev) => objectEvents.get("call").impl.result(ev));
    }

    // __godurableABI marks a godurable object to its callers (stubCall):
    // the ABI version it speaks.
    __godurableABI() {
      return ABI.Version;
    }

    // __godurableCall is how Go callers reach a Go object: the result or
    // error comes back as the MessagePack Go wrote, with nothing lost.
    __godurableCall(jsName, args) {
      const name = this.__godurable.class;
      const missing = runtime.noMethod(name, jsName);
      if (missing) return missing;
      return andThen(dispatchCall(this, runtime.methodIndex.get(name).get(jsName), args), (ev) => runtime.goReply(name, jsName, ev));
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

  const GoWorkerEntrypoint = entrypointClass(runtime, worker);

  return { GoDurableObject, GoWorkerEntrypoint, worker, runtime };
}
