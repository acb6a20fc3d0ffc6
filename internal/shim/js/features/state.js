// The object's own state: ctx.abort.

define(SYNC_OPS, {
  "state.abort": (rt, reason, o) => {
    // Not now: ctx.abort throws through its caller, which would be Go.
    queueMicrotask(() => {
      try {
        o.ctx.abort(reason);
      } catch (err) {}
    });
    return EMPTY;
  },
});
