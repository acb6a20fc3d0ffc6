// Outbound WebSockets: a socket the Worker or an object opened itself with
// fetch, used by the event that opened it.

define(SYNC_OPS, {
  "socket.connect": (rt, req) => {
    const ev = rt.instance.events.get(req.event);
    const ws = ev?.upgrades.get(req.upgrade);
    if (!ws) throw new TypeError("godurable: no upgraded response of this event has that WebSocket");
    ev.upgrades.delete(req.upgrade);
    return encode(connectOutbound(rt, ws));
  },
  "socket.send": (rt, req) => {
    outboundSocket(rt, req.socket).ws.send(req.isText ? req.text ?? "" : req.binary ?? EMPTY);
    return EMPTY;
  },
  "socket.close": (rt, req) => {
    closeSocket(outboundSocket(rt, req.socket).ws, req);
    return EMPTY;
  },
});

define(ASYNC_OPS_IMPL, {
  "socket.receive": async (rt, req) => encode(await outboundSocket(rt, req.socket).receive()),
});

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

// connectOutbound starts reading ws, and returns the ID Go names it by.
function connectOutbound(rt, ws) {
  const id = randomID();
  rt.sockets.set(id, new OutboundSocket(ws));
  return id;
}

// outboundSocket returns the outbound socket with the given ID; once it has
// closed and Go has received all of it, it is forgotten.
function outboundSocket(rt, id) {
  const s = rt.sockets.get(id);
  if (!s) throw new Error(`godurable: no outbound WebSocket ${id}; it has closed`);
  if (s.closed && s.queue.length === 0) rt.sockets.delete(id); // after this, it is gone
  return s;
}
