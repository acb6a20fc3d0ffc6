package cache_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/godurable/godurable/cache"
	"github.com/godurable/godurable/durableobject/dotest"
)

// A Worker keeps rendered pages in the default cache for a minute
// (testdata/pages); under dotest, the cache follows the Worker's clock.
func Example() {
	clock := dotest.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/pages", Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	get := func() {
		resp := w.Fetch(httptest.NewRequest("GET", "https://example.com/pages/home", nil))
		body, _ := io.ReadAll(resp.Body)
		fmt.Print(resp.Header.Get("X-Cache"), " ", string(body))
	}
	get()                      // rendered, then put
	get()                      // from the cache
	clock.Advance(time.Minute) // max-age=60 has passed
	get()                      // rendered again
	// Output:
	// MISS page HOME
	// HIT page HOME
	// MISS page HOME
}

// Match, Put and Delete take the request as net/http has it; Put reads
// the response's body as it streams.
func ExampleCache_Put() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		key, _ := http.NewRequestWithContext(ctx, "GET", "https://example.com/report", nil)
		// A body of unknown length streams into the cache.
		report := io.NopCloser(strings.NewReader(strings.Repeat("row\n", 1000)))
		err := cache.Default().Put(ctx, key, &http.Response{
			StatusCode:    http.StatusOK,
			Header:        http.Header{"Cache-Control": {"max-age=300"}},
			Body:          report,
			ContentLength: -1,
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
	_ = handler
}

// A named cache is apart from the default one.
func ExampleOpen() {
	lookup := func(ctx context.Context, r *http.Request) (*http.Response, error) {
		thumbs, err := cache.Open(ctx, "thumbnails")
		if err != nil {
			return nil, err
		}
		// A HEAD matches what a GET stored only with IgnoreMethod.
		return thumbs.Match(ctx, r, &cache.QueryOptions{IgnoreMethod: true})
	}
	_ = lookup
}
