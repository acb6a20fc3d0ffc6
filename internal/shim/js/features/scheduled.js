// The Worker's scheduled event: a cron trigger fired. The controller's
// cron and scheduledTime go to Go; the result says whether Go called
// NoRetry, and its error if it failed (abi.ScheduledResult), so that
// noRetry() reaches the controller before the error is thrown.

define(WORKER_EVENTS, {
  scheduled: {
    // scheduledTime is a number from workerd's cron, but a caller's
    // Fetcher.scheduled() may hand it on as a Date: Number reads both.
    payload: ([controller]) => encode({ cron: controller.cron, scheduledTime: Number(controller.scheduledTime) }),
    result: (ev, [controller]) => {
      const r = decode(ev.result());
      if (r.noRetry) controller.noRetry();
      if (r.error) throw toJSError(r.error);
    },
  },
});
