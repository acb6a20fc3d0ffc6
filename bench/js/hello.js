// The stateless JavaScript Worker of the benchmarks: the twin of
// bench/go/hello (GET ?bytes=N streams N bytes in 64 KiB chunks; PUT reads
// the body as it comes and answers with its length; GET /kv answers the
// 1 KiB value "1k" of the KV namespace KV, putting it first if it is not
// there; GET /cache answers a 1 KiB response matched in the default cache,
// putting it there first if it is not, and returns the matched Response as
// a JavaScript Worker does).
const CHUNK = new Uint8Array(64 << 10);
const HEADERS = { "content-type": "text/plain; charset=utf-8" };
const VALUE_1K = "0123456789abcdef".repeat(64);
const CACHE_KEY = "https://bench.cache/js/1k";

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/kv") {
      let v = await env.KV.get("1k");
      if (v === null) {
        v = VALUE_1K;
        await env.KV.put("1k", v);
      }
      return new Response(v, { headers: HEADERS });
    }
    if (new URL(request.url).pathname === "/cache") {
      const hit = await caches.default.match(CACHE_KEY);
      if (hit) return hit;
      await caches.default.put(CACHE_KEY, new Response(VALUE_1K, { headers: { ...HEADERS, "cache-control": "max-age=86400" } }));
      return caches.default.match(CACHE_KEY);
    }
    if (request.method === "PUT") {
      let n = 0;
      for await (const c of request.body ?? []) n += c.byteLength;
      return new Response(String(n), { headers: HEADERS });
    }
    const bytes = new URL(request.url).searchParams.get("bytes");
    if (bytes !== null) {
      let left = Number(bytes);
      const body = new ReadableStream({
        pull(controller) {
          if (left <= 0) return controller.close();
          const n = Math.min(left, CHUNK.length);
          controller.enqueue(CHUNK.slice(0, n));
          left -= n;
        },
      }, { highWaterMark: 0 });
      return new Response(body, { headers: HEADERS });
    }
    return new Response("hello\n", { headers: HEADERS });
  },
};
