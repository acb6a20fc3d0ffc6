// Hibernatable WebSockets: ctx.acceptWebSocket and the rest of the
// hibernation API, and the events of their sockets.

define(SYNC_OPS, {
  "ws.accept": (rt, req, o) => {
    const ev = rt.instance.events.get(req.event);
    if (!ev) throw new Error("godurable: ws.Accept outside the fetch event of its request");
    const [client, server] = Object.values(new WebSocketPair());
    const id = crypto.getRandomValues(new Uint8Array(SOCKET_ID_BYTES));
    const stored = concat(id, req.attachment);
    server.serializeAttachment(stored); // refuses one too large before the socket is accepted
    o.ctx.acceptWebSocket(server, req.tags ?? []);
    const sid = hex(id);
    socketStates.set(server, new SocketState(sid, stored));
    o.sockets.set(sid, server);
    ev.upgrades.set(sid, client);
    return encode(sid);
  },
  "ws.send": (rt, frame, o) => {
    const n = 2 + frame[1];
    const data = frame.subarray(n);
    objectSocket(o, frameSocket(frame)).send(frame[0] & ABI.WSFrameText ? textDecoder.decode(data) : data.slice());
    return EMPTY;
  },
  "ws.close": (rt, req, o) => {
    closeSocket(objectSocket(o, req.socket), req);
    return EMPTY;
  },
  "ws.list": (rt, req, o) => encode(o.ctx.getWebSockets(req.tag || undefined).map((ws) => adoptSocket(o, ws))),
  "ws.tags": (rt, req, o) => encode(o.ctx.getTags(objectSocket(o, req.socket))),
  "ws.attachment": (rt, req, o) => socketState(objectSocket(o, req.socket)).stored.subarray(SOCKET_ID_BYTES),
  "ws.setAttachment": (rt, req, o) => {
    const ws = objectSocket(o, req.socket);
    const state = socketState(ws);
    const stored = concat(state.stored.subarray(0, SOCKET_ID_BYTES), req.attachment);
    ws.serializeAttachment(stored);
    state.stored = stored;
    return EMPTY;
  },
  "ws.readyState": (rt, req, o) => encode(objectSocket(o, req.socket).readyState),
  "ws.setAutoResponse": (rt, req, o) => {
    if (!req.request && !req.response) o.ctx.setWebSocketAutoResponse();
    else o.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(req.request, req.response));
    return EMPTY;
  },
  "ws.autoResponse": (rt, req, o) => {
    const p = o.ctx.getWebSocketAutoResponse();
    return encode(p ? { request: p.request, response: p.response } : null);
  },
  "ws.autoResponseTime": (rt, req, o) => encode(o.ctx.getWebSocketAutoResponseTimestamp(objectSocket(o, req.socket))?.getTime() ?? null),
  "ws.setEventTimeout": (rt, req, o) => {
    if (req == null) o.ctx.setHibernatableWebSocketEventTimeout();
    else o.ctx.setHibernatableWebSocketEventTimeout(req);
    return EMPTY;
  },
  "ws.eventTimeout": (rt, req, o) => encode(o.ctx.getHibernatableWebSocketEventTimeout() ?? null),
  // One message to many sockets: the bytes cross from Go once, and a
  // socket's ID is read only when some are left out.
  "ws.broadcast": (rt, frame, o) => {
    // An ABI WSBroadcastFrame: flags, the tag, the sockets left out, the message.
    const r = new LayoutReader(frame);
    r.i = 1;
    const tag = r.string() || undefined;
    const n = r.count();
    const except = n > 0 ? new Set() : null;
    for (let i = 0; i < n; i++) except.add(r.string());
    const bytes = frame.subarray(r.i);
    const data = frame[0] & ABI.WSFrameText ? textDecoder.decode(bytes) : bytes.slice();
    let sent = 0;
    for (const ws of o.ctx.getWebSockets(tag)) {
      if (ws.readyState !== 1 || (except && except.has(socketID(ws)))) continue;
      ws.send(data);
      sent++;
    }
    return sent < 128 ? Uint8Array.of(sent) : encode(sent); // a positive fixint, as encode writes it
  },
});

define(OBJECT_EVENTS, {
  webSocketMessage: {
    payload: ([ws, message], o) => messageFrame(adoptSocket(o, ws), message),
    result: (ev) => {
      ev.result();
    },
  },
  webSocketClose: {
    payload: ([ws, code, reason, wasClean], o) => encode({ socket: adoptSocket(o, ws), code, reason, wasClean }),
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
    payload: ([ws, error], o) => encode({ socket: adoptSocket(o, ws), error: fromJSError(error) }),
    result: (ev) => {
      ev.result();
    },
  },
});

// A hibernatable socket's attachment starts with its ID, so that the same
// socket has the same ID after the object hibernates; Go's attachment
// follows. The shim is the only writer of a socket's attachment, so it
// keeps what it stored beside the WebSocket object and reads it back
// without deserializeAttachment (a structured clone: ws.attachment took
// 8-10 µs of a chat message's profile, 2 without it; bench/PROFILE.md): a
// WebSocket object that workerd hands out after hibernation is new, and
// is read afresh.
const SOCKET_ID_BYTES = 16;
const socketStates = new WeakMap(); // WebSocket -> SocketState

class SocketState {
  constructor(id, stored) {
    this.id = id; // the ID in hex
    this.stored = stored; // what serializeAttachment was given: the ID's bytes, then Go's attachment
  }
}

function socketState(ws) {
  let state = socketStates.get(ws);
  if (state === undefined) {
    const stored = ws.deserializeAttachment();
    state = new SocketState(hex(stored.subarray(0, SOCKET_ID_BYTES)), stored);
    socketStates.set(ws, state);
  }
  return state;
}

function socketID(ws) {
  return socketState(ws).id;
}

// A hibernatable socket's messages cross as an ABI WSFrame, not as
// MessagePack: a byte of flags, the socket ID's length and the ID, then
// the message's bytes, written once.
const FRAME_INTO_MAX = 1 << 16; // text up to this many UTF-16 units is encoded in place

function messageFrame(id, message) {
  const head = 2 + id.length;
  let frame;
  if (typeof message === "string") {
    if (message.length <= FRAME_INTO_MAX) {
      frame = new Uint8Array(head + 3 * message.length);
      frame = frame.subarray(0, head + textEncoder.encodeInto(message, frame.subarray(head)).written);
    } else {
      const data = textEncoder.encode(message);
      frame = new Uint8Array(head + data.length);
      frame.set(data, head);
    }
    frame[0] = ABI.WSFrameText;
  } else {
    frame = new Uint8Array(head + message.byteLength);
    frame.set(new Uint8Array(message), head);
  }
  frame[1] = id.length;
  for (let i = 0; i < id.length; i++) frame[2 + i] = id.charCodeAt(i);
  return frame;
}

function frameSocket(frame) {
  return decodeText(frame.subarray(2, 2 + frame[1]));
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

// adoptSocket records ws among the sockets of the object o, and returns its ID.
function adoptSocket(o, ws) {
  const id = socketID(ws);
  o.sockets.set(id, ws);
  return id;
}

// objectSocket returns the socket of the object o with the given ID.
function objectSocket(o, id) {
  let ws = o.sockets.get(id);
  if (ws === undefined) {
    for (const s of o.ctx.getWebSockets()) adoptSocket(o, s); // after hibernation
    ws = o.sockets.get(id);
  }
  if (ws === undefined) throw new Error(`godurable: the object has no WebSocket ${id}; it has closed`);
  return ws;
}
