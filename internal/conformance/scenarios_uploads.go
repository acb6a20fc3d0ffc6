package conformance

import (
	"bytes"
	"net/http"
	"testing"
)

// refusedUploads: a handler that answers an upload without reading it
// (the ordinary 401 for a request without credentials) reaches its client
// whole, as a JavaScript handler's does; the upload is 10 MiB, more than
// any buffer holds. (An upload that a Worker forwards to an object that
// does not read it is left out: in wrangler dev the client then gets an
// empty or reset answer from JavaScript objects too.)
func (s *suite) refusedUploads(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16)
	for _, path := range []string{"/refuse"} {
		for try := 1; try <= 3; try++ {
			req, err := http.NewRequest(http.MethodPost, "http://worker"+path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = int64(len(body))
			r := s.target.Fetch(t, req)
			if r.Status != http.StatusUnauthorized || string(r.Body) != "{\"error\":\"no credentials\"}\n" {
				t.Errorf("POST %s with 10 MiB, try %d: %d %q, want 401 and its body", path, try, r.Status, r.Body)
			}
		}
	}
}
