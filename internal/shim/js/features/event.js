// The operations on an event in flight: keep it alive after its result
// (ctx.waitUntil), resume Go in its I/O context, sleep in it.

define(SYNC_OPS, {
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
});

define(ASYNC_OPS_IMPL, {
  "timer.sleep": (rt, ms) => new Promise((resolve) => setTimeout(() => resolve(EMPTY), ms)),
  // Started in the event's own I/O context (its loop), it settles there:
  // Go carries on on the event's behalf.
  "event.enter": () => Promise.resolve(EMPTY),
});
