// The implementations of the generated tables, by name: every file adds
// the rows of its feature with define, and runtime.js pairs them with the
// tables (implementOps, implementEvents).

// The synchronous host operations (CALL_OPS), by name. Each gets the
// runtime, the decoded request and, for an operation on an object, the
// object's record (its ctx, storage and sockets); it returns the result's
// bytes.
const SYNC_OPS = {};

// The asynchronous host operations (ASYNC_OPS), by name: each gets what a
// synchronous one gets and the event that started it, and returns a
// promise of the result's bytes.
const ASYNC_OPS_IMPL = {};

// The events of Durable Objects (EVENTS.object), by the name of their
// handler: payload turns the handler's arguments (and the object's
// record) into the event's payload, result turns the finished event into
// what the handler returns.
const OBJECT_EVENTS = {};

// The events of the stateless Worker (EVENTS.worker), likewise.
const WORKER_EVENTS = {};

// define adds the implementations impls to table; a name implemented
// twice refuses to load.
function define(table, impls) {
  for (const [name, impl] of Object.entries(impls)) {
    if (Object.hasOwn(table, name)) throw new Error(`godurable: the shim implements ${name} twice`);
    table[name] = impl;
  }
}
