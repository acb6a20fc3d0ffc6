package durableobject_test

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Lobby loads its configuration when it is built, before any event.
type Lobby struct {
	config struct {
		MaxPlayers int `json:"maxPlayers"`
	}
}

// Init makes Lobby a durableobject.Initializer: it may wait on I/O, and no
// event of the object runs until it returns.
func (l *Lobby) Init(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://config.example/lobby", nil)
	if err != nil {
		return err
	}
	resp, err := worker.Fetch(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(&l.config)
}

// MaxPlayers is an RPC method; it always sees the loaded configuration.
func (l *Lobby) MaxPlayers() int { return l.config.MaxPlayers }

func ExampleInitializer() {
	durableobject.Register("Lobby", func(*durableobject.State, *worker.Env) (*Lobby, error) {
		return &Lobby{}, nil
	})
}
