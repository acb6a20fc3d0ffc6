// The godurable runtime for workerd: it runs one Go instance per isolate and
// hands it every event. internal/shim joins the files of this directory
// into one ES module (godurable.mjs), in the order shim.go's runtimeFiles
// gives, after the constants and tables it generates from the Go package
// internal/abi (ABI, CALL_OPS, ASYNC_OPS, EVENTS):
//
//   module.js     the imports, and helpers every file uses
//   codec.js      MessagePack, its extensions, values and errors for Go
//   tables.js     the tables of implementations the other files fill
//   bodies.js     bodies streaming both ways; requests and responses
//   events.js     an event in flight; the fetch and call events
//   instance.js   one instantiation of the Go module: imports, WASI, ticks
//   features/     one file per feature: its operations and events
//   runtime.js    the per-isolate Runtime and createRuntime, the export
//
// Every row of the generated tables has its implementation in SYNC_OPS,
// ASYNC_OPS_IMPL, OBJECT_EVENTS or WORKER_EVENTS, and nothing else does (a
// Go test checks both without Node). A feature adds its rows with define,
// in a file of its own under features/.

import * as cloudflareWorkers from "cloudflare:workers";
import * as cloudflareSockets from "cloudflare:sockets";
import { Encoder, Decoder, ExtensionCodec, ExtData } from "@msgpack/msgpack";

const { DurableObject, WorkerEntrypoint } = cloudflareWorkers;

// MODULES are the modules whose exports Go reaches by specifier
// (jsbridge.Module, through js.global): this file, the only one that
// imports, imports them once, when the shim loads.
const MODULES = Object.freeze({
  "cloudflare:sockets": cloudflareSockets,
  "cloudflare:workers": cloudflareWorkers,
});

function noop() {}

// andThen is f(x), or a Promise of it when x is a Promise: an event that
// Go finished within its call into Go is answered at once, with no turn of
// the event loop and no Promise of its own (dispatch).
function andThen(x, f) {
  return x instanceof Promise ? x.then(f) : f(x);
}

function randomID() {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

function hex(bytes) {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
