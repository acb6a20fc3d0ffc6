// An object's storage: its KV and SQL, deleteAll, transactionSync, sync
// and point-in-time recovery.

define(SYNC_OPS, {
  // kv.get, kv.put and sql.exec take and give the layouts of
  // internal/abi/storagelayout.go, not MessagePack (LayoutReader,
  // LayoutWriter below); their requests are views of Go's memory.
  "kv.get": (rt, key, o) => {
    const v = o.storage.kv.get(decodeText(key));
    return v === undefined ? EMPTY : toBytes(v);
  },
  "kv.put": (rt, req, o) => {
    const r = new LayoutReader(req);
    const key = r.string();
    // A copy: workerd serializes a view with all of its buffer, Go's memory.
    o.storage.kv.put(key, req.slice(r.i));
    return EMPTY;
  },
  "kv.delete": (rt, req, o) => encode(Boolean(o.storage.kv.delete(req.key))),
  "kv.getMany": (rt, keys, o) => {
    const out = [];
    for (const key of keys) {
      const v = o.storage.kv.get(key);
      if (v !== undefined) out.push([key, toBytes(v)]);
    }
    return encode(out);
  },
  "kv.putMany": (rt, entries, o) => {
    for (const [key, value] of entries) o.storage.kv.put(key, value.slice());
    return EMPTY;
  },
  "kv.deleteMany": (rt, keys, o) => {
    let n = 0;
    for (const key of keys) if (o.storage.kv.delete(key)) n++;
    return encode(n);
  },
  "kv.list": (rt, req, o) => {
    const opts = {};
    for (const k of ["prefix", "start", "startAfter", "end", "limit", "reverse"]) if (req[k]) opts[k] = req[k];
    const out = [];
    for (const [key, value] of o.storage.kv.list(opts)) out.push([key, toBytes(value)]);
    return encode(out);
  },
  "sql.exec": (rt, req, o) => {
    const r = new LayoutReader(req);
    const query = r.string();
    const args = new Array(r.count());
    for (let i = 0; i < args.length; i++) args[i] = r.sqlValue();
    r.end();
    const cursor = o.storage.sql.exec(query, ...args);
    const w = sqlResults.start();
    const columns = cursor.columnNames;
    w.uint32(columns.length);
    for (const c of columns) w.string(c);
    const counts = w.skip(8 + 8 + 4); // rowsRead, rowsWritten, the rows: known at the end
    const rows = cursor.raw().toArray(); // one call into workerd, not one per row
    for (const row of rows) for (let i = 0; i < row.length; i++) w.sqlValue(row[i]);
    w.view.setFloat64(counts, cursor.rowsRead, true);
    w.view.setFloat64(counts + 8, cursor.rowsWritten, true);
    w.view.setUint32(counts + 16, rows.length, true);
    return w.done();
  },
  "sql.databaseSize": (rt, req, o) => encode(o.storage.sql.databaseSize),
  "storage.deleteAll": (rt, req, o) => {
    // SQLite-backed storage deletes at once; the promise only reports it.
    o.storage.deleteAll().catch((err) => console.error("godurable: deleteAll failed:", err));
    return EMPTY;
  },
  "storage.transactionSync": (rt, req, o) => {
    // Go's function runs inside the callback, through the one export
    // called while an import is running. It reports failure by its
    // result; the callback then throws, which rolls the transaction back.
    const inst = rt.instance;
    let failed = false;
    try {
      o.storage.transactionSync(() => {
        let r;
        inst.nested++;
        try {
          r = inst.exports[ABI.ExportTransaction](req);
        } catch (err) {
          throw new NestedTrap(err); // Go's frames are gone: the instance is lost
        } finally {
          inst.nested--;
        }
        if (r !== 0) {
          failed = true;
          throw ROLLBACK;
        }
      });
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
    return EMPTY;
  },
});

// ROLLBACK is what the transaction callback throws when Go's function
// failed: transactionSync rolls back and rethrows it, and the operation
// reports success (Go already has the function's error).
const ROLLBACK = new Error("godurable: the transaction's function failed");

define(ASYNC_OPS_IMPL, {
  "storage.sync": async (rt, req, o) => {
    await o.storage.sync();
    return EMPTY;
  },
  "storage.getCurrentBookmark": async (rt, req, o) => encode(await o.storage.getCurrentBookmark()),
  "storage.getBookmarkForTime": async (rt, ms, o) => encode(await o.storage.getBookmarkForTime(ms)),
  "storage.onNextSessionRestoreBookmark": async (rt, bookmark, o) => encode(await o.storage.onNextSessionRestoreBookmark(bookmark)),
});

// LayoutReader reads a request laid out as internal/abi/storagelayout.go
// says: little-endian uint32 lengths and counts, SQL values as a tag and
// its payload. A read beyond the request throws a RangeError.
class LayoutReader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = dataViewOf(bytes.buffer);
    this.i = 0;
  }

  need(n) {
    if (n > this.bytes.length - this.i) throw new RangeError(`godurable: malformed request: ${n} bytes wanted at ${this.i} of ${this.bytes.length}`);
  }

  uint32() {
    this.need(4);
    const v = this.view.getUint32(this.bytes.byteOffset + this.i, true);
    this.i += 4;
    return v;
  }

  // count reads a number of items of a byte at least each.
  count() {
    const n = this.uint32();
    this.need(n);
    return n;
  }

  take() {
    const n = this.uint32();
    this.need(n);
    this.i += n;
    return this.bytes.subarray(this.i - n, this.i);
  }

  string() {
    return decodeText(this.take());
  }

  sqlValue() {
    this.need(1);
    switch (this.bytes[this.i++]) {
      case ABI.SQLNull:
        return null;
      case ABI.SQLNumber: {
        this.need(8);
        const v = this.view.getFloat64(this.bytes.byteOffset + this.i, true);
        this.i += 8;
        return v;
      }
      case ABI.SQLString:
        return this.string();
      case ABI.SQLBlob:
        return this.take().slice(); // Go's memory is not the statement's to keep
      case ABI.SQLFalse:
        return false;
      case ABI.SQLTrue:
        return true;
    }
    throw new RangeError(`godurable: malformed request: a SQL value of tag ${this.bytes[this.i - 1]}`);
  }

  end() {
    if (this.i !== this.bytes.length) throw new RangeError(`godurable: malformed request: ${this.bytes.length - this.i} bytes after it`);
  }
}

