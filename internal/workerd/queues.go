package workerd

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// Queues, as the local emulator (miniflare's queue broker, which wrangler
// dev runs) has them: a producer binding's send and sendBatch serialize
// each body by its content type and enqueue it, after its delay, on the
// Worker's clock; a queue with a consumer delivers its messages in
// batches of max_batch_size (default 5), a batch that is not full after
// max_batch_timeout seconds (default 1); a message retried (by the
// handler, or with its whole batch when the handler fails) comes back
// after its delay (the handler's, else retry_delay, else none), and one
// that failed max_retries + 1 times (default 2 + 1) moves to the
// dead-letter queue, keeping its ID and timestamp, or is dropped. A queue
// without a consumer drops what it is sent. Unlike wrangler dev, whose
// queues live in memory, the messages survive Restart (as on Cloudflare).

// The local emulator's limits and defaults.
const (
	queueMaxMessageSize  = 128_000
	queueMaxBatchCount   = 100
	queueMaxBatchBytes   = 288_000
	queueMaxDelaySeconds = 86_400
	queueDefaultBatch    = 5
	queueDefaultTimeout  = time.Second
	queueDefaultRetries  = 2
)

// QueueConsumer is a consumer's settings ([[queues.consumers]]); a zero
// or negative number takes the local emulator's default.
type QueueConsumer struct {
	Queue           string
	MaxBatchSize    int           // default 5
	MaxBatchTimeout time.Duration // default 1 s; set NoBatchTimeout for none
	MaxRetries      int           // default 2; set NoRetries for none
	DeadLetterQueue string
	RetryDelay      time.Duration
}

// NoBatchTimeout and NoRetries stand for max_batch_timeout = 0 and
// max_retries = 0, which the zero value cannot say.
const (
	NoBatchTimeout time.Duration = -1
	NoRetries      int           = -1
)

func (c *QueueConsumer) batchSize() int {
	if c.MaxBatchSize <= 0 {
		return queueDefaultBatch
	}
	return c.MaxBatchSize
}

func (c *QueueConsumer) batchTimeout() time.Duration {
	switch {
	case c.MaxBatchTimeout == NoBatchTimeout:
		return 0
	case c.MaxBatchTimeout <= 0:
		return queueDefaultTimeout
	}
	return c.MaxBatchTimeout
}

func (c *QueueConsumer) maxAttempts() int {
	switch {
	case c.MaxRetries == NoRetries:
		return 1
	case c.MaxRetries <= 0:
		return queueDefaultRetries + 1
	}
	return c.MaxRetries + 1
}

// QueueMessage is a message as a consumer gets it.
type QueueMessage struct {
	ID        string
	Timestamp time.Time
	Attempts  int
	// Body is the body as the consumer's JavaScript sees it, a value of
	// the model (see jsvalue.go).
	Body any
}

// QueueOutcome is what a queue handler asked of its batch, and how it
// ended: workerd's QueueResponse.
type QueueOutcome struct {
	// Err is the handler's error, a *driver.JSError as JavaScript would
	// throw it, or why the event could not run (outcome "exception").
	Err           error
	AckAll        bool
	RetryAll      bool
	RetryAllDelay *int // seconds
	// Acks are the IDs of the messages acknowledged one by one, and
	// Retries those retried one by one, with their delays (nil: none).
	Acks    []string
	Retries map[string]*int
}

// Redelivered reports whether the emulator delivers the message id
// again: its retry, the batch's, or the handler's failure.
func (o *QueueOutcome) Redelivered(id string) bool {
	_, retried := o.Retries[id]
	return o.Err != nil || o.RetryAll || retried
}

// QueueRun is one delivery of a batch to the queue handler.
type QueueRun struct {
	Queue    string
	Messages []QueueMessage
	Outcome  QueueOutcome
}

