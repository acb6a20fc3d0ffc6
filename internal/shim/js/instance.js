// WASI preview1 numbers this runtime uses.
const WASI = {
  SUCCESS: 0,
  EAGAIN: 6,
  EBADF: 8,
  ENOSYS: 52,
  CLOCK_REALTIME: 0,
  FILETYPE_CHARACTER_DEVICE: 2,
  FDFLAGS_NONBLOCK: 4,
  EVENTTYPE_CLOCK: 0,
  EVENTTYPE_FD_READ: 1,
  SUBSCRIPTION_SIZE: 48,
  EVENT_SIZE: 32,
};

const ORPHANED = encode({ name: "Error", message: "godurable: the event that started this operation has already finished", code: ABI.CodeOrphaned });

// Instance is one instantiation of the Go module.
class Instance {
  constructor(runtime) {
    this.runtime = runtime;
    this.env = runtime.env;
    this.dead = false;
    this.staged = null;
    this.events = new Map();
    this.nextEvent = 0;
    this.nextOp = 0;
    this.started = []; // operations started by Go during the current export call
    this.orphans = []; // operations whose event finished before they started
    this.idleReady = false;
    this.timerNs = null; // from the last blocking poll: ns until the next Go timer
    this.tick = null; // { timer, at, event }
    this.out = { 1: "", 2: "" };
    this.known = new Set(); // object handles declared to this instance
    this.nested = 0; // transaction functions running (ExportTransaction calls in progress)
    const imports = {
      [ABI.ImportModule]: {
        [ABI.ImportTake]: (ptr) => this.take(ptr),
        [ABI.ImportCall]: (op, obj, req, reqLen, resp, respCap) => this.call(op, obj, req, reqLen, resp, respCap),
        [ABI.ImportStart]: (op, ev, req, reqLen) => this.start(op, ev, req, reqLen),
        [ABI.ImportComplete]: (ev, status, ptr, len) => this.complete(ev, status, ptr, len),
      },
      wasi_snapshot_preview1: this.wasi(runtime.module),
    };
    this.wasm = new WebAssembly.Instance(runtime.module, imports);
    this.exports = this.wasm.exports;
    this.memory = this.exports.memory;
    this.guard(() => this.exports._initialize());
    const version = this.exports[ABI.ExportABIVersion]?.();
    if (version !== ABI.Version) {
      throw new Error(`godurable: the module speaks ABI version ${version}, this shim speaks ${ABI.Version}; rebuild both with the same wasmbuild`);
    }
    // wasmbuild keeps the module's manifest in a custom section: reading
    // it costs nothing, where the export builds it by reflection in Go
    // (about 5 ms of a cold start). A module without it is asked.
    let manifest = runtime.builtManifest;
    if (!manifest) {
      const packed = this.exports[ABI.ExportManifest]();
      const ptr = Number(packed >> 32n), len = Number(packed & 0xffffffffn);
      manifest = decode(this.bytes(ptr, len).slice());
    }
    if (manifest.shape !== runtime.manifest.shape) {
      throw new Error(`godurable: the module does not match this shim: the module registers\n${manifest.shape}\nbut the shim was made for\n${runtime.manifest.shape}\nrun wasmbuild build again`);
    }
  }

  bytes(ptr, len) {
    return new Uint8Array(this.memory.buffer, ptr, len);
  }

  // view returns a DataView of Go's memory, made anew only when the memory
  // has grown (growing detaches the old buffer).
  view() {
    const buf = this.memory.buffer;
    if (this.dataView?.buffer !== buf) this.dataView = new DataView(buf);
    return this.dataView;
  }

  // put writes a result for the guest, into its buffer if it fits, else
  // staged for take.
  put(bytes, ptr, cap, isError) {
    if (bytes.length <= cap) this.bytes(ptr, bytes.length).set(bytes);
    else this.staged = bytes;
    return isError ? -(bytes.length + 1) : bytes.length;
  }

