// Outbound HTTP with the runtime's fetch.

define(ASYNC_OPS_IMPL, {
  "fetch": (rt, req, o, ev) => sendRequest(ev, req, (request) => fetch(request), rt.bodies),
});
