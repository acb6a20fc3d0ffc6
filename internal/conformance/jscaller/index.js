// A JavaScript Worker that calls Durable Objects written in Go over Workers
// RPC, the way any JavaScript caller would. It is the primary Worker of a
// multi-worker `wrangler dev` session (only the primary is served), and
// forwards every request it does not handle to the Go Worker bound as
// TARGET. The end-to-end tests and the benchmarks drive it over HTTP:
//
//   POST /call {"binding", "name", "method", "args"}
//     (a name "$service" calls the binding itself: a service binding)
//     (an argument {"$map": [[k, v], ...]} is passed as a Map, {"$set": [...]} as a
//     Set, {"$bigint": "digits"} as a bigint, {"$date": ms} as a Date,
//     {"$headers": [[k, v], ...]} as Headers, {"$request": {"method", "url",
//     "headers", "body"}} as a Request, {"$response": {"status", "headers",
//     "body"}} as a Response, {"$stub": {"binding", "name"}} as that object's
//     stub; a result's Headers, Requests and Responses are reported in those
//     forms, bodies as text; a last argument {"$then": {"method", "args"}}
//     is not passed: the result, a stub, is called with it and that call's
//     result is the answer)
//     200, the result as MessagePack (an empty body for undefined), or
//     500, {"error": {"name", "message", "code", "type"}} as JSON.
//   POST /callstream, the call {"binding", "name", "method", "args"} in X-Call
//     an argument {"$stream": true} is the request's body, as a ReadableStream;
//     a ReadableStream result is the response's body (X-Result-Type: stream),
//     or, with X-Read: js:N, read here (N lines, then cancelled; 0: all):
//     {"text", "readError"}; another result or
//     an error as from /call.
//   GET /loop/{binding}/{name}/{method}?n=N&arg=A
//     calls method(A) N times in sequence and answers {"calls": N, "last": ...}.
//   ANY /dofetch/{binding}/{name}/{path...}
//     the object's stub.fetch of /{path...}, its response as it streams.
//   GET /abandon?after=MS&path=P
//     sends GET P to the Go Worker and aborts it after MS milliseconds, as a
//     client going away does (wrangler's proxy does not pass a client's
//     disconnect on); 204 once aborted, 502 if P answered first.
//   GET /scheduled?cron=C&time=MS
//     the Go Worker's scheduled handler, as workerd delivers a cron trigger
//     (Fetcher.scheduled, which service_binding_extra_handlers offers):
//     {"outcome", "noRetry"}.
import { encode, ExtData } from "@msgpack/msgpack";

const EXT_BIGINT = 1; // abi.ExtBigInt

// plain turns a bigint beyond 64 bits into the extension Go reads, as the
// shim does (useBigInt64 alone writes it modulo 2^64).
function plain(v) {
  if (typeof v === "bigint") return v >= -(2n ** 63n) && v < 2n ** 64n ? v : new ExtData(EXT_BIGINT, new TextEncoder().encode(v.toString()));
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== "object" || v instanceof Date || ArrayBuffer.isView(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, plain(e)]));
}

function describe(err) {
  return {
    name: err?.name,
    message: err?.message,
    code: err?.code,
    type: err?.constructor?.name,
  };
}

// revive turns {"$map": [[k, v], ...]} into a Map, {"$set": [...]} into a
// Set, {"$bigint": "digits"} into a bigint, {"$date": ms} into a Date and
// $headers, $request, $response into Headers, a Request, a Response, and
// {"$stub": {binding, name}} into that object's stub, at any depth
// (conformance.JSMap, JSSet, JSBigInt, JSDate, JSHeaders, ..., JSStub).
function revive(v, env) {
  const r = (e) => revive(e, env);
  if (Array.isArray(v)) return v.map(r);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "$map") return new Map(v.$map.map(([k, e]) => [k, r(e)]));
  if (keys.length === 1 && keys[0] === "$set") return new Set(v.$set.map(r));
  if (keys.length === 1 && keys[0] === "$bigint") return BigInt(v.$bigint);
  if (keys.length === 1 && keys[0] === "$date") return new Date(v.$date);
  if (keys.length === 1 && keys[0] === "$stub") return env[v.$stub.binding].getByName(v.$stub.name);
  if (keys.length === 1 && keys[0] === "$headers") return new Headers(v.$headers);
  if (keys.length === 1 && keys[0] === "$request") {
    const { url, method, headers, body } = v.$request;
    return new Request(url, { method, headers: headers ?? [], body: body ?? null });
  }
  if (keys.length === 1 && keys[0] === "$response") {
    const { status, headers, body } = v.$response;
    return new Response(body ?? null, { status, headers: headers ?? [] });
  }
  return Object.fromEntries(keys.map((k) => [k, r(v[k])]));
}

