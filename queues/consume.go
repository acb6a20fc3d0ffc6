package queues

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Batch is a batch of messages of one queue that the Worker consumes
// ([[queues.consumers]] in wrangler.toml): workerd's MessageBatch. Its
// methods and its messages' are safe for concurrent use.
type Batch struct {
	// Queue is the name of the queue the messages come from: tell the
	// queues a Worker consumes apart with it.
	Queue string
	// Messages are the batch's messages, at most the consumer's
	// max_batch_size.
	Messages []*Message
	// Metrics is the queue's backlog once this batch was taken from it,
	// if the runtime says (nil if not).
	Metrics *Metrics

	mu            sync.Mutex
	ackAll        bool
	retryAll      bool
	retryAllDelay *int
}

// Message is one message of a Batch.
type Message struct {
	// ID is the message's ID, the same on every delivery of it (and in the
	// dead-letter queue).
	ID string
	// Timestamp is when the message was sent (UTC, whole milliseconds).
	Timestamp time.Time
	// Attempts counts the deliveries of this message, this one included:
	// 1 the first time. A dead-letter queue's consumer counts afresh.
	Attempts int

	body  []byte
	batch *Batch
	state msgState
	delay *int
}

type msgState uint8

const (
	untouched msgState = iota
	acked
	retried
)

// Decode decodes the message's body into v, a non-nil pointer:
//
//   - a JSON body (the default content type, whoever sent it) as
//     encoding/json unmarshals its text: a Go value sent as JSON comes
//     back as it was sent;
//   - a text body into a *string (or a *[]byte), and, as the JSON string
//     it also is, into what encoding/json unmarshals a string into;
//   - a bytes body (JavaScript's ArrayBuffer) into a *[]byte (or a
//     *string), or an *any, where it is a []byte;
//   - a v8 body as a JSON body if JSON can hold it, and otherwise (a Date,
//     a Map, bytes inside it) as an RPC value decodes (see the worker
//     package).
func (m *Message) Decode(v any) error {
	if err := decodeBody(m.body, v); err != nil {
		return fmt.Errorf("queues: message %s: %w", m.ID, err)
	}
	return nil
}

func decodeBody(b []byte, v any) error {
	if len(b) > 0 && msgpcode.IsBin(b[0]) {
		var raw []byte
		if err := abi.DecodeValue(b, &raw); err != nil {
			return err
		}
		switch p := v.(type) {
		case *[]byte:
			*p = raw
			return nil
		case *string:
			*p = string(raw)
			return nil
		case *any:
			*p = raw
			return nil
		}
		return abi.DecodeValue(b, v)
	}
	if p, ok := v.(*[]byte); ok && len(b) > 0 && msgpcode.IsString(b[0]) {
		var s string
		if err := abi.DecodeValue(b, &s); err != nil {
			return err
		}
		*p = []byte(s)
		return nil
	}
	if text, ok := valueToJSON(b); ok {
		return json.Unmarshal(text, v)
	}
	return abi.DecodeValue(b, v)
}

// Ack acknowledges the message: it is not delivered again, whatever the
// handler does next (unless the runtime retries the whole batch: see the
// package docs). As in workerd, an Ack after Retry of the same message,
// or after RetryAll, does nothing but log a warning.
func (m *Message) Ack() {
	b := m.batch
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.ackAll:
	case b.retryAll:
		warn("Ack of message %s after RetryAll has no effect", m.ID)
	case m.state == retried:
		warn("Ack of message %s after its Retry has no effect", m.ID)
	default:
		m.state = acked
	}
}

// Retry asks for the message to be delivered again, after delay (rounded
// up to whole seconds, at most MaxDelay), or after the consumer's
// retry_delay if delay is 0. A message that has failed max_retries + 1
// times goes to the consumer's dead-letter queue, or is dropped. As in
// workerd, a Retry after Ack of the same message, or after AckAll, does
// nothing but log a warning; a second Retry replaces the first's delay.
func (m *Message) Retry(delay time.Duration) {
	b := m.batch
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.ackAll:
		warn("Retry of message %s after AckAll has no effect", m.ID)
	case m.state == acked:
		warn("Retry of message %s after its Ack has no effect", m.ID)
	default:
		m.state = retried
		m.delay = delayOf(delay)
	}
}

