package dotest_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// A test delivers a batch it builds with Queue and reads what the handler
// asked of each message; the queues of the configuration deliver on the
// Worker's clock. The jobs example retries a job's message alone while
// the job has failures left.
func ExampleWorker_Queue() {
	clock := dotest.NewManualClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	w, err := dotest.Start(&dotest.Options{Package: "../../examples/jobs", Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	w.Fetch(httptest.NewRequest("POST", "/jobs/batch", strings.NewReader(`[{"id":"a","fail_times":1},{"id":"b"}]`)))
	fmt.Println("waiting:", w.QueueBacklog("jobs"))

	res, err := w.Queue(context.Background(), "jobs",
		dotest.QueueMessage{ID: "m-a", Body: map[string]any{"id": "a", "fail_times": 1}},
		dotest.QueueMessage{ID: "m-b", Body: map[string]any{"id": "b"}})
	fmt.Println(res.Redelivered(), err)
	for _, m := range res.Messages {
		fmt.Printf("%s acked %v, retried %v\n", m.ID, m.Acked, m.Retried)
	}

	// The queue's own batch, after max_batch_timeout: a's first attempt
	// again (the Board counts it once) is retried, b is done already.
	clock.Advance(time.Second)
	fmt.Println("waiting:", w.QueueBacklog("jobs"), "runs:", len(w.QueueRuns()))
	// Output:
	// waiting: 2
	// [m-a] <nil>
	// m-a acked false, retried true
	// m-b acked true, retried false
	// waiting: 1 runs: 2
}
