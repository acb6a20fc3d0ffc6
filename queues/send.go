package queues

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// BindingKind is what workerd's environment calls a queue's producer
// binding, as worker.Env.BindingKind reports it.
const BindingKind = "WorkerQueue"

// The limits of the local emulator (wrangler dev), which Send and
// SendBatch check before anything is sent.
const (
	// MaxMessageSize is the largest body of a message, in bytes of its
	// content type's form (a JSON message's text).
	MaxMessageSize = 128_000
	// MaxBatchMessages is the most messages SendBatch sends at once.
	MaxBatchMessages = 100
	// MaxBatchSize is the largest total of the bodies of one SendBatch,
	// in bytes. (Cloudflare documents 256 KB.)
	MaxBatchSize = 288_000
	// MaxDelay is the longest delay of a message's delivery or retry.
	MaxDelay = 24 * time.Hour
)

var (
	// ErrNotQueue is matched by the error of FromEnv for a name that is
	// not a queue's producer binding (which matches worker.ErrNoBinding
	// too).
	ErrNotQueue = errors.New("queues: not a queue producer binding")
	// ErrBody is matched by the error of a send whose body does not suit
	// its content type (text takes a string, bytes a []byte, JSON what
	// encoding/json marshals), or whose content type is unknown.
	ErrBody = errors.New("queues: the body does not suit its content type")
	// ErrTooLarge is matched by the error of a send with a body over
	// MaxMessageSize, or a batch over MaxBatchSize.
	ErrTooLarge = errors.New("queues: message too large")
	// ErrBatchCount is matched by the error of SendBatch with no message,
	// or more than MaxBatchMessages.
	ErrBatchCount = errors.New("queues: a batch holds 1 to 100 messages")
	// ErrDelay is matched by the error of a send with a negative delay,
	// or one over MaxDelay.
	ErrDelay = errors.New("queues: the delay must be between 0 and 24 hours")
)

// ContentType is how a message's body is serialized on its way through
// the queue, which decides what its consumer gets.
type ContentType string

const (
	// JSON, the default, marshals the body with encoding/json: the
	// consumer gets the parsed JSON (in JavaScript, its object; in Go,
	// Message.Decode unmarshals it with encoding/json).
	JSON ContentType = "json"
	// Text sends a string (or a []byte, as a string): the consumer gets
	// the string.
	Text ContentType = "text"
	// Bytes sends a []byte (or a string, as its bytes): the consumer gets
	// them (in JavaScript, an ArrayBuffer).
	Bytes ContentType = "bytes"
	// V8 sends the body as an RPC value (see the worker package), in V8's
	// structured-clone serialization: a time.Time stays a Date, a []byte
	// a Uint8Array. Only the runtime measures its size, so a batch's
	// MaxBatchSize counts its V8 messages as nothing.
	V8 ContentType = "v8"
)

// Queue is a queue's producer binding ([[queues.producers]] in
// wrangler.toml): JavaScript's Queue. It is safe for concurrent use.
type Queue struct {
	binding string
}

// FromEnv returns the queue whose producer binding is called binding. It
// fails with ErrNotQueue if env has no such binding.
func FromEnv(env *worker.Env, binding string) (*Queue, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: no environment (worker.GetEnv)", ErrNotQueue)
	}
	if err := env.Binding(binding, "[[queues.producers]]", BindingKind); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotQueue, err)
	}
	return &Queue{binding: binding}, nil
}

// Binding returns the name of the binding.
func (q *Queue) Binding() string { return q.binding }

// SendOptions are the options of Send.
type SendOptions struct {
	// ContentType is the body's; JSON if empty.
	ContentType ContentType
	// Delay holds the message back from its consumer, up to MaxDelay;
	// rounded up to whole seconds. Zero: the queue's own delivery delay.
	Delay time.Duration
}

// SendMessage is one message of SendBatch.
type SendMessage struct {
	Body any
	// ContentType is the body's; JSON if empty.
	ContentType ContentType
	// Delay holds the message back, as SendOptions.Delay does; zero
	// takes the batch's.
	Delay time.Duration
}

// BatchOptions are the options of SendBatch.
type BatchOptions struct {
	// Delay holds back the messages that have no Delay of their own.
	Delay time.Duration
}

