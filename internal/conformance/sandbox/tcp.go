package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/sockets"
	"github.com/godurable/godurable/worker"
)

// The TCP sockets scenarios (package sockets): each route connects to a
// server the test started on 127.0.0.1 (its address in ?addr=) and
// answers what it saw, as JSON. The stateless Worker serves them under
// /tcp/, the Sandbox object under /do/{name}/tcp/.
func tcpRoutes(mux *http.ServeMux, prefix string) {
	mux.HandleFunc("GET "+prefix+"/tcp/echo", tcpEcho)
	mux.HandleFunc("GET "+prefix+"/tcp/large", tcpLarge)
	mux.HandleFunc("GET "+prefix+"/tcp/deadline", tcpDeadline)
	mux.HandleFunc("GET "+prefix+"/tcp/closer", tcpCloser)
	mux.HandleFunc("GET "+prefix+"/tcp/halfopen", tcpHalfOpen)
	mux.HandleFunc("GET "+prefix+"/tcp/refused", tcpRefused)
	mux.HandleFunc("GET "+prefix+"/tcp/badaddr", tcpBadAddress)
	mux.HandleFunc("GET "+prefix+"/tcp/starttls", tcpStartTLS)
	mux.HandleFunc("GET "+prefix+"/tcp/tls", tcpTLS)
	mux.HandleFunc("GET "+prefix+"/tcp/keep", tcpKeep)
	mux.HandleFunc("GET "+prefix+"/tcp/kept", tcpKept)
}

func tcpConnect(w http.ResponseWriter, r *http.Request, opts *sockets.Options) *sockets.Conn {
	c, err := sockets.Connect(r.Context(), r.URL.Query().Get("addr"), opts)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return nil
	}
	return c
}

// tcpEcho writes a line to an echo server and reads it back.
func tcpEcho(w http.ResponseWriter, r *http.Request) {
	c := tcpConnect(w, r, nil)
	if c == nil {
		return
	}
	defer c.Close()
	out := map[string]any{"remote": c.RemoteAddr().String(), "local": c.LocalAddr().String(), "network": c.RemoteAddr().Network()}
	_, err := c.Write([]byte("hello, socket\n"))
	buf := make([]byte, len("hello, socket\n"))
	if err == nil {
		_, err = io.ReadFull(c, buf)
	}
	out["echo"], out["error"] = string(buf), errString(err)
	out["close"] = errString(c.Close())
	out["closeTwice"] = errors.Is(c.Close(), net.ErrClosed)
	_, err = c.Read(buf)
	out["readClosed"] = errors.Is(err, net.ErrClosed)
	writeJSON(w, http.StatusOK, out)
}

// tcpLarge writes ?n= bytes to an echo server while it reads them back,
// and answers their digest both ways: Write waits for the network, so
// the reads must go on meanwhile.
func tcpLarge(w http.ResponseWriter, r *http.Request) {
	c := tcpConnect(w, r, nil)
	if c == nil {
		return
	}
	defer c.Close()
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7 / 3)
	}
	sent := sha256.Sum256(data)
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, werr = c.Write(data)
	}()
	h := sha256.New()
	buf := make([]byte, 64<<10)
	got, reads, most := 0, 0, 0
	var rerr error
	for got < n && rerr == nil {
		var k int
		k, rerr = c.Read(buf)
		h.Write(buf[:k])
		got += k
		reads++
		most = max(most, k)
	}
	wg.Wait()
	writeJSON(w, http.StatusOK, map[string]any{"sent": hex.EncodeToString(sent[:]), "received": hex.EncodeToString(h.Sum(nil)),
		"bytes": got, "readsAtMost4K": most <= 4096, "writeError": errString(werr), "readError": errString(rerr)})
}

// tcpDeadline reads from an echo server that has nothing to send: the
// read deadline ends the Read with a timeout, and the connection goes on.
func tcpDeadline(w http.ResponseWriter, r *http.Request) {
	c := tcpConnect(w, r, nil)
	if c == nil {
		return
	}
	defer c.Close()
	out := map[string]any{}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	buf := make([]byte, 16)
	_, err := c.Read(buf)
	var ne net.Error
	out["timeout"] = errors.As(err, &ne) && ne.Timeout() && errors.Is(err, os.ErrDeadlineExceeded)
	_, err = c.Read(buf) // still past: at once
	out["stillPast"] = errors.Is(err, os.ErrDeadlineExceeded)
	c.SetReadDeadline(time.Time{})
	_, err = c.Write([]byte("after"))
	k := 0
	if err == nil {
		k, err = io.ReadFull(c, buf[:5])
	}
	out["after"], out["error"] = string(buf[:k]), errString(err)
	// A deadline set while a Read waits wakes it.
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(buf)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.SetDeadline(time.Now())
	out["woken"] = errors.Is(<-done, os.ErrDeadlineExceeded)
	c.SetDeadline(time.Time{})
	_, err = c.Write([]byte("again"))
	if err == nil {
		k, err = io.ReadFull(c, buf[:5])
	}
	out["again"], out["againError"] = string(buf[:k]), errString(err)
	writeJSON(w, http.StatusOK, out)
}

// tcpCloser reads from a server that sends a little and closes: the rest
// of the reads end with io.EOF, and a write after it fails, workerd
// having closed the writable side (no AllowHalfOpen).
func tcpCloser(w http.ResponseWriter, r *http.Request) {
	c := tcpConnect(w, r, nil)
	if c == nil {
		return
	}
	defer c.Close()
	b, err := io.ReadAll(c)
	out := map[string]any{"read": string(b), "readError": errString(err)}
	_, err = c.Read(make([]byte, 1))
	out["eofAgain"] = err == io.EOF
	out["closed"] = errString(c.Closed(r.Context()))
	_, err = c.Write([]byte("late"))
	var we *worker.Error
	if errors.As(err, &we) {
		out["lateWrite"] = we.Name + ": " + we.Message
	} else {
		out["lateWrite"] = errString(err)
	}
	writeJSON(w, http.StatusOK, out)
}

