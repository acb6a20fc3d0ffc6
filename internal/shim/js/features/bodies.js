// The operations on bodies that stream: from Go (BodyStream, an event's
// streams) and into Go (BodyReaders, the runtime's).

define(SYNC_OPS, {
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
});

define(ASYNC_OPS_IMPL, {
  "body.read": (rt, id) => rt.bodies.read(id),
  "body.drain": async (rt, req) => {
    const body = rt.instance.events.get(req.event)?.bodies.get(req.stream ?? 0);
    return encode(body ? await body.drain() : true);
  },
});
