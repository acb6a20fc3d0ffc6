// The JavaScript Worker of the benchmark's queue row: the twin of
// bench/go/queue. It is also the session's front: /go/... goes to the Go
// Worker (service binding GO), /js/... to itself.
let count = 0;
let started = 0;
let lastBatch = 0;

async function run(env, n) {
  count = 0;
  started = Date.now();
  lastBatch = 0;
  const t0 = Date.now();
  for (let i = 0; i < n; i += 100) {
    const msgs = [];
    for (let k = i; k < Math.min(n, i + 100); k++) msgs.push({ body: { i: k }, contentType: "json" });
    await env.Q.sendBatch(msgs);
  }
  return Response.json({ sent: n, ms: Date.now() - t0 });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/go/")) {
      url.pathname = url.pathname.slice(3);
      return env.GO.fetch(new Request(url, request));
    }
    switch (url.pathname) {
      case "/js/run":
        return run(env, Number(url.searchParams.get("n")));
      case "/js/count":
        return Response.json({ count, started, last: lastBatch });
    }
    return new Response("not found", { status: 404 });
  },
  async queue(batch) {
    for (const m of batch.messages) {
      if (typeof m.body.i !== "number") throw new Error("not a message of the benchmark");
      m.ack();
    }
    count += batch.messages.length;
    lastBatch = Date.now();
  },
};
