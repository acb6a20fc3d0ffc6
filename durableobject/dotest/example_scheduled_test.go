package dotest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// A test runs the scheduled handler on demand with Scheduled, and the
// configuration's cron triggers fire on the Worker's clock. The sandbox's
// handler fails for the cron "fail"; its configuration has the trigger
// "*/5 * * * *".
func ExampleWorker_Scheduled() {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := dotest.NewManualClock(start)
	w, err := dotest.Start(&dotest.Options{Package: "../../internal/conformance/sandbox", Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	fmt.Println(w.Scheduled(context.Background(), "fail", start))

	clock.Advance(time.Hour)
	runs := w.ScheduledRuns()[1:]
	first, last := runs[0], runs[len(runs)-1]
	fmt.Println(len(runs), first.Cron, first.ScheduledTime.Format(time.TimeOnly), "to", last.ScheduledTime.Format(time.TimeOnly))
	// Output:
	// the scheduled handler failed
	// 12 */5 * * * * 00:05:00 to 01:00:00
}
