package durableobject_test

import (
	"fmt"
	"net/http"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Room is a Durable Object class: one object per room name.
type Room struct {
	state *durableobject.State
}

// Join is an RPC method; JavaScript calls it as stub.join("gopher").
func (r *Room) Join(who string) (string, error) {
	var members []string
	if _, err := r.state.Storage.KV.Get("members", &members); err != nil {
		return "", err
	}
	members = append(members, who)
	if err := r.state.Storage.KV.Put("members", members); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s joined %s", who, r.state.Name), nil
}

// ServeHTTP makes the object answer stub.fetch().
func (r *Room) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	fmt.Fprintf(w, "room %s\n", r.state.Name)
}

func newRoom(state *durableobject.State, env *worker.Env) (*Room, error) {
	return &Room{state: state}, nil
}

func ExampleRegister() {
	// In a Worker, this runs in an init function. "Room" is the class_name
	// of the Durable Object binding in wrangler.toml.
	durableobject.Register("Room", newRoom)

	// A State made by hand has no storage: methods that touch it fail.
	// Test objects with the dotest harness instead, which runs them as
	// workerd would.
	room, _ := newRoom(&durableobject.State{Name: "lobby"}, nil)
	_, err := room.Join("gopher")
	fmt.Println(err)
	// Output: storage: get "members": this Storage belongs to no Durable Object (a State made by hand?); use the one the constructor receives
}

// Vault implements fmt.Stringer for its logs, and has a method only Go
// code in the module calls.
type Vault struct{ state *durableobject.State }

func (v *Vault) Deposit(amount int64) error { return nil }
func (v *Vault) Balance() (int64, error)    { return 0, nil }
func (v *Vault) Wipe() error                { return v.state.Storage.DeleteAll() }
func (v *Vault) String() string             { return "vault " + v.state.Name }

func ExampleExpose() {
	// Callers with a binding reach Deposit and Balance; Wipe and String
	// answer as methods the object does not have (TypeError: The RPC
	// receiver does not implement the method "wipe".). wasmbuild build
	// prints the exposed set.
	durableobject.Register("Vault", func(s *durableobject.State, env *worker.Env) (*Vault, error) {
		return &Vault{state: s}, nil
	}, durableobject.Expose("Deposit", "Balance"))
}

func ExampleHide() {
	// Every RPC method but Wipe, and String (fmt.Stringer's methods are
	// off RPC unless Expose lists them).
	durableobject.Register("Safe", func(s *durableobject.State, env *worker.Env) (*Vault, error) {
		return &Vault{state: s}, nil
	}, durableobject.Hide("Wipe"))
}
