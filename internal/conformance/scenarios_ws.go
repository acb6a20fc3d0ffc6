package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/godurable/godurable/ws"
)

// EchoServer is the loopback WebSocket server that outbound-socket
// scenarios dial: at / it answers each message with "echo:" and the
// message, and "who" with "from:" and the X-From header of the upgrade;
// at any other path it answers without upgrading.
func EchoServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.Write([]byte("a plain HTTP answer")) // does not upgrade
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		from := r.Header.Get("X-From")
		for {
			typ, data, err := c.Read(context.Background())
			if err != nil {
				return
			}
			reply := "echo:" + string(data)
			if string(data) == "who" {
				reply = "from:" + from
			}
			if err := c.Write(context.Background(), typ, []byte(reply)); err != nil {
				return
			}
		}
	}))
}

// RunSockets runs the sandbox's WebSocket scenarios against target: the
// hibernation API's surface and limits, hibernation itself, and outbound
// sockets to echo (the URL of EchoServer).
func RunSockets(t *testing.T, target Target, echo string) {
	s := &suite{target: target, upstream: echo}
	for _, sc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"Surface", s.socketSurface},
		{"Limits", s.socketLimits},
		{"Close", s.socketClose},
		{"Broadcast", s.socketBroadcast},
		{"AutoResponse", s.socketAuto},
		{"Hibernation", s.socketHibernation},
		{"Outbound", s.socketOutbound},
		{"BadFrames", s.socketBadFrames},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t)
		})
	}
}

// command sends a command to the sandbox's socket and returns the reply.
func command(t testing.TB, sock Socket, cmd map[string]any) map[string]any {
	t.Helper()
	sendCommand(t, sock, cmd)
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	m, err := sock.Receive(ctx)
	if err != nil {
		t.Fatalf("%v: %v", cmd, err)
	}
	return decode(t, m)
}

func (s *suite) sandboxSocket(t testing.TB, name, query string) Socket {
	t.Helper()
	sock, status := s.target.DialWebSocket(t, "/do/"+name+"/ws?"+query)
	if sock == nil {
		t.Fatalf("dialing the sandbox %s: status %d", name, status)
	}
	return sock
}

