package workerd

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The module cloudflare:sockets, whose connect() opens an outbound TCP
// connection, as local workerd's does (measured with wrangler 4.164.0,
// workerd 1.20261117.1, against servers on 127.0.0.1):
//
//   - connect(address, options) returns a Socket at once: readable,
//     writable, opened (resolves with {remoteAddress: the address as
//     given}; workerd reports no localAddress), closed, close(),
//     startTls(); the connection is made meanwhile, from the host (Config.Dial).
//   - An address that does not parse, or has no port, throws a TypeError.
//   - A connection that cannot be made (refused, unreachable, a name
//     that does not resolve, a TLS certificate that is not trusted with
//     secureTransport "on") rejects opened and closed with one Error,
//     "proxy request failed, cannot connect to the specified address"
//     (with a hint to use fetch for ports 80 and 443); reads then end at
//     once and writes fail.
//   - A read gives at most 4,096 bytes; a write resolves once the bytes
//     are written. Without allowHalfOpen, the end of the readable side
//     closes the writable one (a later write: "This WritableStream has
//     been closed.") and resolves closed; with it, closed waits for
//     close().
//   - close() makes both sides fail with "This ReadableStream belongs to
//     an object that is closing." (WritableStream likewise).
//   - startTls() on a "starttls" socket returns the TLS socket, over the
//     same connection; a certificate that is not trusted fails it with
//     "internal error; reference = ...". workerd trusts the system's
//     certificates and, in wrangler dev, those of NODE_EXTRA_CA_CERTS
//     (Config.RootCAs here).
//   - A socket belongs to the I/O context that opened it, and is closed
//     when that context ends (a request, or the object's eviction).
//   - A connection to a Hyperdrive binding's host goes to its database,
//     without connect()'s options (secureTransport "starttls" is dropped,
//     so startTls() throws).

const errCannotConnect = "proxy request failed, cannot connect to the specified address"

// socketsModule returns the namespace of cloudflare:sockets.
func (iso *Isolate) socketsModule() *JSObject {
	return &JSObject{Class: "Module", Methods: map[string]any{
		"connect": iso.connectSocket,
	}}
}

// socketOptions are connect()'s options.
type socketOptions struct {
	SecureTransport *string `json:"secureTransport"`
	AllowHalfOpen   bool    `json:"allowHalfOpen"`
}

// tcpSocket is one Socket of the model.
type tcpSocket struct {
	iso        *Isolate
	owner      ioContext
	address    string // as given
	host, port string
	secure     string // "off", "on", "starttls"
	halfOpen   bool

	ready   chan struct{} // closed once the connection is made or has failed
	conn    net.Conn      // after ready; nil if it failed
	dialErr error         // after ready

	stop context.CancelFunc // stops the dial

	mu        sync.Mutex
	closing   bool // close() called, or the context ended
	detached  bool // startTls() took its connection
	upgrading bool // startTls() called

	opened, closed *deferred
	writable       *writableStream
	obj            *JSObject
}

// connectSocket is connect(address, options).
func (iso *Isolate) connectSocket(address any, opts *socketOptions) (*JSObject, error) {
	addr, host, port, err := parseSocketAddress(address)
	if err != nil {
		return nil, err
	}
	secure := "off"
	halfOpen := false
	if opts != nil {
		if opts.SecureTransport != nil {
			secure = *opts.SecureTransport
		}
		halfOpen = opts.AllowHalfOpen
	}
	switch secure {
	case "off", "on", "starttls":
	default:
		return nil, NewJSError("TypeError", "Unsupported value in secureTransport socket option: "+secure)
	}
	if overridden(net.JoinHostPort(host, port)) != net.JoinHostPort(host, port) {
		// A Hyperdrive binding's host: workerd's connection to it takes no
		// option of connect()'s (measured: startTls() then throws; that
		// allowHalfOpen goes too is the same reading, not measured).
		secure, halfOpen = "off", false
	}
	owner, _ := iso.ioContext()
	s := &tcpSocket{iso: iso, owner: owner, address: addr, host: host, port: port, secure: secure, halfOpen: halfOpen,
		ready: make(chan struct{}), opened: newDeferred(), closed: newDeferred()}
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	if !iso.sockets.add(s) {
		stop()
		return nil, NewJSError("Error", "godurable: the Worker is closed")
	}
	go s.dial(ctx)
	return s.object(), nil
}

