// Package dotest runs a godurable Worker in a test, the way workerd runs
// it, without Node or workerd: it compiles the package under test to the
// same WebAssembly module that wasmbuild gives wrangler, runs it on the
// pure-Go runtime wazero, and fakes only the environment around it, in the
// spirit of net/http/httptest. Bindings and [vars] come from the nearest
// wrangler configuration.
//
//	func TestCounter(t *testing.T) {
//		w := dotest.New(t, nil) // builds "." once per test process; a fresh Worker per test
//
//		status, body := w.Post(t, "/counter/a/increment?by=2", "", nil) // 200 {"name":"a","value":2}
//
//		c := w.Object("COUNTER", "a")
//		var n int64
//		err := c.Call(t.Context(), "increment", &n, 3) // n == 5; errors are *worker.Error, as a JS caller sees them
//
//		c.Evict()   // the Go object is dropped and rebuilt from storage on its next event
//		w.Restart() // a new isolate: fresh Go instance, storage kept
//		w.Crash()   // as if Go had trapped: events in flight fail, the next one gets a fresh instance
//
//		// The test reads (or seeds) the object's storage with the object's own
//		// storage.Storage, on the same database, with workerd's rules.
//		var stored int64
//		c.Storage().KV.Get("value", &stored)
//		cur, _ := c.Storage().SQL.Exec("SELECT by FROM history")
//	}
//
// The package is built once per test process and cached on disk (see
// [CacheDirEnv]), so only the first test run after a change pays for the
// compilation. Each [New] gets a fresh Go instance and empty storage.
//
// Like httptest, the harness is a library: its methods return errors and
// are safe for concurrent use from any goroutine, so a [Worker] made in a
// parent test serves its subtests, parallel ones included. The few helpers
// that fail a test ([Worker.Get], [Worker.Post]) take the test as their
// first argument, and the ones that panic ([Worker.Object] on an unknown
// binding) do so only on a programming error, as httptest.NewRequest does
// on a bad URL. [Start] is New for an Example, a TestMain or a benchmark.
// The configuration is read from wrangler.toml, wrangler.jsonc or
// wrangler.json and the .dev.vars beside it, as wasmbuild reads it;
// [Options] add to it or replace it.
//
// # What is real, and what is faked
//
// Real: the module, its Go runtime and scheduler, and the ABI exactly as
// the shim implements it (the same continuation protocol, idle detection
// and crash handling). Reproduced as workerd has it:
//
//   - SQLite with workerd's limits, authorizer and error messages: no
//     BEGIN or SAVEPOINT, no _cf_ tables (in any case), 100 parameters,
//     100 KB statements, values and rows up to 8 MiB + 34 bytes, numbers
//     bound as doubles, integers beyond 2^53 rounded as JavaScript rounds
//     them; KV in a _cf_KV table with workerd's list semantics.
//   - Values as they cross JavaScript (numbers, objects, headers), and RPC
//     errors as a JavaScript caller catches them, by the compatibility date
//     and flags of the configuration.
//   - Durable Object IDs identical to those wrangler dev derives, refused
//     where it refuses them (bad IDs, jurisdictions, the "offpeak" hint).
//   - I/O contexts: an object's storage used from another object's I/O
//     context is refused with workerd's message, as workerd refuses it (the
//     guest moves such a call to its own context first).
//   - A clock that stands still while Go runs (see Clocks).
//
// Faked, under the test's control: the network ([Options].Fetch serves,
// and may hold open, the Worker's outbound fetches; without it they go to
// the network, to a loopback httptest.Server, say), the clock
// ([NewManualClock]), and failures: [Worker.Restart], [Worker.Crash],
// [Object.Evict], [Object.Hibernate] and [Worker.SetStorageFault], which
// makes the guest's storage operations fail as if workerd's storage had
// thrown.
//
// # Clocks and alarms
//
// The guest sees workerd's clock: time.Now stands still while Go runs (the
// host reads the clock once per call into Go, at millisecond resolution,
// like Date.now), and Go's timers fire only while some event is in flight,
// as the shim arms them. With [NewManualClock], timers fire when the test
// calls [ManualClock.Advance], so a test of a one-minute worker.Sleep
// takes no time and asserts no wall-clock time.
//
// Alarms fire as workerd's local scheduler fires them: on the Worker's
// clock (a manual clock's Advance runs the alarms that fall due before it
// returns), retried after 2, 4, 8, ... s (without workerd's jitter), kept
// across Restart, Crash and Evict. [Object.Alarm] reads the alarm's time
// and [Object.RunAlarm] runs it now, as vitest's runDurableObjectAlarm
// does. [Worker.WaitBackground] waits for worker.WaitUntil work.
//
// # Cron triggers
//
// [Worker.Scheduled] runs the Worker's scheduled handler now, as a cron
// trigger due at a given time (vitest's createScheduledController and the
// Worker's scheduled()), and returns its error. The configuration's
// [triggers] crons also fire by themselves, on the Worker's clock, in
// UTC, which no JavaScript harness does (wrangler dev never fires them):
// on the real clock at their times while the Worker runs, and with
// [NewManualClock] when Advance passes their times, once for each time,
// in order, each with its own ScheduledTime (an Advance of a day runs a
// "*/5 * * * *" trigger 288 times, while time.Now in the guest reads the
// end of the day, as it does for alarms). A run that fails is logged, not
// retried. [Worker.ScheduledRuns] lists every run, with its error and
// whether the handler called NoRetry.
//
// # Queues
//
// The configuration's queues run as wrangler dev runs them, with the
// local emulator's rules (package queues has them): a producer binding's
// sends enqueue, refused as wrangler dev refuses them, and the Worker's
// queue handler gets the batches of the queues it consumes, on the
// Worker's clock: a full batch at once, another once max_batch_timeout
// has passed, a retry after its delay, and a message that failed
// max_retries + 1 times in the dead-letter queue. With [NewManualClock],
// Advance delivers what falls due, and the full batches that follow.
// Messages survive Restart and Crash (wrangler dev loses them when it
// restarts; Cloudflare keeps them). A Worker's producers send to the
// queues of its own configuration: a queue that only another Worker of
// the test consumes (Options.Scripts) drops what it is sent.
//
// [Worker.Queue] delivers a batch that the test builds, now, and returns
// what the handler asked of each message (vitest's createMessageBatch and
// getQueueResult); [Worker.QueueSend] sends as a producer of the Worker
// would; [Worker.QueueBacklog] counts the messages waiting; and
// [Worker.QueueRuns] lists every batch delivered, with its result.
//
// # WebSockets
//
// [Worker.DialWebSocket] opens a socket through the Worker as a browser
// would and returns its client end ([Socket.Send], [Socket.Receive],
// [Socket.Close]). [Object.Hibernate] evicts the object with its sockets
// open, and the next message wakes a fresh one; auto-responses are
// answered without calling Go, so a test can check that the object stayed
// asleep ([Object.Live]).
//
// # D1
//
// Each [[d1_databases]] binding (and each of [Options].D1) is a SQLite
// database shared by the Worker and its objects, run as local D1 runs it
// (each call one transaction, the same meta, "D1_ERROR:" messages);
// [Worker.D1] returns a *sql.DB on it for the test.
//
// # Workers KV
//
// Each [[kv_namespaces]] binding is a namespace in memory, run as local KV
// runs it (package kv has the rules): its entries survive Restart and
// Crash, and expire on the Worker's clock, so a test moves a ManualClock
// past an expiration rather than wait for it.
// # R2
//
// Each [[r2_buckets]] binding is a bucket run as wrangler dev's local R2
// runs it (package r2 has the details), its objects' bytes in files of the
// test's temporary directory, kept across Restart and Crash.
//
// # TCP sockets and Hyperdrive
//
// cloudflare:sockets' connect() (package sockets) is emulated over real
// connections made from the host, so a Worker under test talks to the
// test's own servers on 127.0.0.1 (a PostgreSQL server, an echo server),
// with workerd's behaviour: its errors and messages, reads of at most 4
// KiB, half-close, TLS and StartTLS, a connection closed when the request
// that opened it ends (an object's, when the object is evicted).
// Options.Dial replaces the host's dialer; Options.RootCAs the
// certificates the emulated TLS trusts (by default the system's and those
// of NODE_EXTRA_CA_CERTS, as wrangler dev gives workerd). A [[hyperdrive]]
// binding is emulated as wrangler dev makes it: its database is the one
// named by CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING> (set it
// with t.Setenv before New), else its localConnectionString, reached
// through a host name of the binding's own.
//
// # Other bindings and the Cache API
//
// The bindings that wrangler dev runs locally are emulated with its rules,
// on the Worker's clock, and their data live as long as the Worker (across
// Restart and Crash): the Cache API (caches.default and named caches: what
// is kept, for how long, with which headers; package cache), rate limiters
// ([[ratelimits]] and unsafe bindings of type "ratelimit": calls per key
// in windows of 10 or 60 seconds; package ratelimit), and Analytics Engine
// datasets, whose writes go nowhere locally: [Worker.DataPoints] returns
// them for the test (package analytics). A binding that only runs on
// Cloudflare's network (Workers AI, Vectorize, a service of a Worker that
// is not here) needs a fake: [Options].Fakes, any Go value whose methods
// play the binding's (see [NewJSObject], and package jsbridge's examples);
// a fake may also replace an emulated binding.
//
// # Several Workers
//
// A binding with a script_name reaches a class another Worker hosts (its
// objects, its storage, its IDs: the same name is another object there).
// In wrangler dev, serve both configurations in one session (wrangler dev
// -c wrangler.toml -c ../rooms/wrangler.toml); in a test, start the other
// Worker too and hand it to [Options].Scripts by its name:
//
//	rooms := dotest.New(t, &dotest.Options{Package: "../rooms"})
//	w := dotest.New(t, &dotest.Options{Scripts: map[string]*dotest.Worker{"rooms": rooms}})
//	w.Object("ROOMS", "lobby") // an object of the rooms Worker, as the binding reaches it
//
// Service bindings ([[services]]) go the same way, by their service name:
// a call or a fetch through one reaches that Worker's entrypoint (the
// default export, or the one its entrypoint key names, which must exist,
// as workerd refuses to start otherwise), with the binding's props. A
// service binding whose Worker is not in Scripts fails its calls, unless
// Options.Fakes plays it. A test calls a Worker's entrypoints itself with
// [Worker.Entrypoint], as a JavaScript caller through a service binding
// would, and gives them props with [Entrypoint.WithProps]:
//
//	var stats Stats
//	err := w.Entrypoint("Admin").WithProps(map[string]any{"role": "admin"}).Call(t.Context(), "stats", &stats)
//	resp, err := w.Entrypoint("").Do(req) // the default export's fetch: the Worker's handler
//
// # Speed
//
// The module is built once per test process, and cached across processes
// under $GODURABLE_CACHE (default: godurable in the user cache directory),
// keyed by the inputs of the build. Measured on 2026-12-06 on a 2-core
// machine (load average 3.6) with the counter example's TestHTTPContract,
// Go's build cache warm and $GODURABLE_CACHE empty: the first test process
// passed in 7.4 s (wasmbuild's two go builds, then wazero's compilation of
// the module), the next in 0.22 s (inputs unchanged: no go build, and
// wazero's cached compilation). Each New then answers its first request in
// 30–110 ms and later ones in about 5 ms.
//
// The conformance suite (internal/conformance) runs the same scenarios
// against dotest and against real workerd, so that the two agree.
package dotest
