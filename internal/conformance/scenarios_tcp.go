package conformance

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TCPServers are the loopback servers the TCP sockets scenarios connect
// to, each on a port chosen at run time, with a self-signed certificate
// for 127.0.0.1 that both runtimes trust through NODE_EXTRA_CA_CERTS
// (wrangler dev hands its certificates to workerd; dotest reads it too).
type TCPServers struct {
	Echo      string // echoes what it reads
	Closer    string // sends "part one|" and closes
	HalfClose string // reads to the end, then answers "got:" and what it read
	StartTLS  string // "STARTTLS\n" -> "OK\n", then an echo over TLS
	TLS       string // an echo over TLS
	Refused   string // nobody listens
	CAFile    string // the certificate, PEM

	ls []net.Listener
	wg sync.WaitGroup
}

// StartTCPServers starts the servers and sets NODE_EXTRA_CA_CERTS for the
// test, so call it before the Target starts; they stop when the test
// ends.
func StartTCPServers(t testing.TB) *TCPServers {
	t.Helper()
	cert, certPEM := selfSigned(t)
	s := &TCPServers{CAFile: filepath.Join(t.TempDir(), "ca.pem")}
	if err := os.WriteFile(s.CAFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NODE_EXTRA_CA_CERTS", s.CAFile)
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	s.Echo = s.serve(t, func(c net.Conn) { io.Copy(c, c) })
	s.Closer = s.serve(t, func(c net.Conn) { c.Write([]byte("part one|")) })
	s.HalfClose = s.serve(t, func(c net.Conn) {
		b, _ := io.ReadAll(c)
		c.Write(append([]byte("got:"), b...))
	})
	s.StartTLS = s.serve(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		if line, err := br.ReadString('\n'); err != nil || line != "STARTTLS\n" {
			return
		}
		c.Write([]byte("OK\n"))
		tc := tls.Server(c, tlsConfig)
		io.Copy(tc, tc)
	})
	s.TLS = s.serve(t, func(c net.Conn) {
		tc := tls.Server(c, tlsConfig)
		io.Copy(tc, tc)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Refused = l.Addr().String()
	l.Close()
	t.Cleanup(s.close)
	return s
}

// serve accepts connections on a new loopback port, each handled by h and
// then closed, until the test ends.
func (s *TCPServers) serve(t testing.TB, h func(net.Conn)) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ls = append(s.ls, l)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(time.Minute)) // bounded, whatever the client does
				h(c)
			}()
		}
	}()
	return l.Addr().String()
}

func (s *TCPServers) close() {
	for _, l := range s.ls {
		l.Close()
	}
	s.wg.Wait()
}

// selfSigned makes a certificate for 127.0.0.1 and localhost that is its
// own certificate authority.
func selfSigned(t testing.TB) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "godurable conformance"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// RunTCP runs the TCP sockets scenarios (package sockets; the sandbox's
// /tcp/ routes) against target, from the stateless Worker and from a
// Durable Object.
func RunTCP(t *testing.T, target Target, servers *TCPServers) {
	s := &suite{target: target}
	for _, where := range []struct{ name, prefix string }{{"Worker", ""}, {"Object", "/do/tcp-object"}} {
		t.Run(where.name, func(t *testing.T) { s.tcp(t, where.prefix, servers) })
	}
	t.Run("OtherRequest", func(t *testing.T) {
		// workerd closes a request's socket when the request ends: another
		// request that uses it gets ErrOtherRequest.
		equal(t, "keep", s.getJSON(t, "/tcp/keep?addr="+servers.Echo, 200), map[string]any{"echo": "one", "error": ""})
		got := s.getJSON(t, "/tcp/kept", 200).(map[string]any)
		equal(t, "a request's socket used by the next request: ErrOtherRequest", got["otherRequest"], true)
	})
	t.Run("ObjectKeeps", func(t *testing.T) {
		// An object's socket is the object's: its next event uses it.
		equal(t, "keep", s.getJSON(t, "/do/tcp-keeper/tcp/keep?addr="+servers.Echo, 200), map[string]any{"echo": "one", "error": ""})
		equal(t, "kept", s.getJSON(t, "/do/tcp-keeper/tcp/kept", 200), map[string]any{"echo": "two", "otherRequest": false, "error": ""})
	})
}

func (s *suite) tcp(t *testing.T, prefix string, servers *TCPServers) {
	get := func(t *testing.T, route, addr string) map[string]any {
		t.Helper()
		return s.getJSON(t, prefix+"/tcp/"+route+"?addr="+url.QueryEscape(addr), 200).(map[string]any)
	}
	t.Run("Echo", func(t *testing.T) {
		equal(t, "echo", get(t, "echo", servers.Echo), map[string]any{
			"remote": servers.Echo, "local": "", "network": "tcp", "echo": "hello, socket\n", "error": "",
			"close": "", "closeTwice": true, "readClosed": true})
	})
	t.Run("LargeWrite", func(t *testing.T) {
		got := s.getJSON(t, prefix+"/tcp/large?n=3000000&addr="+servers.Echo, 200).(map[string]any)
		equal(t, "bytes echoed", got["bytes"], 3e6)
		equal(t, "digest", got["received"], got["sent"])
		equal(t, "reads of at most 4 KiB", got["readsAtMost4K"], true)
		equal(t, "errors", []any{got["writeError"], got["readError"]}, []any{"", ""})
	})
	t.Run("Deadline", func(t *testing.T) {
		equal(t, "deadlines", get(t, "deadline", servers.Echo), map[string]any{
			"timeout": true, "stillPast": true, "after": "after", "error": "", "woken": true, "again": "again", "againError": ""})
	})
	t.Run("ServerCloses", func(t *testing.T) {
		equal(t, "a server that closes", get(t, "closer", servers.Closer), map[string]any{
			"read": "part one|", "readError": "", "eofAgain": true, "closed": "",
			"lateWrite": "TypeError: This WritableStream has been closed."})
	})
	t.Run("HalfOpen", func(t *testing.T) {
		equal(t, "half-open", get(t, "halfopen", servers.HalfClose), map[string]any{"answer": "got:half", "error": ""})
	})
	t.Run("Refused", func(t *testing.T) {
		equal(t, "connection refused", get(t, "refused", servers.Refused), map[string]any{
			"cannotConnect": true, "opError": true, "jsError": true,
			"message": "Error: proxy request failed, cannot connect to the specified address"})
	})
	t.Run("BadAddress", func(t *testing.T) {
		equal(t, "addresses workerd refuses", get(t, "badaddr", ""), map[string]any{
			"no-port":         "TypeError: Specified address is missing port.",
			"bad host:1":      "TypeError: Specified address could not be parsed.",
			"secureTransport": "TypeError: Unsupported value in secureTransport socket option: sometimes"})
	})
	t.Run("StartTLS", func(t *testing.T) {
		equal(t, "STARTTLS", get(t, "starttls", servers.StartTLS), map[string]any{
			"plain": "OK\n", "startTLS": "", "opened": servers.StartTLS, "tls": "secret", "error": ""})
	})
	t.Run("TLS", func(t *testing.T) {
		equal(t, "TLS from the start", get(t, "tls", servers.TLS), map[string]any{"connect": "", "echo": "over tls", "error": ""})
	})
}
