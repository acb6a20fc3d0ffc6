// The stateless JavaScript Worker of the benchmarks: the twin of
// bench/go/hello.
export default {
  fetch() {
    return new Response("hello\n", { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
