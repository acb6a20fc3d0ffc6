package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// queues: the sandbox's queue, which it sends to and consumes (see
// internal/conformance/sandbox/queues.go). Each scenario sends messages
// with tags of its own and waits until their deliveries have settled
// before the next one starts, so that no batch mixes two scenarios.
// Delivery takes the local emulator's max_batch_timeout (1 s here) at
// most once per hop; nothing asserts how long it took, only, for delays,
// that a message did not arrive before its time (by the clock the Worker
// reads).
func (s *suite) queues(t *testing.T) {
	run := fmt.Sprintf("q%d", time.Now().UnixNano())
	t.Run("ContentTypes", func(t *testing.T) { s.queueContentTypes(t, run+"-types") })
	t.Run("BatchSize", func(t *testing.T) { s.queueBatchSize(t, run+"-size") })
	t.Run("AckRetry", func(t *testing.T) { s.queueAckRetry(t, run+"-ackretry") })
	t.Run("BatchError", func(t *testing.T) { s.queueBatchFailure(t, run+"-error", "error") })
	t.Run("BatchPanic", func(t *testing.T) { s.queueBatchFailure(t, run+"-panic", "panic") })
	t.Run("RetryAll", func(t *testing.T) { s.queueRetryAll(t, run+"-retryall") })
	t.Run("DeadLetter", func(t *testing.T) { s.queueDeadLetter(t, run+"-dead") })
	t.Run("Delays", func(t *testing.T) { s.queueDelays(t, run+"-delay") })
	t.Run("Refusals", s.queueRefusals)
}

// delivery is one delivery of a message, as the sandbox's handler
// recorded it.
type delivery struct {
	Queue    string `json:"queue"`
	ID       string `json:"id"`
	Attempts int    `json:"attempts"`
	Batch    string `json:"batch"`
	Size     int    `json:"size"`
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	TS       int64  `json:"ts"`
	Now      int64  `json:"now"`
}

// queueSend posts a send to the sandbox and returns its answer.
func (s *suite) queueSend(t testing.TB, req map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(req)
	out, _ := decodeJSON(t, expectStatus(t, s.do(t, http.MethodPost, "/queues/send", "application/json", b), 200)).(map[string]any)
	return out
}

// mustSend sends and fails the test if the send failed.
func (s *suite) mustSend(t testing.TB, req map[string]any) {
	t.Helper()
	if out := s.queueSend(t, req); out["error"] != nil || out["metrics"] != true {
		t.Fatalf("send %v = %v, want it sent, with metrics", req, out)
	}
}

