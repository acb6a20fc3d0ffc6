package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/godurable/godurable/d1"
	"github.com/godurable/godurable/queues"
	"github.com/godurable/godurable/worker"
)

// Queues: the sandbox sends to its own queue (binding QUEUE) and consumes
// it, and its dead-letter queue. The queue handler records every delivery
// of every message in the D1 table queue_deliveries (what Go decoded of
// its body, its ID, attempts, batch, the time), then does what the
// message asks, if it is a JSON object with "do":
//
//	ack          Ack
//	retry        Retry while attempts <= n (delay seconds if given)
//	retryAll     RetryAll while attempts <= n
//	error        Ack, then the handler returns an error while attempts <= n
//	panic        the handler panics while attempts <= n
//	(else)       nothing: the message is acknowledged when the handler returns
//
// A message's tag is its "tag" (a JSON object), or what precedes "|" in a
// text or bytes body. POST /queues/send sends; GET /queues/deliveries?tag=T
// answers the deliveries of a tag, in order.

func init() {
	queues.Handle(consumeQueue)
}

// instruction is what a JSON message asks of the handler.
type instruction struct {
	Tag   string `json:"tag"`
	Do    string `json:"do"`
	N     int    `json:"n"`
	Delay int    `json:"delay"`
}

func consumeQueue(ctx context.Context, b *queues.Batch) error {
	db, err := queueDB(ctx)
	if err != nil {
		return err
	}
	batchID := newID()
	now := time.Now().UnixMilli()
	var stmts []*d1.Statement
	var fail, panics bool
	for _, m := range b.Messages {
		var v any
		if err := m.Decode(&v); err != nil {
			return err
		}
		tag, kind, value := describeBody(m, v)
		stmts = append(stmts, db.Prepare("INSERT INTO queue_deliveries (tag, queue, id, attempts, batch, size, kind, value, ts, now) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").
			Bind(tag, b.Queue, m.ID, m.Attempts, batchID, len(b.Messages), kind, value, m.Timestamp.UnixMilli(), now))
		var in instruction
		if kind != "object" || m.Decode(&in) != nil || b.Queue != "godurable-sandbox-queue" {
			continue
		}
		again := m.Attempts <= in.N
		switch in.Do {
		case "ack":
			m.Ack()
		case "retry":
			if again {
				m.Retry(time.Duration(in.Delay) * time.Second)
			}
		case "retryAll":
			if again {
				b.RetryAll(time.Duration(in.Delay) * time.Second)
			}
		case "error":
			m.Ack()
			fail = fail || again
		case "panic":
			panics = panics || again
		}
	}
	if _, err := db.Batch(ctx, stmts...); err != nil {
		return err
	}
	if panics {
		panic("the queue handler panicked")
	}
	if fail {
		return errors.New("the queue handler failed")
	}
	return nil
}

