package durableobject

import (
	"context"
	"fmt"
	"reflect"

	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/worker"
	"github.com/godurable/godurable/ws"
)

// State is what a Durable Object knows about itself.
type State struct {
	// ID is the object's ID in hex.
	ID string
	// Name is the name the object was reached by (GetByName or
	// idFromName), or "" if it was reached by ID.
	Name string
	// Class is the registered class name.
	Class string
	// Storage is the object's own storage. In a State made by hand (in a
	// plain unit test, say) it is the zero Storage, whose methods return an
	// error.
	Storage storage.Storage

	conn rt.Conn // the object's host operations; nil in a State made by hand
}

// WebSockets returns the object's hibernatable WebSockets (workerd's
// ctx.getWebSockets): all of them for tag "", else those with the tag.
// After the object hibernates, it returns the same sockets, by ID.
func (s *State) WebSockets(tag string) ([]*ws.Conn, error) {
	return ws.List(rt.WithConn(context.Background(), s.conn), tag)
}

// Broadcast sends m to the object's open hibernatable WebSockets (all for
// tag "", else those with the tag) but those in except, in one host call,
// and returns how many it sent it to (ws.Broadcast).
func (s *State) Broadcast(m ws.Message, tag string, except ...*ws.Conn) (int, error) {
	return ws.Broadcast(rt.WithConn(context.Background(), s.conn), m, tag, except...)
}

// BlockConcurrencyWhile runs fn and lets no other event of the object run
// until it returns, even while fn waits on I/O (workerd's
// blockConcurrencyWhile). Without it, an event gives up the object's turn
// whenever it waits, as a JavaScript object's code does at every await;
// use it for initialization or a read-modify-write that spans a fetch or
// a call to another object. ctx is the context of the object's event (the
// method's ctx, r.Context()); call it from the event's own goroutine. It
// returns fn's error. Events that arrive meanwhile wait in order; workerd
// resets an object whose blockConcurrencyWhile runs past 30 seconds.
func (s *State) BlockConcurrencyWhile(ctx context.Context, fn func(ctx context.Context) error) error {
	return rt.BlockConcurrencyWhile(ctx, fn)
}

// Initializer is implemented by an object whose set-up must wait on I/O
// (a fetch, a call to another object, worker.Sleep), as a JavaScript
// constructor's ctx.blockConcurrencyWhile(async () => ...) does. Init runs
// once the constructor has returned, on behalf of the object's first
// event and inside BlockConcurrencyWhile: no event of the object runs
// until it returns. If it fails, that event fails with its error and the
// next event builds the object anew (constructor and Init again), as
// workerd resets an object whose blockConcurrencyWhile throws. Init is
// never an RPC method.
type Initializer interface {
	Init(ctx context.Context) error
}

// Abort resets the object, as workerd's ctx.abort(reason) does: the
// event of ctx fails with an Error whose message is reason, the object's
// other events in flight fail, and the next event builds the object anew
// (the constructor runs again; storage is kept). Use it when the object's
// memory can no longer be trusted. It does not return: it unwinds the
// event's goroutine with a panic that the runtime catches (do not recover
// it).
func (s *State) Abort(ctx context.Context, reason string) {
	rt.Abort(ctx, reason)
}

// Register registers a Durable Object class called class (the class_name of
// wrangler.toml) whose objects are built by newObject. T is usually a
// pointer to a struct; its exported methods are the class's RPC methods,
// but for those of well-known interfaces (see Expose) and those opts hide.
// If newObject returns an error (a failed schema migration, say), the event
// that needed the object fails with it, and the next event tries again.
// Register panics if class is not a valid JavaScript identifier, is
// registered twice, if T is an interface type, or if opts both Expose and
// Hide.
func Register[T any](class string, newObject func(state *State, env *worker.Env) (T, error), opts ...Option) {
	typ := reflect.TypeFor[T]()
	if typ.Kind() == reflect.Interface {
		panic(fmt.Sprintf("durableobject: Register(%q): the constructor must return a concrete type, not the interface %s", class, typ))
	}
	if newObject == nil {
		panic(fmt.Sprintf("durableobject: Register(%q): nil constructor", class))
	}
	exp := rt.ExposureOf(fmt.Sprintf("durableobject: Register(%q)", class), opts)
	rt.RegisterClass(class, typ, func(ctx context.Context, info rt.ObjectInfo) (any, error) {
		env, err := worker.GetEnv()
		if err != nil {
			return nil, err
		}
		s, _ := storage.FromContext(ctx)
		c, _ := rt.ConnFromContext(ctx)
		st := &State{ID: info.ID, Name: info.Name, Class: info.Class, Storage: *s, conn: c}
		obj, err := newObject(st, env)
		if err != nil {
			return nil, err
		}
		return obj, nil
	}, exp)
}

// An Option adjusts a class's registration: Expose or Hide. It is
// worker.Option, which says the same of a Worker's entrypoints.
type Option = worker.Option

// Expose makes methods (Go names: "Increment") the class's whole RPC
// interface: any other method is off RPC, and a caller that calls one gets
// the TypeError of a method the object does not have. A method of a
// well-known interface listed here is exposed. Expose() with no names
// exposes nothing (an object reached only by fetch, alarms and
// WebSockets). wasmbuild build warns about a listed name that is not an
// RPC method of the class.
//
// Without Expose, the class exposes every RPC method but those of these
// well-known interfaces, which a type has for the sake of Go code, not of
// its callers: fmt.Stringer, fmt.GoStringer, fmt.Formatter, error and
// Unwrap/Is/As, io.Reader, io.Writer, io.Closer, io.Seeker, io.ReaderAt,
// io.WriterAt, io.ReaderFrom, io.WriterTo, io.StringWriter,
// json.Marshaler and Unmarshaler, encoding.TextMarshaler, TextUnmarshaler,
// TextAppender, BinaryMarshaler, BinaryUnmarshaler and BinaryAppender,
// gob.GobEncoder and GobDecoder, msgpack.Marshaler and Unmarshaler,
// sql.Scanner, sync.Locker with TryLock, and a read-write mutex's
// methods (an embedded sync.Mutex or sync.RWMutex). A method is theirs
// only when the type implements the interface: a Close(ctx) error is an
// RPC method. The same rules hold for a Worker's entrypoints
// (worker.Entrypoint).
func Expose(methods ...string) Option { return worker.Expose(methods...) }

// Hide keeps methods (Go names) off RPC, besides those of the well-known
// interfaces that Expose lists: a caller that calls one gets the TypeError
// of a method the object does not have. Go code in the module still calls
// them. Use Expose or Hide, not both: Register panics if a class has
// both.
func Hide(methods ...string) Option { return worker.Hide(methods...) }
