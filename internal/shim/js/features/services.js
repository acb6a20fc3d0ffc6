// Service bindings and the Worker's entrypoints: a stub of a service
// binding (StubTarget.service) is the binding itself, a Fetcher; an RPC
// call of an entrypoint's method is a Worker event (EVENTS.worker.call),
// as a Durable Object's is an object event; a Worker's event has the
// props of ctx.props.

define(WORKER_EVENTS, {
  call: OBJECT_EVENTS.call,
});

define(SYNC_OPS, {
  "event.props": (rt, id) => {
    const ev = rt.instance.events.get(id);
    if (!ev) throw new Error("godurable: Props: the event has already finished");
    return ev.props === undefined ? EMPTY : encodeForGo(ev.props);
  },
});

// serviceOf returns the service binding called binding (Go checked its
// kind: any property of a Fetcher is an RPC method, so none tells).
function serviceOf(rt, binding) {
  const svc = rt.env?.[binding];
  if (!svc) throw new TypeError(`godurable: the environment has no binding ${binding}`);
  return svc;
}

// entrypointClass returns the base class of the entrypoints that the entry
// module declares, one per entry of manifest.entrypoints (the default
// export's too, if it has RPC methods): each says its index there as
// goEntrypoint, and has a method per RPC method, which calls __call.
function entrypointClass(runtime, worker) {
  return class GoWorkerEntrypoint extends WorkerEntrypoint {
    get __entry() {
      return runtime.manifest.entrypoints[this.constructor.goEntrypoint];
    }

    // __event runs a handler of the entrypoint (fetch): the default
    // export's are the Worker's.
    __event(name, args) {
      if (this.__entry.name === "") return worker[name](...args, this.env, this.ctx);
      return runtime.workerEvent(name, args, this.env, this.ctx, this.constructor.goEntrypoint + 1);
    }

    // __call runs the RPC method with the given index.
    __call(index, args) {
      return runtime.workerEvent("call", args, this.env, this.ctx, this.__arg(index));
    }

    // __godurableABI and __godurableCall are how Go callers know and
    // reach a Go entrypoint, as a Go object (runtime.js).
    __godurableABI() {
      return ABI.Version;
    }

    __godurableCall(jsName, args) {
      const name = this.__entry.name;
      const missing = runtime.noMethod(name, jsName);
      if (missing) return missing;
      const ev = runtime.dispatchWorker("call", args, this.env, this.ctx, this.__arg(runtime.methodIndex.get(name).get(jsName)));
      return andThen(ev, (ev) => runtime.goReply(name, jsName, ev));
    }

    // __arg is the event's arg of a call of the method with the given
    // index (abi.EntrypointArg).
    __arg(index) {
      return ((this.constructor.goEntrypoint << 16) | index) >>> 0;
    }
  };
}
