// The Worker's queue event: a batch of messages of a queue it consumes.
// The messages go to Go as data (abi.QueueBatch), each body as an RPC
// value (a bytes message's ArrayBuffer as bytes); what Go asked of them
// comes back as the event's result (abi.QueueResult), applied to
// workerd's batch before the handler's error, if any, is thrown: an ack
// made before a failure counts, as in JavaScript.

define(WORKER_EVENTS, {
  queue: {
    payload: ([batch]) => {
      const m = batch.metadata?.metrics;
      return encodeForGo({
        queue: batch.queue,
        messages: batch.messages.map((msg) => ({ id: msg.id, timestamp: msg.timestamp.getTime(), attempts: msg.attempts, body: msg.body })),
        metrics: m && { backlogCount: m.backlogCount, backlogBytes: m.backlogBytes, oldestMessageTimestamp: m.oldestMessageTimestamp?.getTime() ?? 0 },
      });
    },
    result: (ev, [batch]) => {
      const r = decode(ev.result());
      const msgs = batch.messages;
      for (const i of r.acks ?? []) msgs[i].ack();
      for (const x of r.retries ?? []) msgs[x.index].retry(x.delay === undefined ? undefined : { delaySeconds: x.delay });
      if (r.retryAll) batch.retryAll(r.retryAllDelay === undefined ? undefined : { delaySeconds: r.retryAllDelay });
      if (r.ackAll) batch.ackAll();
      if (r.error) throw toJSError(r.error);
    },
  },
});