// describeBody returns a body's tag, what Go decoded it into ("object",
// "string", "bytes", ...) and that value as JSON (bytes in base64; a v8
// object's Date as the time.Time it decoded into).
func describeBody(m *queues.Message, v any) (tag, kind, value string) {
	switch x := v.(type) {
	case map[string]any:
		tag, _ = x["tag"].(string)
		kind = "object"
		if _, ok := x["when"].(time.Time); ok {
			var d struct {
				When time.Time `json:"when"`
			}
			if err := m.Decode(&d); err == nil {
				kind = "object with a Date"
			}
		}
	case string:
		tag, _, _ = strings.Cut(x, "|")
		kind = "string"
	case []byte:
		t, _, _ := strings.Cut(string(x), "|")
		tag, kind = t, "bytes"
		return tag, kind, base64.StdEncoding.EncodeToString(x)
	default:
		kind = fmt.Sprintf("%T", v)
	}
	b, _ := json.Marshal(v)
	return tag, kind, string(b)
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func queueDB(ctx context.Context) (*d1.Database, error) {
	return tableDB(ctx, "CREATE TABLE IF NOT EXISTS queue_deliveries (tag TEXT, queue TEXT, id TEXT, attempts INTEGER, batch TEXT, size INTEGER, kind TEXT, value TEXT, ts INTEGER, now INTEGER)")
}

// sendRequest is POST /queues/send's body: the messages, sent with Send
// if there is one and batch is false, else with SendBatch.
type sendRequest struct {
	Messages []struct {
		JSON   any     `json:"json"`
		Text   *string `json:"text"`
		Bytes  []byte  `json:"bytes"` // base64 in the request
		V8     any     `json:"v8"`
		V8Date *int64  `json:"v8date"` // a v8 body {"tag": V8, "when": Date(ms)}
		Type   string  `json:"type"`   // a content type to send the body with, instead
		Delay  float64 `json:"delay"`  // seconds
	} `json:"messages"`
	Batch      bool    `json:"batch"`
	BatchDelay float64 `json:"batchDelay"`
}

func queueRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /queues/send", func(w http.ResponseWriter, r *http.Request) {
		var req sendRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		env, err := worker.GetEnv()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		q, err := queues.FromEnv(env, "QUEUE")
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		msgs := make([]queues.SendMessage, len(req.Messages))
		for i, m := range req.Messages {
			s := queues.SendMessage{Body: m.JSON, Delay: time.Duration(m.Delay * float64(time.Second))}
			switch {
			case m.Text != nil:
				s.Body, s.ContentType = *m.Text, queues.Text
			case m.Bytes != nil:
				s.Body, s.ContentType = m.Bytes, queues.Bytes
			case m.V8Date != nil:
				s.Body, s.ContentType = map[string]any{"tag": m.V8, "when": time.UnixMilli(*m.V8Date).UTC()}, queues.V8
			case m.V8 != nil:
				s.Body, s.ContentType = m.V8, queues.V8
			}
			if m.Type != "" {
				s.ContentType = queues.ContentType(m.Type)
			}
			msgs[i] = s
		}
		var metrics *queues.Metrics
		if len(msgs) == 1 && !req.Batch {
			metrics, err = q.Send(r.Context(), msgs[0].Body, &queues.SendOptions{ContentType: msgs[0].ContentType, Delay: msgs[0].Delay})
		} else {
			metrics, err = q.SendBatch(r.Context(), msgs, &queues.BatchOptions{Delay: time.Duration(req.BatchDelay * float64(time.Second))})
		}
		if err != nil {
			writeJSON(w, http.StatusOK, map[string]any{"error": describeSendError(err)})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"metrics": metrics != nil})
	})
	mux.HandleFunc("GET /queues/deliveries", func(w http.ResponseWriter, r *http.Request) {
		db, err := queueDB(r.Context())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		res, err := db.Prepare("SELECT queue, id, attempts, batch, size, kind, value, ts, now FROM queue_deliveries WHERE tag = ? ORDER BY rowid").
			Bind(r.URL.Query().Get("tag")).All(r.Context())
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		out := []map[string]any{}
		for res.Next() {
			var queue, id, batch, kind, value string
			var attempts, size, ts, now int64
			if err := res.Scan(&queue, &id, &attempts, &batch, &size, &kind, &value, &ts, &now); err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			out = append(out, map[string]any{"queue": queue, "id": id, "attempts": attempts, "batch": batch, "size": size,
				"kind": kind, "value": value, "ts": ts, "now": now})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// describeSendError names the error of a send: the package's error it
// matches, or the JavaScript error's name and message.
func describeSendError(err error) map[string]any {
	for _, e := range []struct {
		name string
		err  error
	}{{"ErrBody", queues.ErrBody}, {"ErrTooLarge", queues.ErrTooLarge}, {"ErrBatchCount", queues.ErrBatchCount}, {"ErrDelay", queues.ErrDelay}} {
		if errors.Is(err, e.err) {
			return map[string]any{"is": e.name}
		}
	}
	var we *worker.Error
	if errors.As(err, &we) {
		return map[string]any{"name": we.ErrorName(), "message": we.Message}
	}
	return map[string]any{"message": err.Error()}
}
