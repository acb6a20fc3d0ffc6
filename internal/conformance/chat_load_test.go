package conformance

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// The chat room under load, the reliability figures of the WebSocket
// path: every member receives every message of its room once, each
// sender's in order, all members in the same order.

func loadSize(t *testing.T, rooms, perRoom, messages int) (int, int, int) {
	if s := os.Getenv("GODURABLE_CHAT_LOAD"); s != "" { // ROOMSxPERROOMxMESSAGES, to explore
		var r, p, m int
		if _, err := fmt.Sscanf(s, "%dx%dx%d", &r, &p, &m); err == nil {
			return r, p, m
		}
		t.Fatalf("GODURABLE_CHAT_LOAD=%q: want ROOMSxPERROOMxMESSAGES", s)
	}
	return rooms, perRoom, messages
}

// TestDotestChatReliability: 100 sockets in 10 rooms, 100 messages each
// (100,000 deliveries), with rooms hibernating at random while the
// messages flow. (TestDotestSocketReliability has the 1,000 sockets.)
func TestDotestChatReliability(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 messages")
	}
	rooms, perRoom, messages := loadSize(t, 10, 10, 100)
	d := NewDotest(t, "../../examples/chat")
	var hibernations atomic.Int64
	stop := make(chan struct{})
	start := time.Now()
	n := RunChatLoad(t, d, ChatLoad{Rooms: rooms, PerRoom: perRoom, Messages: messages, Between: func() {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
					if d.W.Object("CHAT", "load"+strconv.Itoa(rand.IntN(rooms))).Hibernate() {
						hibernations.Add(1)
					}
				}
			}
		}()
	}})
	close(stop)
	t.Logf("dotest: %d sockets x %d messages: %d received in %v, %d hibernations", rooms*perRoom, messages, n, time.Since(start).Round(time.Millisecond), hibernations.Load())
	if want := rooms * perRoom * perRoom * messages; n != want {
		t.Errorf("received %d messages, want %d", n, want)
	}
}

// TestDotestSocketReliability: 1,000 sockets on 100 objects, 100 messages
// each, with objects hibernating at random while the messages flow.
func TestDotestSocketReliability(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 messages")
	}
	objects, per, messages := loadSize(t, 100, 10, 100)
	d := NewDotest(t, "./sandbox")
	var hibernations atomic.Int64
	stop := make(chan struct{})
	start := time.Now()
	n := RunSocketLoad(t, d, SocketLoad{Objects: objects, PerObject: per, Messages: messages, Between: func(name func(int) string) {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
					if d.W.Object("SANDBOX", name(rand.IntN(objects))).Hibernate() {
						hibernations.Add(1)
					}
				}
			}
		}()
	}})
	close(stop)
	t.Logf("dotest: %d sockets x %d messages: %d echoes in %v, %d hibernations", objects*per, messages, n, time.Since(start).Round(time.Millisecond), hibernations.Load())
	if want := objects * per * messages; n != want {
		t.Errorf("received %d echoes, want %d", n, want)
	}
}

// TestWorkerdChatReliability: 100 sockets in 10 rooms, 100 messages each,
// in real workerd with real clients; workerd decides when to hibernate.
func TestWorkerdChatReliability(t *testing.T) {
	RequireWrangler(t)
	rooms, perRoom, messages := loadSize(t, 10, 10, 100)
	w := StartWorkerd(t, "./examples/chat", "examples/chat/build", "examples/chat/wrangler.toml", "internal/conformance/jscaller/chat.toml")
	start := time.Now()
	n := RunChatLoad(t, w, ChatLoad{Rooms: rooms, PerRoom: perRoom, Messages: messages})
	t.Logf("workerd: %d sockets x %d messages: %d received in %v", rooms*perRoom, messages, n, time.Since(start).Round(time.Millisecond))
	if want := rooms * perRoom * perRoom * messages; n != want {
		t.Errorf("received %d messages, want %d", n, want)
	}
}
