// The JavaScript twin of examples/chat, for the benchmarks: chat rooms, one
// Durable Object per room name, holding their members' WebSockets with the
// hibernation API, written the way a JavaScript developer would write it.
// The contract is the Go room's (examples/chat/chat.go):
//
//	GET /rooms/{room}/ws?name={name}   (Upgrade: websocket) 101; 426 without the upgrade;
//	                                   400 for an empty name or one over 32 characters
//	GET /rooms/{room}/history          200 the last 100 "said" messages, oldest first
//	GET /rooms/{room}/members          200 the names connected, in join order
//
//	server -> new member  {"history":[last 50 said],"members":[...,"me"],"room":"r","type":"welcome"}
//	server -> the others  {"name":"me","type":"joined"}
//	{"type":"say","text":"hi"}                -> everyone {"type":"said","name":"me","text":"hi","seq":1}
//	{"type":"whisper","to":"bo","text":"psst"} -> bo's sockets {"from":"me","text":"psst","type":"whispered"}
//	a socket closes                            -> the others {"name":"me","type":"left"}
//	anything else                              -> the sender {"error":"...","type":"error"}
//
// The messages are the Go room's bytes: Go's encoding/json writes a map's
// keys sorted and a struct's fields in their order (a said message is the
// Go struct Said), so the objects here are built in those orders, and it
// escapes <, >, & and U+2028/U+2029, which goJSON does too. The one
// difference: a malformed message's error carries V8's parser message where
// the Go room has encoding/json's.
//
// Storage is the Go room's: the SQLite table said(seq AUTOINCREMENT, name,
// text) and the join counter in ctx.storage.kv under "joins" (a number
// here, MessagePack bytes in Go); a socket's attachment is {name, seq}, its
// tag the member's name. "ping" is answered "pong" by workerd itself.
import { DurableObject } from "cloudflare:workers";

const MAX_NAME = 32; // characters
const MAX_TEXT = 1000; // characters
const WELCOME_LEN = 50;
const HISTORY_LEN = 100;

