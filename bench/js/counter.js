// The JavaScript twin of examples/counter, for the benchmarks: the same
// routes, the same RPC methods (increment, get, history) and the same
// storage layout, written the way a JavaScript developer would write it.
//
//	GET  /counter/{name}                  {"name":"a","value":3}
//	POST /counter/{name}/increment?by=k   {"name":"a","value":3+k}
//	GET  /counter/{name}/history          [{"by":1},{"by":2}]
//
// One difference is in what the KV value holds: the Go counter stores its
// value as MessagePack bytes (a Uint8Array), the twin stores a JavaScript
// number, which workerd serializes itself. Both keep every increment in the
// SQLite table history(seq, by).
import { DurableObject } from "cloudflare:workers";

export class CounterJS extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS history (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      by  INTEGER NOT NULL
    )`);
  }

  // increment adds by (at least 1) to the counter and returns the new value.
  increment(by) {
    if (typeof by !== "number" || !Number.isInteger(by)) {
      throw new TypeError(`CounterJS.increment: argument 1 must be an integer, got ${typeof by}`);
    }
    if (by < 1) {
      const err = new RangeError("by must be a positive integer");
      err.code = "E_NOT_POSITIVE";
      throw err;
    }
    const value = this.get() + by;
    this.ctx.storage.kv.put("value", value);
    this.ctx.storage.sql.exec("INSERT INTO history (by) VALUES (?)", by);
    return value;
  }

  // get returns the counter's value, 0 for a new counter.
  get() {
    return this.ctx.storage.kv.get("value") ?? 0;
  }

  // history returns every increment, oldest first.
  history() {
    return this.ctx.storage.sql.exec("SELECT by FROM history ORDER BY seq").toArray().map((row) => ({ by: row.by }));
  }

  // benchNoop does nothing: the cost of an RPC call alone (the Go
  // counter's memory-probe build has the same method).
  benchNoop() {}

  // benchStub takes a Durable Object stub and answers 1 (as the Go
  // probe's).
  benchStub(peer) {
    return peer ? 1 : 0;
  }

  // benchGets reads the value n times in one event (as the Go probe's).
  benchGets(n) {
    let total = 0;
    for (let i = 0; i < n; i++) total += this.get();
    return total;
  }

  // fetch serves GET .../history from the object itself.
  fetch() {
    return json(200, this.history());
  }
}

// json answers like the Go counter's writeJSON: JSON and a newline.
function json(status, value) {
  return new Response(JSON.stringify(value) + "\n", {
    status,
    headers: { "content-type": "application/json" },
  });
}

function parseBy(params) {
  const s = params.get("by");
  if (s === null || s === "") return 1;
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`by must be an integer, got ${JSON.stringify(s)}`);
  return Number(s);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const m = url.pathname.match(/^\/counter\/([^/]+)(\/increment|\/history)?$/);
    if (m) {
      const name = decodeURIComponent(m[1]);
      const stub = env.COUNTER.getByName(name);
      try {
        if (request.method === "GET" && m[2] === undefined) {
          return json(200, { name, value: await stub.get() });
        }
        if (request.method === "POST" && m[2] === "/increment") {
          let by;
          try {
            by = parseBy(url.searchParams);
          } catch (err) {
            return json(400, { error: err.message });
          }
          return json(200, { name, value: await stub.increment(by) });
        }
        if (request.method === "GET" && m[2] === "/history") {
          return stub.fetch(request);
        }
      } catch (err) {
        return json(err instanceof RangeError ? 400 : 500, { error: err.message });
      }
    }
    return json(404, { error: `no route for ${request.method} ${url.pathname}` });
  },
};