// parseSocketAddress parses connect()'s address as workerd does: a
// "host:port" string (through the URL parser) or {hostname, port}.
func parseSocketAddress(address any) (addr, host, port string, err error) {
	switch a := address.(type) {
	case string:
		u, perr := url.Parse("https://" + a)
		if perr != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return "", "", "", NewJSError("TypeError", "Specified address could not be parsed.")
		}
		if u.Port() == "" {
			return "", "", "", NewJSError("TypeError", "Specified address is missing port.")
		}
		addr, host, port = a, u.Hostname(), u.Port()
	case map[string]any:
		h, _ := a["hostname"].(string)
		p := fmt.Sprint(a["port"])
		if f, ok := a["port"].(float64); ok {
			p = fmt.Sprint(int64(f))
		}
		addr, host, port = h+":"+p, h, p
	default:
		return "", "", "", NewJSError("TypeError", "Specified address could not be parsed.")
	}
	if !validSocketHost(addr) {
		return "", "", "", NewJSError("TypeError", "Specified address is empty string, contains unsupported characters or is too long.")
	}
	return addr, host, port, nil
}

// validSocketHost is workerd's check of an address's characters.
func validSocketHost(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for _, c := range s {
		switch {
		case c == '-' || c == '.' || c == '_' || c == '[' || c == ']' || c == ':':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}

// dial makes the connection, from the host.
func (s *tcpSocket) dial(ctx context.Context) {
	defer close(s.ready)
	dial := s.iso.cfg.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second}).DialContext
	}
	conn, err := dial(ctx, "tcp", overridden(net.JoinHostPort(s.host, s.port)))
	if err == nil && s.secure == "on" {
		t := tls.Client(conn, s.tlsConfig(s.host))
		if err = t.HandshakeContext(ctx); err != nil {
			conn.Close()
		}
		conn = t
	}
	if err != nil {
		msg := errCannotConnect
		if s.port == "443" || s.port == "80" {
			msg += ". It looks like you might be trying to connect to a HTTP-based service — consider using fetch instead"
		}
		s.dialErr = NewJSError("Error", msg)
		s.opened.settle(nil, s.dialErr)
		s.closed.settle(nil, s.dialErr)
		return
	}
	s.mu.Lock()
	closing := s.closing
	s.conn = conn
	s.mu.Unlock()
	if closing {
		conn.Close()
	}
	s.opened.settle(s.info(), nil)
}

func (s *tcpSocket) tlsConfig(serverName string) *tls.Config {
	return &tls.Config{ServerName: serverName, RootCAs: s.iso.cfg.RootCAs}
}

// info is what opened resolves with.
func (s *tcpSocket) info() any {
	v, _ := toJSValue(map[string]any{"remoteAddress": s.address})
	return v
}

// object returns the Socket's JavaScript object.
func (s *tcpSocket) object() *JSObject {
	readable := newReadableStream(&s.owner, ByteSource{Read: s.read, Cancel: s.cancelRead})
	writable, ws := newWritableStream(&s.owner, ByteSink{Write: s.write, Close: s.closeWrite, Abort: func() { s.close() }})
	s.writable = ws
	s.obj = &JSObject{Class: "Socket", Props: map[string]any{
		"readable":        readable,
		"writable":        writable,
		"opened":          s.opened.promise(),
		"closed":          s.closed.promise(),
		"secureTransport": s.secure,
		"upgraded":        false,
	}, Methods: map[string]any{
		"close":    func(ctx context.Context) { s.close() },
		"startTls": s.startTLS,
	}}
	return s.obj
}

