package conformance

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// lifecycle: what an event's context says about the event's life.
func (s *suite) lifecycle(t *testing.T) {
	t.Run("ClientGoesAway", s.clientGoesAway)
	t.Run("WaitUntil", s.waitUntil)
	t.Run("BlockConcurrencyWhile", s.blockConcurrencyWhile)
	t.Run("Initializer", s.initializer)
	t.Run("Abort", s.abort)
	t.Run("Streaming", s.streaming)
}

// abort: State.Abort fails the call with its reason and resets the
// object: the next call builds it anew, with its storage.
func (s *suite) abort(t *testing.T) {
	const o = "aborted"
	before, _ := s.sandboxCall(t, o, "whoami").(map[string]any)
	if _, jsErr := s.target.Call(t, "SANDBOX", o, "abortMe", "the object's memory is broken"); jsErr == nil || !strings.Contains(jsErr.Message, "the object's memory is broken") {
		t.Errorf("abortMe: %v, want an error with the reason", jsErr)
	}
	var after map[string]any
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		after, _ = s.sandboxCall(t, o, "whoami").(map[string]any)
		if after["constructed"] != before["constructed"] {
			break
		}
	}
	equal(t, "constructions after the abort", after["constructed"], before["constructed"].(float64)+1)
}

// blockConcurrencyWhile: an event that waits gives up the object's turn,
// so a call that arrives meanwhile sees the first one's half-done state,
// unless the first waits inside BlockConcurrencyWhile, where the second
// runs only after it.
func (s *suite) blockConcurrencyWhile(t *testing.T) {
	for _, block := range []bool{false, true} {
		name := fmt.Sprintf("hold-%v-%s", block, s.target.Name())
		done := make(chan *JSError, 1)
		go func() {
			_, jsErr := s.target.Call(t, "SANDBOX", name, "hold", 500, block)
			done <- jsErr
		}()
		started := false
		for deadline := time.Now().Add(15 * time.Second); !started && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			started, _ = s.sandboxCall(t, "observer", "held", name).(bool)
		}
		if !started {
			t.Fatalf("block %v: hold never started", block)
		}
		want := "start"
		if block {
			want = "end"
		}
		equal(t, fmt.Sprintf("what a call sees while hold(block %v) waits", block), s.sandboxCall(t, name, "holdState"), want)
		if jsErr := <-done; jsErr != nil {
			t.Errorf("hold: %v", jsErr)
		}
	}
}

// initializer: an object's Init, which waits, runs once before any of
// the calls that arrive together at a new object; a failing Init fails
// the call with its error, every time.
func (s *suite) initializer(t *testing.T) {
	name := "init-" + s.target.Name()
	const calls = 4
	results := make(chan any, calls)
	for range calls {
		go func() {
			v, jsErr := s.target.Call(t, "PLAIN", name, "initialized")
			if jsErr != nil {
				results <- jsErr
				return
			}
			results <- v
		}()
	}
	for range calls {
		equal(t, "what a call that arrived with the others saw", <-results, map[string]any{"ready": true, "inits": 1.0})
	}
	for range 2 {
		_, jsErr := s.target.Call(t, "PLAIN", "broken-"+s.target.Name(), "initialized")
		if jsErr == nil || jsErr.Name != "RangeError" || !strings.Contains(jsErr.Message, "initializing Plain: no configuration for broken-") {
			t.Errorf("a call to an object whose Init fails: %v, want its RangeError", jsErr)
		}
	}
	_, jsErr := s.target.Call(t, "PLAIN", name, "init")
	if jsErr == nil || jsErr.Name != "TypeError" {
		t.Errorf("init over RPC: %v, want a TypeError (Init is not an RPC method)", jsErr)
	}
}

// waitUntil: work given to worker.WaitUntil goes on after the response,
// with a context the handler's end does not cancel, and may do I/O on the
// event's behalf; in a Durable Object too.
func (s *suite) waitUntil(t *testing.T) {
	key := "worker-" + s.target.Name()
	r := s.get(t, "/background?key="+key)
	equal(t, "the response", string(r.Body), "responded")
	equal(t, "what the background work noted", s.pollNote(t, key), "handler: godurable: the event has finished; background: <nil>, <nil>")

	key = "object-" + s.target.Name()
	s.sandboxCall(t, "notes", "noteLater", key)
	equal(t, "what the object's background work noted", s.pollNote(t, key), "call: godurable: the event has finished; background: <nil>, <nil>")
}

// pollNote waits up to 15 s for the note under key.
func (s *suite) pollNote(t *testing.T, key string) string {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if v, _ := s.sandboxCall(t, "notes", "readNote", key).(string); v != "" {
			return v
		}
	}
	return ""
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

