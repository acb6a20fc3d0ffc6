package abi

import "github.com/vmihailenco/msgpack/v5"

// QueueBatch is the payload of EventQueue: a batch of messages of one
// queue, as workerd's MessageBatch gives them to a queue handler.
type QueueBatch struct {
	// Queue is the name of the queue the messages come from.
	Queue string `msgpack:"queue"`
	// Messages are the batch's messages, in the order workerd gives them;
	// a QueueResult names them by their index here.
	Messages []QueueMessage `msgpack:"messages"`
	// Metrics is the batch's metadata.metrics, if workerd gives them.
	Metrics *QueueMetrics `msgpack:"metrics,omitempty"`
}

// QueueMessage is one message of a QueueBatch.
type QueueMessage struct {
	ID string `msgpack:"id"`
	// Timestamp is when the message was sent, in ms since the epoch.
	Timestamp float64 `msgpack:"timestamp"`
	// Attempts counts the deliveries of the message, this one included.
	Attempts int `msgpack:"attempts"`
	// Body is the message's body as one RPC value (EncodeValue's form): a
	// bytes message's ArrayBuffer as bytes, a text message's string, a
	// JSON or v8 message's value.
	Body msgpack.RawMessage `msgpack:"body"`
}

// QueueMetrics is a queue's backlog, as workerd reports it with a batch
// (metadata.metrics) and the result of a send.
type QueueMetrics struct {
	BacklogCount float64 `msgpack:"backlogCount"`
	BacklogBytes float64 `msgpack:"backlogBytes"`
	// OldestMessageTimestamp is in ms since the epoch; 0 if the backlog
	// is empty (workerd's undefined).
	OldestMessageTimestamp float64 `msgpack:"oldestMessageTimestamp,omitempty"`
}

// QueueResult is the result of EventQueue: what the handler asked of each
// message and of the batch, which the host applies to workerd's batch
// (message.ack(), message.retry(), batch.ackAll(), batch.retryAll()), and
// the handler's error, which it throws after them. The event always
// completes with it, a failure of the handler included, so that the
// calls made before a failure count, as they do in JavaScript. The guest
// records the calls with workerd's rules (a retry after an ack of the
// same message does nothing, and so on), so the host may apply them in
// any order: acks, retries, retryAll, ackAll.
type QueueResult struct {
	AckAll   bool `msgpack:"ackAll,omitempty"`
	RetryAll bool `msgpack:"retryAll,omitempty"`
	// RetryAllDelay is retryAll's delaySeconds; nil leaves it out (the
	// consumer's retry_delay applies).
	RetryAllDelay *int `msgpack:"retryAllDelay,omitempty"`
	// Acks are the indexes of the messages acknowledged one by one.
	Acks []int `msgpack:"acks,omitempty"`
	// Retries are the messages retried one by one.
	Retries []QueueRetry `msgpack:"retries,omitempty"`
	Error   *Error       `msgpack:"error,omitempty"`
}

// QueueRetry is one message.retry() of a QueueResult.
type QueueRetry struct {
	// Index is the message's index in the batch.
	Index int `msgpack:"index"`
	// Delay is retry's delaySeconds; nil leaves it out.
	Delay *int `msgpack:"delay,omitempty"`
}

// AppendScalar appends v as EncodeValue encodes it, if v is a scalar (nil,
// a bool, an int, int64, float64, string or []byte), and reports whether
// it was: for code that writes values of its own (package queues writes
// JSON text as the value JSON.parse would give).
func AppendScalar(b []byte, v any) ([]byte, bool) { return appendScalar(b, v, true) }