// state waits for the connection and says what an operation on a side
// (ReadableStream or WritableStream) gets: the connection, or an error.
func (s *tcpSocket) state(side string) (net.Conn, error) {
	<-s.ready
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return nil, NewJSError("TypeError", "This "+side+" belongs to an object that is closing.")
	case s.detached:
		return nil, NewJSError("TypeError", "This "+side+" has been detached.")
	}
	return s.conn, s.dialErr
}

func (s *tcpSocket) read(p []byte) (int, error) {
	conn, err := s.state("ReadableStream")
	if err != nil {
		if err == s.dialErr {
			return 0, io.EOF // a socket that never connected ends at once
		}
		return 0, err
	}
	n, err := conn.Read(p)
	if n > 0 {
		return n, nil
	}
	if errors.Is(err, io.EOF) {
		if !s.halfOpen {
			s.writable.markClosed()
			conn.Close()
			s.closed.settle(jsUndefined{}, nil)
		}
		return 0, io.EOF
	}
	if _, serr := s.state("ReadableStream"); serr != nil {
		return 0, serr
	}
	return 0, s.lost(err)
}

// lost is the error of a connection that failed.
func (s *tcpSocket) lost(err error) error {
	if je := s.tlsFailure(err); je != nil {
		return je
	}
	return NewJSError("Error", "Network connection lost.")
}

// tlsFailure is workerd's error for a TLS handshake that failed.
func (s *tcpSocket) tlsFailure(err error) error {
	var ce *tls.CertificateVerificationError
	var re tls.RecordHeaderError
	var ae tls.AlertError
	if errors.As(err, &ce) || errors.As(err, &re) || errors.As(err, &ae) || strings.Contains(fmt.Sprint(err), "tls:") {
		return NewJSError("Error", "internal error; reference = "+randomReference())
	}
	return nil
}

func randomReference() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

func (s *tcpSocket) cancelRead() {
	<-s.ready
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		conn.SetReadDeadline(time.Unix(1, 0)) // the read in progress returns
	}
}

func (s *tcpSocket) write(b []byte) error {
	conn, err := s.state("WritableStream")
	if err != nil {
		if err == s.dialErr {
			return NewJSError("Error", "jsg.Error: "+err.Error())
		}
		return err
	}
	if _, err := conn.Write(b); err != nil {
		if _, serr := s.state("WritableStream"); serr != nil {
			return serr
		}
		return s.lost(err)
	}
	return nil
}