// AckAll acknowledges every message of the batch. After RetryAll, it
// does nothing but log a warning.
func (b *Batch) AckAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.retryAll {
		warn("AckAll after RetryAll has no effect")
		return
	}
	b.ackAll = true
}

// RetryAll asks for every message of the batch to be delivered again,
// after delay as Message.Retry has it. After AckAll, it does nothing but
// log a warning.
func (b *Batch) RetryAll(delay time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ackAll {
		warn("RetryAll after AckAll has no effect")
		return
	}
	b.retryAll = true
	if d := delayOf(delay); d != nil {
		b.retryAllDelay = d
	}
}

// warn logs a call that workerd ignores with a warning.
func warn(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "queues: "+format+"\n", args...)
}

// result is what the handler asked of the batch, for the host.
func (b *Batch) result() *abi.QueueResult {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := &abi.QueueResult{AckAll: b.ackAll, RetryAll: b.retryAll, RetryAllDelay: b.retryAllDelay}
	for i, m := range b.Messages {
		switch m.state {
		case acked:
			r.Acks = append(r.Acks, i)
		case retried:
			r.Retries = append(r.Retries, abi.QueueRetry{Index: i, Delay: m.delay})
		}
	}
	return r
}

var (
	handlerMu sync.Mutex
	handler   func(context.Context, *Batch) error
)

// Handle registers h as the Worker's queue handler, which gets the
// batches of every queue the Worker consumes. Call it once, from an init
// function. When h returns nil, the messages it neither acknowledged nor
// retried are acknowledged; when it returns an error or panics, the
// runtime retries the batch (see the package docs).
func Handle(h func(ctx context.Context, b *Batch) error) {
	if h == nil {
		panic("queues: Handle(nil)")
	}
	handlerMu.Lock()
	defer handlerMu.Unlock()
	if handler != nil {
		panic("queues: Handle called twice")
	}
	handler = h
}

func registered() func(context.Context, *Batch) error {
	handlerMu.Lock()
	defer handlerMu.Unlock()
	return handler
}

func init() {
	rt.HandleEvent(abi.EventQueue, rt.EventSpec{
		Registered: func() bool { return registered() != nil },
		Run:        runQueue,
	})
}

// runQueue runs the handler and completes the event with what it asked
// of the messages and its error, a panic's included (abi.QueueResult).
func runQueue(ctx context.Context, e *rt.Event, payload []byte) {
	var in abi.QueueBatch
	if err := abi.Unmarshal(payload, &in); err != nil {
		e.FailWith(&abi.Error{Name: "TypeError", Message: "godurable: malformed queue batch: " + err.Error()})
		return
	}
	b := &Batch{Queue: in.Queue, Messages: make([]*Message, len(in.Messages))}
	if in.Metrics != nil {
		b.Metrics = &Metrics{BacklogCount: int64(in.Metrics.BacklogCount), BacklogBytes: int64(in.Metrics.BacklogBytes)}
		if in.Metrics.OldestMessageTimestamp != 0 {
			b.Metrics.OldestMessageTimestamp = time.UnixMilli(int64(in.Metrics.OldestMessageTimestamp)).UTC()
		}
	}
	for i, m := range in.Messages {
		b.Messages[i] = &Message{ID: m.ID, Timestamp: time.UnixMilli(int64(m.Timestamp)).UTC(), Attempts: m.Attempts, body: m.Body, batch: b}
	}
	var failure *abi.Error
	func() {
		defer func() {
			if v := recover(); v != nil {
				failure = e.PanicError(v)
			}
		}()
		if err := registered()(ctx, b); err != nil {
			failure = rt.ToABI(err)
		}
	}()
	res := b.result()
	res.Error = failure
	out, err := abi.Marshal(res)
	if err != nil {
		e.Fail(err)
		return
	}
	e.Finish(out)
}