// goJSON is JSON.stringify with the escapes of Go's encoding/json.
function goJSON(value) {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

// json answers like the Go room's writeJSON: JSON and a newline.
function json(status, value) {
  return new Response(goJSON(value) + "\n", { status, headers: { "content-type": "application/json" } });
}

// chars counts Unicode code points, as Go's utf8.RuneCountInString.
function chars(s) {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// send sends a message; a socket that has gone is no error of the room.
function send(ws, text) {
  try {
    ws.send(text);
  } catch {}
}

class BadMessage extends Error {}

export class ChatRoomJS extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS said (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, text TEXT NOT NULL)`);
  }

  async fetch(request) {
    const url = new URL(request.url);
    const m = url.pathname.match(/^\/rooms\/([^/]+)\/(ws|history|members)$/);
    if (!m) return new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method Not Allowed\n", { status: 405, headers: { "content-type": "text/plain; charset=utf-8", allow: "GET, HEAD" } });
    }
    if (m[2] === "history") return json(200, this.history(HISTORY_LEN));
    if (m[2] === "members") return json(200, this.members());
    return this.join(request, decodeURIComponent(m[1]), url.searchParams.get("name") ?? "");
  }

  // join accepts a member's socket.
  join(request, room, name) {
    if (request.method !== "GET") {
      return json(426, { error: `ws: not a WebSocket upgrade: the method is ${request.method}, not GET` });
    }
    if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
      return json(426, { error: 'ws: not a WebSocket upgrade: the request has no "Upgrade: websocket" header' });
    }
    const n = chars(name);
    if (n === 0 || n > MAX_NAME) return json(400, { error: `name must be 1 to ${MAX_NAME} characters, got ${n}` });
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    const seq = (this.ctx.storage.kv.get("joins") ?? 0) + 1;
    this.ctx.storage.kv.put("joins", seq);
    const others = this.ctx.getWebSockets();
    // The name is the socket's tag, for whispers, and its attachment, for
    // the member list: both survive hibernation.
    const [client, server] = Object.values(new WebSocketPair());
    server.serializeAttachment({ name, seq });
    this.ctx.acceptWebSocket(server, [name]);
    send(server, goJSON({ history: this.history(WELCOME_LEN), members: this.members(), room, type: "welcome" }));
    const joined = goJSON({ name, type: "joined" });
    for (const o of others) send(o, joined);
    return new Response(null, { status: 101, webSocket: client });
  }

  // members returns the names connected, in join order, without skip.
  members(skip) {
    const ms = [];
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === skip) continue;
      const m = ws.deserializeAttachment();
      if (m) ms.push(m);
    }
    return ms.sort((a, b) => a.seq - b.seq).map((m) => m.name);
  }

  // history returns the last n said messages, oldest first.
  history(n) {
    return this.ctx.storage.sql
      .exec("SELECT seq, name, text FROM (SELECT * FROM said ORDER BY seq DESC LIMIT ?) ORDER BY seq", n)
      .toArray()
      .map((r) => ({ type: "said", name: r.name, text: r.text, seq: r.seq }));
  }

  webSocketMessage(ws, message) {
    const from = ws.deserializeAttachment();
    try {
      this.handle(from, message);
    } catch (err) {
      if (!(err instanceof BadMessage)) throw err;
      send(ws, goJSON({ error: err.message, type: "error" }));
    }
  }

  handle(from, message) {
    if (typeof message !== "string") throw new BadMessage("binary messages are not understood; send JSON text");
    let msg;
    try {
      msg = JSON.parse(message) ?? {};
    } catch (err) {
      throw new BadMessage(`malformed JSON: ${err.message}`);
    }
    if (typeof msg !== "object" || Array.isArray(msg)) throw new BadMessage("malformed JSON: not an object");
    const { type = "", text = "", to = "" } = msg;
    if (typeof type !== "string" || typeof text !== "string" || typeof to !== "string") {
      throw new BadMessage("malformed JSON: type, text and to must be strings");
    }
    if (type !== "say" && type !== "whisper") throw new BadMessage(`unknown message type ${JSON.stringify(type)}`);
    const n = chars(text);
    if (n < 1 || n > MAX_TEXT) throw new BadMessage(`text must be 1 to ${MAX_TEXT} characters, got ${n}`);
    if (type === "whisper") {
      if (to === "") throw new BadMessage('a whisper needs a "to"');
      const sockets = this.ctx.getWebSockets(to);
      if (sockets.length === 0) throw new BadMessage(`no member called ${JSON.stringify(to)}`);
      const whispered = goJSON({ from: from.name, text, type: "whispered" });
      for (const s of sockets) send(s, whispered);
      return;
    }
    const { seq } = this.ctx.storage.sql.exec("INSERT INTO said (name, text) VALUES (?, ?) RETURNING seq", from.name, text).one();
    this.broadcast(goJSON({ type: "said", name: from.name, text, seq }));
  }

  // broadcast sends text to every member but skip.
  broadcast(text, skip) {
    for (const ws of this.ctx.getWebSockets()) if (ws !== skip) send(ws, text);
  }

  // The others learn who left; the close is answered with the peer's code
  // and reason, as the Go room's shim answers it.
  webSocketClose(ws, code, reason) {
    this.left(ws);
    try {
      if (code === 1005 || code === 1006) ws.close();
      else ws.close(code, reason);
    } catch {}
  }

  // A broken socket has left too.
  webSocketError(ws) {
    this.left(ws);
  }

  left(ws) {
    const m = ws.deserializeAttachment();
    if (m) this.broadcast(goJSON({ name: m.name, type: "left" }), ws);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const m = url.pathname.match(/^\/rooms\/([^/]+)\//);
    if (m) return env.CHAT.getByName(decodeURIComponent(m[1])).fetch(request);
    return json(404, { error: `no route for ${request.method} ${decodeURIComponent(url.pathname)}` });
  },
};
