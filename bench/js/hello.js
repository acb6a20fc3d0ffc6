// The stateless JavaScript Worker of the benchmarks: the twin of
// bench/go/hello (GET ?bytes=N streams N bytes in 64 KiB chunks; PUT reads
// the body as it comes and answers with its length).
const CHUNK = new Uint8Array(64 << 10);
const HEADERS = { "content-type": "text/plain; charset=utf-8" };

export default {
  async fetch(request) {
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
