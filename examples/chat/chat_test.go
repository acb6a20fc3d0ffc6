package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/ws"
)

// The chat room's contract under dotest, with client ends of real
// sockets of the model.

type member struct {
	t    *testing.T
	name string
	s    *dotest.Socket
}

func join(t *testing.T, w *dotest.Worker, room, name string) *member {
	t.Helper()
	s, resp, err := w.DialWebSocket(t.Context(), "/rooms/"+room+"/ws?name="+name, nil)
	if err != nil {
		t.Fatalf("%s joining %s: %v", name, room, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	return &member{t: t, name: name, s: s}
}

// next returns the next message as JSON.
func (m *member) next() map[string]any {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := m.s.Receive(ctx)
	if err != nil {
		m.t.Fatalf("%s receiving: %v", m.name, err)
	}
	var v map[string]any
	if err := json.Unmarshal(msg.Data, &v); err != nil {
		m.t.Fatalf("%s received %q: %v", m.name, msg.Data, err)
	}
	return v
}

func (m *member) send(v any) {
	m.t.Helper()
	b, _ := json.Marshal(v)
	if err := m.s.SendText(string(b)); err != nil {
		m.t.Fatal(err)
	}
}

func (m *member) expect(want string) {
	m.t.Helper()
	got, _ := json.Marshal(m.next())
	if string(got) != want {
		m.t.Errorf("%s received %s, want %s", m.name, got, want)
	}
}

func TestChat(t *testing.T) {
	w := dotest.New(t, nil)
	ann := join(t, w, "lobby", "ann")
	ann.expect(`{"history":[],"members":["ann"],"room":"lobby","type":"welcome"}`)
	bo := join(t, w, "lobby", "bo")
	bo.expect(`{"history":[],"members":["ann","bo"],"room":"lobby","type":"welcome"}`)
	ann.expect(`{"name":"bo","type":"joined"}`)

	ann.send(map[string]string{"type": "say", "text": "hi all"})
	for _, m := range []*member{ann, bo} {
		m.expect(`{"name":"ann","seq":1,"text":"hi all","type":"said"}`)
	}
	bo.send(map[string]string{"type": "whisper", "to": "ann", "text": "psst"})
	ann.expect(`{"from":"bo","text":"psst","type":"whispered"}`)
	bo.send(map[string]string{"type": "whisper", "to": "nobody", "text": "psst"})
	bo.expect(`{"error":"no member called \"nobody\"","type":"error"}`)

	// Bad input: an error to the sender only, and the socket stays open.
	for _, bad := range []string{`{not json`, `{"type":"dance"}`, `{"type":"say","text":""}`, `{"type":"say","text":"` + strings.Repeat("x", 1001) + `"}`} {
		if err := bo.s.SendText(bad); err != nil {
			t.Fatal(err)
		}
		if e := bo.next(); e["type"] != "error" || e["error"] == "" {
			t.Errorf("%.30s: %v", bad, e)
		}
	}
	bo.s.SendBinary([]byte{1, 2})
	if e := bo.next(); e["type"] != "error" {
		t.Errorf("binary: %v", e)
	}
	bo.send(map[string]string{"type": "say", "text": "still here"})
	bo.expect(`{"name":"bo","seq":2,"text":"still here","type":"said"}`)
	ann.expect(`{"name":"bo","seq":2,"text":"still here","type":"said"}`)

	status, body := w.Get(t, "/rooms/lobby/members")
	if status != 200 || strings.TrimSpace(body) != `["ann","bo"]` {
		t.Errorf("members: %d %s", status, body)
	}
	status, body = w.Get(t, "/rooms/lobby/history")
	if status != 200 || strings.TrimSpace(body) != `[{"type":"said","name":"ann","text":"hi all","seq":1},{"type":"said","name":"bo","text":"still here","seq":2}]` {
		t.Errorf("history: %d %s", status, body)
	}

	// A third member gets the history; one that leaves is announced.
	cy := join(t, w, "lobby", "cy")
	cy.expect(`{"history":[{"name":"ann","seq":1,"text":"hi all","type":"said"},{"name":"bo","seq":2,"text":"still here","type":"said"}],"members":["ann","bo","cy"],"room":"lobby","type":"welcome"}`)
	ann.expect(`{"name":"cy","type":"joined"}`)
	bo.expect(`{"name":"cy","type":"joined"}`)
	if err := bo.s.Close(1000, "bye"); err != nil {
		t.Fatal(err)
	}
	ann.expect(`{"name":"bo","type":"left"}`)
	cy.expect(`{"name":"bo","type":"left"}`)
	var ce *dotest.CloseError
	if _, err := bo.s.Receive(t.Context()); !errors.As(err, &ce) || ce.Code != 1000 || ce.Reason != "bye" {
		t.Errorf("the answer to bo's close: %v", err)
	}
	if status, body := w.Get(t, "/rooms/lobby/members"); strings.TrimSpace(body) != `["ann","cy"]` {
		t.Errorf("members after bo left: %d %s", status, body)
	}
}

func TestHibernation(t *testing.T) {
	w := dotest.New(t, nil)
	ann := join(t, w, "h", "ann")
	ann.next()
	bo := join(t, w, "h", "bo")
	bo.next()
	ann.next()
	room := w.Object("CHAT", "h")

	// ping is answered by workerd itself: the hibernated room stays asleep.
	if !room.Hibernate() {
		t.Fatal("the room was not live")
	}
	ann.s.SendText("ping")
	if msg, err := ann.s.Receive(t.Context()); err != nil || msg.Text() != "pong" {
		t.Fatalf("ping: %q, %v", msg.Text(), err)
	}
	if room.Live() {
		t.Error("an auto-response woke the room")
	}
	// A message wakes it: names come back from the attachments, the
	// sockets are the same.
	bo.send(map[string]string{"type": "say", "text": "after a nap"})
	ann.expect(`{"name":"bo","seq":1,"text":"after a nap","type":"said"}`)
	bo.expect(`{"name":"bo","seq":1,"text":"after a nap","type":"said"}`)
	room.Hibernate()
	ann.send(map[string]string{"type": "whisper", "to": "bo", "text": "still you?"})
	bo.expect(`{"from":"ann","text":"still you?","type":"whispered"}`)
	if got := room.WebSockets(); len(got) != 2 || got[0] != ann.s.ID() || got[1] != bo.s.ID() {
		t.Errorf("sockets = %v", got)
	}
	// A restart of workerd drops every connection; the history is in the
	// room's storage, so the sequence goes on for those who join again.
	w.Restart()
	var ce *dotest.CloseError
	if _, err := ann.s.Receive(t.Context()); !errors.As(err, &ce) || ce.WasClean {
		t.Fatalf("ann's socket after the restart: %v, want its connection dropped", err)
	}
	ann = join(t, w, "h", "ann")
	ann.next() // welcome
	ann.send(map[string]string{"type": "say", "text": "and again"})
	ann.expect(`{"name":"ann","seq":2,"text":"and again","type":"said"}`)
}

func TestJoinErrors(t *testing.T) {
	w := dotest.New(t, nil)
	status, body := w.Get(t, "/rooms/x/ws?name=ann")
	if status != http.StatusUpgradeRequired || !strings.Contains(body, `"error"`) {
		t.Errorf("without the upgrade: %d %s", status, body)
	}
	for _, name := range []string{"", strings.Repeat("é", 33)} {
		_, resp, err := w.DialWebSocket(t.Context(), "/rooms/x/ws?name="+name, nil)
		if !errors.Is(err, ws.ErrNotWebSocket) || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("name %q: %v, %v", name, resp, err)
		}
	}
	if _, resp, err := w.DialWebSocket(t.Context(), "/rooms/x/ws?name="+strings.Repeat("é", 32), nil); err != nil {
		t.Errorf("a 32-character name: %v %v", resp, err)
	}
}