  take(ptr) {
    const s = this.staged ?? EMPTY;
    this.staged = null;
    this.bytes(ptr, s.length).set(s);
  }

  call(op, object, reqPtr, reqLen, respPtr, respCap) {
    try {
      return this.put(this.runtime.hostCall(op, object, this.bytes(reqPtr, reqLen)), respPtr, respCap, false);
    } catch (err) {
      if (err instanceof NestedTrap) throw err.cause; // through Go's frames, to guard
      return this.put(encode(fromJSError(err)), respPtr, respCap, true);
    }
  }

  start(op, eventId, reqPtr, reqLen) {
    const ev = this.events.get(eventId);
    if (!ev || !ev.alive()) return -1;
    let payload;
    try {
      payload = this.bytes(reqPtr, reqLen).slice();
    } catch (err) {
      console.error("godurable: start: bad request buffer:", err);
      return -1; // imports never throw into Go
    }
    const id = ++this.nextOp;
    this.started.push({ id, kind: op, ev, payload });
    return id;
  }

  complete(eventId, status, ptr, len) {
    const ev = this.events.get(eventId);
    if (!ev || ev.finished) return;
    ev.settle(status, this.bytes(ptr, len).slice());
    if (ev.extended === 0) this.retire(ev);
  }

  // retire forgets an event that has finished and has no WaitUntil work
  // left: what it queued is orphaned, its timer moves to another event.
  retire(ev) {
    this.events.delete(ev.id);
    if (ev.readers.length > 0) this.runtime.bodies.cancelAll(ev.readers);
    if (ev.queue.length > 0) this.orphans.push(...ev.queue.splice(0));
    if (this.tick && this.tick.event === ev) this.rearmTick();
  }

  // guard runs a call into Go; a trap poisons the instance.
  guard(fn) {
    if (this.dead) throw new Error("godurable: the Go instance has crashed");
    this.timerNs = null;
    this.wallNs = this.monoNs = undefined;
    try {
      return fn();
    } catch (err) {
      this.poison(err);
      throw this.crashError(err);
    } finally {
      this.flushLines();
    }
  }

  crashError(err) {
    const e = new Error(`godurable: the Go instance crashed (${err && err.message}); the events in flight were lost, and later events run on a fresh instance`);
    e.code = ABI.CodeCrashed;
    return e;
  }

  poison(err) {
    if (this.dead) return;
    this.dead = true;
    this.flushOutput();
    console.error("godurable: the Go instance crashed:", err && err.stack ? err.stack : err);
    if (this.tick) clearTimeout(this.tick.timer);
    this.tick = null;
    const failure = encode(fromJSError(this.crashError(err)));
    for (const ev of this.events.values()) {
      ev.extended = 0;
      for (const b of ev.bodies.values()) b.close("godurable: the Go instance crashed while streaming this body");
      this.runtime.bodies.cancelAll(ev.readers);
      ev.settle(ABI.StatusError, failure);
    }
    this.events.clear();
    this.runtime.instanceDied(this);
  }

  // run calls an export on behalf of the event whose I/O context we are
  // in, then starts the operations Go began and arms Go's timers.
  run(ctxEvent, fn) {
    this.guard(fn);
    const started = this.started;
    this.started = [];
    for (const op of started) {
      if (!op.ev.alive()) this.orphans.push(op);
      else if (op.ev === ctxEvent) this.launch(op);
      else {
        op.ev.queue.push(op);
        op.ev.wake();
      }
    }
    if (this.timerNs !== null) this.scheduleTick(ctxEvent, Date.now() + Number(this.timerNs) / 1e6);
    while (this.orphans.length > 0 && !this.dead) {
      const op = this.orphans.shift();
      this.resume(op, ABI.StatusError, ORPHANED);
    }
  }