// closeWrite is writer.close(): the end of what this side sends.
func (s *tcpSocket) closeWrite() error {
	conn, err := s.state("WritableStream")
	if err != nil {
		return err
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	return nil
}

// close is socket.close(), and what the end of its I/O context does.
func (s *tcpSocket) close() {
	s.mu.Lock()
	already := s.closing
	s.closing = true
	conn := s.conn
	s.mu.Unlock()
	if already {
		return
	}
	s.stop()
	if conn != nil {
		conn.Close()
	}
	s.closed.settle(jsUndefined{}, nil)
	s.opened.settle(nil, NewJSError("Error", errCannotConnect)) // if it was still connecting
	s.iso.sockets.remove(s)
}

// tlsOptions are startTls()'s options.
type tlsOptions struct {
	ExpectedServerHostname string `json:"expectedServerHostname"`
}

// startTLS is socket.startTls(options): a new Socket, TLS over this one's
// connection, which this one gives up (its closed resolves).
func (s *tcpSocket) startTLS(opts *tlsOptions) (*JSObject, error) {
	switch {
	case s.secure == "on":
		return nil, NewJSError("TypeError", "Cannot startTls on a TLS socket.")
	case s.secure != "starttls":
		return nil, NewJSError("TypeError", "The `secureTransport` socket option must be set to 'starttls' for startTls to be used.")
	}
	if s.writable.isLocked() {
		// workerd flushes the writable stream first, and fails (an
		// uncaught TypeError, and a TLS socket that never opens).
		return nil, NewJSError("TypeError", "This WritableStream is currently locked to a writer.")
	}
	s.mu.Lock()
	if s.upgrading {
		s.mu.Unlock()
		return nil, NewJSError("TypeError", "startTls can only be called once.")
	}
	s.upgrading = true
	s.mu.Unlock()
	serverName := s.host
	if opts != nil && opts.ExpectedServerHostname != "" {
		serverName = opts.ExpectedServerHostname
	}
	t := &tcpSocket{iso: s.iso, owner: s.owner, address: s.address, host: s.host, port: s.port, secure: "on", halfOpen: s.halfOpen,
		ready: make(chan struct{}), opened: newDeferred(), closed: newDeferred(), stop: func() {}}
	if !s.iso.sockets.add(t) {
		return nil, NewJSError("Error", "godurable: the Worker is closed")
	}
	go func() {
		defer close(t.ready)
		<-s.ready
		s.mu.Lock()
		conn, closing := s.conn, s.closing
		s.detached = true
		s.mu.Unlock()
		s.closed.settle(jsUndefined{}, nil)
		s.iso.sockets.remove(s)
		if conn == nil || closing {
			t.dialErr = NewJSError("Error", errCannotConnect)
			t.opened.settle(nil, t.dialErr)
			t.closed.settle(nil, t.dialErr)
			return
		}
		tc := tls.Client(conn, s.tlsConfig(serverName))
		if err := tc.Handshake(); err != nil {
			conn.Close()
			t.dialErr = t.tlsFailure(err)
			if t.dialErr == nil {
				t.dialErr = NewJSError("Error", "Network connection lost.")
			}
			t.opened.settle(nil, t.dialErr)
			t.closed.settle(nil, t.dialErr)
			return
		}
		t.mu.Lock()
		t.conn = tc
		closing = t.closing
		t.mu.Unlock()
		if closing {
			tc.Close()
		}
		t.opened.settle(t.info(), nil)
	}()
	return t.object(), nil
}

// deferred is a promise of the model that settles once: every await of
// it waits for the same result.
type deferred struct {
	once sync.Once
	done chan struct{}
	val  any
	err  error
}

func newDeferred() *deferred { return &deferred{done: make(chan struct{})} }

func (d *deferred) settle(v any, err error) {
	d.once.Do(func() {
		d.val, d.err = v, err
		close(d.done)
	})
}

func (d *deferred) promise() *jsPromise {
	return &jsPromise{run: func(ctx context.Context) (any, error) {
		<-d.done
		if d.val == nil && d.err == nil {
			return jsUndefined{}, nil
		}
		return d.val, d.err
	}}
}

// socketSet is the sockets of an Isolate, by the I/O context that owns
// them, which close when it ends.
type socketSet struct {
	mu     sync.Mutex
	by     map[ioContext]map[*tcpSocket]struct{}
	closed bool
}

func (ss *socketSet) add(s *tcpSocket) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return false
	}
	if ss.by == nil {
		ss.by = map[ioContext]map[*tcpSocket]struct{}{}
	}
	if ss.by[s.owner] == nil {
		ss.by[s.owner] = map[*tcpSocket]struct{}{}
	}
	ss.by[s.owner][s] = struct{}{}
	return true
}

func (ss *socketSet) remove(s *tcpSocket) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.by[s.owner], s)
	if len(ss.by[s.owner]) == 0 {
		delete(ss.by, s.owner)
	}
}

// closeContext closes the sockets of the I/O context c, which has ended.
func (ss *socketSet) closeContext(c ioContext) {
	ss.mu.Lock()
	set := ss.by[c]
	delete(ss.by, c)
	ss.mu.Unlock()
	for s := range set {
		go s.close()
	}
}

// closeAll closes every socket; with final, later connects fail.
func (ss *socketSet) closeAll(final bool) {
	ss.mu.Lock()
	by := ss.by
	ss.by = nil
	if final {
		ss.closed = true
	}
	ss.mu.Unlock()
	for _, set := range by {
		for s := range set {
			s.close()
		}
	}
}