func (s *suite) deliveries(t testing.TB, tag string) []delivery {
	t.Helper()
	var out []delivery
	r := expectStatus(t, s.get(t, "/queues/deliveries?tag="+url.QueryEscape(tag)), 200)
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// settle waits until each tag has had its count of deliveries, then a
// little longer (more than the batch timeout), so that a delivery too
// many would show, and returns the deliveries of each.
func (s *suite) settle(t testing.TB, want map[string]int) map[string][]delivery {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		done := true
		for tag, n := range want {
			if len(s.deliveries(t, tag)) < n {
				done = false
				break
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			got := map[string]int{}
			for tag := range want {
				got[tag] = len(s.deliveries(t, tag))
			}
			t.Fatalf("deliveries after 60 s: %v, want %v", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	out := map[string][]delivery{}
	for tag, n := range want {
		out[tag] = s.deliveries(t, tag)
		if len(out[tag]) != n {
			t.Errorf("%s: %d deliveries, want %d: %+v", tag, len(out[tag]), n, out[tag])
		}
	}
	return out
}

func attemptsOf(ds []delivery) []int {
	var out []int
	for _, d := range ds {
		out = append(out, d.Attempts)
	}
	return out
}

// queueContentTypes: a body of each content type reaches Go as the same
// value on both runtimes; Send and SendBatch report the queue's backlog.
func (s *suite) queueContentTypes(t *testing.T, tag string) {
	value := map[string]any{"s": "héllo <&> \u2028", "n": 42.0, "f": 1.5, "max": 9007199254740991.0, "list": []any{1.0, "two", nil, true}, "nested": map[string]any{"a": map[string]any{}}}
	s.mustSend(t, map[string]any{"messages": []any{map[string]any{"text": tag + "-text|héllo\nworld"}}})
	s.mustSend(t, map[string]any{"messages": []any{map[string]any{"bytes": append([]byte(tag+"-bytes|"), 0, 1, 0xfe, 0xff)}}})
	s.mustSend(t, map[string]any{"batch": true, "messages": []any{
		map[string]any{"json": map[string]any{"tag": tag + "-json", "value": value}},
		map[string]any{"json": tag + "-jsonstring|a string"},
		map[string]any{"v8": map[string]any{"tag": tag + "-v8", "list": []any{1.0, 2.0}}},
		map[string]any{"v8": tag + "-v8date", "v8date": 1700000000123},
	}})
	got := s.settle(t, map[string]int{tag + "-text": 1, tag + "-bytes": 1, tag + "-json": 1, tag + "-jsonstring": 1, tag + "-v8": 1, tag + "-v8date": 1})
	kinds := map[string]string{}
	for k, ds := range got {
		if len(ds) == 1 {
			kinds[strings.TrimPrefix(k, tag+"-")] = ds[0].Kind
			if ds[0].Attempts != 1 || ds[0].Queue != "godurable-sandbox-queue" || len(ds[0].ID) != 32 {
				t.Errorf("%s: delivered %+v, want attempts 1 of godurable-sandbox-queue, a 32-digit ID", k, ds[0])
			}
		}
	}
	equal(t, "what Go decoded each into", kinds, map[string]string{"text": "string", "bytes": "bytes", "json": "object", "jsonstring": "string", "v8": "object", "v8date": "object with a Date"})
	first := func(k string) string {
		if ds := got[tag+"-"+k]; len(ds) > 0 {
			return ds[0].Value
		}
		return ""
	}
	equal(t, "text", first("text"), fmt.Sprintf("%q", tag+"-text|héllo\nworld"))
	equal(t, "bytes", first("bytes"), base64.StdEncoding.EncodeToString(append([]byte(tag+"-bytes|"), 0, 1, 0xfe, 0xff)))
	var j map[string]any
	json.Unmarshal([]byte(first("json")), &j)
	equal(t, "json", j["value"], value)
	var v8 map[string]any
	json.Unmarshal([]byte(first("v8date")), &v8)
	equal(t, "v8's Date", v8["when"], "2023-11-14T22:13:20.123Z")
}

// queueBatchSize: ten messages sent at once arrive in batches of
// max_batch_size (4): two full ones at once, then the rest after
// max_batch_timeout.
func (s *suite) queueBatchSize(t *testing.T, tag string) {
	var msgs []any
	for i := range 10 {
		msgs = append(msgs, map[string]any{"json": map[string]any{"tag": tag, "do": "ack", "i": i}})
	}
	s.mustSend(t, map[string]any{"batch": true, "messages": msgs})
	ds := s.settle(t, map[string]int{tag: 10})[tag]
	sizes := map[string]int{}
	ids := map[string]bool{}
	for _, d := range ds {
		sizes[d.Batch]++
		ids[d.ID] = true
	}
	for _, d := range ds {
		if d.Size != sizes[d.Batch] {
			t.Errorf("a batch of %d messages delivered %d", d.Size, sizes[d.Batch])
		}
	}
	var got []int
	for _, n := range sizes {
		got = append(got, n)
	}
	slices.Sort(got)
	equal(t, "batch sizes", got, []int{2, 4, 4})
	equal(t, "distinct IDs", len(ids), 10)
}

// queueAckRetry: Ack and Retry of single messages of one batch: a
// retried message comes back alone, its attempts counted; the others are
// not delivered again.
func (s *suite) queueAckRetry(t *testing.T, tag string) {
	s.mustSend(t, map[string]any{"batch": true, "messages": []any{
		map[string]any{"json": map[string]any{"tag": tag + "-ack", "do": "ack"}},
		map[string]any{"json": map[string]any{"tag": tag + "-retry1", "do": "retry", "n": 1}},
		map[string]any{"json": map[string]any{"tag": tag + "-retry2", "do": "retry", "n": 2}},
		map[string]any{"json": map[string]any{"tag": tag + "-none"}},
	}})
	got := s.settle(t, map[string]int{tag + "-ack": 1, tag + "-retry1": 2, tag + "-retry2": 3, tag + "-none": 1})
	equal(t, "attempts of the retried twice", attemptsOf(got[tag+"-retry2"]), []int{1, 2, 3})
	equal(t, "attempts of the retried once", attemptsOf(got[tag+"-retry1"]), []int{1, 2})
	if ds := got[tag+"-retry2"]; len(ds) == 3 && (ds[0].ID != ds[2].ID || ds[0].TS != ds[2].TS) {
		t.Errorf("a retried message changed its ID or timestamp: %+v", ds)
	}
}

// queueBatchFailure: a handler that returns an error (or panics) has
// its whole batch delivered again, the messages it acknowledged first
// included (as the local emulator does).
func (s *suite) queueBatchFailure(t *testing.T, tag, how string) {
	s.mustSend(t, map[string]any{"batch": true, "messages": []any{
		map[string]any{"json": map[string]any{"tag": tag + "-a", "do": how, "n": 1}},
		map[string]any{"json": map[string]any{"tag": tag + "-b", "do": "ack"}},
	}})
	got := s.settle(t, map[string]int{tag + "-a": 2, tag + "-b": 2})
	equal(t, "attempts of the failing message", attemptsOf(got[tag+"-a"]), []int{1, 2})
	equal(t, "attempts of the acknowledged one", attemptsOf(got[tag+"-b"]), []int{1, 2})
}

// queueRetryAll: RetryAll retries every message of the batch; an Ack
// after it does nothing.
func (s *suite) queueRetryAll(t *testing.T, tag string) {
	s.mustSend(t, map[string]any{"batch": true, "messages": []any{
		map[string]any{"json": map[string]any{"tag": tag + "-a", "do": "retryAll", "n": 1}},
		map[string]any{"json": map[string]any{"tag": tag + "-b", "do": "ack"}},
	}})
	got := s.settle(t, map[string]int{tag + "-a": 2, tag + "-b": 2})
	equal(t, "attempts", attemptsOf(got[tag+"-b"]), []int{1, 2})
}

// queueDeadLetter: a message retried on every delivery is delivered
// max_retries + 1 (3) times, then once to the dead-letter queue's
// consumer, with its ID and timestamp, and attempts counted afresh.
func (s *suite) queueDeadLetter(t *testing.T, tag string) {
	s.mustSend(t, map[string]any{"messages": []any{map[string]any{"json": map[string]any{"tag": tag, "do": "retry", "n": 99}}}})
	ds := s.settle(t, map[string]int{tag: 4})[tag]
	if len(ds) != 4 {
		return
	}
	var queues []string
	for _, d := range ds {
		queues = append(queues, d.Queue)
	}
	equal(t, "queues", queues, []string{"godurable-sandbox-queue", "godurable-sandbox-queue", "godurable-sandbox-queue", "godurable-sandbox-dead"})
	equal(t, "attempts", attemptsOf(ds), []int{1, 2, 3, 1})
	if ds[3].ID != ds[0].ID || ds[3].TS != ds[0].TS {
		t.Errorf("the dead-letter queue got %s at %d, want the message's ID %s and timestamp %d", ds[3].ID, ds[3].TS, ds[0].ID, ds[0].TS)
	}
}

// queueDelays: a message's delay, a batch's, and a retry's hold the
// message back at least that long, by the Worker's clock.
func (s *suite) queueDelays(t *testing.T, tag string) {
	s.mustSend(t, map[string]any{"messages": []any{map[string]any{"json": map[string]any{"tag": tag + "-send", "do": "ack"}, "delay": 2}}})
	s.mustSend(t, map[string]any{"batch": true, "batchDelay": 2, "messages": []any{
		map[string]any{"json": map[string]any{"tag": tag + "-batch", "do": "ack"}},
		map[string]any{"json": map[string]any{"tag": tag + "-own", "do": "ack"}, "delay": 3},
	}})
	s.mustSend(t, map[string]any{"messages": []any{map[string]any{"json": map[string]any{"tag": tag + "-retry", "do": "retry", "n": 1, "delay": 2}}}})
	got := s.settle(t, map[string]int{tag + "-send": 1, tag + "-batch": 1, tag + "-own": 1, tag + "-retry": 2})
	for k, min := range map[string]int64{"-send": 2000, "-batch": 2000, "-own": 3000} {
		if ds := got[tag+k]; len(ds) == 1 && ds[0].Now-ds[0].TS < min {
			t.Errorf("%s arrived %d ms after it was sent, before its delay of %d ms", k, ds[0].Now-ds[0].TS, min)
		}
	}
	if ds := got[tag+"-retry"]; len(ds) == 2 && ds[1].Now-ds[0].Now < 2000 {
		t.Errorf("the retry arrived %d ms after the first delivery, before its delay of 2 s", ds[1].Now-ds[0].Now)
	}
}

// queueRefusals: what the producer refuses before sending (the package's
// errors), and what the runtime refuses (a v8 body over 128 KB).
func (s *suite) queueRefusals(t *testing.T) {
	big := strings.Repeat("x", 128_001)
	many := make([]any, 101)
	for i := range many {
		many[i] = map[string]any{"json": i}
	}
	large := []any{}
	for range 3 {
		large = append(large, map[string]any{"text": strings.Repeat("y", 100_000)})
	}
	for _, c := range []struct {
		name string
		req  map[string]any
		want map[string]any
	}{
		{"text of an object", map[string]any{"messages": []any{map[string]any{"json": map[string]any{"a": 1}, "type": "text"}}}, map[string]any{"is": "ErrBody"}},
		{"bytes of a number", map[string]any{"messages": []any{map[string]any{"json": 5, "type": "bytes"}}}, map[string]any{"is": "ErrBody"}},
		{"an unknown content type", map[string]any{"messages": []any{map[string]any{"json": 5, "type": "xml"}}}, map[string]any{"is": "ErrBody"}},
		{"a text too large", map[string]any{"messages": []any{map[string]any{"text": big}}}, map[string]any{"is": "ErrTooLarge"}},
		{"a batch too large", map[string]any{"batch": true, "messages": large}, map[string]any{"is": "ErrTooLarge"}},
		{"an empty batch", map[string]any{"batch": true, "messages": []any{}}, map[string]any{"is": "ErrBatchCount"}},
		{"101 messages", map[string]any{"batch": true, "messages": many}, map[string]any{"is": "ErrBatchCount"}},
		{"a negative delay", map[string]any{"messages": []any{map[string]any{"json": 1, "delay": -1}}}, map[string]any{"is": "ErrDelay"}},
		{"a delay over a day", map[string]any{"messages": []any{map[string]any{"json": 1, "delay": 86401}}}, map[string]any{"is": "ErrDelay"}},
		{"a v8 body too large", map[string]any{"messages": []any{map[string]any{"v8": big}}}, map[string]any{"name": "Error", "message": "Unknown Internal Error (15000)"}},
	} {
		if got := s.queueSend(t, c.req)["error"]; !sameJSON(got, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, got, c.want)
		}
	}
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
