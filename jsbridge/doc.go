// Package jsbridge reaches any JavaScript value of a Worker from Go: a
// binding that wrangler.toml declares (Workers AI, Vectorize, Analytics
// Engine, a KV namespace, a queue, a service, a kind wrangler adds later),
// a global (caches, crypto), and whatever an operation on one returns. It
// is the raw layer under godurable's bindings (the packages d1, kv, r2,
// ... are idiomatic Go on top of it), and the way to a binding that has no
// package of its own yet.
//
//	ai, err := jsbridge.Binding("AI") // [ai] binding = "AI"
//	if err != nil {
//		return err // wraps worker.ErrNoBinding when wrangler.toml lacks it
//	}
//	var out struct {
//		Response string `json:"response"`
//	}
//	err = ai.Call(r.Context(), "run", &out, "@cf/meta/llama-3.1-8b-instruct",
//		map[string]any{"prompt": "What is a Durable Object?"})
//
// # Values
//
// A *Value is a handle: the host keeps the JavaScript value for the Go
// instance until Release, or until Go's garbage collector finds the Value
// unreachable. Operations take the context of an event first (r.Context()
// in an HTTP handler, the ctx of a Durable Object's method): they run on
// that event's behalf, in its I/O context, whichever call into Go is in
// progress, and a method that returns a promise is awaited there while
// other events run. A method that returns at once costs no wait.
//
// Arguments and results cross as RPC values do (see the worker package):
// numbers with the ±(2^53−1) rule for integers, bigint as int64, uint64 or
// *big.Int, Date as time.Time, Uint8Array and ArrayBuffer as []byte,
// arrays, objects into structs (by json tag) and maps, Map and Set,
// Headers as http.Header, Request and Response as *http.Request and
// *http.Response (bodies read whole), an io.Reader argument as a
// ReadableStream, a Durable Object stub as a *worker.Stub. In addition, a
// value that is not plain data (an instance of a class with methods, a
// function, an RpcTarget or the stub of one) crosses by reference: into a
// *Value, or into an any (where it is a *Value); nothing is turned into an
// empty object. The result's Go type chooses how it crosses:
//
//   - a **Value keeps the result by reference, whatever it is;
//   - a **http.Response takes a Response whose body streams as the
//     response of worker.Fetch does;
//   - an *io.ReadCloser takes a ReadableStream, read as it comes;
//   - anything else decodes the value as above.
//
// # Modules
//
// Some of workerd's APIs are a module's exports rather than globals
// (connect from cloudflare:sockets). godurable's shim imports the modules
// Go may need, once, when it loads, and Module returns the namespace of
// one by its specifier, whose exports are its properties:
//
//	sockets, err := jsbridge.Module("cloudflare:sockets")
//	var sock *jsbridge.Value
//	err = sockets.Call(ctx, "connect", &sock, "db.example.com:5432")
//
// The shim imports cloudflare:sockets and cloudflare:workers; another
// specifier is an error that lists them (adding one is a line of the
// shim's module.js).
//
// # I/O objects used without a context
//
// workerd ties an I/O object (a socket, a stream) to the request that made
// it, or in a Durable Object to the object. Code that keeps one behind an
// interface whose methods take no context (a net.Conn's Read) passes
// OwnerContext(ctx) instead of a caller's: each operation then runs on
// behalf of the object's owner, an event of it in flight, and fails with
// ErrOtherRequest once the request that made it has finished. Package
// sockets is built this way.
//
// # Errors
//
// A JavaScript exception, thrown or a rejected promise, is a *worker.Error
// with its name, message, code and cause. Bad use gets an error of its own:
// ErrReleased for a released Value, ErrNoMethod for a method the value
// lacks, ErrOtherRequest for an I/O object of another request (workerd
// ties a Response's body, a stream, to the request that made it), and
// worker.ErrNoBinding for a binding the Worker does not have.
//
// # Recipes
//
// Workers AI and Vectorize run on Cloudflare's network only (wrangler dev
// reaches them remotely, with an account): a Worker calls them here, and
// a test plays them with fakes. Each recipe is a runnable example.
//
// Workers AI ([ai] binding = "AI") has one method, run(model, input),
// whose input and output are the model's: text generation answers
// {response}, summarization {summary} (the package's Example), embeddings
// {shape, data}, a vector per text (its example Search).
//
//	var out struct {
//		Data [][]float64 `json:"data"`
//	}
//	err := ai.Call(ctx, "run", &out, "@cf/baai/bge-small-en-v1.5", map[string]any{"text": texts})
//
// A Vectorize index ([[vectorize]] binding = "DOCS", index_name = "docs")
// takes vectors with upsert (or insert) and answers {mutationId}; the
// index applies the mutation a few seconds later. query(values, {topK,
// returnMetadata, filter}) answers {count, matches}, each match with its
// id, score and, with returnMetadata "all", its metadata; getByIds and
// deleteByIds take a list of ids (the example Search).
//
//	type vector struct {
//		ID       string            `json:"id"`
//		Values   []float64         `json:"values"`
//		Metadata map[string]string `json:"metadata,omitempty"`
//	}
//	err = docs.Call(ctx, "upsert", &mutation, []vector{{ID: id, Values: values, Metadata: meta}})
//	err = docs.Call(ctx, "query", &result, values, map[string]any{"topK": 3, "returnMetadata": "all"})
//
// The rate-limiting binding and Analytics Engine datasets have packages of
// their own (ratelimit, analytics), which dotest emulates; so has the
// Cache API (cache).
//
// # Testing
//
// The dotest harness runs the real module on a model of workerd, with no
// network: give each binding the Worker needs a fake, a Go value whose
// methods play the JavaScript methods (dotest's Options.Fakes). The
// bindings godurable emulates (Durable Objects, D1, rate limiting,
// Analytics Engine, ...) and the Cache API need none; the model's
// JavaScript has Request, Response and ReadableStream values too, so that
// a fake's method may take or return an *http.Request, an *http.Response
// (its body streaming) or an io.Reader.
package jsbridge
