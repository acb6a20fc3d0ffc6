// STREAM_ABOVE is the size above which a body streams into Go (as does
// one whose size is not known) instead of arriving whole with its event.
const STREAM_ABOVE = 64 << 10;

function streams(message) {
  if (message.body === null) return false;
  const n = message.headers.get("content-length");
  return n === null || !(Number(n) <= STREAM_ABOVE) || message.headers.has("content-encoding");
}

// requestToGo describes a request for Go; a body that streams becomes a
// reader of the runtime's bodies, listed in owned (the event's readers).
async function requestToGo(request, bodies, owned) {
  const out = { method: request.method, url: request.url, headers: [...request.headers], body: null };
  if (streams(request)) out.bodyReader = bodies.add(request.body, owned, true);
  else if (request.body !== null) out.body = new Uint8Array(await request.arrayBuffer());
  return out;
}

// responseToGo describes a response for Go. A WebSocket it carries (an
// upgraded fetch) stays with the event ev, named by ABI.WebSocketHeader.
async function responseToGo(response, ev, bodies) {
  const headers = [...response.headers];
  if (response.webSocket) {
    const id = randomID();
    ev.upgrades.set(id, response.webSocket);
    headers.push([ABI.WebSocketHeader, id]);
  }
  if (response.status !== 101 && streams(response)) {
    return encode({ status: response.status, headers, body: EMPTY, bodyReader: bodies.add(response.body, ev.readers) });
  }
  return encode({
    status: response.status,
    headers,
    body: response.status === 101 ? EMPTY : new Uint8Array(await response.arrayBuffer()),
  });
}

// requestFromGo builds a request Go sends on behalf of ev; a body that
// streams from Go (bodyWriter) is one of ev's streams.
function requestFromGo(r, ev) {
  const init = { method: r.method, headers: r.headers };
  if (r.method === "GET" || r.method === "HEAD") return new Request(r.url, init);
  if (r.bodyWriter) init.body = ev.stream(r.bodyWriter).readable(r.body);
  else if (r.body && r.body.length > 0) init.body = r.body;
  return new Request(r.url, init);
}

