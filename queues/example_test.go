package queues_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/queues"
	"github.com/godurable/godurable/worker"
)

// Job is what the examples send.
type Job struct {
	ID        string    `json:"id"`
	FailTimes int       `json:"fail_times"`
	Created   time.Time `json:"created"`
}

// A queue handler settles each message: Ack, or Retry of that message
// alone. In a Worker, Handle runs in an init function.
func ExampleHandle() {
	queues.Handle(func(ctx context.Context, b *queues.Batch) error {
		for _, m := range b.Messages {
			var j Job
			if err := m.Decode(&j); err != nil {
				log.Printf("message %s of %s is not a job: %v", m.ID, b.Queue, err)
				m.Ack()
				continue
			}
			if m.Attempts <= j.FailTimes {
				m.Retry(0) // after the consumer's retry_delay
				continue
			}
			m.Ack()
		}
		return nil // an error, or a panic, would retry the whole batch
	})
}

// SendBatch sends up to 100 messages at once: all or none.
func ExampleQueue_SendBatch() {
	var ctx context.Context // an event's: r.Context(), or a method's ctx
	if ctx == nil {
		return // (this example shows the calls)
	}
	env, _ := worker.GetEnv()
	q, err := queues.FromEnv(env, "JOBS")
	if err != nil {
		return
	}
	now := time.Now()
	metrics, err := q.SendBatch(ctx, []queues.SendMessage{
		{Body: Job{ID: "a", Created: now}},
		{Body: Job{ID: "b", Created: now}, Delay: time.Minute},
		{Body: []byte{0xca, 0xfe}, ContentType: queues.Bytes},
	}, nil)
	if err != nil {
		return
	}
	_ = metrics.BacklogCount // the messages waiting before these
}

// The jobs example in a test: a job that fails once is retried alone and
// done on its second delivery. The queue delivers on the Worker's clock:
// max_batch_timeout (1 s) after the job was sent, then after its retry.
func Example() {
	clock := dotest.NewManualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	w, err := dotest.Start(&dotest.Options{Package: "../examples/jobs", Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	w.Fetch(httptest.NewRequest("POST", "/jobs", strings.NewReader(`{"id":"j1","fail_times":1}`)))
	clock.Advance(time.Second)
	clock.Advance(time.Second)
	for _, run := range w.QueueRuns() {
		m := run.Messages[0]
		fmt.Println(run.Queue, m.Attempts, m.Body, "redelivered:", run.Result.Messages[0].Redelivered)
	}
	resp := w.Fetch(httptest.NewRequest("GET", "/jobs/j1", nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
	// Output:
	// jobs 1 map[fail_times:1 id:j1] redelivered: true
	// jobs 2 map[fail_times:1 id:j1] redelivered: false
	// {"id":"j1","status":"done","attempts":2}
}
