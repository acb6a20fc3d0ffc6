package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godurable/godurable/ws"
)

// RunChat checks the contract of examples/chat against target with real
// sockets. The scenarios run in parallel, each in rooms of its own.
func RunChat(t *testing.T, target Target) {
	s := &suite{target: target}
	for _, sc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"Contract", s.chatContract},
		{"BadMessages", s.chatBadMessages},
		{"AutoResponse", s.chatAutoResponse},
		{"JoinErrors", s.chatJoinErrors},
		{"Order", s.chatOrder},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t)
		})
	}
}

// chatter is one member's socket.
type chatter struct {
	t    testing.TB
	name string
	s    Socket
}

const chatTimeout = 30 * time.Second

func (s *suite) join(t testing.TB, room, name string) *chatter {
	t.Helper()
	sock, status := s.target.DialWebSocket(t, "/rooms/"+room+"/ws?name="+name)
	if sock == nil {
		t.Fatalf("%s joining %s: status %d", name, room, status)
	}
	return &chatter{t: t, name: name, s: sock}
}

func (c *chatter) next() map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	m, err := c.s.Receive(ctx)
	if err != nil {
		c.t.Fatalf("%s receiving: %v", c.name, err)
	}
	var v map[string]any
	if err := json.Unmarshal(m.Data, &v); err != nil {
		c.t.Fatalf("%s received %q: %v", c.name, m.Data, err)
	}
	return v
}

func (c *chatter) expect(want string) {
	c.t.Helper()
	got, _ := json.Marshal(c.next())
	if string(got) != want {
		c.t.Errorf("%s received %s, want %s", c.name, got, want)
	}
}

func (c *chatter) say(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	if err := c.s.Send(ws.TextMessage(string(b))); err != nil {
		c.t.Fatalf("%s sending: %v", c.name, err)
	}
}

func (s *suite) chatContract(t *testing.T) {
	const room = "contract"
	ann := s.join(t, room, "ann")
	ann.expect(`{"history":[],"members":["ann"],"room":"contract","type":"welcome"}`)
	bo := s.join(t, room, "bo")
	bo.expect(`{"history":[],"members":["ann","bo"],"room":"contract","type":"welcome"}`)
	ann.expect(`{"name":"bo","type":"joined"}`)

	ann.say(map[string]string{"type": "say", "text": "hello"})
	ann.expect(`{"name":"ann","seq":1,"text":"hello","type":"said"}`)
	bo.expect(`{"name":"ann","seq":1,"text":"hello","type":"said"}`)
	bo.say(map[string]string{"type": "whisper", "to": "ann", "text": "psst"})
	ann.expect(`{"from":"bo","text":"psst","type":"whispered"}`)
	bo.say(map[string]string{"type": "whisper", "to": "cy", "text": "hm"})
	bo.expect(`{"error":"no member called \"cy\"","type":"error"}`)

	equal(t, "members", s.getJSON(t, "/rooms/"+room+"/members", 200), []any{"ann", "bo"})
	equal(t, "history", s.getJSON(t, "/rooms/"+room+"/history", 200),
		[]any{map[string]any{"type": "said", "name": "ann", "text": "hello", "seq": 1.0}})

	cy := s.join(t, room, "cy")
	cy.expect(`{"history":[{"name":"ann","seq":1,"text":"hello","type":"said"}],"members":["ann","bo","cy"],"room":"contract","type":"welcome"}`)
	ann.expect(`{"name":"cy","type":"joined"}`)
	bo.expect(`{"name":"cy","type":"joined"}`)
	if err := bo.s.Close(1000, "bye"); err != nil {
		t.Errorf("bo's close: %v", err)
	}
	ann.expect(`{"name":"bo","type":"left"}`)
	cy.expect(`{"name":"bo","type":"left"}`)
	equal(t, "members after bo left", s.getJSON(t, "/rooms/"+room+"/members", 200), []any{"ann", "cy"})
}

func (s *suite) chatBadMessages(t *testing.T) {
	const room = "bad"
	ann := s.join(t, room, "ann")
	ann.next()
	for _, bad := range []string{`{oops`, `{"type":"dance"}`, `{"type":"say","text":""}`,
		`{"type":"say","text":"` + strings.Repeat("x", 1001) + `"}`, `{"type":"whisper","text":"x"}`} {
		if err := ann.s.Send(ws.TextMessage(bad)); err != nil {
			t.Fatal(err)
		}
		if e := ann.next(); e["type"] != "error" || e["error"] == "" {
			t.Errorf("%.30s: %v", bad, e)
		}
	}
	if err := ann.s.Send(ws.BinaryMessage([]byte{0, 1, 2})); err != nil {
		t.Fatal(err)
	}
	if e := ann.next(); e["type"] != "error" {
		t.Errorf("binary: %v", e)
	}
	// The socket is still open.
	ann.say(map[string]string{"type": "say", "text": "ok"})
	ann.expect(`{"name":"ann","seq":1,"text":"ok","type":"said"}`)
}

