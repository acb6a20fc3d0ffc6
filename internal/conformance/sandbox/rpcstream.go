package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/godurable/godurable/worker"
)

// Streams over RPC: methods that return streams of values and of bytes,
// one that takes a stream, and Worker routes where a Go caller reads a Go
// object's streams.

// streamNotes are what the producers note about themselves (acks, bytes
// produced), by key, in the instance's memory: a scenario asks for them
// over RPC while the stream is open.
var streamNotes = struct {
	sync.Mutex
	m map[string]int64
}{m: map[string]int64{}}

func note(key string, v int64) {
	streamNotes.Lock()
	streamNotes.m[key] = v
	streamNotes.Unlock()
}

func noted(key string) int64 {
	streamNotes.Lock()
	defer streamNotes.Unlock()
	return streamNotes.m[key]
}

// StreamAck acknowledges value i of Count's stream under key.
func (s *Sandbox) StreamAck(key string, i int64) { note("ack:"+key, i) }

// StreamNote returns what a producer noted under key: "produced:K" the
// bytes Blob has produced, "cancelled:K" 1 + the values Forever had
// produced when its context ended.
func (s *Sandbox) StreamNote(key string) int64 { return noted(key) }

// Count streams 1..n; with a key, value i+1 comes only once the caller has
// acknowledged value i (StreamAck), so a stream held back until its end
// would never get past the first value (Count gives up after 2000 polls
// 5 ms apart and ends with -1).
func (s *Sandbox) Count(ctx context.Context, n int, key string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; i <= n; i++ {
			if !yield(i) {
				return
			}
			if key == "" || i == n {
				continue
			}
			for polls := 0; noted("ack:"+key) < int64(i); polls++ {
				if polls == 2000 || worker.Sleep(ctx, 5*time.Millisecond) != nil {
					yield(-1)
					return
				}
			}
		}
	}
}

// CountChan streams 1..n through a channel.
func (s *Sandbox) CountChan(ctx context.Context, n int) <-chan Point {
	ch := make(chan Point)
	go func() {
		defer close(ch)
		for i := 1; i <= n; i++ {
			select {
			case ch <- Point{X: int64(i), Y: int64(-i)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// CountThenFail streams 1..n, then fails with a RangeError of code
// E_PAST.
func (s *Sandbox) CountThenFail(n int) iter.Seq2[int, error] {
	return func(yield func(int, error) bool) {
		for i := 1; i <= n; i++ {
			if !yield(i, nil) {
				return
			}
		}
		yield(0, &worker.Error{Name: "RangeError", Message: fmt.Sprintf("counted past %d", n), Code: "E_PAST"})
	}
}

// CountThenPanic streams 1..n, then panics.
func (s *Sandbox) CountThenPanic(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; i <= n; i++ {
			if !yield(i) {
				return
			}
		}
		panic("the producer broke")
	}
}

// Forever streams 1, 2, 3, ... 10 ms apart until the caller gives up; it
// notes under "cancelled:"+key 1 + how many it had produced once its
// context ends.
func (s *Sandbox) Forever(ctx context.Context, key string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; ; i++ {
			if !yield(i) || worker.Sleep(ctx, 10*time.Millisecond) != nil {
				<-ctx.Done()
				note("cancelled:"+key, int64(i)+1)
				return
			}
		}
	}
}

// Blob streams n bytes (byte i is i mod 251) as the caller reads them,
// noting under "produced:"+key how many it has produced.
func (s *Sandbox) Blob(n int64, key string) io.Reader {
	return &patternReader{n: n, key: key}
}

type patternReader struct {
	n, off int64
	key    string
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte((p.off + int64(i)) % 251)
	}
	p.off += int64(len(b))
	note("produced:"+p.key, p.off)
	return len(b), nil
}

// BlobFails streams n bytes, then fails.
func (s *Sandbox) BlobFails(n int64) io.Reader {
	return io.MultiReader(&patternReader{n: n}, failingReader{})
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("the disk broke") }

// Digest is what Sum read of a stream.
type Digest struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Sum reads a stream (a ReadableStream from JavaScript) to its end.
func (s *Sandbox) Sum(label string, r io.Reader) (Digest, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return Digest{}, err
	}
	return Digest{Bytes: n, SHA256: label + ":" + hex.EncodeToString(h.Sum(nil))}, nil
}

// rpcStreamRoutes are the Go caller's side: GET /rpcstream/{method}?name=&n=
// calls the Sandbox object's stream method and relays what it reads,
// values as "value\n" lines and a final "error: name: message (code)"
// line, bytes as they come.
func rpcStreamRoutes(mux *http.ServeMux) {
	// GET /rpcstream-pause?name=&n= reads 64 KiB of Blob(n), waits 200 ms,
	// asks how much Blob has produced, and reads the rest: {"read",
	// "producedWhilePaused"}.
	mux.HandleFunc("GET /rpcstream-pause", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		stub, err := sandboxStub(name)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		var st worker.Stream
		if err := stub.Call(r.Context(), "blob", &st, n, "pause"); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		defer st.Close()
		first, err := io.ReadFull(&st, make([]byte, 64<<10))
		if err == nil {
			err = worker.Sleep(r.Context(), 200*time.Millisecond)
		}
		var produced int64
		if err == nil {
			err = stub.Call(r.Context(), "streamNote", &produced, "produced:pause")
		}
		rest, rerr := io.Copy(io.Discard, &st)
		if err == nil {
			err = rerr
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"read": int64(first) + rest, "producedWhilePaused": produced})
	})
	// POST /rpcstream-sum?name= passes the request's body on to Sum as an
	// io.Reader.
	mux.HandleFunc("POST /rpcstream-sum", func(w http.ResponseWriter, r *http.Request) {
		stub, err := sandboxStub(r.URL.Query().Get("name"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		var d Digest
		if err := stub.Call(r.Context(), "sum", &d, "go", r.Body); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
	// GET /rpcstream-take?name=&key= reads two values of Forever(key) and
	// stops ranging, which closes the stream.
	mux.HandleFunc("GET /rpcstream-take", func(w http.ResponseWriter, r *http.Request) {
		stub, err := sandboxStub(r.URL.Query().Get("name"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		var st worker.Stream
		if err := stub.Call(r.Context(), "forever", &st, r.URL.Query().Get("key")); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		var got []int
		for v, err := range worker.Values[int](&st) {
			if err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			if got = append(got, v); len(got) == 2 {
				break
			}
		}
		writeJSON(w, http.StatusOK, got)
	})
	mux.HandleFunc("GET /rpcstream/{method}", func(w http.ResponseWriter, r *http.Request) {
		stub, err := sandboxStub(r.URL.Query().Get("name"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		method := r.PathValue("method")
		args := []any{n}
		switch method {
		case "count":
			args = append(args, "")
		case "blob":
			args = append(args, "")
		}
		var st worker.Stream
		if err := stub.Call(r.Context(), method, &st, args...); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		defer st.Close()
		if !st.Lines() {
			if _, err := io.Copy(w, &st); err != nil {
				fmt.Fprintf(w, "\nread error: %v", err)
			}
			return
		}
		flusher := w.(http.Flusher)
		for v, err := range worker.Values[any](&st) {
			if err != nil {
				var we *worker.Error
				if errors.As(err, &we) {
					fmt.Fprintf(w, "error: %s: %s (%s)\n", we.ErrorName(), we.Message, we.Code)
				} else {
					fmt.Fprintf(w, "error: %v\n", err)
				}
				return
			}
			fmt.Fprintf(w, "%v\n", v)
			flusher.Flush()
		}
	})
}
