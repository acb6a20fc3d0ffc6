package workerd

import (
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// A body that streams from the guest, as the shim's BodyStream has it: an
// event's response, or the body of a request the guest sends. The guest
// writes chunks (body.write) during its calls, the reader reads them as
// they come, and a guest that writes faster than the reader reads waits
// in body.drain. A client that stops reading a response (Close) cancels
// the event.

// drainAbove is what the host holds unread before body.drain waits, as
// the shim's ReadableStream's high-water mark.
const drainAbove = 1 << 20

// bodyKey names a body as abi.BodyRef does; a request's body, whose
// stream ID is unique in its instance, is found without its event.
type bodyKey struct {
	inst          *driver.Instance
	event, stream int32
}

func keyOf(inst *driver.Instance, ref abi.BodyRef) bodyKey {
	if ref.Stream != 0 {
		return bodyKey{inst, 0, ref.Stream}
	}
	return bodyKey{inst, ref.Event, 0}
}

type bodyStream struct {
	mu     sync.Mutex
	more   *sync.Cond // on mu: a chunk, the end, or the client went away
	chunks [][]byte
	unread int
	ended  bool
	errMsg string
	gone   bool
	cancel func() // cancels the event in Go
	cur    []byte
}

func newBodyStream() *bodyStream {
	b := &bodyStream{}
	b.more = sync.NewCond(&b.mu)
	return b
}

// body returns the body ref names, made at its first use.
func (iso *Isolate) body(inst *driver.Instance, ref abi.BodyRef) *bodyStream {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.bodies == nil {
		iso.bodies = map[bodyKey]*bodyStream{}
	}
	k := keyOf(inst, ref)
	b := iso.bodies[k]
	if b == nil {
		b = newBodyStream()
		iso.bodies[k] = b
	}
	return b
}

func (iso *Isolate) forgetBody(inst *driver.Instance, ref abi.BodyRef) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	delete(iso.bodies, keyOf(inst, ref))
}

// sending returns the reader of the body of r if it streams from the
// guest, and a function that fails the request with an error, giving the
// body up (as the shim's sendRequest does), so that the guest stops
// writing it.
func (iso *Isolate) sending(r *abi.Request) (io.ReadCloser, func(error) ([]byte, error)) {
	var sent io.ReadCloser
	if r.BodyWriter != 0 {
		sent = iso.sentBody(r.BodyWriter)
	}
	return sent, func(err error) ([]byte, error) {
		if sent != nil {
			sent.Close()
		}
		return nil, err
	}
}

// sentBody returns the reader of the body of a request the guest sends
// that streams from it (abi.Request.BodyWriter).
func (iso *Isolate) sentBody(writer int32) io.ReadCloser {
	inst, ref := iso.current(), abi.BodyRef{Stream: writer}
	return &bodyReader{b: iso.body(inst, ref), done: func() { iso.forgetBody(inst, ref) }}
}

// streamed gives resp, the response of ev (nil if it failed), its Rest if
// it streams; done runs when the event is over (its body read or given
// up, or at once if it does not stream).
func (iso *Isolate) streamed(inst *driver.Instance, ev *driver.Event, resp *abi.Response, done func()) {
	if resp == nil || !resp.Stream {
		done()
		return
	}
	resp.Rest = iso.eventBody(inst, ev, done)
}

// eventBody returns the reader of the body ev streams (its response, or
// its stream result), whose Close before the end cancels ev; done runs
// when it is over.
func (iso *Isolate) eventBody(inst *driver.Instance, ev *driver.Event, done func()) io.ReadCloser {
	ref := abi.BodyRef{Event: ev.ID()}
	b := iso.body(inst, ref)
	b.mu.Lock()
	// Later, as the shim's drive loop cancels it: the reader may be closed
	// by a host call of the same instance (a Go caller's body.cancel).
	b.cancel = func() { go inst.Cancel(ev) }
	b.mu.Unlock()
	return &bodyReader{b: b, done: func() {
		iso.forgetBody(inst, ref)
		done()
	}}
}