  newEvent(objectHandle) {
    const ev = new Event(++this.nextEvent, objectHandle);
    this.events.set(ev.id, ev);
    return ev;
  }

  // dispatch delivers an event to Go and returns it finished: at once when
  // Go finished it within the call (the common case: nothing awaited),
  // else a Promise of it (follow), which starts the event's operations in
  // its own I/O context as they come. obj is the Durable Object's
  // __godurable, or null for the Worker.
  dispatch(kind, obj, arg, payload, signal, waitUntil, readers, props) {
    for (const h of this.runtime.takeDropped()) {
      if (this.known.delete(h)) this.guard(() => this.exports[ABI.ExportDrop](h));
    }
    const handle = obj ? obj.handle : 0;
    if (obj && !this.known.has(handle)) {
      const ref = encode({ class: obj.class, id: obj.id, name: obj.name });
      this.staged = ref;
      if (this.guard(() => this.exports[ABI.ExportObject](handle, ref.length)) < 0) {
        throw new TypeError(`godurable: the module refused object ${obj.class} ${obj.id}`);
      }
      this.known.add(handle);
    }
    const ev = this.newEvent(handle);
    ev.waitUntil = waitUntil ?? null;
    if (readers) ev.readers = readers;
    ev.props = props; // ctx.props of a Worker's event (event.props)
    this.staged = payload;
    this.run(ev, () => this.exports[ABI.ExportEvent](ev.id, kind, handle, arg, payload.length));
    if (!ev.alive()) return ev; // finished within the call: no await
    return this.follow(ev, signal);
  }