// tcpHalfOpen sends to a server that answers once it has read everything:
// CloseWrite ends the sending side, and the answer still arrives.
func tcpHalfOpen(w http.ResponseWriter, r *http.Request) {
	c := tcpConnect(w, r, &sockets.Options{AllowHalfOpen: true})
	if c == nil {
		return
	}
	defer c.Close()
	_, err := c.Write([]byte("half"))
	if err == nil {
		err = c.CloseWrite()
	}
	var b []byte
	if err == nil {
		b, err = io.ReadAll(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"answer": string(b), "error": errString(err)})
}

// tcpRefused connects to a port nobody listens on.
func tcpRefused(w http.ResponseWriter, r *http.Request) {
	_, err := sockets.Connect(r.Context(), r.URL.Query().Get("addr"), nil)
	var oe *net.OpError
	var we *worker.Error
	writeJSON(w, http.StatusOK, map[string]any{
		"cannotConnect": errors.Is(err, sockets.ErrCannotConnect),
		"opError":       errors.As(err, &oe) && oe.Op == "dial",
		"jsError":       errors.As(err, &we) && we.Name == "Error",
		"message":       jsMessage(err),
	})
}

// tcpBadAddress connects to addresses workerd refuses to parse.
func tcpBadAddress(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{}
	for _, a := range []string{"no-port", "bad host:1"} {
		_, err := sockets.Connect(r.Context(), a, nil)
		out[a] = jsMessage(err)
	}
	_, err := sockets.Connect(r.Context(), "127.0.0.1:1", &sockets.Options{SecureTransport: "sometimes"})
	out["secureTransport"] = jsMessage(err)
	writeJSON(w, http.StatusOK, out)
}

// jsMessage is "Name: message" of the *worker.Error in err.
func jsMessage(err error) string {
	var we *worker.Error
	if errors.As(err, &we) {
		return we.Name + ": " + we.Message
	}
	return errString(err)
}

// tcpStartTLS speaks a line-based protocol in the clear, then upgrades:
// the server answers "OK" to "STARTTLS", then echoes over TLS.
func tcpStartTLS(w http.ResponseWriter, r *http.Request) {
	c := tcpConnect(w, r, &sockets.Options{SecureTransport: sockets.StartTLS})
	if c == nil {
		return
	}
	defer c.Close()
	out := map[string]any{}
	_, err := c.Write([]byte("STARTTLS\n"))
	buf := make([]byte, 3)
	if err == nil {
		_, err = io.ReadFull(c, buf)
	}
	out["plain"] = string(buf)
	if err == nil {
		err = c.StartTLS(r.Context())
	}
	out["startTLS"] = jsMessage(err)
	if err == nil {
		out["opened"] = c.Opened().RemoteAddress
		_, err = c.Write([]byte("secret"))
		buf = make([]byte, 6)
		if err == nil {
			_, err = io.ReadFull(c, buf)
		}
		out["tls"], out["error"] = string(buf), errString(err)
	}
	writeJSON(w, http.StatusOK, out)
}

// tcpTLS connects with TLS from the start to a TLS echo server.
func tcpTLS(w http.ResponseWriter, r *http.Request) {
	c, err := sockets.Connect(r.Context(), r.URL.Query().Get("addr"), &sockets.Options{SecureTransport: sockets.On})
	out := map[string]any{"connect": jsMessage(err)}
	if err == nil {
		defer c.Close()
		_, err = c.Write([]byte("over tls"))
		buf := make([]byte, 8)
		if err == nil {
			_, err = io.ReadFull(c, buf)
		}
		out["echo"], out["error"] = string(buf), errString(err)
	}
	writeJSON(w, http.StatusOK, out)
}

var (
	keptConnsMu sync.Mutex
	keptConns   = map[string]*sockets.Conn{} // by path prefix: "" (the Worker) or the object's name
)

// tcpKeep opens a connection and keeps it for GET .../tcp/kept: another
// request of the stateless Worker, or another event of the same object.
func tcpKeep(w http.ResponseWriter, r *http.Request) {
	c := tcpConnect(w, r, nil)
	if c == nil {
		return
	}
	_, err := c.Write([]byte("one"))
	buf := make([]byte, 3)
	if err == nil {
		_, err = io.ReadFull(c, buf)
	}
	keptConnsMu.Lock()
	keptConns[r.PathValue("name")] = c
	keptConnsMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"echo": string(buf), "error": errString(err)})
}

// tcpKept uses the connection GET .../tcp/keep kept: in the stateless
// Worker its request has finished, and workerd closed it; in an object,
// it is the object's.
func tcpKept(w http.ResponseWriter, r *http.Request) {
	keptConnsMu.Lock()
	c := keptConns[r.PathValue("name")]
	delete(keptConns, r.PathValue("name"))
	keptConnsMu.Unlock()
	if c == nil {
		writeError(w, http.StatusNotFound, errors.New("nothing kept"))
		return
	}
	_, err := c.Write([]byte("two"))
	buf := make([]byte, 3)
	if err == nil {
		_, err = io.ReadFull(c, buf)
	}
	out := map[string]any{"echo": string(bytes.TrimRight(buf, "\x00")), "otherRequest": errors.Is(err, jsbridge.ErrOtherRequest), "error": errString(err)}
	c.Close()
	writeJSON(w, http.StatusOK, out)
}
