// GET /put?name=N stores JSValues in the KV storage of the Plain object
// named N, as a JavaScript Durable Object of that class would, and answers
// 204.
import { DurableObject } from "cloudflare:workers";

// JSValues are the values of the JSValues scenario
// (internal/conformance/jsvalues.go), by key.
const JSValues = () => ({
  string: "héllo",
  int: 42,
  negative: -7,
  float: 1.5,
  unsafe: 2 ** 53 + 2,
  bool: true,
  null: null,
  object: { a: 1, b: ["x", 2.5, false], c: { d: null } },
  array: [1, "two", [3]],
  date: new Date(1700000000123),
  map: new Map([["k", 1], ["j", "v"]]),
  set: new Set(["a", "b"]),
  bigint: 9007199254740993n,
  nested_bytes: { b: new Uint8Array([4, 5]) },
  bytes: new Uint8Array([1, 2, 3]),
});

export class Plain extends DurableObject {
  put() {
    for (const [k, v] of Object.entries(JSValues())) this.ctx.storage.kv.put(k, v);
  }
}

export class Sandbox extends DurableObject {}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/put") return new Response("not found", { status: 404 });
    await env.PLAIN.getByName(url.searchParams.get("name")).put();
    return new Response(null, { status: 204 });
  },
};