// report turns the Headers, Requests and Responses of a result into the
// forms revive reads (bodies as text), which conformance.Normalize makes
// of Go's http.Header, *http.Request and *http.Response.
async function report(v) {
  if (Array.isArray(v)) return Promise.all(v.map(report));
  if (v instanceof Headers) return { $headers: [...v] };
  if (v instanceof Request) return { $request: { method: v.method, url: v.url, headers: [...v.headers], body: await v.text() } };
  if (v instanceof Response) return { $response: { status: v.status, headers: [...v.headers], body: await v.text() } };
  if (v === null || typeof v !== "object" || v instanceof Date || v instanceof Map || v instanceof Set || ArrayBuffer.isView(v)) return v;
  return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, e]) => [k, await report(e)])));
}

// stubOf is the stub of the object called name of binding, or the binding
// itself for the name "$service" (conformance.ServiceBinding).
function stubOf(env, binding, name) {
  return name === "$service" ? env[binding] : env[binding].getByName(name);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/call") {
      const { binding, name, method, args = [] } = await request.json();
      const stub = stubOf(env, binding, name);
      const then = args.at(-1)?.$then;
      if (then) args.pop();
      try {
        let result = await stub[method](...args.map((a) => revive(a, env)));
        if (then) result = await result[then.method](...then.args.map((a) => revive(a, env)));
        result = await report(result);
        return new Response(result === undefined ? null : encode(plain(result), { useBigInt64: true }), {
          headers: { "content-type": "application/msgpack", "x-result-type": typeof result },
        });
      } catch (err) {
        return Response.json({ error: describe(err) }, { status: 500 });
      }
    }
    if (request.method === "POST" && url.pathname === "/callstream") {
      const { binding, name, method, args } = JSON.parse(request.headers.get("x-call"));
      const stub = stubOf(env, binding, name);
      const isStream = (a) => a !== null && typeof a === "object" && a.$stream === true;
      let result;
      try {
        result = await stub[method](...(args ?? []).map((a) => (isStream(a) ? request.body : revive(a, env))));
      } catch (err) {
        return Response.json({ error: describe(err) }, { status: 500 });
      }
      if (!(result instanceof ReadableStream)) {
        return new Response(result === undefined ? null : encode(plain(result), { useBigInt64: true }), {
          headers: { "content-type": "application/msgpack", "x-result-type": typeof result },
        });
      }
      const read = request.headers.get("x-read");
      // As an event stream, which wrangler dev's proxy passes on as it comes
      // (it held a stream of another type back: measured, the first line of
      // a stream that waited for its acknowledgement never arrived).
      if (!read?.startsWith("js:")) return new Response(result, { headers: { "x-result-type": "stream", "content-type": "text/event-stream" } });
      const lines = Number(read.slice(3));
      let text = "";
      const decoder = new TextDecoder();
      const reader = result.getReader();
      try {
        for (;;) {
          if (lines > 0 && text.split("\n").length > lines) {
            text = text.split("\n").slice(0, lines).join("\n") + "\n";
            await reader.cancel();
            break;
          }
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        return Response.json({ text });
      } catch (err) {
        return Response.json({ text, readError: describe(err) });
      }
    }
    const loop = url.pathname.match(/^\/loop\/([^/]+)\/([^/]+)\/([^/]+)$/);
    if (loop) {
      const [, binding, name, method] = loop;
      const n = Number(url.searchParams.get("n") ?? "1");
      const arg = url.searchParams.has("arg") ? Number(url.searchParams.get("arg")) : undefined;
      const stub = stubOf(env, binding, name);
      let last;
      for (let i = 0; i < n; i++) last = arg === undefined ? await stub[method]() : await stub[method](arg);
      return Response.json({ calls: n, last });
    }
    const dofetch = url.pathname.match(/^\/dofetch\/([^/]+)\/([^/]+)(\/.*)$/);
    if (dofetch) {
      const [, binding, name, path] = dofetch;
      const target = new URL(path + url.search, url.origin);
      return env[binding].getByName(name).fetch(new Request(target, request));
    }
    if (url.pathname === "/abandon") {
      const target = new URL(url.searchParams.get("path"), url.origin);
      try {
        const resp = await env.TARGET.fetch(target, { signal: AbortSignal.timeout(Number(url.searchParams.get("after"))) });
        return new Response(`answered ${resp.status} before it was abandoned`, { status: 502 });
      } catch (err) {
        return new Response(null, { status: 204 });
      }
    }
    if (url.pathname === "/scheduled") {
      const scheduledTime = new Date(Number(url.searchParams.get("time")));
      return Response.json(await env.TARGET.scheduled({ cron: url.searchParams.get("cron"), scheduledTime }));
    }
    return env.TARGET.fetch(request);
  },
};
