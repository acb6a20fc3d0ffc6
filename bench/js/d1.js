// The JavaScript Worker of the benchmark's D1 row: the twin of bench/go/d1.
export default {
  async fetch(request, env) {
    const n = Number(new URL(request.url).searchParams.get("n") ?? 0);
    const v = await env.DB.prepare("SELECT ?1 + 1 AS v").bind(n).first("v");
    return new Response(String(v));
  },
};
