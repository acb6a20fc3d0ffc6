// D1 database bindings.

define(ASYNC_OPS_IMPL, {
  "d1.query": async (rt, req) => {
    const db = d1Binding(rt, req.binding);
    const stmts = req.statements.map((s) => db.prepare(s.query).bind(...(s.args ?? [])));
    if (req.batch) return encode((await db.batch(stmts)).map(d1Result));
    switch (req.mode) {
      case "raw": {
        const [columns = [], ...rows] = await stmts[0].raw({ columnNames: true });
        return encode([{ columns, rows: rows.map(d1Row), meta: null }]);
      }
      case "run":
        return encode([{ columns: [], rows: [], meta: (await stmts[0].run()).meta }]);
      default:
        return encode([d1Result(await stmts[0].all())]);
    }
  },
  "d1.exec": async (rt, req) => encode(await d1Binding(rt, req.binding).exec(req.query)),
});

// d1Result describes a D1Result for Go: its rows are objects, whose keys
// are the columns (JavaScript has already merged duplicate names).
function d1Result(r) {
  const results = r.results ?? [];
  const columns = results.length > 0 ? Object.keys(results[0]) : [];
  return { columns, rows: results.map((o) => d1Row(columns.map((c) => o[c]))), meta: r.meta };
}

// d1Row turns a row's blobs, which D1 gives as arrays of bytes, into bytes.
function d1Row(row) {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (Array.isArray(v)) row[i] = Uint8Array.from(v);
    else if (v instanceof ArrayBuffer) row[i] = new Uint8Array(v);
  }
  return row;
}

// d1Binding returns the D1 database bound as binding.
function d1Binding(rt, binding) {
  const db = rt.env?.[binding];
  if (!db || typeof db.prepare !== "function" || typeof db.batch !== "function") {
    throw new TypeError(`godurable: ${binding} is not a D1 database binding`);
  }
  return db;
}
