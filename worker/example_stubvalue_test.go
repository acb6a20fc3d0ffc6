package worker_test

import (
	"context"
	"errors"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Lobby keeps the stubs of the rooms that joined it, to call them in
// later events.
type Lobby struct{ rooms []*worker.Stub }

// Joined is an RPC method that takes a stub: a JavaScript caller passes
// env.ROOMS.getByName(name), a Go caller a *worker.Stub.
func (l *Lobby) Joined(room *worker.Stub) error {
	if room == nil {
		return errors.New("joined: no room")
	}
	l.rooms = append(l.rooms, room)
	return nil
}

// Announce calls every room that joined.
func (l *Lobby) Announce(ctx context.Context, text string) error {
	for _, room := range l.rooms {
		if err := room.Call(ctx, "announce", nil, text); err != nil {
			return err
		}
	}
	return nil
}

// A *worker.Stub is an RPC value: a method may take one, keep it, and
// return one.
func ExampleStub_rpcValue() {
	durableobject.Register("Lobby", func(*durableobject.State, *worker.Env) (*Lobby, error) {
		return &Lobby{}, nil
	})
}