// Queue runs the Worker's queue handler with a batch of the queue called
// queue, as the emulator delivers it (and as vitest's createMessageBatch
// and getQueueResult do), and returns what the handler asked of it. The
// run is recorded (QueueRuns). metrics may be nil.
func (iso *Isolate) Queue(ctx context.Context, queue string, msgs []QueueMessage, metrics *abi.QueueMetrics) QueueOutcome {
	out := iso.queue(ctx, queue, msgs, metrics)
	iso.queueRuns.mu.Lock()
	iso.queueRuns.runs = append(iso.queueRuns.runs, QueueRun{Queue: queue, Messages: msgs, Outcome: out})
	iso.queueRuns.mu.Unlock()
	return out
}

func (iso *Isolate) queue(ctx context.Context, queue string, msgs []QueueMessage, metrics *abi.QueueMetrics) QueueOutcome {
	if !hasCapability(iso.Manifest().Worker, "queue") {
		iso.log("godurable: Received a QueueEvent but we lack a handler for QueueEvents. Did you remember to export a queue() function?")
		return QueueOutcome{Err: NewJSError("Error", "Handler does not export a queue() function.")}
	}
	batch := abi.QueueBatch{Queue: queue, Messages: make([]abi.QueueMessage, len(msgs)), Metrics: metrics}
	for i, m := range msgs {
		body, err := jsEncode(m.Body)
		if err != nil {
			return QueueOutcome{Err: fmt.Errorf("godurable: the body of message %s cannot cross: %w", m.ID, err)}
		}
		batch.Messages[i] = abi.QueueMessage{ID: m.ID, Timestamp: float64(m.Timestamp.UnixMilli()), Attempts: m.Attempts, Body: body}
	}
	inst, err := iso.instance()
	if err != nil {
		return QueueOutcome{Err: err}
	}
	iso.mu.Lock()
	dropped := iso.takeDroppedLocked()
	iso.mu.Unlock()
	out, err := inst.Dispatch(ctx, &driver.Message{Kind: abi.EventQueue, Payload: mustMarshal(&batch), Dropped: dropped,
		What: fmt.Sprintf("queue %q (%d messages)", queue, len(msgs))})
	if err != nil {
		return QueueOutcome{Err: err}
	}
	var res abi.QueueResult
	if err := abi.Unmarshal(out, &res); err != nil {
		return QueueOutcome{Err: fmt.Errorf("godurable: the guest sent a malformed queue result: %w", err)}
	}
	o := QueueOutcome{AckAll: res.AckAll, RetryAll: res.RetryAll, RetryAllDelay: res.RetryAllDelay, Retries: map[string]*int{}}
	for _, i := range res.Acks {
		if i >= 0 && i < len(msgs) {
			o.Acks = append(o.Acks, msgs[i].ID)
		}
	}
	for _, r := range res.Retries {
		if r.Index >= 0 && r.Index < len(msgs) {
			o.Retries[msgs[r.Index].ID] = r.Delay
		}
	}
	if res.Error != nil {
		o.Err = &driver.JSError{Err: res.Error}
	}
	return o
}

// queueRunState is the isolate's record of queue runs.
type queueRunState struct {
	mu   sync.Mutex
	runs []QueueRun
}

// QueueRuns returns every run of the queue handler so far, in the order
// they finished.
func (iso *Isolate) QueueRuns() []QueueRun {
	iso.queueRuns.mu.Lock()
	defer iso.queueRuns.mu.Unlock()
	return append([]QueueRun(nil), iso.queueRuns.runs...)
}

// Queues is the local emulator's broker of a Worker's queues: it holds
// their messages and delivers them to the Worker's queue handler.
type Queues struct {
	clock     driver.Clock
	consumers map[string]QueueConsumer

	mu     sync.Mutex
	queues map[string]*queueState
	iso    *Isolate // the consumer of every queue of consumers
	closed bool
	timers map[int]func() bool // armed, by sequence number, to stop at Close
	next   int
}

// queueState is one queue's messages waiting for their consumer.
type queueState struct {
	name     string
	messages []*queuedMessage
	bytes    int
	pending  *pendingFlush
}

type pendingFlush struct {
	immediate bool
	stop      func() bool
}

