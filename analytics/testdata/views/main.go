// Command views is a Worker that records a data point per page view in an
// Analytics Engine dataset: the site as its index, the path and the
// client's country as blobs, and the view's count as a double. The
// analytics package's examples run it under dotest.
package main

import (
	"fmt"
	"net/http"

	"github.com/godurable/godurable/analytics"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() { worker.HandleFunc(page) }

func page(w http.ResponseWriter, r *http.Request) {
	env, err := worker.GetEnv()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	views, err := analytics.FromEnv(env, "VIEWS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	err = views.WriteDataPoint(r.Context(), analytics.DataPoint{
		Indexes: []string{r.Host},
		Blobs:   []string{r.URL.Path, r.Header.Get("CF-IPCountry")},
		Doubles: []float64{1},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "page", r.URL.Path)
}
