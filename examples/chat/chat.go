// Command chat is a Worker whose Durable Objects are chat rooms, one per
// room name, holding their members' WebSockets with the hibernation API:
// a room may leave memory between messages while its sockets stay open.
//
//	GET /rooms/{room}/ws?name={name}   (Upgrade: websocket) 101; 426 without the upgrade;
//	                                   400 for an empty name or one over 32 characters
//	GET /rooms/{room}/history          200 the last 100 "said" messages, oldest first
//	GET /rooms/{room}/members          200 the names connected, in join order
//	GET /rooms/{room}/feed             200 the messages said from now on, as server-sent events
//	POST /rooms/{room}/say             say {"name","text"} without a socket (feed.go)
//
// Messages are JSON text:
//
//	server -> new member  {"type":"welcome","room":"r","members":[...,"me"],"history":[last 50 said]}
//	server -> the others  {"type":"joined","name":"me"}
//	{"type":"say","text":"hi"}                -> everyone {"type":"said","name":"me","text":"hi","seq":1}
//	{"type":"whisper","to":"bo","text":"psst"} -> bo's sockets {"type":"whispered","from":"me","text":"psst"}
//	a socket closes                            -> the others {"type":"left","name":"me"}
//	anything else                              -> the sender {"type":"error","error":"..."}
//
// The text "ping" is answered "pong" by workerd itself, without waking
// the room.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
	"github.com/godurable/godurable/ws"
)

func main() {}

func init() {
	durableobject.Register("ChatRoom", newRoom)
	worker.Handle(http.HandlerFunc(route))
}

// Room is one chat room.
type Room struct {
	state *durableobject.State
	mux   *http.ServeMux
	feeds feeds // the open GET /feed requests (feed.go)
}

// Member is what a socket remembers across hibernation: its attachment.
type Member struct {
	Name string `json:"name"`
	Seq  int64  `json:"seq"` // join order
}

// Said is a message of the room, as it is broadcast and kept.
type Said struct {
	Type string `json:"type"` // "said"
	Name string `json:"name"`
	Text string `json:"text"`
	Seq  int64  `json:"seq"`
}

const (
	maxName    = 32   // characters
	maxText    = 1000 // characters
	welcomeLen = 50
	historyLen = 100
)

