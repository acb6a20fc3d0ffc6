// The JavaScript Worker of the benchmark's R2 row: the twin of bench/go/r2.
export default {
  async fetch(request, env) {
    const size = Number(new URL(request.url).searchParams.get("size") ?? 0);
    const key = `bench-${size}`;
    let obj = await env.BLOBS.get(key);
    if (obj === null) {
      await env.BLOBS.put(key, "r2".repeat(size / 2));
      obj = await env.BLOBS.get(key);
    }
    return new Response(obj.body, { headers: { etag: obj.httpEtag } });
  },
};
