// The JavaScript Worker of the benchmark's Cache API row: the twin of
// bench/go/cache. It answers the matched response itself, as a JavaScript
// Worker does.
const BODY = new TextEncoder().encode("0123456789abcdef".repeat(64));
const KEY = "https://bench.cache/js/1k";

export default {
  async fetch() {
    const cache = caches.default;
    const hit = await cache.match(KEY);
    if (hit) return hit;
    await cache.put(KEY, new Response(BODY, { headers: { "cache-control": "max-age=86400", "content-type": "application/octet-stream" } }));
    return new Response(BODY, { headers: { "x-cache": "MISS" } });
  },
};
