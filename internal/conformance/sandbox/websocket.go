package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/godurable/godurable/ws"
)

// The sandbox's sockets: GET /do/{name}/ws?tags=a,b&attach=N accepts one
// with those tags and an attachment of N bytes; each text message is a
// command whose answer comes back as JSON text.

func (s *Sandbox) acceptSocket(w http.ResponseWriter, r *http.Request) {
	var tags []string
	if t := r.URL.Query().Get("tags"); t != "" {
		tags = strings.Split(t, ",")
	}
	opts := &ws.AcceptOptions{Tags: tags}
	if n, _ := strconv.Atoi(r.URL.Query().Get("attach")); n > 0 {
		opts.Attachment = strings.Repeat("a", n)
	}
	if _, err := ws.Accept(w, r, opts); err != nil {
		writeError(w, http.StatusBadRequest, err)
	}
}

// command is a message to the sandbox's socket.
type command struct {
	Op string `json:"op"`
	// Binary and ExceptSelf shape a broadcast: a binary message, and not
	// to the socket that asked.
	Binary     bool   `json:"binary"`
	ExceptSelf bool   `json:"exceptSelf"`
	Text       string `json:"text"`
	Tag        string `json:"tag"`
	Size       int    `json:"size"`
	Code       int    `json:"code"`
	Reason     string `json:"reason"`
	Ms         int64  `json:"ms"`
	Req        string `json:"req"`
	Resp       string `json:"resp"`
}

// WebSocketMessage implements ws.MessageHandler.
func (s *Sandbox) WebSocketMessage(ctx context.Context, c *ws.Conn, m ws.Message) error {
	if m.Type == ws.Binary {
		return c.SendBinary(append([]byte("echo:"), m.Data...))
	}
	var cmd command
	if err := json.Unmarshal(m.Data, &cmd); err != nil {
		return c.SendText(`{"error":"not a command"}`)
	}
	reply, err := s.command(ctx, c, cmd)
	if err != nil {
		reply = map[string]any{"error": err.Error()}
	}
	if reply == nil {
		return nil
	}
	b, _ := json.Marshal(reply)
	return c.SendText(string(b))
}

func (s *Sandbox) command(ctx context.Context, c *ws.Conn, cmd command) (map[string]any, error) {
	switch cmd.Op {
	case "echo":
		return map[string]any{"echo": cmd.Text}, nil
	case "whoami":
		tags, err := c.Tags()
		if err != nil {
			return nil, err
		}
		var att string
		has, err := c.Attachment(&att)
		if err != nil {
			return nil, err
		}
		state, err := c.ReadyState()
		return map[string]any{"id": c.ID(), "tags": tags, "attachment": len(att), "hasAttachment": has,
			"readyState": int(state), "constructed": s.constructed}, err
	case "list":
		conns, err := s.state.WebSockets(cmd.Tag)
		if err != nil {
			return nil, err
		}
		ids := []string{}
		for _, o := range conns {
			ids = append(ids, o.ID())
		}
		return map[string]any{"ids": ids}, nil
	case "setAttachment":
		var v any
		if cmd.Size >= 0 {
			v = strings.Repeat("b", cmd.Size)
		}
		return map[string]any{"ok": true}, c.SetAttachment(v)
	case "close":
		return nil, c.Close(cmd.Code, cmd.Reason)
	case "setAuto":
		return map[string]any{"ok": true}, ws.SetAutoResponse(ctx, cmd.Req, cmd.Resp)
	case "auto":
		req, resp, ok, err := ws.AutoResponse(ctx)
		if err != nil {
			return nil, err
		}
		at, seen, err := c.AutoResponseTime()
		ms := int64(-1)
		if seen {
			ms = at.UnixMilli()
		}
		return map[string]any{"req": req, "resp": resp, "set": ok, "lastAuto": ms}, err
	case "timeout":
		if cmd.Ms >= 0 {
			if err := ws.SetEventTimeout(ctx, time.Duration(cmd.Ms)*time.Millisecond); err != nil {
				return nil, err
			}
		}
		d, ok, err := ws.EventTimeout(ctx)
		return map[string]any{"ms": d.Milliseconds(), "set": ok}, err
	case "broadcast":
		m := ws.TextMessage(fmt.Sprintf(`{"broadcast":%q}`, cmd.Text))
		if cmd.Binary {
			m = ws.BinaryMessage([]byte(cmd.Text))
		}
		var except []*ws.Conn
		if cmd.ExceptSelf {
			except = append(except, c)
		}
		n, err := ws.Broadcast(ctx, m, cmd.Tag, except...)
		return map[string]any{"sent": n}, err
	}
	return nil, fmt.Errorf("unknown op %q", cmd.Op)
}

// WebSocketClose implements ws.CloseHandler: the socket's close is
// recorded in KV, for the tests.
func (s *Sandbox) WebSocketClose(ctx context.Context, c *ws.Conn, code int, reason string, wasClean bool) error {
	return s.state.Storage.KV.Put("closed:"+c.ID(), fmt.Sprintf("%d %s %v", code, reason, wasClean))
}

// dial is GET /dial?url=...&send=...: the Worker (or, under /do/{name},
// an object) opens a WebSocket, sends one message and answers with the
// reply.
func dial(w http.ResponseWriter, r *http.Request) {
	c, resp, err := ws.Dial(r.Context(), r.URL.Query().Get("url"), http.Header{"X-From": {"godurable"}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		writeJSON(w, http.StatusOK, map[string]any{"error": err.Error(), "status": status})
		return
	}
	out := map[string]any{}
	for _, text := range strings.Split(r.URL.Query().Get("send"), ",") {
		if err := c.SendText(text); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		m, err := c.Receive(r.Context())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		out[text] = m.Text()
	}
	c.Close(1000, "done")
	_, err = c.Receive(r.Context())
	out["after close"] = fmt.Sprint(err)
	writeJSON(w, http.StatusOK, out)
}