// queuedMessage is a message in a queue: its body serialized by its
// content type (a text's or JSON's text, bytes, a v8 value as the
// MessagePack of the value, which stands for V8's serialization).
type queuedMessage struct {
	id          string
	timestamp   time.Time
	contentType string
	body        []byte
	failed      int
}

// NewQueues returns the broker of the queues, on clock, that consumers
// consume (by queue name).
func NewQueues(clock driver.Clock, consumers []QueueConsumer) *Queues {
	q := &Queues{clock: clock, consumers: map[string]QueueConsumer{}, queues: map[string]*queueState{}, timers: map[int]func() bool{}}
	for _, c := range consumers {
		q.consumers[c.Queue] = c
	}
	return q
}

// attach makes iso the consumer of the queues.
func (q *Queues) attach(iso *Isolate) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.iso = iso
}

// close disarms every timer for good: nothing is delivered any more.
func (q *Queues) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	for _, stop := range q.timers {
		stop()
	}
	q.timers = nil
}

// afterLocked runs f after d on the clock, unless the broker closes
// first; the function it returns disarms the timer, with mu held too. It
// holds mu.
func (q *Queues) afterLocked(d time.Duration, f func()) func() bool {
	if q.closed {
		return func() bool { return false }
	}
	q.next++
	n := q.next
	stop := q.clock.AfterFunc(d, func() {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		delete(q.timers, n)
		q.mu.Unlock()
		f()
	})
	q.timers[n] = stop
	return func() bool {
		delete(q.timers, n)
		return stop()
	}
}

func (q *Queues) stateLocked(name string) *queueState {
	s := q.queues[name]
	if s == nil {
		s = &queueState{name: name}
		q.queues[name] = s
	}
	return s
}

// Backlog returns the number of messages of the queue called name that
// wait for their consumer, and the size of their bodies (the delayed
// ones and those being delivered excepted).
func (q *Queues) Backlog(name string) (count, bytes int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.queues[name]
	if s == nil {
		return 0, 0
	}
	return len(s.messages), s.bytes
}

// metricsLocked is a queue's backlog as workerd's sends report it.
func (s *queueState) metricsLocked() *abi.QueueMetrics {
	m := &abi.QueueMetrics{BacklogCount: float64(len(s.messages)), BacklogBytes: float64(s.bytes)}
	if len(s.messages) > 0 {
		m.OldestMessageTimestamp = float64(s.messages[0].timestamp.UnixMilli())
	}
	return m
}

// outgoing is a message a producer sends.
type outgoing struct {
	contentType string
	body        []byte
	delay       *int // seconds; nil: the batch's
}

// Enqueue sends messages to the queue called name as a producer does,
// each body a value of the model serialized by its content type; what is
// refused is refused before anything is sent. delay (seconds) applies to
// the messages without a delay of their own.
func (q *Queues) enqueue(name string, msgs []outgoing, delay int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.consumers[name]; !ok {
		return // no consumer: dropped, as the local emulator drops them
	}
	now := q.clock.Now().Truncate(time.Millisecond)
	for _, m := range msgs {
		qm := &queuedMessage{id: newMessageID(), timestamp: now, contentType: m.contentType, body: m.body}
		d := delay
		if m.delay != nil {
			d = *m.delay
		}
		q.pushAfterLocked(name, qm, d)
	}
}

// pushAfterLocked puts m at the end of the queue called name, after d
// seconds. It holds mu.
func (q *Queues) pushAfterLocked(name string, m *queuedMessage, d int) {
	if d <= 0 {
		q.pushLocked(name, m)
		return
	}
	q.afterLocked(time.Duration(d)*time.Second, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.pushLocked(name, m)
	})
}

func (q *Queues) pushLocked(name string, m *queuedMessage) {
	if q.closed {
		return
	}
	s := q.stateLocked(name)
	s.messages = append(s.messages, m)
	s.bytes += len(m.body)
	q.ensureFlushLocked(s)
}

// flushAtOnce is when a full batch is delivered: at once, as a timer
// that is due, so that on a manual clock it is delivered inside the next
// Advance, in order with the other timers, as every delivery is (a clock
// runs a timer of no duration at once, on a goroutine of its own).
const flushAtOnce = time.Nanosecond

