package sockets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// SecureTransport says whether a connection uses TLS: Off, On, or
// StartTLS (off until Conn.StartTLS).
type SecureTransport string

// The values of Options.SecureTransport, as workerd's secureTransport
// option names them.
const (
	Off      SecureTransport = "off"
	On       SecureTransport = "on"
	StartTLS SecureTransport = "starttls"
)

// Options are the options of Connect; the zero value is a plain TCP
// connection.
type Options struct {
	// SecureTransport is Off (the default: ""), On (TLS from the start,
	// workerd's own, with its trusted certificates) or StartTLS (plain
	// until Conn.StartTLS).
	SecureTransport SecureTransport
	// AllowHalfOpen keeps the connection's sending side open after the
	// server has ended its own (Read returned io.EOF); without it, workerd
	// closes both sides then. Either way, CloseWrite ends the sending
	// side alone.
	AllowHalfOpen bool
	// ServerName is the name the server's certificate must have after
	// StartTLS (workerd's expectedServerHostname); "" is the address's
	// host.
	ServerName string
}

// Info is what workerd reports of an open connection (its opened
// promise): the remote address, as Connect was given it, and the local
// one when workerd reports it (wrangler dev reports none).
type Info struct {
	RemoteAddress string `json:"remoteAddress"`
	LocalAddress  string `json:"localAddress"`
}

// ErrCannotConnect is matched by the error of Connect when workerd could
// not make the connection. workerd gives one error for a refused
// connection, an unreachable host, a name that does not resolve and (with
// On) a certificate it does not trust: "proxy request failed, cannot
// connect to the specified address".
var ErrCannotConnect = errors.New("sockets: cannot connect to the specified address")

// maxWrite bounds the bytes of one writer.write(): a larger Write is
// written in parts, each awaited.
const maxWrite = 1 << 20

// Conn is a TCP connection opened with Connect: a net.Conn whose reads and
// writes are workerd's. A Read returns what one read of the socket's
// ReadableStream gives (at most 4 KiB in wrangler dev) or less, keeping
// the rest for the next Read; a Write returns once the socket's
// WritableStream has taken the bytes (in parts of at most 1 MiB), which
// is the back-pressure: nothing is read from the network until Read asks,
// and Write waits for the network.
//
// A Conn belongs to the event that opened it (workerd's rule: in a
// Durable Object, to the object). Its methods take no context, so they
// run on that owner's behalf, whichever goroutine calls them: in the
// stateless Worker, until the request that opened it has finished
// (workerd closes it then, and the methods fail with an error matching
// jsbridge.ErrOtherRequest); in an object, on behalf of any of its events
// in flight, while the object lives. One Read and one Write may run at
// once; Close interrupts them.
type Conn struct {
	owner   context.Context // jsbridge.OwnerContext of the opening event
	address string
	opts    Options

	mu      sync.Mutex // the fields below
	sock    *jsbridge.Value
	reader  *jsbridge.Value
	writer  *jsbridge.Value
	info    Info
	closed  bool
	closeCh chan struct{}

	readMu  sync.Mutex // one Read at a time
	pending chan readResult
	rest    []byte
	eof     bool

	writeMu sync.Mutex // one Write at a time

	rd, wd deadline
}

var _ net.Conn = (*Conn)(nil)

type readResult struct {
	chunk readChunk
	err   error
}

// readChunk is what reader.read() resolves with.
type readChunk struct {
	Done  bool   `json:"done"`
	Value []byte `json:"value"`
}

