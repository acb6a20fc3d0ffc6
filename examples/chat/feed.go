package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"unicode/utf8"
)

// The room's messages over plain HTTP, for clients without WebSockets:
//
//	GET  /rooms/{room}/feed   200 text/event-stream: each message said from now on, as an
//	                          event with "id: {seq}" and "data: {said}" (the JSON members get)
//	POST /rooms/{room}/say    {"name":"me","text":"hi"} -> 200 {said}, sent to members and feeds;
//	                          400 for a bad name or text, or a body that is not that JSON
//
// A feed's handler waits on a channel that other events fill (a member's
// message, a POST /say): while it waits, they run, as an await lets other
// requests in in JavaScript. An open feed keeps the room in memory (it
// does not hibernate while a request is in flight).

// feedBacklog is how many messages a feed may fall behind before it is
// ended with an "overflow" event, rather than hold the room's memory.
const feedBacklog = 256

// feeds are the open feeds of a room.
type feeds struct {
	mu   sync.Mutex
	subs map[chan Said]struct{}
}

func (f *feeds) subscribe() chan Said {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[chan Said]struct{}{}
	}
	ch := make(chan Said, feedBacklog)
	f.subs[ch] = struct{}{}
	return ch
}

func (f *feeds) unsubscribe(ch chan Said) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, ch)
}

// publish hands s to every feed; a feed that is feedBacklog messages
// behind is closed instead.
func (f *feeds) publish(s Said) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- s:
		default:
			delete(f.subs, ch)
			close(ch)
		}
	}
}

// feed is GET /rooms/{room}/feed.
func (r *Room) feed(w http.ResponseWriter, req *http.Request) {
	ch := r.feeds.subscribe()
	defer r.feeds.unsubscribe(ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher := w.(http.Flusher)
	flusher.Flush() // the status and headers go out now
	for {
		select {
		case s, ok := <-ch:
			if !ok {
				fmt.Fprint(w, "event: overflow\ndata: the feed fell too far behind; reconnect\n\n")
				return
			}
			b, err := json.Marshal(s)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "id: %d\ndata: %s\n\n", s.Seq, b); err != nil {
				return // the client has gone
			}
			flusher.Flush()
		case <-req.Context().Done():
			return
		}
	}
}

// postSay is POST /rooms/{room}/say.
func (r *Room) postSay(w http.ResponseWriter, req *http.Request) {
	var in struct {
		Name string `json:"name"`
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 16<<10)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("the body must be JSON {\"name\":...,\"text\":...}: %w", err))
		return
	}
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > maxName {
		writeError(w, http.StatusBadRequest, fmt.Errorf("name must be 1 to %d characters, got %d", maxName, n))
		return
	}
	said, err := r.say(in.Name, in.Text)
	if err != nil {
		if b, ok := err.(*badMessage); ok {
			writeError(w, http.StatusBadRequest, b)
			return
		}
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, said)
}
