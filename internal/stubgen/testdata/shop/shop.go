// Command shop is the Worker of the generator's tests: two classes whose
// RPC methods use the types the generator maps.
package main

import (
	"context"
	"io"
	"iter"
	"net/http"
	"sync"
	"time"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Shop is a class with the default exposure: String and the mutex's
// methods are not exposed.
type Shop struct {
	sync.Mutex
	state *durableobject.State
}

// Base is embedded in Item: its fields are Item's.
type Base struct {
	ID string `msgpack:"id"`
}

// Item is a struct crossing the boundary.
type Item struct {
	Base
	Name   string            `json:"name"`
	Price  int64             `json:"price"`
	Tags   []string          `json:"tags,omitempty"`
	Note   *string           `json:"note"`
	Meta   map[string]any    `json:"meta"`
	Sizes  [3]float64        `json:"sizes"`
	Extra  struct{ On bool } `json:"extra"`
	Hidden string            `json:"-"`
	secret int
}

// Level is a named integer.
type Level int16

// Add adds n of item and returns how many the shop has.
func (s *Shop) Add(ctx context.Context, item Item, n int) (int64, error) { return 0, nil }

// Find returns the item called name, or nil.
func (s *Shop) Find(name string) (*Item, error) { return nil, nil }

func (s *Shop) List() []Item { return nil }

func (s *Shop) Clear() error { return nil }

func (s *Shop) Touch(ctx context.Context) {}

func (s *Shop) SetLevel(l Level, at time.Time) error { return nil }

func (s *Shop) Raw(b []byte, _ bool, result string, ctx int) ([]byte, error) { return nil, nil }

func (s *Shop) String() string { return "shop" }

// Forward answers a request with extra headers.
func (s *Shop) Forward(r *http.Request, extra http.Header) (*http.Response, error) { return nil, nil }

// Watch streams the items whose name starts with prefix as they change.
func (s *Shop) Watch(ctx context.Context, prefix string) iter.Seq2[Item, error] { return nil }

// Levels streams levels through a channel.
func (s *Shop) Levels() <-chan Level { return nil }

// Export streams the shop's data.
func (s *Shop) Export() io.Reader { return nil }

// Import reads data from a stream.
func (s *Shop) Import(ctx context.Context, data io.Reader) (int64, error) { return 0, nil }

// Supplier takes a Durable Object stub and returns one.
func (s *Shop) Supplier(ctx context.Context, other *worker.Stub) (*worker.Stub, error) {
	return other, nil
}

// Ledger lists its exposed set.
type Ledger struct{}

func (l *Ledger) Ping() string   { return "pong" }
func (l *Ledger) Secret() string { return "" }

// Catalog is the Worker's default entrypoint: its stubs are named after
// its type.
type Catalog struct{}

// Price returns the price of the item called name.
func (Catalog) Price(ctx context.Context, name string) (int64, error) { return 0, nil }

func (Catalog) String() string { return "catalog" }

// Back is the entrypoint Admin: its stubs are named after the entrypoint.
type Back struct{}

// Restock adds n of item.
func (Back) Restock(ctx context.Context, item Item, n int) error { return nil }

func (Back) Wipe() {}

func init() {
	durableobject.Register("Shop", func(s *durableobject.State, env *worker.Env) (*Shop, error) { return &Shop{state: s}, nil })
	durableobject.Register("Ledger", func(s *durableobject.State, env *worker.Env) (*Ledger, error) { return &Ledger{}, nil }, durableobject.Expose("Ping"))
	worker.Entrypoint("", Catalog{})
	worker.Entrypoint("Admin", Back{}, worker.Hide("Wipe"))
}

func main() {}
