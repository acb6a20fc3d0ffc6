// Package durableobject defines Cloudflare Durable Objects in Go.
//
// A class is a Go type registered with a constructor in an init function
// (a WebAssembly reactor never runs main):
//
//	func init() {
//		durableobject.Register("Counter", func(s *durableobject.State, env *worker.Env) (*Counter, error) {
//			return &Counter{state: s}, nil
//		})
//	}
//
// The class name is the class_name of the binding in wrangler.toml, whose
// migration must list it under new_sqlite_classes: godurable objects use
// SQLite-backed storage (wasmbuild check says so, with the lines to add).
//
// # Objects and their state
//
// The constructor gets the object's *[State] (ID, Name when the object was
// reached by name, Class, Storage) and the Worker's *worker.Env. It runs on
// the first event of each object, and again after the object has been
// evicted or the Go instance restarted: keep state in s.Storage (package
// storage), not only in memory. A constructor that returns an error fails
// the event that needed the object, and the next event tries again.
//
// # Events
//
// Events reach the object as:
//
//   - HTTP, if the type implements http.Handler: stub.fetch(request) in
//     JavaScript, Stub.Fetch or Stub.ServeHTTP in Go, call ServeHTTP.
//   - The alarm, if it implements alarm.Handler (package alarm).
//   - WebSocket messages, closes and errors, if it implements
//     ws.MessageHandler, ws.CloseHandler, ws.ErrorHandler (package ws).
//   - RPC: the other exported methods (see RPC methods).
//
// The shim gives a class exactly the handlers its Go type implements, so
// workerd sees what a JavaScript class with those handlers would show it.
// Each event runs in a goroutine of its own; a panic in a handler fails
// only that event.
//
// # RPC methods
//
// An exported method of the forms M(args...) or M(ctx context.Context,
// args...), returning nothing, error, R or (R, error), is an RPC method,
// unless it is kept off RPC (see What is exposed). JavaScript calls it by
// its name with a lower-case first letter (stub.increment(5)); a Go caller
// uses worker.Stub.Call, or the typed stubs of wasmbuild stubs. Arguments
// arrive as JavaScript values and are checked: a string where an int64 is
// expected fails the call with a TypeError naming the method and the
// argument, and so does a missing one, except trailing parameters that can
// be nil (a pointer, a slice, a map, an interface): a caller may leave
// them out, as JavaScript leaves out an optional argument, and they are
// nil. Results are plain JavaScript values (structs become objects
// keyed by their json tags, []byte a Uint8Array). A returned error becomes a
// JavaScript Error, and a panic fails only that call. Package worker
// documents what each value becomes, and what of an error a caller sees
// ("Values across RPC", "Errors across RPC", "Stubs as values", "Streams
// over RPC"). wasmbuild build lists each class's methods, and says why an
// exported method is not one (Fetch, say, whose JavaScript name is
// reserved).
//
// # What is exposed
//
// A class's RPC methods are part of its security boundary: any Worker with
// a binding to the namespace (yours, or another script's through
// script_name) can call every one of them with arguments of its choosing.
// So not every exported method is exposed:
//
//   - The methods of well-known interfaces are off RPC by default: a type
//     has them for the sake of Go code, not of its callers. A class that
//     implements fmt.Stringer does not answer string(), nor close() for
//     io.Closer, marshalJSON() for json.Marshaler, lock() for the
//     sync.Mutex it embeds. [Expose] has the whole list. A method counts
//     only when the type implements the interface (Close(ctx) error is an
//     RPC method). Handlers (ServeHTTP, Alarm, WebSocket*) are events, never
//     RPC, and so is Init.
//   - [Hide]("Reset") keeps more methods off RPC.
//   - [Expose]("Increment", "Get") lists the whole RPC interface: nothing
//     else is exposed (a well-known method listed there is). Expose() with
//     no names exposes nothing.
//
// For example:
//
//	durableobject.Register("Counter", newCounter, durableobject.Expose("Increment", "Get", "History"))
//
// A method kept off RPC is not declared on the JavaScript class, and the Go
// runtime does not dispatch it: a caller gets exactly what it gets for a
// method the object does not have, `TypeError: The RPC receiver does not
// implement the method "string".`, in workerd, in dotest and from a Go
// caller alike. Go code in the module calls it as usual. wasmbuild build
// prints the exposed set of each class and each method it keeps off, with
// the reason:
//
//	wasmbuild: class Plain: handlers none; RPC fetchPlain, ping, setAlarm, string
//	wasmbuild:   Plain.Close is not exposed: not listed by durableobject.Expose
//	wasmbuild:   Sandbox.String is not exposed: a method of fmt.Stringer: not exposed unless durableobject.Expose lists it
//
// and warns about a name Expose or Hide lists that the class does not have.
//
// # Turns
//
// The events of one object take turns, as in JavaScript, where code
// between two awaits never interleaves with another request's: an event's
// code runs alone until it waits. So a read-modify-write of storage, or of
// the object's fields, with no wait in between needs no lock.
//
// An event may wait on anything, and what happens to the turn depends on
// what it waits for:
//
//   - The host: worker.Fetch, a Stub's Call or Fetch, worker.Sleep, the
//     alarm's operations, Storage.Sync, a streamed body's Read or Write.
//     The event gives the turn up at once, and takes it back when the wait
//     ends; other events of the object run meanwhile.
//   - Go: a channel, select, sync.Mutex, sync.WaitGroup, sync.Cond, a Go
//     timer (time.Sleep, time.After, a context's deadline). The event keeps
//     the turn while the Go instance has other work to run, and gives it to
//     the next event of the object that wants it once there is none: a
//     handler that waits on a channel another event fills, or for a lock
//     another event holds, lets that event in, as an await would. It takes
//     the turn back when its next wait on the host ends.
//   - [State.BlockConcurrencyWhile] keeps the turn through every wait, as
//     workerd's blockConcurrencyWhile does, and so does the object's
//     construction (the constructor and Init). Inside it, a wait for
//     something only another event of the object can give never ends.
//
// In short: across a wait, any wait (a channel receive as much as a
// fetch), other events of the object may have run, as after an await in
// JavaScript; between two waits, none does. A server-sent events feed is
// ordinary Go:
//
//	func (r *Room) ServeHTTP(w http.ResponseWriter, req *http.Request) {
//		ch := r.subscribe() // a channel that Say, an RPC method, fills
//		defer r.unsubscribe(ch)
//		w.Header().Set("Content-Type", "text/event-stream")
//		w.WriteHeader(http.StatusOK)
//		w.(http.Flusher).Flush()
//		for {
//			select {
//			case msg := <-ch: // Say's events run while the feed waits here
//				fmt.Fprintf(w, "data: %s\n\n", msg)
//				w.(http.Flusher).Flush()
//			case <-req.Context().Done():
//				return
//			}
//		}
//	}
//
// (examples/chat has it whole: GET /rooms/{room}/feed.) Goroutines you
// start yourself run outside the turn; work after the response goes in
// worker.WaitUntil, whose function takes the object's turn like an event.
//
// # Set-up that waits, and resets
//
// For set-up that waits on I/O (a JavaScript constructor's
// ctx.blockConcurrencyWhile(async () => ...)), give the type an
// Init(ctx context.Context) error method ([Initializer]): it runs once the
// constructor has returned, before any other event of the object, and if
// it fails the event fails with its error and the next one builds the
// object anew.
//
//	func (r *Room) Init(ctx context.Context) error {
//		req, _ := http.NewRequestWithContext(ctx, "GET", "https://config.example/rooms", nil)
//		resp, err := worker.Fetch(req) // waits; no other event of the object runs meanwhile
//		if err != nil {
//			return err
//		}
//		defer resp.Body.Close()
//		return json.NewDecoder(resp.Body).Decode(&r.config)
//	}
//
// [State.BlockConcurrencyWhile](ctx, fn) keeps the turn while fn waits, for
// a read-modify-write that spans a fetch or a call to another object.
// [State.Abort](ctx, reason) is workerd's ctx.abort: the call fails with
// reason, and the next event builds the object anew (storage is kept).
//
// Not offered yet: the object's ctx.props and ctx.exports, and the
// retryAlarm option of ctx.abort.
//
// # Time and I/O contexts
//
// time.Now is workerd's clock: like Date.now, it stands still while code
// runs and moves on across waits. Go timers fire on time while any event
// of the Worker is in flight (the host arms one timer for the earliest);
// with none in flight they wait for the next event, as JavaScript's timers
// do after a response without waitUntil. time.Sleep really waits: the
// goroutine parks, other events run, and the host calls Go back when the
// timer is due.
//
// workerd performs an object's I/O only on behalf of that object: its
// storage and sockets are refused while another object's code is being
// called ("Cannot perform I/O on behalf of a different Durable Object").
// Go code woken by a timer, a channel or a lock may be running inside
// another object's call; godurable notices, and the object's storage
// operation first moves to the object's own context (one more call across
// the boundary, only then). Code that outlived every event of its object
// (a goroutine of your own after the response) gets an error wrapping
// worker.ErrNoEventInFlight from storage instead; keep the event alive
// with worker.WaitUntil for work after the response.
//
// # Testing
//
// A State made by hand has no storage: its methods return an error. Test
// objects with package dotest, which runs the compiled module as workerd
// would, with storage, alarms, sockets and a clock the test controls.
package durableobject
