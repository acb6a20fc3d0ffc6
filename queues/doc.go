// Package queues sends messages to Cloudflare Queues and consumes them. A
// producer binding is a [Queue] ([FromEnv]), whose [Queue.Send] and
// [Queue.SendBatch] send Go values; the Worker's queue handler ([Handle])
// gets the batches of the queues it consumes and says what becomes of
// each message.
//
//	[[queues.producers]]
//	binding = "JOBS"                # queues.FromEnv(env, "JOBS")
//	queue = "jobs"
//
//	[[queues.consumers]]
//	queue = "jobs"
//	max_batch_size = 10             # messages per batch, 1 to 100
//	max_batch_timeout = 1           # seconds to wait for a batch to fill
//	max_retries = 3                 # deliveries after the first, then...
//	dead_letter_queue = "jobs-dead" # ...here (or dropped, without one)
//
// # Sending
//
//	q, err := queues.FromEnv(env, "JOBS")
//	_, err = q.Send(r.Context(), Job{ID: "j1"}, nil)                     // as JSON
//	_, err = q.Send(r.Context(), "ping", &queues.SendOptions{ContentType: queues.Text, Delay: time.Minute})
//	_, err = q.SendBatch(r.Context(), []queues.SendMessage{{Body: a}, {Body: b}}, nil) // all or none
//
// A send takes the context of an event (an HTTP request's, an RPC
// method's, a queue handler's) and returns the queue's backlog as the
// send found it ([Metrics]; nil from a runtime that gives none).
// [Queue.Metrics] reads it at any time. What the local emulator would
// refuse is refused before anything is sent, with an error of this
// package: a body that does not suit its content type ([ErrBody]), one
// over [MaxMessageSize] or a batch over [MaxBatchSize] ([ErrTooLarge]),
// a batch of no message or more than [MaxBatchMessages]
// ([ErrBatchCount]), a delay beyond [MaxDelay] ([ErrDelay]). What the
// runtime refuses is a *worker.Error.
//
// # Bodies
//
// A message's content type ([ContentType]) says how its body travels:
//
//   - [JSON], the default: the Go value as encoding/json marshals it. A
//     JavaScript consumer gets the parsed JSON; Message.Decode unmarshals
//     it with encoding/json, so a type that round-trips through
//     encoding/json (time.Time, json.Marshaler, `json` tags,
//     omitempty) round-trips through the queue, whichever language sends.
//   - [Text]: a string, which a consumer gets as a string.
//   - [Bytes]: a []byte, which a JavaScript consumer gets as an
//     ArrayBuffer and Decode as a []byte.
//   - [V8]: the value as an RPC value (see the worker package), in V8's
//     structured clone: a time.Time arrives as a Date (and Decode gives it
//     back as a time.Time), a []byte as a Uint8Array.
//
// Send always names the content type, so what a message carries does not
// depend on the compatibility date (the default of workerd's send is JSON
// from its queues_json_messages behaviour on, V8 before).
//
// # Consuming
//
//	func init() {
//		queues.Handle(func(ctx context.Context, b *queues.Batch) error {
//			for _, m := range b.Messages {
//				var j Job
//				if err := m.Decode(&j); err != nil {
//					m.Ack() // not a job: drop it
//					continue
//				}
//				if err := run(ctx, j); err != nil {
//					m.Retry(10 * time.Second) // this message alone, in 10 s
//					continue
//				}
//				m.Ack()
//			}
//			return nil
//		})
//	}
//
// A [Batch] holds the messages of one queue ([Batch.Queue]: one handler
// gets the batches of every queue the Worker consumes). Each [Message]
// has its ID, its Timestamp (when it was sent) and its Attempts (1 on its
// first delivery). [Message.Ack] and [Message.Retry] settle one message;
// [Batch.AckAll] and [Batch.RetryAll] all of them. They follow workerd's
// rules: a message's first call wins (a Retry after its Ack, or after
// AckAll, does nothing but log a warning, and so on), and AckAll and
// RetryAll exclude each other.
//
// When the handler returns nil, the messages it neither acknowledged nor
// retried are acknowledged. When it returns an error or panics, the
// runtime retries the whole batch: in wrangler dev (and dotest) every
// message of it, those acknowledged before the failure too; on
// Cloudflare, the explicitly acknowledged ones stay acknowledged. The
// calls made before the failure cross with it, as a JavaScript handler's
// would.
//
// # Retries and dead letters
//
// A retried message comes back after its delay (Retry's, else
// RetryAll's, else the consumer's retry_delay, else at once), in a later
// batch, its Attempts one higher. A message that has failed max_retries +
// 1 times moves to the consumer's dead_letter_queue, keeping its ID, its
// Timestamp and its body; the dead-letter queue's consumer counts its
// Attempts from 1. Without a dead-letter queue, it is dropped. Delivery
// is at least once: a batch may come again after a failure that the
// handler did not see through (the Worker crashed, say), so handlers
// should be idempotent (examples/jobs counts deliveries by message and
// attempt).
//
// # Locally
//
// wrangler dev emulates queues in memory (its messages are lost when it
// restarts) with defaults that are not Cloudflare's: max_batch_size 5
// (10 on Cloudflare), max_batch_timeout 1 s (5 s), max_retries 2 (3).
// Set them in wrangler.toml to get the same behaviour in both places. A
// queue that no Worker of the session consumes drops what it is sent;
// wasmbuild check warns of one, and refuses consumers without a queue
// handler in the module and settings out of range.
//
// In a test, the dotest harness runs the queues of the configuration as
// wrangler dev does, on the Worker's clock: a manual clock's Advance
// delivers the batches that fall due (see the dotest package); its
// Worker.Queue delivers a batch a test builds and reports what the
// handler asked of each message.
//
// A Worker that does not import this package has no queue handler and
// pays nothing for it in its module; a queue handler costs about 40 KB of
// module (10 KB gzipped).
package queues
