// The object's alarm: its operations (workerd's return promises, even for
// SQLite-backed objects) and its event.

define(ASYNC_OPS_IMPL, {
  "alarm.get": async (rt, req, o) => encode((await o.storage.getAlarm()) ?? null),
  "alarm.set": async (rt, req, o) => {
    await o.storage.setAlarm(req);
    return EMPTY;
  },
  "alarm.delete": async (rt, req, o) => {
    await o.storage.deleteAlarm();
    return EMPTY;
  },
});

define(OBJECT_EVENTS, {
  alarm: {
    // alarmInfo is missing under old compatibility dates and when a test
    // calls alarm() itself.
    payload: ([info]) =>
      encode({
        scheduledTime: info?.scheduledTime ?? Date.now(),
        retryCount: info?.retryCount ?? 0,
        isRetry: Boolean(info?.isRetry),
      }),
    result: (ev) => {
      ev.result(); // throws the handler's error, and workerd retries the alarm
    },
  },
});
