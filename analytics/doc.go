// Package analytics writes data points to a Workers Analytics Engine
// dataset from Go: events (a page view, an API call, a sale) that
// Cloudflare stores for SQL queries later, each with an index (the key
// Analytics Engine samples by), text blobs and numbers.
//
// A dataset is a binding of wrangler.toml:
//
//	[[analytics_engine_datasets]]
//	binding = "VIEWS"         # analytics.FromEnv(env, "VIEWS") in Go, env.VIEWS in JavaScript
//	dataset = "page_views"    # the dataset's name in SQL queries
//
// [Dataset.WriteDataPoint] records a [DataPoint]; it returns at once, as
// JavaScript's writeDataPoint does (workerd sends the data points after
// the event, and nobody learns whether they arrived):
//
//	views, err := analytics.FromEnv(env, "VIEWS")
//	// ...
//	err = views.WriteDataPoint(r.Context(), analytics.DataPoint{
//		Indexes: []string{customerID},                          // index1
//		Blobs:   []string{r.URL.Path, r.Header.Get("CF-IPCountry")}, // blob1, blob2
//		Doubles: []float64{1, float64(bytesSent)},              // double1, double2
//	})
//
// # Limits
//
// workerd refuses, on Cloudflare, a data point with more than one index,
// an index of more than 96 bytes, more than 20 blobs, blobs of more than
// 5,120 bytes in all, or more than 20 doubles. WriteDataPoint checks them
// first ([DataPoint.Check]) and returns an error matching [ErrLimit], with
// workerd's message, without sending anything, so that the limits hold
// locally too, where nothing checks them.
//
// # Testing
//
// wrangler dev's dataset sends its data points nowhere, and refuses
// nothing. The dotest harness emulates it the same way, and keeps what the
// Worker wrote: dotest.Worker.DataPoints returns the data points of a
// dataset binding, in order, for the test to check (see the Example). A
// test may play the binding itself with Options.Fakes.
package analytics