// streamIn registers the body of req that is to stream into the guest, if
// any; the function it returns gives it up.
func (iso *Isolate) streamIn(req *abi.Request) func() {
	if req.Rest == nil {
		return func() {}
	}
	id := iso.readers.add(req.Rest)
	req.BodyReader, req.Rest = id, nil
	return func() { iso.readers.cancel(id) }
}

func (b *bodyStream) write(p []byte) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.gone && !b.ended {
		b.chunks = append(b.chunks, append([]byte(nil), p...))
		b.unread += len(p)
		b.more.Broadcast()
	}
	return b.unread
}

func (b *bodyStream) close(errMsg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ended, b.errMsg = true, errMsg
	b.more.Broadcast()
}

// drain waits until the client has read most of what is held, and reports
// whether the client went away.
func (b *bodyStream) drain() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for !b.gone && b.unread > drainAbove {
		b.more.Wait()
	}
	return b.gone
}

// bodyReader is the client's end of a bodyStream.
type bodyReader struct {
	b    *bodyStream
	done func()
	once sync.Once
}

// ErrBodyCut is the error of reading a streamed body that its handler cut
// short (a panic, a crash).
var ErrBodyCut = errors.New("the response body was cut short")

func (r *bodyReader) Read(p []byte) (int, error) {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.cur) == 0 {
		if len(b.chunks) > 0 {
			b.cur, b.chunks = b.chunks[0], b.chunks[1:]
			continue
		}
		if b.gone {
			return 0, io.ErrClosedPipe
		}
		if b.ended {
			r.once.Do(r.done)
			if b.errMsg != "" {
				return 0, errors.Join(ErrBodyCut, errors.New(b.errMsg))
			}
			return 0, io.EOF
		}
		b.more.Wait()
	}
	n := copy(p, b.cur)
	b.cur = b.cur[n:]
	b.unread -= n
	b.more.Broadcast()
	return n, nil
}

// Close stops reading: if the body has not ended, the client has gone
// away, and the event is cancelled in Go.
func (r *bodyReader) Close() error {
	b := r.b
	b.mu.Lock()
	cancel := b.cancel
	wasOpen := !b.ended
	b.gone = true
	b.chunks, b.cur = nil, nil
	b.more.Broadcast()
	b.mu.Unlock()
	if wasOpen && cancel != nil {
		cancel()
	}
	r.once.Do(r.done)
	return nil
}

// Bodies that stream into the guest (abi.Request.BodyReader), as the
// shim's BodyReaders: the guest reads one chunk per body.read and gives
// one up with body.cancel; the rest are closed with the Isolate.

// streamAbove is the size above which a body streams into the guest (as
// does one whose size is not known), as the shim's STREAM_ABOVE.
const streamAbove = 64 << 10

// readChunk is the most one body.read returns.
const readChunk = 64 << 10

// streams reports whether a body of length n (-1: unknown) streams.
func streams(n int64, h http.Header) bool {
	return n < 0 || n > streamAbove || h.Get("Content-Encoding") != ""
}

type hostReaders struct {
	mu   sync.Mutex
	next int32
	byID map[int32]io.ReadCloser
}

// add registers r and returns its reader ID.
func (hr *hostReaders) add(r io.ReadCloser) int32 {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	if hr.byID == nil {
		hr.byID = map[int32]io.ReadCloser{}
	}
	hr.next++
	hr.byID[hr.next] = r
	return hr.next
}

func (hr *hostReaders) take(id int32) io.ReadCloser {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	r := hr.byID[id]
	delete(hr.byID, id)
	return r
}

func (hr *hostReaders) get(id int32) io.ReadCloser {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	return hr.byID[id]
}