// Connect opens a TCP connection to address ("host:port") with
// cloudflare:sockets' connect(), on behalf of the event of ctx (which must
// come from an event: r.Context(), a method's ctx), and returns once
// workerd has made it (its opened promise), or ctx is done. Its errors
// are *net.OpError: for an address workerd refuses, wrapping the
// *worker.Error of its TypeError; for a connection it could not make,
// wrapping ErrCannotConnect and the *worker.Error.
func Connect(ctx context.Context, address string, opts *Options) (*Conn, error) {
	c := &Conn{address: address, closeCh: make(chan struct{})}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.SecureTransport == "" {
		c.opts.SecureTransport = Off
	}
	mod, err := jsbridge.Module("cloudflare:sockets")
	if err != nil {
		return nil, c.dialErr(err)
	}
	if c.owner, err = jsbridge.OwnerContext(ctx); err != nil {
		return nil, c.dialErr(err)
	}
	jsOpts := map[string]any{"secureTransport": string(c.opts.SecureTransport), "allowHalfOpen": c.opts.AllowHalfOpen}
	if err := mod.Call(ctx, "connect", &c.sock, address, jsOpts); err != nil {
		return nil, c.dialErr(unwrapJS(err))
	}
	if err := c.sock.Get(ctx, "opened", &c.info); err != nil {
		c.sock.Call(c.owner, "close", nil)
		c.sock.Release()
		return nil, c.dialErr(unwrapJS(err))
	}
	if err := c.streams(ctx); err != nil {
		c.sock.Call(c.owner, "close", nil)
		return nil, c.dialErr(err)
	}
	return c, nil
}

