package conformance

import (
	"net/http"
	"testing"
	"time"
)

// lifecycle: what an event's context says about the event's life.
func (s *suite) lifecycle(t *testing.T) {
	t.Run("ClientGoesAway", s.clientGoesAway)
}

// clientGoesAway: when the client of a request goes away, the handler's
// context is cancelled (workerd aborts request.signal) and a wait on it
// returns context.Canceled, with ErrClientGone as its cause.
func (s *suite) clientGoesAway(t *testing.T) {
	key := "gone-" + s.target.Name()
	req, err := http.NewRequest(http.MethodGet, "/hang?key="+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.target.Abandon(t, req, 500*time.Millisecond)
	var outcome string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if r := s.get(t, "/outcome?key="+key); r.Status == http.StatusOK {
			outcome = string(r.Body)
			break
		}
	}
	equal(t, "what the handler's context said", outcome, "context canceled; cause: godurable: the client went away")
}