// Metrics is a queue's backlog: the messages waiting for their consumer
// (delayed ones and those being delivered excepted).
type Metrics struct {
	BacklogCount int64
	// BacklogBytes is the size of their bodies.
	BacklogBytes int64
	// OldestMessageTimestamp is when the oldest of them was sent; zero if
	// there is none.
	OldestMessageTimestamp time.Time
}

// wireMessage is a message as queue.sendBatch takes it (and, for Send,
// its body and options).
type wireMessage struct {
	Body         msgpack.RawMessage `msgpack:"body"`
	ContentType  ContentType        `msgpack:"contentType"`
	DelaySeconds *int               `msgpack:"delaySeconds,omitempty"`
}

// wireOptions are the options of send and sendBatch.
type wireOptions struct {
	ContentType  ContentType `msgpack:"contentType,omitempty"`
	DelaySeconds *int        `msgpack:"delaySeconds,omitempty"`
}

// wireMetrics are the metrics workerd gives, or the metadata around them.
type wireMetrics struct {
	BacklogCount float64 `msgpack:"backlogCount"`
	BacklogBytes float64 `msgpack:"backlogBytes"`
	// OldestMessageTimestamp is a Date, or undefined (which crosses as
	// nil, and a nil into a time.Time is refused).
	OldestMessageTimestamp *time.Time `msgpack:"oldestMessageTimestamp"`
}

type wireSendResult struct {
	Metadata *struct {
		Metrics *wireMetrics `msgpack:"metrics"`
	} `msgpack:"metadata"`
}

func (m *wireMetrics) metrics() *Metrics {
	if m == nil {
		return nil
	}
	out := &Metrics{BacklogCount: int64(m.BacklogCount), BacklogBytes: int64(m.BacklogBytes)}
	if t := m.OldestMessageTimestamp; t != nil && !t.IsZero() && t.UnixMilli() != 0 {
		out.OldestMessageTimestamp = t.UTC()
	}
	return out
}

func (r *wireSendResult) metrics() *Metrics {
	if r.Metadata == nil {
		return nil
	}
	return r.Metadata.Metrics.metrics()
}

// Send sends one message, whose body is marshaled by its content type
// (JSON unless opts says otherwise; opts may be nil), and returns the
// queue's backlog as the send found it (nil if the runtime gives none).
// A body that does not suit its content type, one over MaxMessageSize,
// or a delay out of range is refused before anything is sent (ErrBody,
// ErrTooLarge, ErrDelay); the runtime's refusals are *worker.Error.
func (q *Queue) Send(ctx context.Context, body any, opts *SendOptions) (*Metrics, error) {
	var o SendOptions
	if opts != nil {
		o = *opts
	}
	m, _, err := wire(SendMessage{Body: body, ContentType: o.ContentType, Delay: o.Delay})
	if err != nil {
		return nil, fmt.Errorf("queues: send to %s: %w", q.binding, err)
	}
	v, err := jsbridge.Binding(q.binding)
	if err != nil {
		return nil, err
	}
	var res wireSendResult
	if err := v.Call(ctx, "send", &res, m.Body, wireOptions{ContentType: m.ContentType, DelaySeconds: m.DelaySeconds}); err != nil {
		return nil, fmt.Errorf("queues: send to %s: %w", q.binding, unwrapBridge(err))
	}
	return res.metrics(), nil
}

// SendBatch sends msgs (1 to MaxBatchMessages of them, MaxBatchSize in
// all) at once, each marshaled as Send marshals it (opts may be nil), and
// returns the queue's backlog as the send found it. Either every message
// is sent or none is: a message that Send would refuse refuses the batch
// before anything is sent.
func (q *Queue) SendBatch(ctx context.Context, msgs []SendMessage, opts *BatchOptions) (*Metrics, error) {
	if len(msgs) == 0 || len(msgs) > MaxBatchMessages {
		return nil, fmt.Errorf("queues: send a batch to %s: %w (it has %d)", q.binding, ErrBatchCount, len(msgs))
	}
	var o wireOptions
	if opts != nil && opts.Delay != 0 {
		secs, err := delaySeconds(opts.Delay)
		if err != nil {
			return nil, fmt.Errorf("queues: send a batch to %s: %w", q.binding, err)
		}
		o.DelaySeconds = &secs
	}
	batch := make([]wireMessage, len(msgs))
	total := 0
	for i, m := range msgs {
		w, size, err := wire(m)
		if err != nil {
			return nil, fmt.Errorf("queues: send a batch to %s: message %d: %w", q.binding, i, err)
		}
		batch[i] = w
		total += size
	}
	if total > MaxBatchSize {
		return nil, fmt.Errorf("queues: send a batch to %s: %w: the bodies take %d bytes, more than %d", q.binding, ErrTooLarge, total, MaxBatchSize)
	}
	v, err := jsbridge.Binding(q.binding)
	if err != nil {
		return nil, err
	}
	var res wireSendResult
	args := []any{batch}
	if o.DelaySeconds != nil {
		args = append(args, o)
	}
	if err := v.Call(ctx, "sendBatch", &res, args...); err != nil {
		return nil, fmt.Errorf("queues: send a batch to %s: %w", q.binding, unwrapBridge(err))
	}
	return res.metrics(), nil
}