// ensureFlushLocked arms the delivery of the queue's next batch: at once
// if a batch is full, else after the consumer's max_batch_timeout, as
// the local emulator does.
func (q *Queues) ensureFlushLocked(s *queueState) {
	c := q.consumers[s.name]
	hasSpace := len(s.messages) < c.batchSize()
	if s.pending != nil {
		if s.pending.immediate || hasSpace {
			return
		}
		s.pending.stop()
		s.pending = nil
	}
	d := flushAtOnce
	if hasSpace {
		d = max(c.batchTimeout(), flushAtOnce)
	}
	p := &pendingFlush{immediate: d == flushAtOnce}
	p.stop = q.afterLocked(d, func() { q.flush(s) })
	s.pending = p
}

// flush delivers the queue's next batch, and the next ones while a full
// batch waits, as the local emulator flushes a full batch at once.
func (q *Queues) flush(s *queueState) {
	for q.flushOnce(s) {
	}
}

// flushOnce delivers the queue's next batch and settles each message by
// what the handler asked: acknowledged, back in the queue after its
// delay, or, after its last attempt, in the dead-letter queue or dropped.
// It reports whether a full batch waits, to deliver at once.
func (q *Queues) flushOnce(s *queueState) bool {
	q.mu.Lock()
	c := q.consumers[s.name]
	n := min(c.batchSize(), len(s.messages))
	batch := append([]*queuedMessage(nil), s.messages[:n]...)
	s.messages = s.messages[n:]
	for _, m := range batch {
		s.bytes -= len(m.body)
	}
	metrics := s.metricsLocked()
	iso := q.iso
	q.mu.Unlock()

	var out QueueOutcome
	if len(batch) > 0 && iso != nil {
		msgs := make([]QueueMessage, len(batch))
		for i, m := range batch {
			body, err := m.value()
			if err != nil {
				body = nil // cannot happen: the body was checked when it was sent
			}
			msgs[i] = QueueMessage{ID: m.id, Timestamp: m.timestamp, Attempts: m.failed + 1, Body: body}
		}
		ctx, cancel := context.WithTimeout(context.Background(), iso.timeout())
		out = iso.Queue(ctx, s.name, msgs, metrics)
		cancel()
		if out.Err != nil {
			iso.log(fmt.Sprintf("godurable: the queue handler failed on a batch of %q: %v", s.name, out.Err))
		}
	}

	q.mu.Lock()
	defer q.mu.Unlock()
	var dead []*queuedMessage
	for _, m := range batch {
		if !out.Redelivered(m.id) {
			continue
		}
		m.failed++
		if m.failed < c.maxAttempts() {
			d := out.Retries[m.id]
			if d == nil {
				d = out.RetryAllDelay
			}
			delay := int(c.RetryDelay / time.Second)
			if d != nil {
				delay = *d
			}
			q.pushAfterLocked(s.name, m, delay)
		} else if c.DeadLetterQueue != "" {
			dead = append(dead, m)
		} else if iso != nil {
			iso.log(fmt.Sprintf("godurable: dropped message %q of queue %q after %d failed attempts", m.id, s.name, m.failed))
		}
	}
	s.pending = nil
	full := !q.closed && len(s.messages) >= c.batchSize()
	if full {
		s.pending = &pendingFlush{immediate: true, stop: func() bool { return false }} // this one, again
	} else if len(s.messages) > 0 {
		q.ensureFlushLocked(s)
	}
	if len(dead) > 0 {
		if iso != nil {
			iso.log(fmt.Sprintf("godurable: moving %d messages of queue %q to the dead-letter queue %q after %d failed attempts", len(dead), s.name, c.DeadLetterQueue, c.maxAttempts()))
		}
		if _, ok := q.consumers[c.DeadLetterQueue]; ok {
			for _, m := range dead {
				q.pushLocked(c.DeadLetterQueue, &queuedMessage{id: m.id, timestamp: m.timestamp, contentType: m.contentType, body: m.body})
			}
		}
	}
	return full
}