func (s *suite) chatAutoResponse(t *testing.T) {
	ann := s.join(t, "auto", "ann")
	ann.next()
	for range 3 {
		if err := ann.s.Send(ws.TextMessage("ping")); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
		m, err := ann.s.Receive(ctx)
		cancel()
		if err != nil || m.Text() != "pong" {
			t.Fatalf("ping: %q, %v", m.Text(), err)
		}
	}
	equal(t, "history after pings", s.getJSON(t, "/rooms/auto/history", 200), []any{})
}

func (s *suite) chatJoinErrors(t *testing.T) {
	r := s.get(t, "/rooms/x/ws?name=ann")
	equal(t, "without the upgrade", r.Status, http.StatusUpgradeRequired)
	contains(t, "its error", string(r.Body), `"error"`)
	for _, name := range []string{"", strings.Repeat("n", 33)} {
		sock, status := s.target.DialWebSocket(t, "/rooms/x/ws?name="+name)
		if sock != nil || status != http.StatusBadRequest {
			t.Errorf("name %q: status %d", name, status)
		}
	}
}

// chatOrder: three members say twenty things each, at once; everyone sees
// the same messages in the same order, each sender's in its own order.
func (s *suite) chatOrder(t *testing.T) {
	RunChatLoad(t, s.target, ChatLoad{Rooms: 1, PerRoom: 3, Messages: 20})
}

// ChatLoad is a load of chat rooms for RunChatLoad.
type ChatLoad struct {
	Rooms, PerRoom, Messages int
	Prefix                   string
	// Between, if set, runs while the messages flow (hibernations, say).
	Between func()
}

// RunChatLoad joins PerRoom members to each of Rooms rooms, has each say
// Messages things at once, and checks that every member receives every
// message once, each sender's in order, and all members of a room in the
// same order. It returns how many messages were received.
func RunChatLoad(t testing.TB, target Target, l ChatLoad) int {
	s := &suite{target: target}
	type roomState struct {
		members []*chatter
	}
	rooms := make([]*roomState, l.Rooms)
	for r := range rooms {
		rooms[r] = &roomState{}
		name := fmt.Sprintf("%sload%d", l.Prefix, r)
		for i := range l.PerRoom {
			c := s.join(t, name, fmt.Sprintf("m%d", i))
			rooms[r].members = append(rooms[r].members, c)
		}
		// The welcome, then the joins of those after it.
		for i, c := range rooms[r].members {
			for range l.PerRoom - i {
				c.next()
			}
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	received := 0
	errs := make(chan error, l.Rooms*l.PerRoom)
	for _, rs := range rooms {
		for _, c := range rs.members {
			wg.Add(2)
			go func() { // the sender
				defer wg.Done()
				for k := range l.Messages {
					b, _ := json.Marshal(map[string]string{"type": "say", "text": fmt.Sprintf("%s %d", c.name, k)})
					if err := c.s.Send(ws.TextMessage(string(b))); err != nil {
						errs <- fmt.Errorf("%s sending: %w", c.name, err)
						return
					}
				}
			}()
			go func() { // the receiver
				defer wg.Done()
				next := map[string]int{}
				lastSeq := 0.0
				for range l.Messages * l.PerRoom {
					ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
					m, err := c.s.Receive(ctx)
					cancel()
					if err != nil {
						errs <- fmt.Errorf("%s receiving: %w", c.name, err)
						return
					}
					var said struct {
						Type, Name, Text string
						Seq              float64
					}
					if err := json.Unmarshal(m.Data, &said); err != nil || said.Type != "said" {
						errs <- fmt.Errorf("%s received %q", c.name, m.Data)
						return
					}
					if want := fmt.Sprintf("%s %d", said.Name, next[said.Name]); said.Text != want {
						errs <- fmt.Errorf("%s received %q from %s, want %q: lost, duplicated or reordered", c.name, said.Text, said.Name, want)
						return
					}
					if said.Seq <= lastSeq {
						errs <- fmt.Errorf("%s received seq %v after %v", c.name, said.Seq, lastSeq)
						return
					}
					next[said.Name]++
					lastSeq = said.Seq
					mu.Lock()
					received++
					mu.Unlock()
				}
			}()
		}
	}
	if l.Between != nil {
		l.Between()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var closing sync.WaitGroup
	for _, rs := range rooms {
		for _, c := range rs.members {
			closing.Add(1)
			go func() {
				defer closing.Done()
				if err := c.s.Close(1000, "done"); err != nil && !errors.Is(err, context.Canceled) {
					t.Logf("%s closing: %v", c.name, err)
				}
			}()
		}
	}
	closing.Wait()
	return received
}