// Dial is Connect with net.Dialer's signature, for the code that takes a
// dial function (pgconn.Config.DialFunc, say): network must be "tcp",
// "tcp4" or "tcp6" (workerd chooses which).
func Dial(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Addr: Addr(address), Err: net.UnknownNetworkError(network)}
	}
	c, err := Connect(ctx, address, nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Lookup returns host as it is: workerd resolves names when it connects,
// and a Worker has no resolver of its own. Give it to code that looks
// names up before dialing (pgconn.Config.LookupFunc).
func Lookup(ctx context.Context, host string) ([]string, error) {
	return []string{host}, nil
}

// streams gets the reader and the writer of the socket's streams.
func (c *Conn) streams(ctx context.Context) error {
	var readable, writable *jsbridge.Value
	if err := c.sock.Get(ctx, "readable", &readable); err != nil {
		return err
	}
	defer readable.Release()
	if err := c.sock.Get(ctx, "writable", &writable); err != nil {
		return err
	}
	defer writable.Release()
	if err := readable.Call(ctx, "getReader", &c.reader); err != nil {
		return err
	}
	return writable.Call(ctx, "getWriter", &c.writer)
}

// unwrapJS returns the *worker.Error in err, if there is one, so that
// messages read "dial tcp 127.0.0.1:5432: <what workerd said>".
func unwrapJS(err error) error {
	var we *worker.Error
	if errors.As(err, &we) && !errors.Is(err, jsbridge.ErrOtherRequest) {
		return we
	}
	return err
}

// dialErr is the *net.OpError of Connect.
func (c *Conn) dialErr(err error) error {
	var we *worker.Error
	if errors.As(err, &we) && strings.HasPrefix(we.Message, "proxy request failed, cannot connect") {
		err = fmt.Errorf("%w: %w", ErrCannotConnect, we)
	}
	return &net.OpError{Op: "dial", Net: "tcp", Addr: Addr(c.address), Err: err}
}

// opErr is the *net.OpError of an operation on the connection.
func (c *Conn) opErr(op string, err error) error {
	oe := &net.OpError{Op: op, Net: "tcp", Addr: c.RemoteAddr(), Err: unwrapJS(err)}
	if c.info.LocalAddress != "" {
		oe.Source = c.LocalAddr()
	}
	return oe
}

// Read reads what the server sent: what one read of the socket's
// ReadableStream gave, up to len(p) bytes (the rest waits for the next
// Read), or io.EOF once the server has ended its side. It fails with
// os.ErrDeadlineExceeded (Timeout() is true) at the read deadline, in
// which case the read of the stream goes on, and the next Read takes what
// it gives.
func (c *Conn) Read(p []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if len(c.rest) > 0 {
		n := copy(p, c.rest)
		c.rest = c.rest[n:]
		return n, nil
	}
	if c.eof {
		return 0, io.EOF
	}
	if c.isClosed() {
		return 0, c.opErr("read", net.ErrClosed)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.rd.passed() {
		return 0, c.opErr("read", os.ErrDeadlineExceeded)
	}
	if c.pending == nil {
		_, reader, _ := c.values()
		ch := make(chan readResult, 1)
		c.pending = ch
		go func() {
			var r readResult
			r.err = reader.Call(c.owner, "read", &r.chunk)
			ch <- r
		}()
	}
	select {
	case r := <-c.pending:
		c.pending = nil
		switch {
		case r.err != nil:
			if c.isClosed() {
				return 0, c.opErr("read", net.ErrClosed)
			}
			return 0, c.opErr("read", r.err)
		case r.chunk.Done:
			c.eof = true
			return 0, io.EOF
		}
		n := copy(p, r.chunk.Value)
		c.rest = r.chunk.Value[n:]
		return n, nil
	case <-c.rd.wait():
		return 0, c.opErr("read", os.ErrDeadlineExceeded)
	case <-c.closeCh:
		return 0, c.opErr("read", net.ErrClosed)
	}
}

// Write writes p, returning once the socket's WritableStream has taken
// it (in parts of at most 1 MiB, each awaited). At the write deadline it
// fails with os.ErrDeadlineExceeded after the parts written; the part in
// progress may still be written.
func (c *Conn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, _, writer := c.values()
	n := 0
	for n < len(p) || len(p) == 0 {
		if c.isClosed() {
			return n, c.opErr("write", net.ErrClosed)
		}
		if c.wd.passed() {
			return n, c.opErr("write", os.ErrDeadlineExceeded)
		}
		if len(p) == 0 {
			return 0, nil
		}
		part := append([]byte(nil), p[n:min(len(p), n+maxWrite)]...) // the caller may reuse p after a timeout
		done := make(chan error, 1)
		go func() { done <- writer.Call(c.owner, "write", nil, part) }()
		select {
		case err := <-done:
			if err != nil {
				if c.isClosed() {
					return n, c.opErr("write", net.ErrClosed)
				}
				return n, c.opErr("write", err)
			}
			n += len(part)
		case <-c.wd.wait():
			return n, c.opErr("write", os.ErrDeadlineExceeded)
		case <-c.closeCh:
			return n, c.opErr("write", net.ErrClosed)
		}
	}
	return n, nil
}

// CloseWrite ends the sending side (the server reads its end), and keeps
// the receiving side open: a half-close, as net.TCPConn's CloseWrite.
func (c *Conn) CloseWrite() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.isClosed() {
		return c.opErr("close", net.ErrClosed)
	}
	_, _, writer := c.values()
	if err := writer.Call(c.owner, "close", nil); err != nil {
		return c.opErr("close", err)
	}
	return nil
}

// Close closes the connection (socket.close()): a Read or Write in
// progress returns net.ErrClosed, as do later ones.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.opErr("close", net.ErrClosed)
	}
	c.closed = true
	close(c.closeCh)
	sock := c.sock
	c.mu.Unlock()
	err := sock.Call(c.owner, "close", nil)
	c.release()
	if err != nil {
		return c.opErr("close", err)
	}
	return nil
}

// release lets the host forget the socket's values.
func (c *Conn) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sock.Release()
	c.reader.Release()
	c.writer.Release()
}

