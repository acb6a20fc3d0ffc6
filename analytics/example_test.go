package analytics_test

import (
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/godurable/godurable/durableobject/dotest"
)

// A Worker records each page view (testdata/views); under dotest, the
// test reads what it wrote.
func Example() {
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/views"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	for _, path := range []string{"/", "/pricing"} {
		req := httptest.NewRequest("GET", "https://example.com"+path, nil)
		req.Header.Set("CF-IPCountry", "PT")
		w.Fetch(req)
	}
	points, err := w.DataPoints("VIEWS")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range points {
		fmt.Println(p.Indexes, p.Blobs, p.Doubles)
	}
	// Output:
	// [example.com] [/ PT] [1]
	// [example.com] [/pricing PT] [1]
}