// Metrics returns the queue's backlog: queue.metrics().
func (q *Queue) Metrics(ctx context.Context) (*Metrics, error) {
	v, err := jsbridge.Binding(q.binding)
	if err != nil {
		return nil, err
	}
	var m *wireMetrics
	if err := v.Call(ctx, "metrics", &m); err != nil {
		return nil, fmt.Errorf("queues: metrics of %s: %w", q.binding, unwrapBridge(err))
	}
	if m == nil {
		m = &wireMetrics{}
	}
	return m.metrics(), nil
}

// unwrapBridge drops jsbridge's "call send:" from an error JavaScript
// threw, which the message of this package says better.
func unwrapBridge(err error) error {
	var we *worker.Error
	if errors.As(err, &we) {
		return we
	}
	return err
}

// wire marshals m's body by its content type, checks its size and its
// delay, and returns it with the size the runtime counts (0 for V8,
// which only the runtime serializes).
func wire(m SendMessage) (wireMessage, int, error) {
	ct := m.ContentType
	if ct == "" {
		ct = JSON
	}
	w := wireMessage{ContentType: ct}
	if m.Delay != 0 {
		secs, err := delaySeconds(m.Delay)
		if err != nil {
			return w, 0, err
		}
		w.DelaySeconds = &secs
	}
	var size int
	var err error
	switch ct {
	case JSON:
		w.Body, size, err = jsonBody(m.Body)
	case Text:
		switch b := m.Body.(type) {
		case string:
			w.Body, size = stringBody(b), len(b)
		case []byte:
			w.Body, size = stringBody(string(b)), len(b)
		default:
			err = fmt.Errorf("%w: content type text takes a string or a []byte, not %T", ErrBody, m.Body)
		}
	case Bytes:
		switch b := m.Body.(type) {
		case []byte:
			w.Body, size = bytesBody(b), len(b)
		case string:
			w.Body, size = bytesBody([]byte(b)), len(b)
		default:
			err = fmt.Errorf("%w: content type bytes takes a []byte or a string, not %T", ErrBody, m.Body)
		}
	case V8:
		if m.Body == nil {
			w.Body = msgpack.RawMessage{0xc0}
			break
		}
		var b []byte
		if b, err = abi.EncodeValue(m.Body); err == nil {
			err = abi.CheckJSSafe(b)
		}
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrBody, err)
		}
		w.Body = b
	default:
		err = fmt.Errorf("%w: unknown content type %q (json, text, bytes or v8)", ErrBody, ct)
	}
	if err != nil {
		return w, 0, err
	}
	if size > MaxMessageSize {
		return w, 0, fmt.Errorf("%w: %d bytes of %s, more than %d", ErrTooLarge, size, ct, MaxMessageSize)
	}
	return w, size, nil
}

// delaySeconds is d in whole seconds, rounded up, if it is in range.
func delaySeconds(d time.Duration) (int, error) {
	if d < 0 || d > MaxDelay {
		return 0, fmt.Errorf("%w (not %v)", ErrDelay, d)
	}
	return int((d + time.Second - 1) / time.Second), nil
}

// delayOf is what a retry asks for: d in whole seconds, rounded up and
// cut to MaxDelay, or nil for zero (the consumer's retry_delay).
func delayOf(d time.Duration) *int {
	if d <= 0 {
		return nil
	}
	d = min(d, MaxDelay)
	secs := int((d + time.Second - 1) / time.Second)
	return &secs
}
