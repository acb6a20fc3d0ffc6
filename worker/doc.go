// Package worker writes the stateless part of a Cloudflare Worker in Go and
// reaches what the Worker is bound to: its variables and secrets, outbound
// fetch, and Durable Objects.
//
// A Worker is a Go package compiled by wasmbuild to a WebAssembly reactor. A
// reactor's main function never runs: register the handler in an init
// function.
//
//	func init() {
//		worker.Handle(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			fmt.Fprintln(w, "hello from Go")
//		}))
//	}
//
// Every request runs in its own goroutine, and many requests share one Go
// instance per isolate. Operations that wait on the network (Transport,
// Stub, Sleep) park only their goroutine; the context they are given must
// come from the request (r.Context()) or from a Durable Object method, so
// that workerd can tell on whose behalf they run.
//
// # Waiting and time
//
// A handler may wait on anything Go offers: a channel, a lock, a
// sync.WaitGroup over goroutines that fetch, a Go timer (time.Sleep,
// time.After, time.NewTimer, time.AfterFunc, time.NewTicker, a context's
// deadline). Each request waits alone; other requests run meanwhile. (In a
// Durable Object, events also take turns: see package durableobject.)
//
// time.Now is workerd's clock: as Date.now, it stands still while code runs
// and moves on across waits, so time.Since measures waits, not computation.
// Go timers fire on time while any event of the Worker is in flight: the
// host arms one JavaScript timer for the earliest. Whatever call into Go a
// timer, a channel or a lock wakes your code in, the I/O it does next is on
// behalf of its own request: an async operation (Fetch, a Stub's Call) is
// started in its request's I/O context, and a synchronous one on an I/O
// object (an outbound WebSocket's Send) first moves there, as workerd
// requires ("Cannot perform I/O on behalf of a different request"). Sleep
// is the host's timer, for a wait that a context cancels.
//
// Work after the response goes in WaitUntil: code that outlives its event
// otherwise (a goroutine still running after the response) gets an error
// from the I/O it tries on the event's behalf (ErrNoEventInFlight from an
// object's storage or an outbound WebSocket).
package worker
