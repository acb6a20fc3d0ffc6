package dotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/internal/wrangler"
)

// QueueMessage is a message of a queue: one that a test makes for
// Worker.Queue or Worker.QueueSend, or one that Worker.QueueRuns reports.
type QueueMessage struct {
	// ID, Timestamp and Attempts are what the handler gets; for Queue,
	// empty ones default to a new ID, the Worker's clock and 1.
	ID        string
	Timestamp time.Time
	Attempts  int
	// Body is a Go value, sent as a Go producer sends it (see package
	// queues): by ContentType, "json" (the default: encoding/json),
	// "text" (a string or []byte), "bytes" (a []byte or string) or "v8"
	// (an RPC value). In QueueRuns, Body is what the handler got, decoded
	// as an RPC value into an any (bytes as []byte, objects as maps).
	Body        any
	ContentType string
	// Delay holds back a message of QueueSend, as a producer's delay.
	Delay time.Duration
}

// QueueResult is what the queue handler asked of a batch, and how it
// ended: vitest's getQueueResult.
type QueueResult struct {
	// Err is the handler's error (a *worker.Error), or nil: the batch's
	// outcome is "exception" or "ok".
	Err error
	// AckAll and RetryAll report the batch's calls; RetryAllDelay is
	// RetryAll's delay, if it gave one.
	AckAll        bool
	RetryAll      bool
	RetryAllDelay time.Duration
	// Messages are the batch's messages, in order.
	Messages []QueueMessageResult
}

// QueueMessageResult is what became of one message of a batch.
type QueueMessageResult struct {
	ID string
	// Acked and Retried report the message's own Ack or Retry, and
	// RetryDelay Retry's delay, if it gave one.
	Acked      bool
	Retried    bool
	RetryDelay time.Duration
	// Redelivered reports whether the queue delivers the message again
	// (or moves it to the dead-letter queue, after its last attempt): its
	// Retry, the batch's RetryAll, or the handler's failure, which retries
	// the whole batch.
	Redelivered bool
}

// Redelivered returns the IDs of the messages that the queue delivers
// again, in the batch's order.
func (r *QueueResult) Redelivered() []string {
	var out []string
	for _, m := range r.Messages {
		if m.Redelivered {
			out = append(out, m.ID)
		}
	}
	return out
}

// QueueRun is one delivery of a batch to the queue handler.
type QueueRun struct {
	Queue    string
	Messages []QueueMessage
	Result   QueueResult
}

// Queue runs the Worker's queue handler now with a batch of msgs of the
// queue called queue (any name), as vitest's createMessageBatch and the
// Worker's queue() do, and returns what the handler asked of each
// message (getQueueResult) and its error. The run is recorded
// (QueueRuns); the queue's emulator does nothing with its result. Without
// a queue handler, the error is workerd's "Handler does not export a
// queue() function.".
func (w *Worker) Queue(ctx context.Context, queue string, msgs ...QueueMessage) (*QueueResult, error) {
	now := w.clock().Now()
	in := make([]workerd.QueueMessage, len(msgs))
	for i, m := range msgs {
		body, err := workerd.QueueValue(m.ContentType, m.Body)
		if err != nil {
			return nil, fmt.Errorf("dotest: message %d: %w", i, guestError(err))
		}
		in[i] = workerd.QueueMessage{ID: m.ID, Timestamp: m.Timestamp, Attempts: m.Attempts, Body: body}
		if in[i].ID == "" {
			in[i].ID = newQueueMessageID()
		}
		if in[i].Timestamp.IsZero() {
			in[i].Timestamp = now
		}
		in[i].Timestamp = in[i].Timestamp.UTC().Truncate(time.Millisecond)
		if in[i].Attempts <= 0 {
			in[i].Attempts = 1
		}
	}
	ctx, cancel := w.eventContext(ctx)
	defer cancel()
	res := queueResult(in, w.iso.Queue(ctx, queue, in, nil))
	return &res, res.Err
}

