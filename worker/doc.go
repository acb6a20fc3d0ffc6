// Package worker writes the stateless part of a Cloudflare Worker in Go and
// reaches what the Worker is bound to: its variables and secrets, outbound
// fetch, and Durable Objects. It also holds what a Worker and its Durable
// Objects share: stubs, RPC values and errors, background work and
// streams.
//
// A Worker is a Go main package with an empty func main, compiled by
// wasmbuild to a WebAssembly reactor. A reactor's main function never runs:
// register the handler, and Durable Object classes (package durableobject),
// in init functions. (wasmbuild warns if main has code.)
//
//	func init() {
//		worker.Handle(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			fmt.Fprintln(w, "hello from Go")
//		}))
//	}
//
//	func main() {}
//
// The handler is a plain [net/http.Handler]: a ServeMux with patterns,
// middleware and httptest all work as usual. Every request runs in its own
// goroutine, and many requests share one Go instance per isolate.
// Operations that wait on the network ([Fetch], [Transport], [Stub], [Sleep])
// park only their goroutine; the context they are given must come from the
// request (r.Context()) or from a Durable Object method, so that workerd
// can tell on whose behalf they run. A context from elsewhere gets a clear
// error.
//
// # The environment
//
// [GetEnv] returns the Worker's environment, as wrangler.toml declares it
// (and .dev.vars in wrangler dev): text variables and secrets
// ([Env.Var], [Env.LookupVar]), JSON variables, which are tables or arrays
// in [vars] ([Env.DecodeVar]), and bindings ([Env.Bindings],
// [Env.BindingKind]). [Env.DurableObject] returns the [Namespace] of a
// [[durable_objects.bindings]] entry, [Env.Service] the [Stub] of a
// [[services]] entry (see Service bindings); the d1 package reaches
// [[d1_databases]]. A Durable Object's constructor receives the same *Env.
//
// # Durable Objects: namespaces, IDs and stubs
//
// A [Namespace] reaches the objects of one class. [Namespace.GetByName]
// returns the [Stub] of the object called name; the same name always
// reaches the same object. An [ObjectID] is JavaScript's DurableObjectId:
// [ObjectID.String] is its 64 hex digits, [ObjectID.Name] the name of an ID
// made by [Namespace.IDFromName] (else ""), and [ObjectID.Equal] tells
// whether two IDs name the same object, whatever their names.
// [Namespace.IDFromName], [Namespace.IDFromString] and
// [Namespace.NewUniqueID] make IDs; [Namespace.Get] reaches one, with
// [GetOptions] (a location hint). Get of a named ID reaches the object by
// its name, so the object's State.Name is set as with GetByName.
// [Namespace.Jurisdiction] is the namespace restricted to a jurisdiction.
//
// Errors are workerd's, as *[Error] values: IDFromString refuses what is not
// 64 hex digits ("TypeError: Invalid Durable Object ID: must be 64 hex
// digits") and the ID of another namespace ("TypeError: Durable Object ID
// is not valid for this namespace."), and so does Get, where JavaScript's
// get in local workerd would reach an object of the wrong class with that
// ID. Of the location hints, workerd refuses only "offpeak" (without the
// compatibility flag offpeak_location_hint); local workerd ignores the
// others.
//
// Local workerd has no jurisdictions: under wrangler dev and dotest,
// Jurisdiction and NewUniqueID with a jurisdiction return "Error:
// Jurisdiction restrictions are not implemented in workerd.", for any
// jurisdiction ("eu", "fedramp", ...). What Cloudflare does with them is
// known from workerd's source only, and no local test covers it.
//
// A binding with a script_name (a class of another Worker, Go or
// JavaScript) is used the same way: its IDs and storage are that Worker's,
// and the same name there is another object. The dotest harness serves
// such bindings with Options.Scripts.
//
// Not offered yet: get's routingMode and version options (read replicas),
// and getExisting.
//
// # Calling objects and fetching
//
// [Stub.Call] calls an RPC method by its JavaScript name (a Go name is
// accepted too) and decodes the result; [Stub.Fetch] sends a request to the
// object's ServeHTTP; [Stub.ServeHTTP] hands a request to the object and
// writes its response, a WebSocket upgrade included, as
// `return stub.fetch(request)` does in JavaScript. A *Stub is a [Caller],
// which the typed stubs of wasmbuild stubs wrap.
//
// [Fetch] sends a request with workerd's fetch (which follows redirects)
// on behalf of the event in req.Context(); [Transport] is the same as an
// [net/http.RoundTripper]. Use them rather than http.Client, http.Get or
// http.DefaultTransport: referring to any of those links net/http's own
// transport and TLS stack, which a Worker never uses, into the module
// (measured with the counter example: 7.43 MB, 2.04 MB gzipped, becomes
// 12.24 MB, 3.20 MB gzipped).
//
// Every waiting operation parks only its goroutine, so many requests are
// in flight in one Go instance at once. workerd only lets a request wait
// on I/O that it started itself, and godurable starts each operation on
// behalf of the event in its context.
//
// # Service bindings
//
// A [[services]] binding reaches another Worker's entrypoint, Go or
// JavaScript: its default export, or the named entrypoint of its
// entrypoint key. [Env.Service] returns its *[Stub], which Fetch,
// ServeHTTP and Call use as they use a Durable Object's, with the same
// values, errors and streams; a Go Worker behind the binding gets its
// errors whole (name and code) at any date, as a Go object does.
//
//	auth, err := env.Service("AUTH") // [[services]] binding = "AUTH", service = "auth"
//	var user string
//	err = auth.Call(r.Context(), "check", &user, token)
//	auth.ServeHTTP(w, r) // or hand the request on
//
// A Go Worker serves them with [Entrypoint]: a Go value whose exported
// methods are RPC methods, with the exposure rules of Durable Object
// classes (well-known interfaces off; [Expose] and [Hide]). The name ""
// is the default export, which keeps [Handle]'s handler as its fetch; any
// other name is a named entrypoint (a WorkerEntrypoint class that the
// shim exports under it, as workerd requires of an RPC entrypoint), whose
// fetch is its value's ServeHTTP, if it has one. A method's ctx carries the
// caller's props (ctx.props: the props table of the caller's
// [[services]] entry), which [Props] decodes; a request's Context() in
// the handler carries them too.
//
//	type Admin struct{}
//
//	func (Admin) Stats(ctx context.Context) (Stats, error) {
//		var props struct{ Role string `json:"role"` }
//		if err := worker.Props(ctx, &props); err != nil {
//			return Stats{}, err
//		}
//		...
//	}
//
//	func init() {
//		worker.Handle(mux)                       // the default export's fetch
//		worker.Entrypoint("", API{})             // and its RPC methods
//		worker.Entrypoint("Admin", Admin{}, worker.Hide("Reset"))
//	}
//
// One value serves every call at once, as an http.Handler does: it keeps
// no state of a call, and what it shares it guards. wasmbuild stubs types
// an entrypoint's methods (Go stubs over a *Stub of the binding, and
// TypeScript interfaces for Service<T>). In dotest, Options.Scripts routes
// [[services]] by service name to another started Worker (with the
// binding's props), and Worker.Entrypoint calls a Worker's entrypoints
// from the test, with WithProps. A *Stub of a service binding crosses RPC
// as the binding itself (a Fetcher).
//
// Not offered yet: a Worker's own entrypoints as bindings (ctx.exports).
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
// host arms one JavaScript timer for the earliest. With no event in flight
// they wait for the next one, as JavaScript code does after its response
// without waitUntil. Whatever call into Go a timer, a channel or a lock
// wakes your code in, the I/O it does next is on behalf of its own request:
// an async operation (Fetch, a Stub's Call) is started in its request's I/O
// context, and a synchronous one on an I/O object (an outbound WebSocket's
// Send) first moves there, as workerd requires ("Cannot perform I/O on
// behalf of a different request"). [Sleep] is the host's timer, for a wait
// that a context cancels.
//
// # Cron triggers
//
// The Worker's scheduled handler, which its cron triggers run, is
// registered with package cron (cron.Handle).
//
// # Background work
//
// [WaitUntil] is workerd's ctx.waitUntil: the event's response goes out when
// its handler returns, and fn runs on a goroutine of its own with a context
// of the same event that is not cancelled, so it can still fetch, call
// other objects or write storage on the event's behalf (workerd allows 30
// seconds after the response). In a Durable Object, fn takes the object's
// turn like an event. dotest's Worker.WaitBackground waits for such work.
//
// Code that outlives its event otherwise (a goroutine still running after
// the response) gets an error wrapping [ErrNoEventInFlight] from the I/O it
// tries on the event's behalf (an object's storage or an outbound
// WebSocket).
//
// # Streaming bodies
//
// Bodies stream in both directions, as in JavaScript:
//
//   - A handler's response streams once it calls Flush ([net/http.Flusher])
//     or has written 64 KiB: the status and headers go out, and each later
//     Write reaches the client as it is written. A Write waits while the
//     client has more than 1 MiB unread, and fails once the client has gone
//     (whose context is cancelled, with [ErrClientGone]). A panic half way
//     cuts the body short, which the client sees as a broken stream.
//   - A request body of unknown length or over 64 KiB reaches the handler as
//     it arrives: r.Body reads each chunk when the client has sent it, so an
//     upload of any size never sits whole in memory (r.ContentLength is -1
//     for a chunked upload, as in net/http).
//   - Outbound, the response to Fetch or Stub.Fetch streams the same way
//     (its Body reads the chunks as they come; Close before the end cancels
//     the rest), and a request body of unknown length or over 64 KiB is sent
//     as it is read, from a goroutine. So Stub.ServeHTTP and a proxy made
//     with Fetch pass uploads and event streams on without holding them;
//     Stub.ServeHTTP passes the status and headers on as soon as the object
//     flushes them, and flushes each chunk of a body that streams.
//   - A body cut short (the peer's connection lost) fails the Read with
//     workerd's error, an *Error ("Error: Network connection lost.").
//
// A chunk costs a call across the boundary, so a body up to 64 KiB whose
// length is known crosses whole, with its event. Server-sent events are
// ordinary Go:
//
//	func (r *Room) ServeHTTP(w http.ResponseWriter, req *http.Request) {
//		ch := r.subscribe() // a channel that Say, an RPC method, fills
//		defer r.unsubscribe(ch)
//		w.Header().Set("Content-Type", "text/event-stream")
//		w.WriteHeader(http.StatusOK)
//		w.(http.Flusher).Flush() // the status and headers go out now
//		for {
//			select {
//			case msg := <-ch: // Say's calls run while the feed waits here
//				fmt.Fprintf(w, "data: %s\n\n", msg)
//				w.(http.Flusher).Flush()
//			case <-req.Context().Done():
//				return
//			}
//		}
//	}
//
// examples/chat has it whole (GET /rooms/{room}/feed, fed by what members
// say over their sockets and by POST /rooms/{room}/say), forwarded by the
// Worker with Stub.ServeHTTP.
//
// # Cancellation
//
// An HTTP handler's r.Context() is cancelled when its client goes away
// (context.Cause is [ErrClientGone]), and every operation waiting on it
// returns context.Canceled at once, in a Worker and in a Durable Object's
// ServeHTTP. workerd reports a client's going away only with the
// enable_request_signal compatibility flag:
//
//	compatibility_flags = ["enable_request_signal"]
//
// As in net/http, the context is also cancelled once the handler returns,
// so a goroutine must not keep using it for work of its own after the
// response (use WaitUntil). wrangler dev does not pass a client's
// disconnect on to the Worker (its proxy keeps the request going); a
// subrequest aborted by its caller's signal does reach it, which is how the
// end-to-end suite tests this.
//
// # Errors across RPC
//
// Return an *[Error] (Name, Code, Message), or any error with
// ErrorName() and ErrorCode() methods, to choose what a JavaScript caller
// catches. It gets the error as if a JavaScript object had thrown it, and
// what survives Workers RPC depends on the caller's compatibility date:
// from 2026-04-21 (workerd's enhanced_error_serialization) the name,
// whatever it is, the message, code and cause arrive; before, only the
// standard error types keep their name (Error, TypeError, RangeError, ...),
// another name arrives as Error with the message "Name: message", and code
// does not arrive. dotest follows the wrangler configuration's date and
// flags. A Go caller ([Stub.Call]) of a Go object gets the error whole,
// name and code included, at any date; so do errors from JavaScript (a
// failed fetch, a method that threw), as *Error values.
//
// # Values across RPC
//
// RPC arguments and results cross as MessagePack, the same in both
// directions and from Go callers. A JavaScript value becomes, in Go:
//
//   - null, undefined: nil (a nil pointer, slice or map).
//   - boolean, string: bool, string.
//   - number: any integer type when integral and within ±(2^53−1) (a Go
//     result beyond it fails the call: see Integers), float64, float32.
//   - bigint: int64 or uint64 when it fits (exact), *big.Int of any size; a
//     *big.Int result is a bigint.
//   - Date: time.Time (milliseconds).
//   - Uint8Array, the other binary views and ArrayBuffer: []byte.
//   - Array, Set: a slice or an array.
//   - an object, a Map with string keys: a struct (fields named by their
//     msgpack tags, else their json tags), a map[string]T.
//   - a Map with other keys: a slice of [key, value] pairs.
//   - Headers: http.Header (names lowered and a repeated name's values
//     joined with ", ", as Headers keeps them; into an any: *http.Header).
//   - Request: *http.Request (method, URL, headers, the body read whole).
//   - Response: *http.Response (status, headers, the body read whole).
//   - an Error thrown: an error (*Error: name, message, code, cause); an
//     Error as a value: an object with its name and message.
//   - a Durable Object stub, or a service binding (a Fetcher): *Stub, into
//     an any too (see Stubs as values).
//   - an RpcTarget, a function, an instance of another class: by
//     reference, a *jsbridge.Value (into an any too), whose methods Go
//     calls through package jsbridge.
//
// Arguments are checked: a string where an int64 is expected fails the
// call with a TypeError naming the method and the argument, as does a
// missing one; trailing parameters that can be nil (a pointer, a slice, a
// map, an interface) may be left out, as JavaScript leaves out an optional
// argument, and are nil. A method may take and return streams (see Streams over RPC); bodies of a Request or a
// Response do not stream yet (each is read whole before it crosses).
//
//	// A JavaScript caller: await stub.reply(new Request("https://x/y", {method: "POST", body: "hi"}))
//	func (s *Shop) Reply(r *http.Request) (*http.Response, error) {
//		body, err := io.ReadAll(r.Body)
//		if err != nil {
//			return nil, err
//		}
//		return &http.Response{StatusCode: 201, Header: http.Header{"X-Seen": {r.Method}},
//			Body: io.NopCloser(bytes.NewReader(body))}, nil
//	}
//
// # Integers
//
// One rule: an integer is exact wherever Go's own bytes carry it, and
// must lie within ±(2^53−1) wherever a JavaScript number carries it;
// beyond that range godurable refuses it, before anything is sent, with an
// error matching storage.ErrUnsafeInteger, rather than let JavaScript
// round it. By path:
//
//   - Storage's KV (storage.KV), alarm payloads and the Scheduler's: exact
//     at any size. They store Go's MessagePack as bytes.
//   - SQL (storage.SQL, storage/sqldb) and D1: within the range. workerd
//     binds every SQL value as a JavaScript number (a double) and returns
//     numbers. Store a larger integer as TEXT or BLOB, a time as
//     milliseconds (UnixMilli) or as a time.Time (RFC 3339 text), not as
//     time.Now().UnixNano().
//   - RPC, to or from JavaScript or between Go objects (Stub.Call), and
//     package jsbridge: within the range for a Go integer; the values
//     cross JavaScript, which holds numbers as doubles. A *big.Int crosses
//     as a bigint, exact at any size, and an int64 or uint64 parameter
//     takes a bigint that fits.
//   - JSON (a Workers KV value, a queue's message, a D1 JSON column): as
//     JSON.parse reads it, exact within the range.
//
// A time.Time crosses as a Date: milliseconds.
//
// # Stubs as values
//
// A Durable Object stub crosses RPC as a *[Stub], as stubs do between
// JavaScript objects: a method can take one (a JavaScript caller passes
// env.ROOMS.getByName("lobby"), a Go caller a *Stub), return one, or hold
// one in a struct, slice or map; the object that receives it can keep it
// in a field and call or fetch it in later events. It works across
// scripts too (a stub of another Worker's class).
//
//	// A registry hands out the stub of the room a player is in; the room
//	// keeps the stub of its lobby to report back to it.
//	func (r *Registry) RoomOf(ctx context.Context, player string) (*worker.Stub, error) {
//		env, err := worker.GetEnv()
//		if err != nil {
//			return nil, err
//		}
//		ns, err := env.DurableObject("ROOMS")
//		if err != nil {
//			return nil, err
//		}
//		return ns.GetByName(r.rooms[player]), nil
//	}
//
//	func (r *Room) Join(ctx context.Context, lobby *worker.Stub, player string) error {
//		r.lobby = lobby // called again in later events
//		return lobby.Call(ctx, "joined", nil, r.state.Name, player)
//	}
//
// As in JavaScript, a stub that arrives over RPC names its object only
// through itself: the receiver does not learn the object's ID or name. To
// store a reference to an object, store its name or ID and get the stub
// from the namespace: storage refuses a stub (storage.ErrStubNotStorable).
// The host keeps the JavaScript stub for Go while the *Stub is reachable,
// and forgets it once Go's garbage collector has found it unreachable.
// wasmbuild stubs types a stub as Fetcher in TypeScript (a
// DurableObjectStub is one). In dotest, pass an *Object where the method
// takes a stub (or its Stub(), where Go code such as a typed stub takes a
// *Stub), and decode a stub result into an *Object or a *Stub.
//
// # Streams over RPC
//
// A method may return a stream, which its caller reads as it is produced:
//
//   - An io.Reader or io.ReadCloser result reaches a JavaScript caller as a
//     ReadableStream of bytes, and a Go caller as a *[Stream] to Read.
//   - An iter.Seq[T], iter.Seq2[T, error] or <-chan T result reaches a
//     JavaScript caller as a ReadableStream of JSON lines (each value as
//     JSON, by its json tags, then "\n"), and a Go caller as a *Stream whose
//     values [Values] yields as an iter.Seq2[T, error].
//
// For example:
//
//	func (t *Ticker) Tick(ctx context.Context, n int) iter.Seq[Tick] {
//		return func(yield func(Tick) bool) {
//			for i := 1; i <= n; i++ {
//				if worker.Sleep(ctx, time.Second) != nil || !yield(Tick{N: i}) {
//					return // the caller cancelled: ctx is done, or yield says stop
//				}
//			}
//		}
//	}
//
// which a JavaScript caller reads with
//
//	const lines = (await env.TICKER.getByName("t").tick(5)).pipeThrough(new TextDecoderStream());
//	for await (const chunk of lines) console.log(chunk); // {"n":1}\n ... as they come
//
// and a Go caller with Stub.Call(ctx, "tick", &stream, 5), where stream is
// a Stream; [Stream.Lines] says whether it holds values. Typed stubs
// (wasmbuild stubs) return (io.ReadCloser, error) or
// (iter.Seq2[T, error], error), and declare ReadableStream<Uint8Array> in
// TypeScript for both kinds (and for an io.Reader parameter).
// examples/ticker forwards a stream of ticks as a chunked HTTP response.
//
//   - Errors: an iter.Seq2 that yields an error, or a producer that panics,
//     ends a stream of values with one line
//     {"error":{"name":"RangeError","message":"...","code":"E_X"}} (the name
//     and code as for a returned error); Values yields it as an *Error. A
//     stream of bytes whose reader fails is cut short: a JavaScript reader
//     (and a Go caller) then gets workerd's "Error: ReadableStream received
//     over RPC disconnected prematurely.", without the message, which
//     workerd's RPC drops.
//   - JSON is not the MessagePack of other results: []byte is base64 text,
//     time.Time RFC 3339 text, a *big.Int a JSON number (exact in the text,
//     but JSON.parse rounds beyond 2^53), map keys text; NaN and infinities
//     end the stream with a TypeError line.
//   - Back-pressure: the producer runs as the caller reads; once 1 MiB is
//     held unread, the next write waits.
//   - Cancellation: when the caller cancels (reader.cancel(), a Go
//     Stream.Close, breaking out of a range over Values), the method's ctx
//     is cancelled (cause ErrClientGone) and the iteration stops (yield
//     returns false). A channel's sender should select on ctx.Done().
//   - Turns: the producer runs in the object's turn between its waits
//     (Sleep, I/O, a reader that lags), as an async generator does in
//     JavaScript; other calls to the object run while it waits.
//   - Stream arguments: a parameter of type io.Reader (or io.ReadCloser)
//     takes a ReadableStream from JavaScript, read as it comes; a Go caller
//     passes any io.Reader to Stub.Call, and dotest's Object.Call takes
//     io.Reader arguments and a *Stream result too.
//   - Only top-level arguments and results stream. Not yet: a stream
//     inside a struct, slice or map.
//
// # Logging
//
// fmt, log and log/slog output goes to the workerd console (standard output
// as console.log, standard error as console.error), one message per event
// turn.
package worker