func newRoom(state *durableobject.State, env *worker.Env) (*Room, error) {
	if _, err := state.Storage.SQL.Exec(`CREATE TABLE IF NOT EXISTS said (
		seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, text TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("creating the said table: %w", err)
	}
	r := &Room{state: state}
	r.mux = http.NewServeMux()
	r.mux.HandleFunc("GET /rooms/{room}/ws", r.join)
	r.mux.HandleFunc("GET /rooms/{room}/history", func(w http.ResponseWriter, req *http.Request) {
		h, err := r.history(historyLen)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, h)
	})
	r.mux.HandleFunc("GET /rooms/{room}/feed", r.feed)
	r.mux.HandleFunc("POST /rooms/{room}/say", r.postSay)
	r.mux.HandleFunc("GET /rooms/{room}/members", func(w http.ResponseWriter, req *http.Request) {
		members, err := r.members(nil)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, members)
	})
	return r, nil
}

func (r *Room) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }

// join accepts a member's socket.
func (r *Room) join(w http.ResponseWriter, req *http.Request) {
	if err := ws.IsUpgrade(req); err != nil {
		writeError(w, http.StatusUpgradeRequired, err)
		return
	}
	name := req.URL.Query().Get("name")
	if n := utf8.RuneCountInString(name); n == 0 || n > maxName {
		writeError(w, http.StatusBadRequest, fmt.Errorf("name must be 1 to %d characters, got %d", maxName, n))
		return
	}
	ctx := req.Context()
	if err := ws.SetAutoResponse(ctx, "ping", "pong"); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	var seq int64
	if _, err := r.state.Storage.KV.Get("joins", &seq); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	seq++
	if err := r.state.Storage.KV.Put("joins", seq); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	// The name is the socket's tag, for whispers, and its attachment, for
	// the member list: both survive hibernation.
	conn, err := ws.Accept(w, req, &ws.AcceptOptions{Tags: []string{name}, Attachment: Member{Name: name, Seq: seq}})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	members, err := r.members(nil)
	if err != nil {
		conn.Close(1011, "the room failed")
		return
	}
	history, err := r.history(welcomeLen)
	if err != nil {
		conn.Close(1011, "the room failed")
		return
	}
	send(conn, map[string]any{"type": "welcome", "room": req.PathValue("room"), "members": members, "history": history})
	r.broadcast(map[string]any{"type": "joined", "name": name}, conn)
}

// members returns the names connected, in join order, without skip.
func (r *Room) members(skip *ws.Conn) ([]string, error) {
	conns, err := r.state.WebSockets("")
	if err != nil {
		return nil, err
	}
	var ms []Member
	for _, c := range conns {
		if skip != nil && c.ID() == skip.ID() {
			continue
		}
		var m Member
		if ok, err := c.Attachment(&m); err != nil || !ok {
			continue // not a member's socket
		}
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b Member) int { return int(a.Seq - b.Seq) })
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return names, nil
}

// history returns the last n said messages, oldest first.
func (r *Room) history(n int) ([]Said, error) {
	cur, err := r.state.Storage.SQL.Exec(`SELECT seq, name, text FROM (SELECT * FROM said ORDER BY seq DESC LIMIT ?) ORDER BY seq`, n)
	if err != nil {
		return nil, err
	}
	out := []Said{}
	for cur.Next() {
		s := Said{Type: "said"}
		if err := cur.Scan(&s.Seq, &s.Name, &s.Text); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// incoming is a message from a member.
type incoming struct {
	Type string `json:"type"`
	Text string `json:"text"`
	To   string `json:"to"`
}

// WebSocketMessage implements ws.MessageHandler.
func (r *Room) WebSocketMessage(ctx context.Context, c *ws.Conn, m ws.Message) error {
	var from Member
	if _, err := c.Attachment(&from); err != nil {
		return err
	}
	if err := r.handle(ctx, c, from, m); err != nil {
		var bad *badMessage
		if errors.As(err, &bad) {
			return send(c, map[string]any{"type": "error", "error": bad.msg})
		}
		return err
	}
	return nil
}

type badMessage struct{ msg string }

func (e *badMessage) Error() string { return e.msg }

func bad(format string, args ...any) error { return &badMessage{fmt.Sprintf(format, args...)} }

func (r *Room) handle(ctx context.Context, c *ws.Conn, from Member, m ws.Message) error {
	if m.Type != ws.Text {
		return bad("binary messages are not understood; send JSON text")
	}
	var in incoming
	if err := json.Unmarshal(m.Data, &in); err != nil {
		return bad("malformed JSON: %v", err)
	}
	switch in.Type {
	case "say":
		_, err := r.say(from.Name, in.Text)
		return err
	case "whisper":
		return r.whisper(from, in)
	}
	return bad("unknown message type %q", in.Type)
}

// whisper sends a message to the sockets of one member.
func (r *Room) whisper(from Member, in incoming) error {
	if err := checkText(in.Text); err != nil {
		return err
	}
	if in.To == "" {
		return bad("a whisper needs a \"to\"")
	}
	to, err := r.state.WebSockets(in.To)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return bad("no member called %q", in.To)
	}
	for _, t := range to {
		send(t, map[string]any{"type": "whispered", "from": from.Name, "text": in.Text})
	}
	return nil
}

func checkText(text string) error {
	if n := utf8.RuneCountInString(text); n < 1 || n > maxText {
		return bad("text must be 1 to %d characters, got %d", maxText, n)
	}
	return nil
}

// say keeps what name said and sends it to every member and feed.
func (r *Room) say(name, text string) (Said, error) {
	if err := checkText(text); err != nil {
		return Said{}, err
	}
	cur, err := r.state.Storage.SQL.Exec(`INSERT INTO said (name, text) VALUES (?, ?) RETURNING seq`, name, text)
	if err != nil {
		return Said{}, err
	}
	said := Said{Type: "said", Name: name, Text: text}
	if err := cur.One(&said.Seq); err != nil {
		return Said{}, err
	}
	r.feeds.publish(said)
	return said, r.broadcast(said, nil)
}

// broadcast sends v as JSON to every member but skip, in one host call
// however many members there are.
func (r *Room) broadcast(v any, skip *ws.Conn) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = r.state.Broadcast(ws.Message{Type: ws.Text, Data: b}, "", skip)
	return err
}

// WebSocketClose implements ws.CloseHandler: the others learn who left.
func (r *Room) WebSocketClose(ctx context.Context, c *ws.Conn, code int, reason string, wasClean bool) error {
	return r.left(c)
}

// WebSocketError implements ws.ErrorHandler: a broken socket has left too.
func (r *Room) WebSocketError(ctx context.Context, c *ws.Conn, err error) error {
	return r.left(c)
}

func (r *Room) left(c *ws.Conn) error {
	var m Member
	if ok, err := c.Attachment(&m); err != nil || !ok {
		return err
	}
	return r.broadcast(map[string]any{"type": "left", "name": m.Name}, c)
}

// send sends v as JSON; a socket that has gone is no error of the room.
func send(c *ws.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.SendText(string(b))
	return nil
}