// QueueSend sends msgs to the queue called queue, as a producer binding
// of this Worker sends them (one message as send, several as sendBatch),
// with the same refusals: the Worker's queue handler gets them as the
// emulator delivers (see the package docs). A queue that this Worker
// does not consume drops them, as the local emulator does.
func (w *Worker) QueueSend(queue string, msgs ...QueueMessage) error {
	if w.queues == nil {
		return fmt.Errorf("dotest: the Worker's configuration has no queues")
	}
	send := make([]workerd.QueueSend, len(msgs))
	for i, m := range msgs {
		send[i] = workerd.QueueSend{ContentType: m.ContentType, Body: m.Body, Delay: m.Delay}
	}
	return guestError(w.queues.Send(queue, send))
}

// QueueBacklog returns how many messages of the queue called queue wait
// for the queue handler (delayed ones, and those of a batch being
// delivered, excepted).
func (w *Worker) QueueBacklog(queue string) int {
	if w.queues == nil {
		return 0
	}
	n, _ := w.queues.Backlog(queue)
	return n
}

// QueueRuns returns every run of the queue handler so far (by the
// queues' emulator and by Queue), in the order they finished.
func (w *Worker) QueueRuns() []QueueRun {
	var out []QueueRun
	for _, r := range w.iso.QueueRuns() {
		run := QueueRun{Queue: r.Queue, Result: queueResult(r.Messages, r.Outcome)}
		for _, m := range r.Messages {
			body, _ := workerd.GoValue(m.Body)
			run.Messages = append(run.Messages, QueueMessage{ID: m.ID, Timestamp: m.Timestamp, Attempts: m.Attempts, Body: body})
		}
		out = append(out, run)
	}
	return out
}

func queueResult(msgs []workerd.QueueMessage, o workerd.QueueOutcome) QueueResult {
	r := QueueResult{Err: guestError(o.Err), AckAll: o.AckAll, RetryAll: o.RetryAll, RetryAllDelay: seconds(o.RetryAllDelay)}
	for _, m := range msgs {
		d, retried := o.Retries[m.ID]
		r.Messages = append(r.Messages, QueueMessageResult{
			ID: m.ID, Acked: slices.Contains(o.Acks, m.ID), Retried: retried, RetryDelay: seconds(d),
			Redelivered: o.Redelivered(m.ID),
		})
	}
	return r
}

func seconds(n *int) time.Duration {
	if n == nil {
		return 0
	}
	return time.Duration(*n) * time.Second
}

func newQueueMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clock is the Worker's clock.
func (w *Worker) clock() driver.Clock { return clockOf(&w.opts) }

// queueBroker returns the broker of the queues of c, on clock, or nil if
// it declares none; it refuses a consumer's setting that wrangler dev
// refuses.
func queueBroker(c *wrangler.Config, clock driver.Clock) (*workerd.Queues, error) {
	if len(c.Queues.Producers) == 0 && len(c.Queues.Consumers) == 0 {
		return nil, nil
	}
	var consumers []workerd.QueueConsumer
	for _, qc := range c.Queues.Consumers {
		if problems := wrangler.CheckQueueConsumer(qc); len(problems) > 0 {
			return nil, errors.New(problems[0])
		}
		wc := workerd.QueueConsumer{Queue: qc.Queue, DeadLetterQueue: qc.DeadLetterQueue}
		if v := qc.MaxBatchSize; v != nil {
			wc.MaxBatchSize = int(*v)
		}
		if v := qc.MaxBatchTimeout; v != nil {
			wc.MaxBatchTimeout = time.Duration(*v * float64(time.Second))
			if *v == 0 {
				wc.MaxBatchTimeout = workerd.NoBatchTimeout
			}
		}
		if v := qc.MaxRetries; v != nil {
			wc.MaxRetries = int(*v)
			if *v == 0 {
				wc.MaxRetries = workerd.NoRetries
			}
		}
		if v := qc.RetryDelay; v != nil {
			wc.RetryDelay = time.Duration(*v) * time.Second
		}
		consumers = append(consumers, wc)
	}
	return workerd.NewQueues(clock, consumers), nil
}