// read returns the next chunk of body id, empty at its end.
func (hr *hostReaders) read(id int32) ([]byte, error) {
	r := hr.get(id)
	if r == nil {
		return nil, NewJSError("Error", "godurable: the body has been closed")
	}
	buf := make([]byte, readChunk)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			return buf[:n], nil
		}
		if err == io.EOF {
			hr.cancel(id)
			return []byte{}, nil
		}
		if err != nil {
			hr.cancel(id)
			var je *driver.JSError
			if errors.As(err, &je) {
				return nil, je
			}
			// workerd's reader rejects with an Error, where a fetch that
			// fails is a TypeError (measured with wrangler 4.164).
			return nil, NewJSError("Error", "Network connection lost.")
		}
	}
}

// cancel closes body id, if it is still open.
func (hr *hostReaders) cancel(id int32) {
	if r := hr.take(id); r != nil {
		r.Close()
	}
}

func (hr *hostReaders) closeAll() {
	hr.mu.Lock()
	all := hr.byID
	hr.byID = nil
	hr.mu.Unlock()
	for _, r := range all {
		r.Close()
	}
}

// AddStream registers r as a stream flowing into the guest (a
// ReadableStream argument) and returns its abi.ExtStream.
func (iso *Isolate) AddStream(r io.ReadCloser) []byte {
	return abi.EncodeStream(abi.StreamRef{Reader: iso.readers.add(r)})
}

// TakeStream returns the reader of a stream result (abi.ExtStream) that
// a call returned, which the caller now owns, and whether it holds lines.
func (iso *Isolate) TakeStream(result []byte) (r io.ReadCloser, lines, ok bool) {
	ref, ok := abi.StreamOf(result)
	if !ok {
		return nil, false, false
	}
	r = iso.readers.take(ref.Reader)
	return r, ref.Lines, r != nil
}

// rpcStream is a stream that crossed Workers RPC: one that its producer
// errored reaches the reader as workerd's RPC gives it, without the
// producer's message (measured with wrangler 4.164).
type rpcStream struct{ io.ReadCloser }

// errRPCStreamCut is what reading a stream that its producer errored
// throws on the other side of Workers RPC.
var errRPCStreamCut = NewJSError("Error", "ReadableStream received over RPC disconnected prematurely.")

func (r rpcStream) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if errors.Is(err, ErrBodyCut) {
		err = errRPCStreamCut
	}
	return n, err
}

// passStreams turns the streams the guest writes among args (the io.Reader
// arguments of a call, abi.StreamRef.Writer) into streams host's guest
// reads, as the shim passes each on as a ReadableStream.
func (iso *Isolate) passStreams(host *Isolate, args []byte) []byte {
	items, err := abi.ArrayItems(args)
	if err != nil {
		return args // the callee refuses them
	}
	changed := false
	for i, it := range items {
		if ref, ok := abi.StreamOf(it); ok && ref.Writer != 0 {
			items[i] = host.AddStream(iso.sentBody(ref.Writer))
			changed = true
		}
	}
	if !changed {
		return args
	}
	raw := make([]msgpack.RawMessage, len(items))
	for i, it := range items {
		raw[i] = it
	}
	return mustMarshal(raw)
}

// The operations on bodies that stream, as the shim's features/bodies.js.
func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallBodyWrite: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var c abi.BodyChunk
			if err := decodeRequest(req, &c); err != nil {
				return nil, err
			}
			return jsEncode(float64(iso.body(iso.current(), abi.BodyRef{Event: c.Event, Stream: c.Stream}).write(c.Data)))
		},
		abi.CallBodyCancel: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			iso.readers.cancel(id)
			return []byte{}, nil
		},
		abi.CallBodyClose: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var e abi.BodyEnd
			if err := decodeRequest(req, &e); err != nil {
				return nil, err
			}
			iso.body(iso.current(), abi.BodyRef{Event: e.Event, Stream: e.Stream}).close(e.Error)
			return []byte{}, nil
		},
	})
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		abi.AsyncBodyRead: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			return iso.readers.read(id)
		},
		abi.AsyncBodyDrain: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var ref abi.BodyRef
			if err := decodeRequest(req, &ref); err != nil {
				return nil, err
			}
			return jsEncode(iso.body(iso.current(), ref).drain())
		},
	})
}
