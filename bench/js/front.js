// The front Worker of the benchmarks: the primary Worker of one multi-worker
// `wrangler dev` session (only the primary is served), in front of the Go
// and JavaScript Workers under test. Go and JavaScript are reached through
// the same code here, so that whatever this hop costs, it costs both alike.
//
//	/ping                          answered here (the cost of the front alone)
//	/{side}/...                    forwarded, without the /{side} prefix, to
//	                               side = go | js | base (counters), gohello | jshello | god1 |
//	                               jsd1 | gor2 | jsr2 | gopg | jspg | syumai | basehello (stateless Workers), gochat | jschat
//	                               (chat rooms; a WebSocket upgrade's answer,
//	                               the response's webSocket, passes through);
//	                               base and basehello are the Go Workers of
//	                               another checkout (godurable-bench -base)
//	POST /rpc/{go|js|base|floor}/{name}?n=N&par=P&method=M&arg=A...
//	                               P loops (default 1), each making N sequential
//	                               RPC calls M(A...) (default increment(1)) on the
//	                               counter {name} (loop i > 0 uses {name}-{i}):
//	                               {"calls", "last", "ms"}; with &stub=S the
//	                               argument is the stub of the counter S;
//	                               floor is bench/proto's object (benchNoop only)
//	POST /touch/{go|js|base}/{prefix}?from=A&to=B&par=P
//	                               get() on the counters {prefix}{A}..{prefix}{B-1},
//	                               P at a time: creates them. {"objects", "ms"}
//	GET  /probe/go/{name}          benchMemory() on a Go counter built with the
//	                               memory probe (bench/go/probe)

const SERVICES = { go: "GO", js: "JS", gohello: "GOHELLO", jshello: "JSHELLO", god1: "GOD1", jsd1: "JSD1", gor2: "GOR2", jsr2: "JSR2", gopg: "GOPG", jspg: "JSPG", syumai: "SYUMAI", base: "BASE", basehello: "BASEHELLO", gochat: "GOCHAT", jschat: "JSCHAT" };
const COUNTERS = { go: "GOCOUNTER", js: "JSCOUNTER", base: "BASECOUNTER", floor: "FLOORCOUNTER" };

function ms(t0) {
  return performance.now() - t0; // advances across I/O only, which RPC is
}

async function rpcLoop(ns, name, n, method, args) {
  const stub = ns.getByName(name);
  let last;
  if (method === "increment") for (let i = 0; i < n; i++) last = await stub.increment(args[0]);
  else for (let i = 0; i < n; i++) last = await stub[method](...args);
  return last;
}

async function touch(ns, prefix, from, to, par) {
  let next = from;
  async function lane() {
    while (next < to) {
      const i = next++;
      await ns.getByName(prefix + i).get();
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, par) }, lane));
}

function int(params, key, dflt) {
  const v = params.get(key);
  return v === null ? dflt : Number.parseInt(v, 10);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const parts = url.pathname.split("/");
    const side = parts[1];
    if (url.pathname === "/ping") return new Response("pong\n");
    if (side === "rpc" || side === "touch" || side === "probe") {
      const ns = env[COUNTERS[parts[2]]];
      const name = decodeURIComponent(parts.slice(3).join("/"));
      if (!ns) return new Response(`no counter namespace for ${parts[2]}\n`, { status: 404 });
      const t0 = performance.now();
      try {
        if (side === "rpc") {
          const n = int(url.searchParams, "n", 1);
          const par = int(url.searchParams, "par", 1);
          const method = url.searchParams.get("method") ?? "increment";
          const args = url.searchParams.getAll("arg").map(Number);
          if (url.searchParams.has("stub")) args.push(ns.getByName(url.searchParams.get("stub")));
          if (method === "increment" && args.length === 0) args.push(1);
          const lasts = await Promise.all(
            Array.from({ length: par }, (_, i) => rpcLoop(ns, i === 0 ? name : `${name}-${i}`, n, method, args)),
          );
          return Response.json({ calls: n * par, last: lasts[0], ms: ms(t0) });
        }
        if (side === "touch") {
          const from = int(url.searchParams, "from", 0);
          const to = int(url.searchParams, "to", from + 1);
          await touch(ns, name, from, to, int(url.searchParams, "par", 1));
          return Response.json({ objects: to - from, ms: ms(t0) });
        }
        return Response.json(await ns.getByName(name).benchMemory());
      } catch (err) {
        return Response.json({ error: { name: err?.name, message: err?.message } }, { status: 500 });
      }
    }
    const binding = SERVICES[side];
    if (binding) {
      const target = env[binding];
      if (!target) return new Response(`${binding} is not bound in this session\n`, { status: 404 });
      const inner = new URL(url);
      inner.pathname = "/" + parts.slice(2).join("/");
      return target.fetch(new Request(inner, request));
    }
    return new Response(`no route for ${url.pathname}\n`, { status: 404 });
  },
};
