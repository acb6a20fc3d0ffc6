package conformance

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitKinds are the ways Go code waits that the sandbox's waitBy knows:
// every Go timer, a context's deadline, and worker.Sleep.
var waitKinds = []string{"sleep", "after", "timer", "afterfunc", "ticker", "ctxtimeout", "worker"}

// waits checks ordinary Go waits inside events: a Go timer of any kind
// wakes its event's code on that event's behalf, whatever other objects
// are doing meanwhile (workerd refuses an object's storage from another
// object's I/O context); an event that waits on a channel another event
// fills lets that event in; so does one that waits for a lock that an
// event holds across a wait on the host.
func (s *suite) waits(t *testing.T) {
	t.Run("Timers", s.goTimers)
	t.Run("Feed", s.channelFeed)
	t.Run("Lock", s.lockAcrossWait)
}

// load keeps n other objects busy with calls until the returned function
// is called.
func (s *suite) load(t *testing.T, n int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("load-%d", i)
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := s.target.Call(t, "SANDBOX", name, "add", 1, 2); err != nil {
					t.Errorf("the load's call of %s: %v", name, err)
					return
				}
			}
		}()
	}
	return func() {
		close(done)
		wg.Wait()
	}
}

func (s *suite) goTimers(t *testing.T) {
	stop := s.load(t, 3)
	defer stop()
	for _, kind := range waitKinds {
		t.Run(kind, func(t *testing.T) {
			// Objects: the write after the wait is on the object's behalf.
			const objects = 4
			var wg sync.WaitGroup
			for i := range objects {
				wg.Add(1)
				go func() {
					defer wg.Done()
					name := fmt.Sprintf("wait-%s-%d", kind, i)
					counted := 0.0
					for round := 1; round <= 2; round++ {
						v, err := s.target.Call(t, "SANDBOX", name, "waitThenWrite", kind, 30+25*i)
						if err != nil {
							t.Errorf("%s: waitThenWrite(%s) round %d: %v", name, kind, round, err)
							continue
						}
						counted++
						equal(t, name+" waits counted", v, counted)
					}
				}()
			}
			// The stateless Worker: the I/O after the wait is on the
			// request's behalf.
			for _, then := range []string{"fetch", "call"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					q := url.Values{"kind": {kind}, "ms": {"40"}, "then": {then}, "url": {s.upstream + "/waited"}, "name": {"wait-target"}}
					r := s.get(t, "/wait?"+q.Encode())
					if r.Status != http.StatusOK {
						t.Errorf("GET /wait %s then %s: status %d: %s", kind, then, r.Status, r.Body)
						return
					}
					got := decodeJSON(t, r).(map[string]any)["result"]
					want := "5"
					if then == "fetch" {
						want = "GET /waited from="
					}
					equal(t, "the Worker's "+then+" after "+kind, got, want)
				}()
			}
			wg.Wait()
		})
	}
}

// channelFeed is a feed of server-sent events in an object, forwarded by
// the Worker with Stub.ServeHTTP, whose handler waits on a channel that
// other events' calls fill: each call answers while the feed waits, and
// the feed's client reads every message.
func (s *suite) channelFeed(t *testing.T) {
	const n = 5
	req, err := http.NewRequest(http.MethodGet, "http://worker/do/feedroom/feed?n="+fmt.Sprint(n), nil)
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan *http.Response, 1)
	go func() { opened <- s.target.Stream(t, req) }()
	deadline := time.Now().Add(30 * time.Second)
	for s.call(t, "feedroom", "listeners") != 1.0 {
		if time.Now().After(deadline) {
			t.Fatal("the feed did not start listening within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The status and headers come before any message: the object flushed
	// them, and Stub.ServeHTTP passes them on at once.
	var resp *http.Response
	select {
	case resp = <-opened:
	case <-time.After(30 * time.Second):
		t.Fatal("the feed's status and headers did not arrive within 30 s of its flush (held back until the first body byte?)")
	}
	defer resp.Body.Close()
	var want strings.Builder
	for i := 1; i <= n; i++ {
		msg := fmt.Sprintf("m%d", i)
		equal(t, "say "+msg+": listeners", s.call(t, "feedroom", "say", msg), 1.0)
		fmt.Fprintf(&want, "data: %s\n\n", msg)
	}
	equal(t, "feed status", resp.StatusCode, http.StatusOK)
	equal(t, "feed content type", resp.Header.Get("Content-Type"), "text/event-stream")
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the feed: %v (read %q)", err, body)
	}
	equal(t, "the feed", string(body), want.String())
	equal(t, "listeners after the feed", s.call(t, "feedroom", "listeners"), 0.0)

	// Stub.Fetch gives the Worker the response as soon as the object has
	// flushed its head, before any message.
	equal(t, "Stub.Fetch of a feed, before its first message", s.getJSON(t, "/feed-head/headroom", 200),
		map[string]any{"status": 200.0, "contentType": "text/event-stream"})
}

// lockAcrossWait: one event holds a sync.Mutex across worker.Sleep, during
// which another event of the object starts and waits for the lock; the
// first must get its turn back to unlock.
func (s *suite) lockAcrossWait(t *testing.T) {
	naps := make(chan any, 1)
	go func() { naps <- s.call(t, "locker", "lockedNap", 300) }()
	deadline := time.Now().Add(30 * time.Second)
	for s.call(t, "locker", "isLocked") != true {
		if time.Now().After(deadline) {
			t.Fatal("lockedNap did not take the lock within 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	equal(t, "lockedNaps, after waiting for the lock", s.call(t, "locker", "lockedNaps"), 1.0)
	equal(t, "lockedNap", <-naps, 1.0)
}
