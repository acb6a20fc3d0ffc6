// Event is one fetch or RPC call in flight in a Go instance.
class Event {
  constructor(id, objectHandle) {
    this.id = id;
    this.object = objectHandle; // 0 for the stateless Worker
    this.finished = false;
    this.status = 0;
    this.payload = EMPTY;
    this.queue = []; // operations to start in this event's I/O context
    this.signaled = false;
    this.waker = null;
    this.tickAt = null; // a Go timer this event must arm, in ms since epoch
    this.upgrades = new Map(); // WebSockets of the event's responses, by ID
    this.extended = 0; // Go's WaitUntil work in progress: the event lives on after its result
    this.waitUntil = null; // workerd's ctx.waitUntil for this event, if it has one
    this.readers = []; // IDs of the bodies streaming into Go for this event (BodyReaders)
    this.bodies = new Map(); // bodies streaming from Go: 0 its response, others its requests' (BodyStream)
    this.settledPromise = null; // made only for an event Go does not finish within its call (settled)
    this.onSettled = null;
  }

  // settled returns a Promise that resolves when Go has given the event's
  // result.
  settled() {
    if (this.finished) return Promise.resolve();
    return (this.settledPromise ??= new Promise((resolve) => (this.onSettled = resolve)));
  }

  // alive reports whether the event may still start operations: until its
  // result, and after it while Go's WaitUntil work goes on.
  alive() {
    return !this.finished || this.extended > 0;
  }

  wake() {
    this.signaled = true;
    if (this.waker) this.waker();
  }

  settle(status, payload) {
    if (this.finished) return;
    this.finished = true;
    this.status = status;
    this.payload = payload;
    this.onSettled?.();
    this.wake();
  }

  // stream returns the body streaming from Go under id, made at first use.
  stream(id) {
    let b = this.bodies.get(id);
    if (!b) this.bodies.set(id, (b = new BodyStream(this, id === 0)));
    return b;
  }

  result() {
    if (this.status === ABI.StatusOK) return this.payload;
    throw toJSError(decode(this.payload));
  }
}

define(OBJECT_EVENTS, {
  fetch: {
    payload: async ([request], o, bodies, owned) => encode(await requestToGo(request, bodies, owned)),
    result: (ev) => responseFromGo(decode(ev.result()), ev),
    // The request's signal aborts when its client goes away (with the
    // enable_request_signal compatibility flag): Go's context is cancelled.
    signal: ([request]) => request.signal,
  },
  call: {
    // A ReadableStream argument streams into Go (an io.Reader parameter).
    // Plain arguments (the common case) encode at once, without a copy.
    payload: (args, o, bodies, owned) => {
      if (!args.some(needsPlain)) return encode(args);
      return encodeForGo(args.map((a) => (a instanceof ReadableStream ? streamToGo(a, bodies, owned) : a)));
    },
    // A stream result is the event's body, as Go writes it.
    result: (ev) => {
      const b = ev.result();
      if (b.length === 0) return undefined;
      const v = decode(b);
      return v instanceof StreamRef ? ev.stream(0).readable() : v;
    },
  },
});

define(WORKER_EVENTS, {
  fetch: OBJECT_EVENTS.fetch,
});
