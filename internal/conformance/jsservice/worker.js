// The JavaScript service of the jsbridge scenarios: an RPC entrypoint
// whose methods a Go Worker calls through package jsbridge.
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";

// Counter is a class instance with methods: it crosses to Go by reference.
class Counter extends RpcTarget {
  constructor(n) {
    super();
    this.n = n;
  }
  increment(by = 1) {
    this.n += by;
    return this.n;
  }
}

export class Values extends WorkerEntrypoint {
  // echo returns its argument, as structured clone copies it.
  echo(v) {
    return v;
  }
  // kinds describes what JavaScript received: typeof and constructor of
  // each argument.
  kinds(...args) {
    return args.map((v) => (v === null ? "null" : v === undefined ? "undefined" : `${typeof v}:${v?.constructor?.name ?? ""}`));
  }
  counter(start) {
    return new Counter(start);
  }
  reject(message) {
    return Promise.reject(new RangeError(message));
  }
  throwType(message) {
    throw new TypeError(message);
  }
}

export default {
  fetch() {
    return new Response("godurable-jsservice");
  },
};