  // follow drives ev, an event that Go did not finish within its first
  // call, until it settles (and its WaitUntil work, after, in its own I/O
  // context, which workerd keeps for it).
  async follow(ev, signal) {
    const cancel = () => {
      if (!ev.finished && !this.dead) this.run(ev, () => this.exports[ABI.ExportCancel](ev.id));
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener("abort", cancel);
    const driving = this.drive(ev).finally(() => signal?.removeEventListener("abort", cancel));
    await Promise.race([ev.settled(), driving]);
    if (ev.alive()) ev.waitUntil(driving.catch(noop));
    else await driving;
    return ev;
  }

  async drive(ev) {
    // workerd cancels a request that waits with no I/O of its own pending;
    // this event may be waiting for another one, so keep it alive.
    const keepAlive = setInterval(noop, 60_000);
    try {
      while (ev.alive()) {
        if (!ev.signaled) await new Promise((resolve) => (ev.waker = resolve));
        ev.waker = null;
        ev.signaled = false;
        while (ev.queue.length > 0 && ev.alive()) this.launch(ev.queue.shift());
        if (ev.cancelRequested && !this.dead) {
          ev.cancelRequested = false;
          this.run(ev, () => this.exports[ABI.ExportCancel](ev.id));
        }
        for (const b of ev.bodies.values()) b.pump();
        if (ev.tickAt !== null && ev.alive()) {
          const at = ev.tickAt;
          ev.tickAt = null;
          this.armTick(ev, at);
        }
      }
      for (const b of ev.bodies.values()) b.pump(); // what came with the event's last call into Go
    } finally {
      clearInterval(keepAlive);
    }
  }

  launch(op) {
    let promise;
    try {
      promise = this.runtime.startOp(op.kind, op.ev, op.payload);
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (result) => this.resume(op, ABI.StatusOK, result),
      (err) => this.resume(op, ABI.StatusError, encode(fromJSError(err))),
    );
  }

  resume(op, status, bytes) {
    if (this.dead) return;
    this.staged = bytes;
    try {
      this.run(op.ev, () => this.exports[ABI.ExportResume](op.id, status, bytes.length));
    } catch (err) {
      // Already reported by poison; the events have failed.
    }
  }

  // scheduleTick makes sure Go is called back at time at (ms), from the
  // I/O context of an event still in flight.
  scheduleTick(ctxEvent, at) {
    if (this.tick && this.tick.at <= at && this.tick.event.alive()) return;
    if (ctxEvent && ctxEvent.alive()) return this.armTick(ctxEvent, at);
    for (const ev of this.events.values()) {
      if (ev.alive()) {
        ev.tickAt = ev.tickAt === null ? at : Math.min(ev.tickAt, at);
        ev.wake();
        return;
      }
    }
    // No event is in flight: Go's timers wait for the next event.
  }

  armTick(ev, at) {
    if (this.tick) clearTimeout(this.tick.timer);
    const timer = setTimeout(() => {
      if (this.tick && this.tick.timer === timer) this.tick = null;
      if (this.dead || !ev.alive()) return;
      try {
        this.run(ev, () => this.exports[ABI.ExportTick](ev.id, ev.object));
      } catch (err) {}
    }, Math.max(0, at - Date.now()));
    this.tick = { timer, at, event: ev };
  }

  rearmTick() {
    const { at } = this.tick;
    clearTimeout(this.tick.timer);
    this.tick = null;
    this.scheduleTick(null, at);
  }

  flushOutput() {
    for (const fd of [1, 2]) {
      if (this.out[fd]) (fd === 1 ? console.log : console.error)(this.out[fd]);
      this.out[fd] = "";
    }
  }

  // write buffers Go's output; whole lines go to the console once the
  // export call returns, so that a panic's trace is one message.
  write(fd, text) {
    this.out[fd] += text;
  }

  flushLines() {
    for (const fd of [1, 2]) {
      const buf = this.out[fd];
      const end = buf.lastIndexOf("\n");
      if (end < 0) continue;
      (fd === 1 ? console.log : console.error)(buf.slice(0, end));
      this.out[fd] = buf.slice(end + 1);
    }
  }

  // wasi implements the few WASI functions a Go reactor imports; the rest
  // answer ENOSYS.
  wasi(module) {
    const E = WASI;
    const fns = {
      args_sizes_get: (argc, size) => {
        const v = this.view();
        v.setUint32(argc, 0, true);
        v.setUint32(size, 0, true);
        return E.SUCCESS;
      },
      args_get: () => E.SUCCESS,
      environ_sizes_get: (count, size) => {
        const v = this.view();
        v.setUint32(count, 0, true);
        v.setUint32(size, 0, true);
        return E.SUCCESS;
      },
      environ_get: () => E.SUCCESS,
      clock_time_get: (id, precision, out) => {
        // workerd's clocks stand still while code runs, so one reading per
        // call into Go serves all of Go's (several per event).
        let ns;
        if (id === E.CLOCK_REALTIME) ns = this.wallNs ??= BigInt(Date.now()) * 1000000n;
        else ns = this.monoNs ??= BigInt(Math.round(performance.now() * 1e6));
        this.view().setBigUint64(out, ns, true);
        return E.SUCCESS;
      },
      clock_res_get: (id, out) => {
        this.view().setBigUint64(out, 1000000n, true);
        return E.SUCCESS;
      },
      random_get: (ptr, len) => {
        for (let off = 0; off < len; off += 65536) {
          crypto.getRandomValues(this.bytes(ptr + off, Math.min(65536, len - off)));
        }
        return E.SUCCESS;
      },
      fd_write: (fd, iovs, iovsLen, nwritten) => {
        if (fd !== 1 && fd !== 2) return E.EBADF;
        const v = this.view();
        let total = 0;
        let text = "";
        for (let i = 0; i < iovsLen; i++) {
          const ptr = v.getUint32(iovs + 8 * i, true);
          const len = v.getUint32(iovs + 8 * i + 4, true);
          text += textDecoder.decode(this.bytes(ptr, len), { stream: true });
          total += len;
        }
        this.write(fd, text);
        v.setUint32(nwritten, total, true);
        return E.SUCCESS;
      },
      fd_read: (fd, iovs, iovsLen, nread) => {
        if (fd !== ABI.IdleFD) return E.EBADF;
        if (!this.idleReady) return E.EAGAIN;
        this.idleReady = false;
        const v = this.view();
        const ptr = v.getUint32(iovs, true);
        this.bytes(ptr, 1)[0] = 1;
        v.setUint32(nread, 1, true);
        return E.SUCCESS;
      },
      fd_fdstat_get: (fd, out) => {
        if (fd !== ABI.IdleFD) return E.EBADF;
        const v = this.view();
        v.setUint8(out, E.FILETYPE_CHARACTER_DEVICE);
        v.setUint16(out + 2, E.FDFLAGS_NONBLOCK, true);
        v.setBigUint64(out + 8, 0xffffffffn, true);
        v.setBigUint64(out + 16, 0n, true);
        return E.SUCCESS;
      },
      fd_fdstat_set_flags: () => E.SUCCESS,
      fd_prestat_get: () => E.EBADF,
      fd_prestat_dir_name: () => E.EBADF,
      fd_close: () => E.SUCCESS,
      sched_yield: () => E.SUCCESS,
      proc_exit: (code) => {
        throw new Error(`Go called proc_exit(${code})`);
      },
      poll_oneoff: (subs, events, n, nevents) => this.poll(subs, events, n, nevents),
    };
    const out = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.module !== "wasi_snapshot_preview1") continue;
      out[imp.name] = fns[imp.name] ?? (() => E.ENOSYS);
    }
    return out;
  }

  // poll answers the Go scheduler's poll_oneoff. A poll that would block
  // means every goroutine has parked: report the idle descriptor ready and
  // remember when the next Go timer is due.
  poll(subs, events, n, nevents) {
    const E = WASI;
    const v = this.view();
    let clock = -1;
    let idle = -1;
    for (let i = 0; i < n; i++) {
      const s = subs + E.SUBSCRIPTION_SIZE * i;
      const tag = v.getUint8(s + 8);
      if (tag === E.EVENTTYPE_CLOCK) clock = s;
      else if (tag === E.EVENTTYPE_FD_READ && v.getUint32(s + 16, true) === ABI.IdleFD) idle = s;
    }
    const timeout = clock >= 0 ? v.getBigUint64(clock + 24, true) : null;
    const blocking = timeout === null || timeout > 0n;
    let out = 0;
    if (idle >= 0 && blocking && this.nested > 0) {
      throw new Error("godurable: a transaction's function blocked (on a channel, a lock, a sleep or an event that cannot come while it runs); it must run to its end without waiting");
    }
    if (idle >= 0 && blocking) {
      this.idleReady = true;
      this.timerNs = timeout;
      writePollEvent(v, events, idle, E.EVENTTYPE_FD_READ);
      out = 1;
    } else if (clock >= 0) {
      writePollEvent(v, events, clock, E.EVENTTYPE_CLOCK);
      out = 1;
    }
    v.setUint32(nevents, out, true);
    return E.SUCCESS;
  }
}

// NestedTrap carries a trap of Go inside a transaction's function out of
// transactionSync, so that the import rethrows it instead of reporting an
// error to Go frames that the trap has unwound.
class NestedTrap extends Error {
  constructor(cause) {
    super(cause && cause.message, { cause });
  }
}

// writePollEvent writes poll_oneoff's event for the subscription at sub.
// (A function of the module, not a closure made on every poll: wrangler
// bundles with keepNames, which names each new closure at run time.)
function writePollEvent(v, e, sub, type) {
  for (let k = 0; k < WASI.EVENT_SIZE; k++) v.setUint8(e + k, 0);
  v.setBigUint64(e, v.getBigUint64(sub, true), true);
  v.setUint8(e + 10, type);
  if (type === WASI.EVENTTYPE_FD_READ) v.setBigUint64(e + 16, 1n, true);
}