// value is the message's body as the consumer's JavaScript sees it: a
// text's string, a JSON text parsed, bytes as an ArrayBuffer, a v8
// value as it was sent.
func (m *queuedMessage) value() (any, error) {
	switch m.contentType {
	case "text":
		return string(m.body), nil
	case "bytes":
		return append([]byte(nil), m.body...), nil
	case "json":
		return jsonParse(m.body)
	}
	return jsDecode(m.body)
}

func newMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// The producer binding: workerd's WorkerQueue, in front of the broker.

// queueError is the error workerd throws when the queue service refuses
// a send (with the queue_expose_error_codes behaviour, as measured with
// wrangler 4.164.0).
func queueError() error { return NewJSError("Error", "Unknown Internal Error (15000)") }

// Producer returns the JavaScript object of a producer binding of the
// queue called name (workerd's WorkerQueue): send, sendBatch, metrics.
func (q *Queues) Producer(name string) *JSObject {
	p := &queueProducer{q: q, name: name}
	return &JSObject{Class: "WorkerQueue", Methods: map[string]any{
		"send":      p.send,
		"sendBatch": p.sendBatch,
		"metrics":   p.metrics,
	}}
}

type queueProducer struct {
	q    *Queues
	name string
}

type queueSendResponse struct {
	Metadata struct {
		Metrics queueMetricsValue `msgpack:"metrics"`
	} `msgpack:"metadata"`
}

type queueMetricsValue struct {
	BacklogCount           float64    `msgpack:"backlogCount"`
	BacklogBytes           float64    `msgpack:"backlogBytes"`
	OldestMessageTimestamp *time.Time `msgpack:"oldestMessageTimestamp"` // undefined (as null) when there is none
}

func (p *queueProducer) metricsValue() queueMetricsValue {
	p.q.mu.Lock()
	defer p.q.mu.Unlock()
	s := p.q.queues[p.name]
	if s == nil {
		return queueMetricsValue{}
	}
	m := s.metricsLocked()
	v := queueMetricsValue{BacklogCount: m.BacklogCount, BacklogBytes: m.BacklogBytes}
	if m.OldestMessageTimestamp != 0 {
		t := time.UnixMilli(int64(m.OldestMessageTimestamp)).UTC()
		v.OldestMessageTimestamp = &t
	}
	return v
}

func (p *queueProducer) response() queueSendResponse {
	var r queueSendResponse
	r.Metadata.Metrics = p.metricsValue()
	return r
}

// send is queue.send(body, {contentType, delaySeconds}).
func (p *queueProducer) send(ctx context.Context, body msgpack.RawMessage, opts msgpack.RawMessage) (queueSendResponse, error) {
	o, err := sendOptions(opts)
	if err != nil {
		return queueSendResponse{}, err
	}
	var v any = jsUndefined{}
	if len(body) > 0 {
		if v, err = jsDecode(body); err != nil {
			return queueSendResponse{}, err
		}
	}
	m, err := serializeMessage(v, o.contentType)
	if err != nil {
		return queueSendResponse{}, err
	}
	m.delay = o.delay
	if len(m.body) > queueMaxMessageSize || !delayInRange(m.delay) {
		return queueSendResponse{}, queueError()
	}
	r := p.response()
	p.q.enqueue(p.name, []outgoing{m}, 0)
	return r, nil
}

