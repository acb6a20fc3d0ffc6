// The JavaScript Worker of the benchmark's PostgreSQL row: the twin of
// bench/go/pg, with node-postgres (pg, pinned in package.json here), which
// connects through cloudflare:sockets (pg-cloudflare).
import pg from "pg";

export default {
  async fetch(request, env) {
    const q = Number(new URL(request.url).searchParams.get("q") ?? 0);
    const client = new pg.Client({ connectionString: env.HYPERDRIVE.connectionString });
    await client.connect();
    try {
      let sum = 0;
      for (let i = 0; i < q; i++) sum += (await client.query("SELECT 1 AS v")).rows[0].v;
      return new Response(String(sum));
    } finally {
      await client.end();
    }
  },
};
