// Durable Object IDs, namespaces and stubs: fetch and RPC calls to other
// objects, and the stubs the runtime keeps for Go.

define(SYNC_OPS, {
  "id.fromName": (rt, req) => encodeID(namespaceOf(rt, req.binding, req.jurisdiction).idFromName(req.name ?? "")),
  "id.fromString": (rt, req) => encodeID(namespaceOf(rt, req.binding, req.jurisdiction).idFromString(req.id ?? "")),
  "id.newUnique": (rt, req) => {
    const ns = namespaceOf(rt, req.namespace.binding, req.namespace.jurisdiction);
    return encodeID(req.jurisdiction ? ns.newUniqueId({ jurisdiction: req.jurisdiction }) : ns.newUniqueId());
  },
  "ns.jurisdiction": (rt, req) => {
    namespaceOf(rt, req.binding, req.jurisdiction);
    return EMPTY;
  },
  "stub.release": (rt, handles) => {
    for (const h of handles) rt.kept.delete(h);
    return EMPTY;
  },
});

define(ASYNC_OPS_IMPL, {
  "stub.fetch": (rt, req, o, ev) => sendRequest(ev, req.request, (request) => stubOf(rt, req.target).fetch(request), rt.bodies),
  "stub.call": (rt, req, o, ev) => stubCall(rt, req, ev),
});

// encodeID encodes a DurableObjectId as abi.ObjectID.
function encodeID(id) {
  const m = { id: id.toString() };
  if (id.name !== undefined) m.name = id.name;
  if (id.jurisdiction) m.jurisdiction = id.jurisdiction;
  return encode(m);
}

// namespaceOf returns the namespace bound as binding, or its sub-namespace
// of a jurisdiction (which local workerd refuses).
function namespaceOf(rt, binding, jurisdiction) {
  const ns = rt.env?.[binding];
  if (!ns || typeof ns.idFromName !== "function") {
    throw new TypeError(`godurable: ${binding} is not a Durable Object namespace binding`);
  }
  return jurisdiction ? ns.jurisdiction(jurisdiction) : ns;
}

// stubOf returns the stub of ns.get(id, {locationHint}). An ID crosses as
// its string and, when it has one, its name: by name, the object gets
// ctx.id.name as with getByName; both must agree, which refuses an ID
// made by another namespace as idFromString would. A handle names a
// stub kept for Go instead, and a service a service binding.
function stubOf(rt, target) {
  if (target.handle) return keptStub(rt, target.handle).stub;
  if (target.service) return serviceOf(rt, target.binding); // features/services.js
  const ns = namespaceOf(rt, target.binding, target.jurisdiction);
  let id;
  if (target.name !== undefined || !target.id) {
    id = ns.idFromName(target.name ?? "");
    if (target.id && id.toString() !== target.id) throw new TypeError("Durable Object ID is not valid for this namespace.");
  } else {
    id = ns.idFromString(target.id);
  }
  return target.locationHint ? ns.get(id, { locationHint: target.locationHint }) : ns.get(id);
}

// keepStub keeps a stub that reaches Go, and returns its handle.
function keepStub(rt, stub) {
  const handle = ++rt.nextKept;
  rt.kept.set(handle, { stub, isGo: undefined });
  return handle;
}

// keptStub returns what the runtime keeps under handle for Go.
function keptStub(rt, handle) {
  const k = rt.kept.get(handle);
  if (!k) throw new Error("godurable: the Go instance no longer holds this stub");
  return k;
}

// isGoTarget reports whether target's objects are known to be Go objects
// (undefined: not known yet); setGoTarget records it.
function isGoTarget(rt, target) {
  return target.handle ? keptStub(rt, target.handle).isGo : rt.goBindings.get(target.binding);
}

// setGoTarget records whether target's objects are Go objects.
function setGoTarget(rt, target, isGo) {
  if (target.handle) keptStub(rt, target.handle).isGo = isGo;
  else rt.goBindings.set(target.binding, isGo);
}

// stubCall calls an RPC method. A godurable object is called through its
// __godurableCall method, which returns the Go result or error as it
// came from Go, so that a Go caller gets the error's name and code, which
// Workers RPC would drop; any other object is called as JS would.
async function stubCall(rt, req, ev) {
  const stub = stubOf(rt, req.target);
  // An io.Reader argument is a ReadableStream of what Go writes.
  const args = (req.args ?? []).map((a) => (a instanceof StreamRef && a.writer ? ev.stream(a.writer).readable() : a));
  if (isGoTarget(rt, req.target) !== false) {
    let reply;
    try {
      reply = await stub.__godurableCall(req.method, args);
    } catch (err) {
      if (isGoTarget(rt, req.target) || (await isGodurable(stub, err))) throw err; // a Go object that failed
      setGoTarget(rt, req.target, false); // not a Go object: nothing ran
    }
    if (reply) {
      setGoTarget(rt, req.target, true);
      if (reply.status !== ABI.StatusOK) throw toJSError(decode(reply.payload));
      if (reply.stream) return encode(streamToGo(reply.stream, rt.bodies, ev.readers, decode(reply.payload).lines));
      return reply.decoded ? encodeForGo(reply.value) : reply.payload;
    }
  }
  const result = await stub[req.method](...args);
  if (result instanceof ReadableStream) return encode(streamToGo(result, rt.bodies, ev.readers));
  return result === undefined ? EMPTY : encodeForGo(result);
}

// isGodurable asks an object whose __godurableCall threw err whether it
// is a godurable object (its __godurableABI answers the ABI version): only
// then was the error the call's own. An object that has neither method is
// another object (an RPC call of a missing method rejects with a
// TypeError, and nothing ran); when the question itself fails otherwise,
// the object is taken for a godurable one, so that nothing runs twice.
async function isGodurable(stub, err) {
  try {
    return typeof (await stub.__godurableABI()) === "number";
  } catch (probeErr) {
    return !(err instanceof TypeError && probeErr instanceof TypeError);
  }
}