// sendBatch is queue.sendBatch([{body, contentType, delaySeconds}, ...],
// {delaySeconds}).
func (p *queueProducer) sendBatch(ctx context.Context, batch []msgpack.RawMessage, opts msgpack.RawMessage) (queueSendResponse, error) {
	if len(batch) == 0 {
		return queueSendResponse{}, NewJSError("TypeError", "sendBatch() requires at least one message")
	}
	o, err := sendOptions(opts)
	if err != nil {
		return queueSendResponse{}, err
	}
	msgs := make([]outgoing, len(batch))
	total, largest := 0, 0
	for i, raw := range batch {
		v, err := jsDecode(raw)
		if err != nil {
			return queueSendResponse{}, err
		}
		item, ok := v.(*jsObject)
		if !ok {
			return queueSendResponse{}, NewJSError("TypeError", "Failed to execute 'sendBatch' on 'WorkerQueue': parameter 1 is not of type 'Iterable<MessageSendRequest>'.")
		}
		mo, err := sendOptionsOf(item)
		if err != nil {
			return queueSendResponse{}, err
		}
		body, ok := item.get("body")
		if !ok {
			body = jsUndefined{}
		}
		m, err := serializeMessage(body, mo.contentType)
		if err != nil {
			return queueSendResponse{}, err
		}
		m.delay = mo.delay
		msgs[i] = m
		total += len(m.body)
		largest = max(largest, len(m.body))
	}
	if len(batch) > queueMaxBatchCount || largest > queueMaxMessageSize || total > queueMaxBatchBytes || !delayInRange(o.delay) {
		return queueSendResponse{}, queueError()
	}
	for _, m := range msgs {
		if !delayInRange(m.delay) {
			return queueSendResponse{}, queueError()
		}
	}
	r := p.response()
	d := 0
	if o.delay != nil {
		d = *o.delay
	}
	p.q.enqueue(p.name, msgs, d)
	return r, nil
}

// metrics is queue.metrics().
func (p *queueProducer) metrics(ctx context.Context) queueMetricsValue { return p.metricsValue() }

func delayInRange(d *int) bool { return d == nil || *d >= 0 && *d <= queueMaxDelaySeconds }

// sendOpts are the options of a send, or of one message of a batch.
type sendOpts struct {
	contentType string // "" for the default
	delay       *int
}

func sendOptions(raw msgpack.RawMessage) (sendOpts, error) {
	if len(raw) == 0 {
		return sendOpts{}, nil
	}
	v, err := jsDecode(raw)
	if err != nil {
		return sendOpts{}, err
	}
	switch o := v.(type) {
	case nil, jsUndefined:
		return sendOpts{}, nil
	case *jsObject:
		return sendOptionsOf(o)
	}
	return sendOpts{}, NewJSError("TypeError", "Failed to execute 'send' on 'WorkerQueue': parameter 2 is not of type 'QueueSendOptions'.")
}

func sendOptionsOf(o *jsObject) (sendOpts, error) {
	var out sendOpts
	if v, ok := o.get("contentType"); ok && v != nil {
		if _, undefined := v.(jsUndefined); !undefined {
			s, ok := v.(string)
			if !ok {
				s = fmt.Sprint(v)
			}
			ct, err := validContentType(s)
			if err != nil {
				return out, err
			}
			out.contentType = ct
		}
	}
	if v, ok := o.get("delaySeconds"); ok && v != nil {
		if f, ok := v.(float64); ok {
			n := int(f) // workerd takes an int: 1.5 is 1
			out.delay = &n
		}
	}
	return out, nil
}

func validContentType(s string) (string, error) {
	switch lower := strings.ToLower(s); lower {
	case "text", "bytes", "json", "v8":
		return lower, nil
	}
	return "", NewJSError("TypeError", "Unsupported queue message content type: "+s)
}

// serializeMessage serializes a body, a value of the model, by its
// content type, as workerd does, with its errors. The default is JSON
// (the queues_json_messages behaviour of every recent compatibility
// date).
func serializeMessage(v any, contentType string) (outgoing, error) {
	if contentType == "" {
		contentType = "json"
	}
	if _, undefined := v.(jsUndefined); undefined {
		return outgoing{}, NewJSError("TypeError", "Message body cannot be undefined")
	}
	m := outgoing{contentType: contentType}
	switch contentType {
	case "text":
		s, ok := v.(string)
		if !ok {
			return m, NewJSError("TypeError", `Content Type "text" requires a value of type string, but received: `+jsTypeof(v))
		}
		m.body = []byte(s)
	case "bytes":
		b, ok := v.([]byte)
		if !ok {
			return m, NewJSError("TypeError", `Content Type "bytes" requires a value of type ArrayBufferView, but received: `+jsTypeof(v))
		}
		m.body = b
	case "json":
		text, err := jsonStringify(v)
		if err != nil {
			return m, err
		}
		s, ok := text.(string)
		if !ok { // a function: JSON.stringify gives undefined
			return m, NewJSError("TypeError", "Message body cannot be undefined")
		}
		m.body = []byte(s)
	case "v8":
		if err := cloneable(v); err != nil {
			return m, err
		}
		b, err := jsEncode(v)
		if err != nil {
			return m, err
		}
		m.body = b
	}
	return m, nil
}

