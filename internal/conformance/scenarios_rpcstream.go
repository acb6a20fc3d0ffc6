package conformance

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// rpcStreams: methods that return streams of values (iter.Seq,
// iter.Seq2, a channel: JSON lines) and of bytes (io.Reader), read by a
// JavaScript caller as ReadableStreams and by a Go caller as
// worker.Streams; errors that end them, the caller's cancelling, a
// stream's back-pressure, and a ReadableStream argument read as an
// io.Reader.
func (s *suite) rpcStreams(t *testing.T) {
	obj := fmt.Sprintf("rpcstream-%d", time.Now().UnixNano())
	callStream := func(method string, args ...any) io.ReadCloser {
		t.Helper()
		r, err := s.target.CallStream(t, "SANDBOX", obj, method, args...)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		return r
	}
	read := func(method string, lines int, args ...any) (string, *JSError) {
		t.Helper()
		return s.target.ReadStream(t, "SANDBOX", obj, method, lines, args...)
	}

	t.Run("ValuesAsTheyCome", func(t *testing.T) {
		// Value i+1 is produced only once the caller has acknowledged
		// value i with another call to the object, made while the stream
		// is open.
		r := callStream("count", 3, "acks")
		defer r.Close()
		br := bufio.NewReader(r)
		for i := 1; i <= 3; i++ {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("line %d: %v (read %q)", i, err, line)
			}
			equal(t, fmt.Sprintf("line %d", i), line, fmt.Sprintf("%d\n", i))
			s.call(t, obj, "streamAck", "acks", i)
		}
		if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
			t.Errorf("after the last value: %q, %v; want the end", rest, err)
		}
	})

	t.Run("Channel", func(t *testing.T) {
		text, err := read("countChan", 0, 3)
		equal(t, "error", err, (*JSError)(nil))
		equal(t, "lines", text, "{\"x\":1,\"y\":-1}\n{\"x\":2,\"y\":-2}\n{\"x\":3,\"y\":-3}\n")
	})

	t.Run("ErrorLine", func(t *testing.T) {
		text, err := read("countThenFail", 0, 2)
		equal(t, "error", err, (*JSError)(nil))
		equal(t, "lines", text, "1\n2\n"+`{"error":{"name":"RangeError","message":"counted past 2","code":"E_PAST"}}`+"\n")
		text, err = read("countThenPanic", 0, 1)
		equal(t, "error", err, (*JSError)(nil))
		equal(t, "lines of a panic", text, "1\n"+`{"error":{"name":"Error","message":"Sandbox.CountThenPanic panicked: the producer broke"}}`+"\n")
	})

	t.Run("Cancel", func(t *testing.T) {
		// The caller reads two values and cancels: the producer's
		// context ends, which it notes.
		text, err := read("forever", 2, "forever")
		equal(t, "error", err, (*JSError)(nil))
		equal(t, "read", text, "1\n2\n")
		s.waitCancelled(t, obj, "forever")
		// A Go caller that stops ranging over worker.Values.
		equal(t, "a Go caller's values", s.getJSON(t, "/rpcstream-take?key=go&name="+obj, 200), []any{1.0, 2.0})
		s.waitCancelled(t, obj, "go")
	})

	t.Run("BytesLarge", func(t *testing.T) {
		// (Back-pressure is checked by the Go caller below: the proxy of
		// wrangler dev in front of the JavaScript caller holds up to 14 MB
		// of a response the test does not read, measured.)
		const n = 16 << 20
		r := callStream("blob", n, "blob")
		defer r.Close()
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n || !bytes.Equal(got, pattern(n)) {
			t.Errorf("read %d bytes, want %d of the pattern", len(got), n)
		}
	})

	t.Run("BytesBackPressure", func(t *testing.T) {
		// A Go caller reads 64 KiB, waits, and asks how much the producer
		// has produced: what the host holds (1 MiB) and a chunk, not all.
		const n = 16 << 20
		got := s.getJSON(t, fmt.Sprintf("/rpcstream-pause?n=%d&name=%s", n, obj), 200).(map[string]any)
		t.Logf("Go caller: produced %v bytes while it had read 65536", got["producedWhilePaused"])
		equal(t, "read", got["read"], float64(n))
		if p := got["producedWhilePaused"].(float64); p <= 0 || p >= n {
			t.Errorf("produced %v of %d bytes while the Go caller waited; want back-pressure", p, n)
		}
	})

	t.Run("BytesThatFail", func(t *testing.T) {
		// workerd's RPC drops the producer's message, and the bytes
		// queued when the error came (measured: none arrived).
		text, err := read("blobFails", 0, 1000)
		if !strings.HasPrefix(string(pattern(1000)), text) {
			t.Errorf("read %q before the error, want a prefix of the pattern", text)
		}
		equal(t, "error", err, &JSError{Name: "Error", Message: "ReadableStream received over RPC disconnected prematurely."})
	})

	t.Run("StreamArgument", func(t *testing.T) {
		for _, n := range []int{0, 10, 300 << 10} {
			body := pattern(n)
			sum := sha256.Sum256(body)
			got := s.call(t, obj, "sum", "up", JSStream{R: bytes.NewReader(body)})
			equal(t, fmt.Sprintf("sum of %d bytes", n), got, map[string]any{"bytes": float64(n), "sha256": "up:" + hex.EncodeToString(sum[:])})
		}
	})

	t.Run("GoCaller", func(t *testing.T) {
		get := func(path string) string {
			t.Helper()
			r := expectStatus(t, s.get(t, path+"&name="+obj), 200)
			return string(r.Body)
		}
		equal(t, "values", get("/rpcstream/count?n=3"), "1\n2\n3\n")
		equal(t, "channel", get("/rpcstream/countChan?n=2"), "map[x:1 y:-1]\nmap[x:2 y:-2]\n")
		equal(t, "error line", get("/rpcstream/countThenFail?n=2"), "1\n2\nerror: RangeError: counted past 2 (E_PAST)\n")
		if b := get("/rpcstream/blob?n=300000"); b != string(pattern(300000)) {
			t.Errorf("bytes: read %d, want %d of the pattern", len(b), 300000)
		}
		for _, n := range []int{10, 300 << 10} {
			body := pattern(n)
			sum := sha256.Sum256(body)
			got := decodeJSON(t, expectStatus(t, s.do(t, "POST", "/rpcstream-sum?name="+obj, "application/octet-stream", body), 200))
			equal(t, fmt.Sprintf("a Go caller's stream of %d bytes", n), got, map[string]any{"bytes": float64(n), "sha256": "go:" + hex.EncodeToString(sum[:])})
		}
		b, readErr, _ := strings.Cut(get("/rpcstream/blobFails?n=1000"), "\nread error: ")
		if !strings.HasPrefix(string(pattern(1000)), b) {
			t.Errorf("bytes that fail: read %d bytes, want a prefix of the pattern", len(b))
		}
		equal(t, "read error of bytes that fail", readErr, "godurable: reading the stream of blobFails: ReadableStream received over RPC disconnected prematurely.")
	})
}

// waitCancelled waits until the Forever stream under key has noted that
// its context ended, having produced at least 2 values.
func (s *suite) waitCancelled(t *testing.T, obj, key string) {
	t.Helper()
	var produced float64
	for range 500 {
		if produced, _ = s.call(t, obj, "streamNote", "cancelled:"+key).(float64); produced > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if produced < 3 {
		t.Errorf("the producer of %s noted %v, want its context cancelled after at least 2 values", key, produced)
	}
}

// pattern is what Sandbox.Blob streams: byte i is i mod 251.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}
