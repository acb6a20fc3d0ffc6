// An object's storage: its KV and SQL, deleteAll, transactionSync, sync
// and point-in-time recovery.

define(SYNC_OPS, {
  "kv.get": (rt, req, o) => {
    const v = o.storage.kv.get(req.key);
    return v === undefined ? EMPTY : toBytes(v);
  },
  "kv.put": (rt, req, o) => {
    o.storage.kv.put(req.key, req.value.slice());
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
    const cursor = o.storage.sql.exec(req.query, ...(req.args ?? []));
    const rows = cursor.raw().toArray();
    // Blobs come back as ArrayBuffers, which the encoder would write as empty maps.
    for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i] instanceof ArrayBuffer) row[i] = new Uint8Array(row[i]);
    return encode({ columns: cursor.columnNames, rows, rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten });
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