// values returns the socket and its reader and writer (StartTLS replaces
// them).
func (c *Conn) values() (sock, reader, writer *jsbridge.Value) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sock, c.reader, c.writer
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// StartTLS upgrades a connection opened with SecureTransport StartTLS to
// TLS (socket.startTls()), workerd's own, with the certificates it
// trusts, and waits for the handshake, until ctx is done. The Conn then
// reads and writes through TLS. Call it between a protocol's plain
// exchanges (after STARTTLS's answer, say), with no Read or Write in
// progress. A certificate workerd does not trust fails it with a
// *worker.Error ("internal error; reference = ...").
func (c *Conn) StartTLS(ctx context.Context) error {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.isClosed() {
		return c.opErr("starttls", net.ErrClosed)
	}
	var args []any
	if c.opts.ServerName != "" {
		args = append(args, map[string]any{"expectedServerHostname": c.opts.ServerName})
	}
	old, reader, writer := c.values()
	// startTls flushes the plain writable stream, which a writer locks.
	if err := reader.Call(ctx, "releaseLock", nil); err != nil {
		return c.opErr("starttls", err)
	}
	if err := writer.Call(ctx, "releaseLock", nil); err != nil {
		return c.opErr("starttls", err)
	}
	var sock *jsbridge.Value
	if err := old.Call(ctx, "startTls", &sock, args...); err != nil {
		return c.opErr("starttls", err)
	}
	up := &Conn{owner: c.owner, sock: sock}
	if err := sock.Get(ctx, "opened", &up.info); err != nil {
		sock.Call(c.owner, "close", nil)
		sock.Release()
		return c.opErr("starttls", err)
	}
	if err := up.streams(ctx); err != nil {
		sock.Call(c.owner, "close", nil)
		return c.opErr("starttls", err)
	}
	c.mu.Lock()
	c.reader.Release()
	c.writer.Release()
	old.Release()
	c.sock, c.reader, c.writer, c.info = sock, up.reader, up.writer, up.info
	c.opts.SecureTransport = On
	c.mu.Unlock()
	c.pending, c.rest, c.eof = nil, nil, false // the plain stream's are gone
	return nil
}

// Opened returns what workerd reported when it made the connection (after
// StartTLS, when the TLS handshake was over).
func (c *Conn) Opened() Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// Closed waits until the connection has closed (workerd's closed
// promise), or ctx is done: nil once it closed cleanly (Close, or the
// server's end without AllowHalfOpen), or the error it closed with.
func (c *Conn) Closed(ctx context.Context) error {
	sock, _, _ := c.values()
	if err := sock.Get(ctx, "closed", nil); err != nil {
		return c.opErr("close", err)
	}
	return nil
}

// LocalAddr returns the local address workerd reported, or an Addr whose
// String is "" (wrangler dev reports none).
func (c *Conn) LocalAddr() net.Addr { return Addr(c.Opened().LocalAddress) }

// RemoteAddr returns the address the connection was opened to, as workerd
// reported it (the address given to Connect).
func (c *Conn) RemoteAddr() net.Addr {
	if a := c.Opened().RemoteAddress; a != "" {
		return Addr(a)
	}
	return Addr(c.address)
}

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the time after which Read fails with
// os.ErrDeadlineExceeded; the zero time means none. Setting it wakes a
// Read in progress if the new deadline has passed.
func (c *Conn) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the time after which Write fails with
// os.ErrDeadlineExceeded; the zero time means none.
func (c *Conn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// Addr is an address of a connection, as workerd reports it: "host:port",
// with the host as given (a name is not resolved to an IP address).
type Addr string

// Network returns "tcp".
func (Addr) Network() string { return "tcp" }

// String returns the address.
func (a Addr) String() string { return string(a) }

// deadline is a read or write deadline: a channel closed when it passes.
type deadline struct {
	mu    sync.Mutex
	timer *time.Timer
	ch    chan struct{} // closed when the deadline has passed
}

// set sets the deadline to t (zero: none).
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil && !d.timer.Stop() {
		<-d.ch // the timer has closed it, or is about to
	}
	d.timer = nil
	if d.ch == nil || isClosedChan(d.ch) {
		d.ch = make(chan struct{})
	}
	if t.IsZero() {
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		close(d.ch)
		return
	}
	ch := d.ch
	d.timer = time.AfterFunc(wait, func() { close(ch) })
}

// wait returns a channel closed when the deadline passes.
func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil {
		d.ch = make(chan struct{})
	}
	return d.ch
}

func (d *deadline) passed() bool { return isClosedChan(d.wait()) }

func isClosedChan(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
