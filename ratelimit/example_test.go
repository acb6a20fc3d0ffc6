package ratelimit_test

import (
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// A Worker allows each client two calls a minute (testdata/api); under
// dotest, the limiter's window follows the Worker's clock.
func Example() {
	clock := dotest.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/api", Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	call := func(client string) {
		req := httptest.NewRequest("GET", "/api", nil)
		req.Header.Set("CF-Connecting-IP", client)
		fmt.Print(w.Fetch(req).StatusCode, " ")
	}
	call("192.0.2.1")
	call("192.0.2.1")
	call("192.0.2.1") // the third call in the minute
	call("192.0.2.2") // another client
	clock.Advance(time.Minute)
	call("192.0.2.1") // the next minute
	fmt.Println()
	// Output: 200 200 429 200 200
}
