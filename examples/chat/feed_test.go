package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// TestFeed: a feed of server-sent events gets what members say over
// their sockets and what POST /say says, while its handler waits on a
// channel those events fill.
func TestFeed(t *testing.T) {
	w := dotest.New(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	resp, err := w.Do(httptest.NewRequestWithContext(ctx, "GET", "/rooms/lobby/feed", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("feed: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	ann := join(t, w, "lobby", "ann")
	ann.next() // welcome
	ann.send(map[string]any{"type": "say", "text": "hello"})
	ann.next() // said, to ann too
	status, body := w.Post(t, "/rooms/lobby/say", "application/json", []byte(`{"name":"bob","text":"hi"}`))
	if status != http.StatusOK || strings.TrimSpace(body) != `{"type":"said","name":"bob","text":"hi","seq":2}` {
		t.Fatalf("POST /say = %d %s", status, body)
	}
	if got := ann.next(); got["name"] != "bob" || got["text"] != "hi" {
		t.Errorf("ann got %v, want bob's hi", got)
	}

	lines := bufio.NewScanner(resp.Body)
	var got []string
	for len(got) < 6 && lines.Scan() {
		got = append(got, lines.Text())
	}
	want := []string{
		`id: 1`, `data: {"type":"said","name":"ann","text":"hello","seq":1}`, ``,
		`id: 2`, `data: {"type":"said","name":"bob","text":"hi","seq":2}`, ``,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the feed read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	for _, bad := range []string{`{"name":"","text":"x"}`, `{"name":"bob","text":""}`, `not json`} {
		if status, body := w.Post(t, "/rooms/lobby/say", "application/json", []byte(bad)); status != http.StatusBadRequest {
			t.Errorf("POST /say %s = %d %s, want 400", bad, status, body)
		}
	}
}
