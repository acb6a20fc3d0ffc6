// Package sockets opens outbound TCP connections from a Worker or a
// Durable Object: workerd's connect() (the module cloudflare:sockets) as a
// net.Conn, for any client library that takes one (a database driver, SMTP,
// Redis, a protocol of your own).
//
//	c, err := sockets.Connect(r.Context(), "db.example.com:5432", nil)
//	if err != nil {
//		return err // a *net.OpError; errors.Is(err, sockets.ErrCannotConnect) when workerd could not connect
//	}
//	defer c.Close()
//	c.SetDeadline(time.Now().Add(5 * time.Second))
//	_, err = c.Write(request)
//	n, err := c.Read(buf)
//
// It needs no binding in wrangler.toml. It is built on package jsbridge:
// Connect calls connect() through jsbridge.Module("cloudflare:sockets"),
// and a Conn reads and writes the socket's streams.
//
// # Reads, writes and back-pressure
//
// A Read returns what one read of the socket's ReadableStream gives (at
// most 4 KiB a read in wrangler dev), or as much of it as fits, keeping
// the rest for the next Read; nothing is read from the network until a
// Read asks. A Write returns once the socket's WritableStream has taken
// the bytes (in parts of at most 1 MiB, each awaited): a writer as fast as
// the network allows, no faster. One Read and one Write may run at once
// (a protocol that reads while it writes, as pgx's COPY does); Close ends
// both. Each read or write is a call to the host and back: a protocol
// that exchanges many small messages pays it per message.
//
// # Deadlines
//
// SetDeadline, SetReadDeadline and SetWriteDeadline work as net.Conn's: at
// the deadline a Read or Write fails with an error that matches
// os.ErrDeadlineExceeded and whose Timeout() is true, and setting a
// deadline wakes a Read or Write in progress. A read that a deadline cut
// short goes on in workerd: the next Read gets what it gives, so nothing
// is lost (pgx's cancellation relies on this). Deadlines use Go timers,
// which fire while some event of the Worker is in flight, as workerd's
// timers do.
//
// # Whose connection it is
//
// A connection belongs to the event that opened it, as workerd ties every
// I/O object: in the stateless Worker to the request (workerd closes it
// when the request ends, WaitUntil work included), in a Durable Object to
// the object (any of its events may use it, as long as the object lives).
// A Conn's methods take no context, so they run on that owner's behalf,
// whichever goroutine calls them (through jsbridge.OwnerContext). Used
// after its request has finished, as from another request that kept it
// in a global, a Conn fails with an error matching
// jsbridge.ErrOtherRequest. While a method waits on the network, the
// object's other events may run, as they may while JavaScript awaits a
// read. An object that keeps a connection (a pgx.Conn) across events
// serializes its use itself: a pgx.Conn is for one goroutine at a time.
//
// # Errors
//
// Errors are *net.OpError, as net's are ("dial", "read", "write", "close",
// "starttls"), wrapping the *worker.Error of what workerd threw. Connect
// fails with one matching ErrCannotConnect when workerd could not make the
// connection: workerd reports a refused connection, an unreachable host and
// a name that does not resolve alike ("proxy request failed, cannot
// connect to the specified address"), so a Go program tells them apart no
// better than JavaScript can. An address workerd refuses ("no port") fails
// with its TypeError. Read returns io.EOF once the server has ended its
// side; without Options.AllowHalfOpen, workerd then closes the sending
// side too, and a Write fails ("This WritableStream has been closed.").
// After Close, Read and Write fail with net.ErrClosed.
//
// # TLS
//
// Three ways, each run by the conformance suite in wrangler dev and in
// dotest (the first two against servers with a self-signed certificate,
// the third against PostgreSQL):
//
//   - Options.SecureTransport On: workerd's TLS from the first byte,
//     verified against the certificates workerd trusts.
//   - StartTLS, then Conn.StartTLS: plain until the protocol says so
//     (SMTP's STARTTLS, PostgreSQL's SSLRequest), then workerd's TLS over
//     the same connection; Options.ServerName is the name the certificate
//     must have, if not the address's host.
//   - Go's crypto/tls over a plain Conn (tls.Client(c, config)), as a
//     driver does itself (pgx's sslmode=require, after PostgreSQL's
//     SSLRequest). It costs Go's TLS in the module and in its CPU time,
//     and verifies with the roots you give it: a Worker has no system
//     certificates (golang.org/x/crypto/x509roots/fallback provides some;
//     sslmode=require verifies nothing).
//
// workerd trusts the system's certificates and, in wrangler dev, those of
// the file NODE_EXTRA_CA_CERTS names (wrangler hands them to workerd);
// dotest trusts the same (see Testing). A certificate workerd does not
// trust fails Connect with On (ErrCannotConnect), and Conn.StartTLS with
// "internal error; reference = ...".
//
// # PostgreSQL with pgx
//
// github.com/jackc/pgx/v5 connects through a Conn: give its configuration
// Dial and Lookup, and the connection string of a Hyperdrive binding
// (package hyperdrive) or of your database. Queries, transactions, COPY
// (CopyFrom, and PgConn().CopyTo) and LISTEN/NOTIFY (WaitForNotification)
// work, from a Worker and from
// a Durable Object, in wrangler dev and in dotest: the conformance suite
// runs each against a PostgreSQL server it starts, and pgx's own TLS
// (sslmode=require: Go's crypto/tls, as above). To use workerd's TLS
// instead, a DialFunc sends PostgreSQL's SSLRequest itself (8 bytes:
// 0 0 0 8 4 210 22 47), reads the server's "S", calls StartTLS, and hands
// pgx the Conn with sslmode=disable; the suite does this to the server's
// own address. A Hyperdrive binding's host takes no StartTLS: workerd
// makes that connection without connect()'s options, so StartTLS fails
// with workerd's TypeError (on both runtimes); pgx's own TLS passes
// through it.
// pgx makes a module bigger: the benchmark's Worker with pgx v5.8.0 is
// 19.3 MB, 4.1 MB gzipped (a Worker with net/http alone: 7.1 MB, 1.9 MB
// gzipped; package sockets adds 0.13 MB, 0.03 MB gzipped), above the 3 MB
// a Worker may have on the free plan. Measured by the benchmark (bench/,
// wrangler dev, a local PostgreSQL 15, 2 shared cores, 2026-12-07,
// medians of 5 rounds), one request at a time: a request that connects
// through Hyperdrive, runs SELECT 1 and closes takes 30.5 ms from Go
// against 8.9 ms from JavaScript with node-postgres (3.4 times), and with
// 20 queries 55.7 ms against 19.6 ms. A SELECT 1 round trip on an open
// connection costs about 1.3 ms from Go against 0.56 ms (each read and
// write of the socket is a call to the host and back); the connection,
// about 29 ms against 8 ms (pgx's startup and its scram-sha-256, computed
// in the module; unprofiled). Keep a connection per Durable Object where
// you can.
//
// # Testing
//
// Under dotest, connect() is emulated over real connections made from the
// host (so the test's own servers on 127.0.0.1 answer), with workerd's
// behaviour: its messages, its reads of at most 4 KiB, its half-close and
// StartTLS, the connection closed with its request. dotest.Options.Dial
// replaces the host's dialer (to hand the Worker one end of a net.Pipe),
// and dotest.Options.RootCAs the certificates its TLS trusts (by default
// the system's, with NODE_EXTRA_CA_CERTS's, as wrangler dev), so that one
// self-signed test server serves both runtimes.
package sockets