// sendRequest sends Go's request r with send and describes the response
// for Go; if it fails, a body Go is still streaming is given up.
async function sendRequest(ev, r, send, bodies) {
  try {
    return await responseToGo(await send(requestFromGo(r, ev)), ev, bodies);
  } catch (err) {
    if (r.bodyWriter) ev.bodies.get(r.bodyWriter)?.abandon();
    throw err;
  }
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

// responseFromGo builds the Response of a Go handler of event ev. A 101
// names the WebSocket to return in ABI.WebSocketHeader.
function responseFromGo(r, ev) {
  if (r.status === 101) {
    let webSocket = null;
    const headers = r.headers.filter(([k, v]) => {
      if (k.toLowerCase() !== ABI.WebSocketHeader) return true;
      webSocket = ev.upgrades.get(v) ?? null;
      ev.upgrades.delete(v);
      return false;
    });
    if (!webSocket) throw new TypeError("godurable: a 101 response without a WebSocket: accept the request with ws.Accept, or return the response of the upgraded fetch");
    return new Response(null, { status: 101, headers, webSocket });
  }
  if (r.stream) {
    // A Content-Length that Go set goes out as net/http sends it, not
    // chunked: through a FixedLengthStream, which fails the body if Go
    // writes another number of bytes.
    let body = ev.stream(0).readable(r.body);
    const n = fixedLength(r.headers);
    if (n !== null) body = body.pipeThrough(new FixedLengthStream(n));
    return new Response(body, { status: r.status, headers: r.headers });
  }
  const body = NULL_BODY_STATUS.has(r.status) || !r.body || r.body.length === 0 ? null : r.body;
  // Its length tells a caller through stub.fetch that it need not stream
  // (workerd gives such a caller no Content-Length of its own). It joins
  // the pairs Go sent: setting it on the Response's Headers afterwards
  // costs two more calls into workerd for every response.
  const headers = r.headers ?? [];
  if (body !== null && !hasHeader(headers, "content-length")) headers.push(["content-length", String(body.length)]);
  return new Response(body, { status: r.status, headers });
}

// fixedLength returns the Content-Length among pairs (name, value), as a
// number, or null if there is none (or it is not a length).
function fixedLength(pairs) {
  for (const [k, v] of pairs) {
    if (k.toLowerCase() === "content-length") return /^[0-9]{1,15}$/.test(v) ? Number(v) : null;
  }
  return null;
}

// hasHeader reports whether pairs (name, value) name the header name,
// given in lower case.
function hasHeader(pairs, name) {
  for (const [k] of pairs) if (k.length === name.length && k.toLowerCase() === name) return true;
  return false;
}

// responseValue builds a Response that Go passes as an RPC value.
function responseValue(r) {
  const body = NULL_BODY_STATUS.has(r.status) || !r.body || r.body.length === 0 ? null : r.body;
  return new Response(body, { status: r.status, headers: r.headers });
}

// BodyStream is the streamed body of an event's response: Go writes
// chunks (body.write) from whatever call into Go is running, and the
// event's own loop moves them into the ReadableStream, in the event's I/O
// context. drain waits for the client to read; cancel (the client went
// away) cancels the Go event.
class BodyStream {
  // A response's cancel (the client went away) cancels the Go event; a
  // request body's only stops Go's writes.
  constructor(ev, isResponse) {
    this.ev = ev;
    this.isResponse = isResponse;
    this.chunks = []; // written by Go, not yet in the stream
    this.controller = null;
    this.end = null; // { error } once Go closed the body
    this.gone = false; // the client went away
    this.drains = [];
  }

  readable(first) {
    if (first && first.length > 0) this.chunks.unshift(first); // the body before the stream began
    return new ReadableStream(
      {
        start: (controller) => {
          this.controller = controller;
          this.pump();
        },
        pull: () => this.settleDrains(),
        cancel: () => {
          this.abandon();
          if (this.isResponse && this.ev.alive()) {
            this.ev.cancelRequested = true; // the event's loop cancels it in Go
            this.ev.wake();
          }
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 1 << 20 }),
    );
  }

  // abandon drops what Go writes from now on: nothing will read it.
  abandon() {
    this.gone = true;
    this.chunks = [];
    this.settleDrains();
  }

  write(data) {
    if (this.gone) return;
    this.chunks.push(data);
    this.ev.wake();
  }

  close(error) {
    this.end = { error };
    this.ev.wake();
  }

  // pump runs in the event's I/O context (its loop, or start).
  pump() {
    const c = this.controller;
    if (!c || this.gone) return;
    while (this.chunks.length > 0) c.enqueue(this.chunks.shift());
    if (this.end && !this.closed) {
      this.closed = true;
      if (this.end.error) c.error(new Error(this.end.error));
      else c.close();
    }
    this.settleDrains();
  }

  unread() {
    const queued = this.controller ? Math.max(0, (1 << 20) - (this.controller.desiredSize ?? 0)) : 0;
    return queued + this.chunks.reduce((n, c) => n + c.length, 0);
  }

  drain() {
    if (this.gone || this.unread() <= 1 << 20) return Promise.resolve(this.gone);
    return new Promise((resolve) => this.drains.push(resolve));
  }

  settleDrains() {
    if (this.drains.length === 0) return;
    if (!this.gone && this.unread() > 1 << 20) return;
    for (const resolve of this.drains.splice(0)) resolve(this.gone);
  }
}

// BodyReaders are the bodies that stream into Go (Request.BodyReader), by
// ID: Go reads one with body.read in the I/O context of the event it
// belongs to, gives it up with body.cancel, and what an event leaves
// unread is cancelled when the event retires, except the event's own
// request body (see cancel).
class BodyReaders {
  constructor() {
    this.byID = new Map(); // ID -> { stream, reader (once read), incoming }
    this.next = 0;
  }

  // add lists stream under a new ID in owned, and returns the ID. incoming
  // marks the body of the event's own request.
  add(stream, owned, incoming = false) {
    const id = ++this.next;
    this.byID.set(id, { stream, reader: null, incoming });
    owned.push(id);
    return id;
  }

  async read(id) {
    const body = this.byID.get(id);
    if (!body) throw new Error("godurable: the body has been closed");
    body.reader ??= body.stream.getReader(); // only a body Go reads is touched
    try {
      for (;;) {
        const { done, value } = await body.reader.read();
        if (done) {
          this.byID.delete(id);
          return EMPTY;
        }
        if (value.byteLength > 0) return toBytes(value);
      }
    } catch (err) {
      this.byID.delete(id);
      throw err;
    }
  }

  // cancel gives up a body. The rest of an event's own request body is
  // left to workerd, untouched if Go never read it, as JavaScript leaves a
  // body it does not read: cancelling it resets the client's connection
  // while it still uploads (measured in wrangler dev: a 10 MiB POST
  // answered without reading it was reset in 3 of 5 tries, and every time
  // behind a service binding, even with the reader released).
  cancel(id) {
    const body = this.byID.get(id);
    if (!body) return;
    this.byID.delete(id);
    if (body.incoming) {
      try {
        body.reader?.releaseLock();
      } catch (err) {} // a read in flight: it settles, and nothing reads on
      return;
    }
    if (body.reader) body.reader.cancel().catch(noop);
    else body.stream.cancel().catch(noop);
  }

  cancelAll(ids) {
    for (const id of ids.splice(0)) this.cancel(id);
  }
}

// streamToGo makes stream, an RPC argument or the result of a call Go
// made, a reader of bodies listed in owned, and returns the ABI.ExtStream
// Go reads it by.
function streamToGo(stream, bodies, owned, lines = false) {
  const reader = bodies.add(stream, owned);
  return new ExtData(ABI.ExtStream, encode(lines ? { lines: true, reader } : { reader }));
}

// isStreamResult reports whether a call's result is an ABI.ExtStream: Go
// streams it as the event's body.
function isStreamResult(b) {
  return b.length > 2 && EXT_CODES.has(b[0]) && decode(b) instanceof StreamRef;
}

const EXT_CODES = new Set([0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]); // MessagePack's ext formats