// cloneable refuses what V8's serializer cannot serialize: a function, an
// object with methods of the model (a binding, a stub), a value by
// reference.
func cloneable(v any) error {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := cloneable(e); err != nil {
				return err
			}
		}
	case *jsObject:
		for _, k := range x.keys {
			if err := cloneable(x.vals[k]); err != nil {
				return err
			}
		}
	case *JSObject, *jsStub, jsExt:
		return NewJSError("DataCloneError", jsDescribe(v)+" could not be cloned.")
	}
	return nil
}

// Messages that a test makes, their bodies Go values.

// QueueSend is a message a test sends, as a Go producer would.
type QueueSend struct {
	// ContentType is "json" (or ""), "text", "bytes" or "v8".
	ContentType string
	// Body is a Go value: marshaled with encoding/json for JSON, a string
	// or []byte for text and bytes, an RPC value for v8.
	Body  any
	Delay time.Duration
}

// QueueValue returns the value that a consumer's JavaScript sees of a
// body a Go producer sends with contentType ("" for JSON).
func QueueValue(contentType string, body any) (any, error) {
	v, ct, err := producerValue(contentType, body)
	if err != nil {
		return nil, err
	}
	m, err := serializeMessage(v, ct)
	if err != nil {
		return nil, err
	}
	return (&queuedMessage{contentType: m.contentType, body: m.body}).value()
}

// producerValue is the value of the model that a Go producer passes to
// send for body: what package queues makes of it.
func producerValue(contentType string, body any) (any, string, error) {
	ct := contentType
	if ct == "" {
		ct = "json"
	}
	ct, err := validContentType(ct)
	if err != nil {
		return nil, "", err
	}
	switch ct {
	case "json":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, "", err
		}
		v, err := jsonParse(buf.Bytes())
		return v, ct, err
	case "text", "bytes":
		var s []byte
		switch b := body.(type) {
		case string:
			s = []byte(b)
		case []byte:
			s = b
		default:
			return nil, "", fmt.Errorf("a %s body is a string or a []byte, not %T", ct, body)
		}
		if ct == "text" {
			return string(s), ct, nil
		}
		return s, ct, nil
	}
	b, err := abi.EncodeValue(body)
	if err != nil {
		return nil, "", err
	}
	v, err := jsDecode(b)
	return v, ct, err
}

// Send sends msgs to the queue called name as a producer's sendBatch
// does (one message is a send), with the same refusals.
func (q *Queues) Send(name string, msgs []QueueSend) error {
	out := make([]outgoing, len(msgs))
	total := 0
	for i, s := range msgs {
		v, ct, err := producerValue(s.ContentType, s.Body)
		if err != nil {
			return err
		}
		m, err := serializeMessage(v, ct)
		if err != nil {
			return err
		}
		if s.Delay != 0 {
			d := int((s.Delay + time.Second - 1) / time.Second)
			m.delay = &d
		}
		if len(m.body) > queueMaxMessageSize || !delayInRange(m.delay) {
			return queueError()
		}
		total += len(m.body)
		out[i] = m
	}
	if len(msgs) == 0 || len(msgs) > queueMaxBatchCount || total > queueMaxBatchBytes {
		return queueError()
	}
	q.enqueue(name, out, 0)
	return nil
}

// GoValue returns the Go value of a value of the model, as an RPC value
// decodes into an any.
func GoValue(v any) (any, error) {
	b, err := jsEncode(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = abi.DecodeValue(b, &out)
	return out, err
}