// decodeText decodes UTF-8: short ASCII by hand (workerd's TextDecoder is
// a call into C++), the rest with the TextDecoder.
function decodeText(bytes) {
  if (bytes.length <= 256) {
    let i = 0;
    while (i < bytes.length && bytes[i] < 0x80) i++;
    if (i === bytes.length) return String.fromCharCode.apply(null, bytes);
  }
  return textDecoder.decode(bytes);
}

let layoutView = null;

// dataViewOf returns a DataView of buf, Go's memory, made anew only when
// the memory has grown (growing detaches the old buffer).
function dataViewOf(buf) {
  if (layoutView?.buffer !== buf) layoutView = new DataView(buf);
  return layoutView;
}

// LAYOUT_KEEP is the most a LayoutWriter keeps of its buffer from one
// result to the next: Go's buffer for a call's result (rt's scratchSize).
// A result that fits is copied into Go's buffer before the call returns;
// a larger one is staged for Go's take, and gets a buffer of its own.
const LAYOUT_KEEP = 16 << 10;

// LayoutWriter writes results laid out as internal/abi/storagelayout.go
// says, into a buffer it reuses: what done returns is valid until the
// next start.
class LayoutWriter {
  constructor() {
    this.reset(LAYOUT_KEEP);
  }

  reset(size) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.i = 0;
  }

  start() {
    this.i = 0;
    return this;
  }

  done() {
    const out = this.bytes.subarray(0, this.i);
    if (this.bytes.length > LAYOUT_KEEP) this.reset(LAYOUT_KEEP);
    return out;
  }

  ensure(n) {
    if (this.i + n <= this.bytes.length) return;
    const old = this.bytes.subarray(0, this.i);
    this.reset(Math.max(2 * this.bytes.length, this.i + n));
    this.bytes.set(old);
    this.i = old.length;
  }

  // skip reserves n bytes, written later, and returns their offset.
  skip(n) {
    this.ensure(n);
    this.i += n;
    return this.i - n;
  }

  uint32(v) {
    this.ensure(4);
    this.view.setUint32(this.i, v, true);
    this.i += 4;
  }

  // string writes s's length in UTF-8 and its UTF-8: short ASCII by hand
  // (as decodeText reads it), the rest by the TextEncoder.
  string(s) {
    this.ensure(4 + 3 * s.length);
    const at = this.i + 4;
    let n = 0;
    if (s.length <= 64) {
      for (; n < s.length; n++) {
        const c = s.charCodeAt(n);
        if (c >= 0x80) break;
        this.bytes[at + n] = c;
      }
    }
    if (n < s.length) n = textEncoder.encodeInto(s, this.bytes.subarray(at)).written;
    this.view.setUint32(this.i, n, true);
    this.i = at + n;
  }

  // sqlValue writes a value of a row as the cursor gives it: null, a
  // number, a string or an ArrayBuffer (a blob).
  sqlValue(v) {
    if (v === null) {
      this.ensure(1);
      this.bytes[this.i++] = ABI.SQLNull;
    } else if (typeof v === "number") {
      this.ensure(9);
      this.bytes[this.i] = ABI.SQLNumber;
      this.view.setFloat64(this.i + 1, v, true);
      this.i += 9;
    } else if (typeof v === "string") {
      this.ensure(1);
      this.bytes[this.i++] = ABI.SQLString;
      this.string(v);
    } else if (v instanceof ArrayBuffer) {
      this.ensure(5 + v.byteLength);
      this.bytes[this.i] = ABI.SQLBlob;
      this.view.setUint32(this.i + 1, v.byteLength, true);
      this.bytes.set(new Uint8Array(v), this.i + 5);
      this.i += 5 + v.byteLength;
    } else {
      throw new TypeError(`godurable: a SQL value of type ${typeof v}`);
    }
  }
}

const sqlResults = new LayoutWriter();
