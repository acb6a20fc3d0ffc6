package ws_test

import (
	"context"
	"net/http"

	"github.com/godurable/godurable/worker"
	"github.com/godurable/godurable/ws"
)

// A stateless Worker that asks an upstream WebSocket server one question
// per request: the socket belongs to the request's event, and is closed
// before the handler returns.
func ExampleDial() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		c, _, err := ws.Dial(ctx, "wss://quotes.example/ws", http.Header{"Authorization": {"Bearer ..."}})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer c.Close(1000, "done")
		if err := c.SendText(r.URL.Query().Get("symbol")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		m, err := c.Receive(ctx)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Write(m.Data)
	})
}
