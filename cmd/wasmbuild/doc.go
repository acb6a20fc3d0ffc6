// Command wasmbuild builds a godurable Worker (Go compiled to a
// WebAssembly reactor plus the JavaScript shim workerd loads), checks its
// wrangler configuration, serves it locally in workerd, writes typed stubs
// of its Durable Object classes, and starts new projects.
//
// Usage:
//
//	wasmbuild init    [-module path] [-godurable dir] [dir]
//	wasmbuild build   [-o dir] [-config file] [package]
//	wasmbuild check   [-o dir] [-config file] [package]
//	wasmbuild dev     [-o dir] [-config file] [-port n] [-watch=false] [package] [-- wrangler dev flags]
//	wasmbuild stubs   [-go file] [-pkg name] [-ts file] [-o dir] [-config file] [package]
//	wasmbuild version
//
// The package defaults to "." and must be a main package with an empty
// func main: a reactor never runs main; classes and handlers register in
// init functions (wasmbuild warns if main has code). The configuration
// defaults to the wrangler.toml (or wrangler.jsonc, wrangler.json) of the
// current directory, and the output directory to the directory of its main
// (the shim), else "build".
//
// # build
//
// build compiles the package for wasip1/wasm (-buildmode=c-shared) into
// app.wasm, writes the shim (worker.mjs, which the configuration's main
// names, and godurable.mjs), and checks the configuration (as check does).
// It prints each class's handlers and RPC methods, and why an exported
// method is not one.
//
// The class list of the shim comes from the compiled module itself (it
// reports its registrations through an export, and wasmbuild keeps the
// report in the module's godurable.manifest custom section), not from
// parsing source. build builds twice: the first build finds the RPC
// methods by reflection and reports them; the second gets a generated
// table of them instead (package generated, added through go build
// -overlay, so the package's directory is not written to), which keeps the
// Go linker from keeping every exported method of every type (about 3 MB
// of the counter example's module; RATIONALE.md has the measurements),
// and an invoker per method that calls it directly, its arguments decoded
// into typed variables, where the runtime would call it by reflection.
// wasmbuild keeps the second module only if it reports exactly the same
// classes and methods, else the first, saying why.
//
// build and dev record the inputs of the build beside the module
// (build/.wasmbuild-inputs.json: a hash of the files go list -deps reports
// for wasip1/wasm, of the Go version and environment, the build tags and
// flags, and of the wasmbuild executable, with the hashes of the files
// written).
//
// # check
//
// check reads the module's manifest and the configuration (wrangler.toml,
// wrangler.jsonc or wrangler.json), and reports every problem with a fix in
// the file's own syntax:
//
//   - main not pointing at the shim;
//   - a class without a binding, or without a new_sqlite_classes migration
//     (or created with the key-value backend, new_classes);
//   - a binding naming a class the module does not register;
//   - a compatibility date later than the installed workerd accepts (the
//     pinned one's, 2026-11-24, when none is installed; 2026-05-03 with
//     wrangler 4.86);
//   - a d1_databases, kv_namespaces, r2_buckets, hyperdrive, ratelimits or
//     analytics_engine_datasets entry without a binding, or a binding name
//     used twice;
//   - a hyperdrive entry without an id, or whose localConnectionString is
//     not a postgres://, postgresql:// or mysql:// URL;
//   - a rate limiter ([[ratelimits]], or an [[unsafe.bindings]] of type
//     "ratelimit") without simple.limit above 0 or with a simple.period
//     other than 10 or 60, as wrangler dev refuses it;
//   - an R2 bucket name that wrangler refuses (3 to 63 lowercase letters,
//     digits and hyphens);
//   - cron triggers ([triggers] crons) without a scheduled handler
//     (cron.Handle), an expression twice, or one that
//     Cloudflare would refuse, with the field that is wrong and why (see
//     Cron triggers);
//   - queues: a producer ([[queues.producers]]) without a binding or a
//     queue, or with a binding name used twice; consumers
//     ([[queues.consumers]]) without a queue handler in the module
//     (queues.Handle), a queue consumed twice, a queue that is its own
//     dead_letter_queue, or a setting out of wrangler's range
//     (max_batch_size 1 to 100, max_batch_timeout 0 to 60 s, max_retries
//     0 to 100, retry_delay 0 to 86,400 s, type "worker").
//
// A scheduled handler without cron triggers gets a warning: check says so,
// with the lines to add, and goes on. So do a queue handler without
// consumers, a dead-letter queue that no consumer of the configuration
// consumes, and a producer's queue that none consumes: wrangler dev drops
// their messages (unless another Worker of the session consumes them).
//
// # Cron triggers
//
// check reads each cron expression as Cloudflare's Cron Triggers do: five
// fields (minute, hour, day of the month, month, day of the week), in UTC;
// lists, ranges and steps; three-letter names of months (JAN) and days
// (MON), in any case; L and W in the day of the month (L, LW, 15W); L and
// # in the day of the week (6L or FRIL: the last Friday; 2#1: the first
// Monday). Cloudflare numbers the days of the week 1 (SUN) to 7 (SAT),
// not 0 to 6 as crontab does: "0 17 * * 1" runs on Sundays, and
// "0 0 * * 0" is refused ("day 0: Cloudflare numbers the days of the week
// from 1 (SUN) to 7 (SAT)"). So are '?', a sixth field (seconds or years),
// @daily and longer names (MONDAY). The parser is
// github.com/hashicorp/cronexpr, given Cloudflare's numbering; where the
// two still differ, check refuses a range that wraps around (FRI-MON,
// 22-2: write two ranges) and L-n or L-nW in the day of the month, which
// Cloudflare accepts, and lets through a step larger than Cloudflare
// allows in the day of the month (*/31) or the month (*/12), which the
// deploy then refuses. dotest fires the triggers with the same parser.
//
// When the configuration has cron triggers, dev runs wrangler dev with
// --test-scheduled, which never fires them by itself but adds the route
// /__scheduled to the Worker:
//
//	curl "http://127.0.0.1:8787/__scheduled?cron=*/5+*+*+*+*"
//
// runs the scheduled handler with that cron and the request's time as
// ScheduledTime, and answers 200 "Ran scheduled event", or 500 with the
// handler's error (NoRetry has no effect there). wrangler 4.164 also
// serves /cdn-cgi/local/scheduled?cron=...&time=MS&format=json, which
// delivers the event as workerd does, with the time given, and answers
// {"outcome":"ok"|"exception","noRetry":...}.
//
// # dev
//
// dev builds, checks, installs the pinned wrangler and Node.js with npm ci
// if they are not installed yet (or package-lock.json is newer than the
// installation), and runs wrangler dev on the pinned Node.js, on
// 127.0.0.1 (-port, default 8787), with --test-scheduled if the
// configuration has cron triggers (see Cron triggers); flags after -- go
// to wrangler dev. It
// reuses the module when the record of its inputs matches ("reusing
// build/app.wasm: inputs unchanged"; else it says why it builds), and
// while it runs it polls the inputs each second and rebuilds only when one
// changed in content: a file saved as it was, a test file, a file of a
// nested module or of a package the build does not import change nothing.
// On Node.js 20, npm warns EBADENGINE for wrangler and a few of its
// dependencies (they need Node.js 22.12, and npm checks them against the
// Node.js it runs on); dev holds those warnings back and says in one line
// why they do not matter: wrangler runs on the Node.js 22 that the same
// npm ci installs.
//
// # stubs
//
// Stub.Call(ctx, "increment", &v, by) finds a misspelled method or a wrong
// argument type only at run time. stubs writes, for each class (and each
// entrypoint, below), a Go type whose methods are the class's exposed RPC
// methods with their Go types,
// checked by the compiler (stubs.go in the package by default, or -go),
// and with -ts the TypeScript declarations of the classes' RPC interfaces
// for JavaScript callers. Use it from a go:generate line in the package, in
// a project made by init (where wasmbuild is a Go tool of the module):
//
//	//go:generate go tool wasmbuild stubs
//
// go generate then writes stubs.go, with RoomStub and NewRoomStub for a
// class Room. This repository's examples run the wasmbuild of the clone,
// and name the files:
//
//	//go:generate go run ../../cmd/wasmbuild stubs -go counter_stub.go -ts counter.d.ts -config ../../wrangler.toml
//
// For the counter example, counter_stub.go is:
//
//	type CounterStub struct{ c worker.Caller }
//
//	func NewCounterStub(c worker.Caller) CounterStub
//
//	func (s CounterStub) Increment(ctx context.Context, by int64) (int64, error) // calls "increment"
//	func (s CounterStub) Get(ctx context.Context) (int64, error)
//	func (s CounterStub) History(ctx context.Context) ([]Step, error)
//
// Every method takes a context.Context first (whether or not the class's
// method does) and returns an error (the call can fail). A stub wraps a
// worker.Caller: the *worker.Stub of an object in the Worker, or the
// *dotest.Object in a test, so the same code serves both:
//
//	counter := NewCounterStub(ns.GetByName("apples")) // in the Worker
//	n, err := counter.Increment(r.Context(), 5)
//
//	c := NewCounterStub(w.Object("COUNTER", "apples")) // in a dotest test
//	n, err = c.Increment(t.Context(), 5)
//
// counter.d.ts declares the class's RPC interface as
// @cloudflare/workers-types expects it, and an Env of the bindings of the
// wrangler configuration to the package's classes, as wrangler types
// writes one:
//
//	export interface Counter extends Rpc.DurableObjectBranded {
//	  get(): Promise<number>;
//	  history(): Promise<Step[] | null>;
//	  increment(by: number): Promise<number>;
//	}
//	export interface Env {
//	  COUNTER: DurableObjectNamespace<Counter>;
//	}
//
// Go types map to what crosses: numbers to number, []byte to Uint8Array,
// time.Time to Date, structs to interfaces with the fields named by their
// msgpack or json tags (embedded structs inline, omitempty fields
// optional), what may be nil (pointers, slices, maps) to T | null, a
// *worker.Stub to Fetcher, and any to Value (any value that crosses). The
// test suite type-checks the declarations with tsc and the pinned
// @cloudflare/workers-types (internal/stubgen/tscheck): wrong argument
// types and methods not exposed fail to compile.
//
// The set of methods comes from the module itself (the same decision the
// runtime enforces), their signatures from the source. Stubs go in the
// class's package by default; -go dir/file.go outside it writes them in
// another package (-pkg), which another Go Worker can import if every type
// in the signatures is importable (not declared in main). build warns when
// the Go stubs or TypeScript declarations in the package's directory are
// stale, and the counter's test compares both files with what stubs
// writes now. The file named by -go is wasmbuild's: it is rewritten whole.
//
// A Worker's entrypoints (worker.Entrypoint) get stubs too, for the Go
// Workers that reach them through a service binding: AdminStub for the
// entrypoint Admin, and, for the default entrypoint, a stub named after
// its Go type (GatewayStub for worker.Entrypoint("", Gateway{})). Such a
// stub wraps the *worker.Stub of the service binding, or a
// *dotest.Entrypoint in a test:
//
//	admin := NewAdminStub(svc) // svc, err := env.Service("ADMIN")
//	stats, err := admin.Stats(r.Context())
//
//	a := NewAdminStub(w.Entrypoint("Admin")) // in a dotest test of the Worker that serves it
//
// Another Go Worker that binds the service imports the stubs from a
// package of their own (-go dir/file.go -pkg name). In TypeScript, an
// entrypoint is an interface that extends Rpc.WorkerEntrypointBranded, so
// that a JavaScript caller types its binding as Service<Admin>; the Env
// lists only the Durable Object bindings, since the Worker's own
// configuration does not name its callers' service bindings. A package
// that calls an entrypoint's stub before it is written gets no
// provisional one: write the stubs first.
//
// Write the calls first and generate after: stubs works on a package that
// does not compile because it calls a stub that is not written yet
// (undefined: NewRoomStub) or a method that the stub does not have yet
// (has no field or method). It type-checks the package without its stub
// file; uses of undeclared <Class>Stub and New<Class>Stub names are let
// through, and the build that reads the classes from the module gets
// provisional stubs instead (every exported method of each class that the
// source registers with durableobject.Register and a constant name); the
// stubs written come from what that module exposes. If the package still
// does not compile with them, stubs writes them and says why: a call of a
// method the class does not have is go build's error (a.Bidd undefined),
// and a call of one the class keeps off RPC names the reason
// (Auction.String is not an RPC method: a method of fmt.Stringer).
//
// # init
//
// init writes a new project (go.mod with wasmbuild as a tool, a Worker and
// a Durable Object class Room with their test, wrangler.toml, the pinned
// package.json and package-lock.json, .gitignore and a README.md) and runs
// go mod tidy in it; then "go tool wasmbuild dev" serves it and
// "go test ./..." tests it. It never overwrites a file. The repository's
// README.md ("Your own project") walks through it.
//
// # version
//
// version prints the pinned and floor versions of wrangler and Node.js,
// and the wrangler and Node.js found here.
package main