func (s *suite) socketSurface(t *testing.T) {
	const o = "ws-surface"
	a := s.sandboxSocket(t, o, "tags=red,blue,red&attach=100")
	b := s.sandboxSocket(t, o, "tags=blue")
	wa := command(t, a, map[string]any{"op": "whoami"})
	equal(t, "tags (duplicates once)", wa["tags"], []any{"red", "blue"})
	equal(t, "attachment", []any{wa["hasAttachment"], wa["attachment"]}, []any{true, 100.0})
	equal(t, "readyState", wa["readyState"], 1.0)
	wb := command(t, b, map[string]any{"op": "whoami"})
	equal(t, "no attachment", wb["hasAttachment"], false)
	ids := command(t, a, map[string]any{"op": "list"})["ids"].([]any)
	slices.SortFunc(ids, func(x, y any) int { return strings.Compare(x.(string), y.(string)) })
	want := []any{wa["id"], wb["id"]}
	slices.SortFunc(want, func(x, y any) int { return strings.Compare(x.(string), y.(string)) })
	equal(t, "list all (in no particular order)", ids, want)
	equal(t, "list red", command(t, b, map[string]any{"op": "list", "tag": "red"})["ids"], []any{wa["id"]})
	equal(t, "list none", command(t, b, map[string]any{"op": "list", "tag": "green"})["ids"], []any{})
	command(t, a, map[string]any{"op": "setAttachment", "size": 5})
	equal(t, "new attachment", command(t, a, map[string]any{"op": "whoami"})["attachment"], 5.0)
	command(t, a, map[string]any{"op": "setAttachment", "size": -1})
	equal(t, "attachment removed", command(t, a, map[string]any{"op": "whoami"})["hasAttachment"], false)
	// Binary messages stay binary.
	if err := b.Send(ws.BinaryMessage([]byte{0, 1, 2})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	m, err := b.Receive(ctx)
	if err != nil || m.Type != ws.Binary || string(m.Data) != "echo:\x00\x01\x02" {
		t.Errorf("binary echo: %v %q %v", m.Type, m.Data, err)
	}
	// The event timeout.
	equal(t, "no event timeout", command(t, a, map[string]any{"op": "timeout", "ms": -1}), map[string]any{"ms": 0.0, "set": false})
	equal(t, "event timeout", command(t, a, map[string]any{"op": "timeout", "ms": 5000}), map[string]any{"ms": 5000.0, "set": true})
}

func (s *suite) socketLimits(t *testing.T) {
	const o = "ws-limits"
	_, status := s.target.DialWebSocket(t, "/do/"+o+"/ws?tags="+strings.Repeat("t,", 10)+"u,v,w,x,y,z,q,r,s,p")
	equal(t, "eleven distinct tags", status, http.StatusBadRequest)
	_, status = s.target.DialWebSocket(t, "/do/"+o+"/ws?tags="+strings.Repeat("t", 257))
	equal(t, "a tag of 257 bytes", status, http.StatusBadRequest)
	sock := s.sandboxSocket(t, o, "tags="+strings.Repeat("t", 256)+",b,c,d,e,f,g,h,i,j")
	// The largest attachment fits, one byte more does not (a string of n
	// bytes encodes in n+3).
	max := ws.MaxAttachmentBytes - 3
	equal(t, "the largest attachment", command(t, sock, map[string]any{"op": "setAttachment", "size": max}), map[string]any{"ok": true})
	e := command(t, sock, map[string]any{"op": "setAttachment", "size": max + 1})
	contains(t, "one byte more", e["error"].(string), "ws: the attachment is 16358 bytes encoded, at most 16357")
	equal(t, "the attachment kept", command(t, sock, map[string]any{"op": "whoami"})["attachment"], float64(max))
}

func (s *suite) socketClose(t *testing.T) {
	const o = "ws-close"
	sock := s.sandboxSocket(t, o, "")
	for _, bad := range []map[string]any{
		{"op": "close", "code": 999},
		{"op": "close", "code": 1005},
		{"op": "close", "code": 5000},
		{"op": "close", "code": 1000, "reason": strings.Repeat("r", 124)},
		{"op": "close", "reason": "no code"},
	} {
		if e := command(t, sock, bad); e["error"] == nil {
			t.Errorf("%v: %v, want an error", bad, e)
		}
	}
	// A close from the object: the client gets its code and reason.
	id := command(t, sock, map[string]any{"op": "whoami"})["id"].(string)
	b, _ := json.Marshal(map[string]any{"op": "close", "code": 4000, "reason": strings.Repeat("r", 123)})
	sock.Send(ws.TextMessage(string(b)))
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	_, err := sock.Receive(ctx)
	ce, ok := err.(*ws.CloseError)
	if !ok || ce.Code != 4000 || len(ce.Reason) != 123 {
		t.Fatalf("the object's close: %v", err)
	}
	// A close from the client reaches webSocketClose.
	other := s.sandboxSocket(t, o, "")
	oid := command(t, other, map[string]any{"op": "whoami"})["id"].(string)
	if err := other.Close(3001, "client leaves"); err != nil {
		t.Errorf("client close: %v", err)
	}
	watcher := s.sandboxSocket(t, o, "")
	waitFor(t, func() bool {
		r := s.get(t, "/do/"+o+"/kv/closed:"+oid)
		return r.Status == 200 && string(r.Body) == "\"3001 client leaves true\"\n"
	})
	equal(t, "sockets left", command(t, watcher, map[string]any{"op": "list"})["ids"], []any{command(t, watcher, map[string]any{"op": "whoami"})["id"]})
	// The socket the object closed got its close event too, when the
	// client answered.
	equal(t, "the object's close, answered", s.getJSON(t, "/do/"+o+"/kv/closed:"+id, 200), "4000 "+strings.Repeat("r", 123)+" true")
}

// socketBroadcast: ws.Broadcast reaches the open sockets, with a tag or
// all, but those left out, and skips a socket the object has closed.
func (s *suite) socketBroadcast(t *testing.T) {
	const o = "ws-broadcast"
	a := s.sandboxSocket(t, o, "tags=red")
	b := s.sandboxSocket(t, o, "tags=blue")
	c := s.sandboxSocket(t, o, "tags=red")
	gone := s.sandboxSocket(t, o, "tags=red")
	sendCommand(t, gone, map[string]any{"op": "close", "code": 4000, "reason": "bye"})
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	if _, err := gone.Receive(ctx); err == nil {
		t.Fatal("the closed socket got a message, want its close")
	}
	receive := func(name string, sock Socket) ws.Message {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
		defer cancel()
		m, err := sock.Receive(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	// To all: the sender hears it before its reply; the closed socket is
	// not counted.
	sendCommand(t, a, map[string]any{"op": "broadcast", "text": "all"})
	equal(t, "a hears all", receive("a", a).Text(), `{"broadcast":"all"}`)
	equal(t, "all: sent", decode(t, receive("a", a)), map[string]any{"sent": 3.0})
	equal(t, "b hears all", receive("b", b).Text(), `{"broadcast":"all"}`)
	equal(t, "c hears all", receive("c", c).Text(), `{"broadcast":"all"}`)
	// To a tag, but the sender.
	equal(t, "red but a", command(t, a, map[string]any{"op": "broadcast", "text": "red", "tag": "red", "exceptSelf": true}), map[string]any{"sent": 1.0})
	equal(t, "c hears red", receive("c", c).Text(), `{"broadcast":"red"}`)
	// Binary, to blue: b's next message is the binary one, and a's is its
	// own reply (it heard neither red nor blue).
	equal(t, "blue", command(t, a, map[string]any{"op": "broadcast", "text": "blue", "tag": "blue", "binary": true}), map[string]any{"sent": 1.0})
	m := receive("b", b)
	equal(t, "b hears blue as binary", []any{m.Type, m.Text()}, []any{ws.Binary, "blue"})
	equal(t, "a heard only its replies", command(t, a, map[string]any{"op": "echo", "text": "x"}), map[string]any{"echo": "x"})
	equal(t, "no tag has none", command(t, c, map[string]any{"op": "broadcast", "text": "x", "tag": "green"}), map[string]any{"sent": 0.0})
}

// sendCommand sends a command to the sandbox's socket without waiting for
// its reply.
func sendCommand(t testing.TB, sock Socket, cmd map[string]any) {
	t.Helper()
	b, _ := json.Marshal(cmd)
	if err := sock.Send(ws.TextMessage(string(b))); err != nil {
		t.Fatalf("%v: %v", cmd, err)
	}
}

// decode returns a message's JSON object.
func decode(t testing.TB, m ws.Message) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(m.Data, &v); err != nil {
		t.Fatalf("%q: %v", m.Data, err)
	}
	return v
}

// waitFor polls ok until it holds, for a bounded time.
func waitFor(t testing.TB, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(alarmTimeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not so after %v", alarmTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *suite) socketAuto(t *testing.T) {
	const o = "ws-auto"
	sock := s.sandboxSocket(t, o, "")
	equal(t, "no auto-response", command(t, sock, map[string]any{"op": "auto"}), map[string]any{"req": "", "resp": "", "set": false, "lastAuto": -1.0})
	command(t, sock, map[string]any{"op": "setAuto", "req": "ping?", "resp": "pong!"})
	sock.Send(ws.TextMessage("ping?"))
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	if m, err := sock.Receive(ctx); err != nil || m.Text() != "pong!" {
		t.Fatalf("auto-response: %q %v", m.Text(), err)
	}
	a := command(t, sock, map[string]any{"op": "auto"})
	if a["set"] != true || a["req"] != "ping?" || a["resp"] != "pong!" || a["lastAuto"].(float64) <= 0 {
		t.Errorf("auto-response after a ping: %v", a)
	}
}

// socketHibernation: the object leaves memory with its sockets open; the
// next message rebuilds it, with the same sockets, tags and attachments.
func (s *suite) socketHibernation(t *testing.T) {
	const o = "ws-hibernation"
	sock := s.sandboxSocket(t, o, "tags=sleepy&attach=7")
	before := command(t, sock, map[string]any{"op": "whoami"})
	s.target.Hibernate(t, "SANDBOX", o)
	after := command(t, sock, map[string]any{"op": "whoami"})
	equal(t, "same socket", after["id"], before["id"])
	equal(t, "same tags", after["tags"], []any{"sleepy"})
	equal(t, "same attachment", after["attachment"], 7.0)
	if after["constructed"].(float64) <= before["constructed"].(float64) {
		t.Errorf("the object was not rebuilt: constructed %v, then %v", before["constructed"], after["constructed"])
	}
	equal(t, "listed after hibernation", command(t, sock, map[string]any{"op": "list", "tag": "sleepy"})["ids"], []any{before["id"]})
	// An attachment set after waking, read, then kept through another
	// hibernation: what the Go object read before is not what it reads after.
	command(t, sock, map[string]any{"op": "setAttachment", "size": 9})
	equal(t, "attachment set after waking", command(t, sock, map[string]any{"op": "whoami"})["attachment"], 9.0)
	s.target.Hibernate(t, "SANDBOX", o)
	equal(t, "that attachment after hibernation", command(t, sock, map[string]any{"op": "whoami"})["attachment"], 9.0)
	command(t, sock, map[string]any{"op": "setAttachment", "size": -1})
	equal(t, "removed after hibernation", command(t, sock, map[string]any{"op": "whoami"})["hasAttachment"], false)
}

func (s *suite) socketOutbound(t *testing.T) {
	echo := "ws" + strings.TrimPrefix(s.upstream, "http") + "/"
	for _, path := range []string{"/dial", "/do/ws-outbound/dial"} {
		got := s.getJSON(t, path+"?url="+url.QueryEscape(echo)+"&send=hello,who", 200)
		equal(t, path, got, map[string]any{"hello": "echo:hello", "who": "from:godurable",
			"after close": "ws: the WebSocket closed with code 1000 \"done\""})
	}
	got := s.getJSON(t, "/dial?url="+url.QueryEscape(s.upstream+"/not-a-socket-server"), 200).(map[string]any)
	if !strings.Contains(got["error"].(string), "not a WebSocket upgrade") {
		t.Errorf("dialing a plain HTTP server: %v", got)
	}
}

// socketBadFrames: a message over workerd's 32 MiB breaks only its own
// socket; the object and its other sockets go on.
func (s *suite) socketBadFrames(t *testing.T) {
	const o = "ws-bad-frames"
	good := s.sandboxSocket(t, o, "")
	bad := s.sandboxSocket(t, o, "")
	if err := bad.Send(ws.BinaryMessage(make([]byte, ws.MaxMessageBytes+1))); err != nil {
		t.Logf("sending 32 MiB + 1: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	_, err := bad.Receive(ctx)
	var ce *ws.CloseError
	if !errors.As(err, &ce) || ce.Code != 1009 || ce.Reason != "Message is too large: 33554433 > 33554432" {
		t.Errorf("after a message too large, Receive = %v, want the close 1009 that workerd sends", err)
	}
	equal(t, "the other socket", command(t, good, map[string]any{"op": "echo", "text": "still"}), map[string]any{"echo": "still"})
}
