package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/godurable/godurable/worker"
)

// Ordinary Go waits inside events: Go timers of every kind, a channel
// that other events fill (a feed of server-sent events), and a lock held
// across a wait on the host.

// waitBy waits about d the way kind says, as a Go programmer would.
// "afterfunc" runs then on time.AfterFunc's own goroutine; every other
// kind runs then after the wait, on the caller's goroutine.
func waitBy(ctx context.Context, kind string, d time.Duration, then func() error) error {
	switch kind {
	case "sleep":
		time.Sleep(d)
	case "after":
		<-time.After(d)
	case "timer":
		t := time.NewTimer(d)
		<-t.C
	case "afterfunc":
		errc := make(chan error, 1)
		time.AfterFunc(d, func() { errc <- then() })
		return <-errc
	case "ticker":
		t := time.NewTicker(d / 2)
		<-t.C
		<-t.C
		t.Stop()
	case "ctxtimeout":
		c, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		<-c.Done()
	case "worker":
		if err := worker.Sleep(ctx, d); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown kind of wait %q", kind)
	}
	return then()
}

// WaitThenWrite waits ms milliseconds the way kind says (sleep, after,
// timer, afterfunc, ticker, ctxtimeout, worker), then counts the wait in
// its storage: it returns how many waits the object has counted.
func (s *Sandbox) WaitThenWrite(ctx context.Context, kind string, ms int64) (int64, error) {
	var n int64
	err := waitBy(ctx, kind, time.Duration(ms)*time.Millisecond, func() error {
		var err error
		n, err = s.Incr("waits")
		return err
	})
	return n, err
}

// feed is what a Sandbox keeps of its listeners: the channels that Say
// fills and the feeds of GET /do/{name}/feed drain.
type feed struct {
	mu        sync.Mutex
	listeners map[chan string]struct{}
	said      int64
}

func (f *feed) listen() chan string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listeners == nil {
		f.listeners = map[chan string]struct{}{}
	}
	ch := make(chan string, 64)
	f.listeners[ch] = struct{}{}
	return ch
}

func (f *feed) leave(ch chan string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.listeners, ch)
}

// Listeners is how many feeds are open on the object.
func (s *Sandbox) Listeners() int64 {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	return int64(len(s.feed.listeners))
}

// Say sends msg to every open feed, and returns how many got it.
func (s *Sandbox) Say(msg string) int64 {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	s.feed.said++
	for ch := range s.feed.listeners {
		ch <- msg
	}
	return int64(len(s.feed.listeners))
}

// serveFeed is GET /do/{name}/feed?n=N: N server-sent events, each a
// message that Say sent while the feed waited for it on a channel.
func (s *Sandbox) serveFeed(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, errors.New("n must be a positive integer"))
		return
	}
	ch := s.feed.listen()
	defer s.feed.leave(ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	for range n {
		select {
		case msg := <-ch:
			fmt.Fprintf(w, "data: %s\n\n", msg)
			w.(http.Flusher).Flush()
		case <-r.Context().Done():
			return
		}
	}
}

// LockedNap takes the object's lock, waits ms milliseconds on the host
// (worker.Sleep, which lets other events of the object run), counts one
// nap and unlocks; it returns the count.
func (s *Sandbox) LockedNap(ctx context.Context, ms int64) (int64, error) {
	s.lock.Lock()
	defer s.lock.Unlock()
	s.locked.Store(true)
	defer s.locked.Store(false)
	if err := worker.Sleep(ctx, time.Duration(ms)*time.Millisecond); err != nil {
		return 0, err
	}
	s.naps++
	return s.naps, nil
}

// IsLocked reports whether LockedNap holds the lock, without taking it.
func (s *Sandbox) IsLocked() bool { return s.locked.Load() }

// LockedNaps takes the lock (waiting for a LockedNap that holds it) and
// returns the count of naps.
func (s *Sandbox) LockedNaps() int64 {
	s.lock.Lock()
	defer s.lock.Unlock()
	return s.naps
}

// serveWait is the stateless Worker's GET /wait?kind=K&ms=N&then=T: a
// wait of kind K, then I/O on behalf of the request: T is "fetch" (GET
// ?url=), "call" (an RPC call of the object ?name=) or "none". It answers
// what the I/O gave.
func serveWait(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ms, _ := strconv.Atoi(q.Get("ms"))
	var out string
	err := waitBy(r.Context(), q.Get("kind"), time.Duration(ms)*time.Millisecond, func() error {
		switch q.Get("then") {
		case "fetch":
			req, err := newRequest(r.Context(), q.Get("url"))
			if err != nil {
				return err
			}
			resp, err := worker.Fetch(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			out = string(b)
			return err
		case "call":
			stub, err := sandboxStub(q.Get("name"))
			if err != nil {
				return err
			}
			var sum int64
			err = stub.Call(r.Context(), "add", &sum, 2, 3)
			out = strconv.FormatInt(sum, 10)
			return err
		case "none":
			return nil
		}
		return fmt.Errorf("unknown then %q", q.Get("then"))
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": out})
}

// serveFeedHead is GET /feed-head/{name}: the Worker fetches the object's
// feed with Stub.Fetch and answers with what it got before any message:
// the status and content type, with the body left unread.
func serveFeedHead(w http.ResponseWriter, r *http.Request) {
	stub, err := sandboxStub(r.PathValue("name"))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	req, err := newRequest(r.Context(), "http://object/do/"+r.PathValue("name")+"/feed?n=1")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	resp, err := stub.Fetch(req)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	resp.Body.Close()
	writeJSON(w, http.StatusOK, map[string]any{"status": resp.StatusCode, "contentType": resp.Header.Get("Content-Type")})
}
