package cron_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/godurable/godurable/cron"
)

// The scheduled handler tells its cron triggers apart by their
// expression. It is a plain function, so it can be unit-tested as one;
// dotest's Worker.Scheduled runs it inside the Worker.
func ExampleHandle() {
	report := errors.New("the report's source is down")
	handler := func(ctx context.Context, e *cron.Event) error {
		switch e.Cron {
		case "*/5 * * * *":
			fmt.Println("sweep of", e.ScheduledTime.Format(time.RFC3339))
		case "0 3 * * MON-FRI":
			e.NoRetry() // tomorrow's report will do
			return report
		}
		return nil
	}
	// In a Worker, this runs in an init function.
	cron.Handle(handler)

	at := time.Date(2030, 1, 7, 3, 0, 0, 0, time.UTC)
	handler(context.Background(), &cron.Event{Cron: "*/5 * * * *", ScheduledTime: at})
	fmt.Println(handler(context.Background(), &cron.Event{Cron: "0 3 * * MON-FRI", ScheduledTime: at}))
	// Output:
	// sweep of 2030-01-07T03:00:00Z
	// the report's source is down
}
