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
// The constructor runs on the first event of each object, and again after
// the object has been evicted or the Go instance restarted: keep state in
// s.Storage, not only in memory.
//
// Events reach the object as:
//
//   - HTTP: if the type implements http.Handler, stub.fetch(request) in
//     JavaScript (or Stub.Fetch in Go) calls ServeHTTP.
//   - RPC: every other exported method of the forms M(args...) or
//     M(ctx, args...), returning nothing, error, R or (R, error), is an RPC
//     method. JavaScript calls it with its name's first letter in lower
//     case (stub.increment(5)) and gets plain JS values back; a returned
//     error is thrown as a JS Error.
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
//   - BlockConcurrencyWhile keeps the turn through every wait, as workerd's
//     blockConcurrencyWhile does, and so does the object's construction
//     (the constructor and Init). Inside it, a wait for something only
//     another event of the object can give never ends.
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
// start yourself run outside the turn.
//
// # Time and I/O contexts
//
// time.Now is workerd's clock: like Date.now, it stands still while code
// runs and moves on across waits. Go timers fire on time while any event
// of the Worker is in flight (the host arms one timer for the earliest);
// with none in flight they wait for the next event, as JavaScript's timers
// do after a response without waitUntil.
//
// workerd performs an object's I/O only on behalf of that object: its
// storage and sockets cannot be used while another object's code is being
// called ("Cannot perform I/O on behalf of a different Durable Object").
// Go code woken by a timer, a channel or a lock may be running inside
// another object's call; godurable notices, and the object's storage
// operation first moves to the object's own context (one more call across
// the boundary, only then). Code that outlived every event of its object
// (a goroutine of your own after the response) gets an error wrapping
// worker.ErrNoEventInFlight from storage instead; keep the event alive
// with worker.WaitUntil for work after the response.
package durableobject
