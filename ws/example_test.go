package ws_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
	"github.com/godurable/godurable/ws"
)

// Echo is a Durable Object that holds WebSockets with the hibernation
// API and answers each message with itself.
type Echo struct{ state *durableobject.State }

// ServeHTTP accepts the socket; a request that is not an upgrade gets 426.
func (e *Echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, err := ws.Accept(w, r, &ws.AcceptOptions{Tags: []string{r.URL.Query().Get("name")}})
	if errors.Is(err, ws.ErrNotWebSocket) {
		http.Error(w, err.Error(), http.StatusUpgradeRequired)
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

// WebSocketMessage implements ws.MessageHandler: it runs for each message,
// waking the object if it hibernated.
func (e *Echo) WebSocketMessage(ctx context.Context, c *ws.Conn, m ws.Message) error {
	return c.Send(m)
}

func ExampleAccept() {
	durableobject.Register("Echo", func(state *durableobject.State, env *worker.Env) (*Echo, error) {
		return &Echo{state: state}, nil
	})
}

// A test dials the chat example (examples/chat) as a browser would, and
// its room keeps the socket across hibernation.
func ExampleMessageHandler() {
	w, err := dotest.Start(&dotest.Options{Package: "../examples/chat"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	sock, _, err := w.DialWebSocket(ctx, "/rooms/lobby/ws?name=ann", nil)
	if err != nil {
		log.Fatal(err)
	}
	welcome, _ := sock.Receive(ctx)
	fmt.Println(welcome.Text())

	w.Object("CHAT", "lobby").Hibernate() // the socket stays open
	sock.SendText(`{"type":"say","text":"hello"}`)
	said, _ := sock.Receive(ctx)
	fmt.Println(said.Text())
	// Output:
	// {"history":[],"members":["ann"],"room":"lobby","type":"welcome"}
	// {"type":"said","name":"ann","text":"hello","seq":1}
}

// Relay is a Durable Object that relays each message to every other
// socket of the object.
type Relay struct{}

// ServeHTTP accepts the socket.
func (Relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := ws.Accept(w, r, nil); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

// WebSocketMessage implements ws.MessageHandler: one host call sends m to
// the others, however many there are.
func (Relay) WebSocketMessage(ctx context.Context, c *ws.Conn, m ws.Message) error {
	_, err := ws.Broadcast(ctx, m, "", c)
	return err
}

func ExampleBroadcast() {
	durableobject.Register("Relay", func(state *durableobject.State, env *worker.Env) (Relay, error) {
		return Relay{}, nil
	})
}