// streaming: a handler's response streams as it is written: server-sent
// events that wait for the client's acknowledgement of each event before
// the next (a body held back would never be acknowledged), from the
// stateless Worker and from a Durable Object; and a large body written
// without Flush.
func (s *suite) streaming(t *testing.T) {
	for _, from := range []string{"worker", "object", "object through the Go Worker"} {
		key := "sse-" + strings.ReplaceAll(from, " ", "-") + "-" + s.target.Name()
		var resp *http.Response
		switch from {
		case "worker":
			req, _ := http.NewRequest(http.MethodGet, "/events?n=3&key="+key, nil)
			resp = s.target.Stream(t, req)
		case "object":
			req, _ := http.NewRequest(http.MethodGet, "/do/"+key+"/events?n=3&key="+key, nil)
			resp = s.target.StreamObject(t, "SANDBOX", key, req)
		default: // Stub.ServeHTTP in the sandbox Worker passes the stream on
			req, _ := http.NewRequest(http.MethodGet, "/do/"+key+"/events?n=3&key="+key, nil)
			resp = s.target.Stream(t, req)
		}
		defer resp.Body.Close()
		equal(t, from+": status", resp.StatusCode, http.StatusOK)
		equal(t, from+": content type", resp.Header.Get("Content-Type"), "text/event-stream")
		r := bufio.NewReader(resp.Body)
		for i := 1; i <= 3; i++ {
			ev, err := readEvent(r)
			if err != nil {
				t.Fatalf("%s: event %d: %v", from, i, err)
			}
			equal(t, fmt.Sprintf("%s: event %d", from, i), ev, fmt.Sprintf("data: %d", i))
			if i < 3 {
				if a := s.get(t, "/ack?key="+key); a.Status != http.StatusNoContent {
					t.Fatalf("ack: %d", a.Status)
				}
			}
		}
		if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
			t.Errorf("%s: after the last event: %q, %v; want the end", from, rest, err)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, "/big", nil)
	resp := s.target.Stream(t, req)
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != 8<<20 {
		t.Errorf("a body of 8 MiB written without Flush: %d bytes, %v", n, err)
	}

	for _, to := range []string{"worker", "object", "object through the Go Worker", "upstream through worker.Fetch"} {
		s.upload(t, to)
	}
	s.relay(t)
}

// upload: a request body streams: the client sends the body's first
// 100 KiB and the rest only once the handler has read them (a body that
// reached the handler whole would never show progress). The handler is
// the Worker's, an object's (from JavaScript's stub.fetch, and from the Go
// Worker's Stub.ServeHTTP, which streams the body on), or the upstream's,
// reached by the Go Worker's worker.Fetch with the body it is reading.
func (s *suite) upload(t *testing.T, to string) {
	key := "upload-" + strings.ReplaceAll(to, " ", "-") + "-" + s.target.Name()
	path, progress := "/upload?key="+key, func() float64 {
		var n float64
		json.Unmarshal(s.get(t, "/upload-progress?key="+key).Body, &n)
		return n
	}
	send := s.target.Stream
	switch to {
	case "object":
		path = "/do/" + key + path
		send = func(t testing.TB, req *http.Request) *http.Response {
			return s.target.StreamObject(t, "SANDBOX", key, req)
		}
	case "object through the Go Worker":
		path = "/do/" + key + path
	case "upstream through worker.Fetch":
		path = "/forward?url=" + url.QueryEscape(s.upstream+"/upload?key="+key)
		progress = func() float64 {
			var n float64
			if r, err := http.Get(s.upstream + "/upload-progress?key=" + key); err == nil {
				json.NewDecoder(r.Body).Decode(&n)
				r.Body.Close()
			}
			return n
		}
	}
	first, rest := bytes.Repeat([]byte("a"), 100<<10), bytes.Repeat([]byte("b"), 50<<10)
	body, sender := io.Pipe()
	progressed := make(chan bool, 1)
	go func() {
		sender.Write(first)
		seen := false
		for deadline := time.Now().Add(15 * time.Second); !seen && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			seen = progress() >= float64(len(first))
		}
		progressed <- seen
		if !seen {
			sender.CloseWithError(errors.New("the handler never read the start of the body"))
			return
		}
		sender.Write(rest)
		sender.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, path, body)
	req.ContentLength = -1
	resp := send(t, req)
	defer resp.Body.Close()
	if !<-progressed {
		t.Fatalf("%s: the handler had not read the first %d bytes while the rest was held back", to, len(first))
	}
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("%s: %v", to, err)
	}
	sum := sha256.Sum256(append(first, rest...))
	equal(t, to+": what the handler read", got, map[string]any{
		"bytes": float64(len(first) + len(rest)), "sha256": hex.EncodeToString(sum[:]), "contentLength": -1.0,
	})
}

// relay: the response to an outbound fetch streams into Go: the sandbox
// relays the upstream's server-sent events, acknowledging each to the
// upstream before it sends the next (a body that reached Go whole would
// never be acknowledged); a body cut short ends with the error workerd
// gives JavaScript.
func (s *suite) relay(t *testing.T) {
	key := "relay-" + s.target.Name()
	q := url.Values{"url": {s.upstream + "/sse?n=3&key=" + key}, "ack": {s.upstream + "/sse-ack?key=" + key}}
	req, _ := http.NewRequest(http.MethodGet, "/relay?"+q.Encode(), nil)
	resp := s.target.Stream(t, req)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "the relayed events", string(b), "data: 1\n\ndata: 2\n\ndata: 3\n\n")
	equal(t, "the upstream body's length as Go saw it", resp.Header.Get("X-Upstream-Length"), "-1")

	q = url.Values{"url": {s.upstream + "/cut"}, "ack": {s.upstream + "/sse-ack?key=" + key}}
	req, _ = http.NewRequest(http.MethodGet, "/relay?"+q.Encode(), nil)
	resp = s.target.Stream(t, req)
	defer resp.Body.Close()
	if b, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	equal(t, "an upstream body cut short", string(b), "data: 1\n\ndata: Error: Network connection lost.\n\n")
}

// readEvent reads one server-sent event's lines, up to its blank line.
func readEvent(r *bufio.Reader) (string, error) {
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return strings.Join(lines, "\n"), err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return strings.Join(lines, "\n"), nil
		}
		lines = append(lines, line)
	}
}
