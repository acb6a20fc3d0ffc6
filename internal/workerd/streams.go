package workerd

import (
	"context"
	"errors"
	"io"
	"sync"
)

// The model's byte streams, for the JavaScript objects of emulators (a
// socket's readable and writable sides, and any other that gives bytes):
// a ReadableStream whose reader.read() resolves with what one call of a
// Go function gives, and a WritableStream whose writer.write(chunk)
// resolves once a Go function has taken the chunk, as workerd's system
// streams over a connection do. Both are I/O objects of the context that
// makes them. Their methods are those Go reaches through jsbridge:
//
//	readable.getReader() -> reader: read(), cancel(), releaseLock()
//	readable.cancel()
//	writable.getWriter() -> writer: write(chunk), close(), abort(), releaseLock()
//	writable.close(), writable.abort()

// errStreamDone is what a ByteSource's read returns at the end of the
// stream, which the reader sees as {done: true}.
var errStreamDone = io.EOF

// ByteSource is what a model ReadableStream reads.
type ByteSource struct {
	// Read reads the next chunk into p (io.EOF at the end); it may block.
	// An error that is a *driver.JSError rejects the read with it; any
	// other rejects it with an Error of its message.
	Read func(p []byte) (int, error)
	// Cancel, if set, is called once when the stream is cancelled; a read
	// in progress must then return.
	Cancel func()
	// Chunk is the most one read gives (default 4096, what workerd's
	// socket reads gave in wrangler dev: 2,048 reads for 8 MiB).
	Chunk int
}

// ByteSink is what a model WritableStream writes to.
type ByteSink struct {
	// Write writes a chunk whole; it may block. Errors as ByteSource's.
	Write func(b []byte) error
	// Close closes the sink after the last chunk (writer.close()).
	Close func() error
	// Abort, if set, is called when the stream is aborted.
	Abort func()
}

// readableStream is the state of a model ReadableStream.
type readableStream struct {
	src ByteSource

	mu       sync.Mutex
	locked   bool
	done     bool // ended or cancelled: reads give {done: true}
	canceled bool
	reading  sync.Mutex // one read at a time, as a reader's queue would
}

// NewReadableStream returns a model ReadableStream of src, an I/O object
// of the context owner (nil: that of its first use).
func newReadableStream(owner *ioContext, src ByteSource) *JSObject {
	if src.Chunk <= 0 {
		src.Chunk = 4096
	}
	s := &readableStream{src: src}
	stream := &JSObject{Class: "ReadableStream", IO: true, owner: owner, ioType: "ReadableStream"}
	stream.Methods = map[string]any{
		"getReader": func() (*JSObject, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.locked {
				return nil, NewJSError("TypeError", "This ReadableStream is currently locked to a reader.")
			}
			s.locked = true
			return s.reader(owner), nil
		},
		"cancel": func(ctx context.Context) { s.cancel() },
	}
	return stream
}

func (s *readableStream) reader(owner *ioContext) *JSObject {
	return &JSObject{Class: "ReadableStreamDefaultReader", IO: true, owner: owner, ioType: "ReadableStream", Methods: map[string]any{
		"read": func(ctx context.Context) (map[string]any, error) {
			s.reading.Lock()
			defer s.reading.Unlock()
			s.mu.Lock()
			done := s.done
			s.mu.Unlock()
			if done {
				return map[string]any{"done": true}, nil
			}
			buf := make([]byte, s.src.Chunk)
			n, err := s.src.Read(buf)
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.canceled {
				return nil, NewJSError("Error", "Stream was cancelled.")
			}
			if n > 0 {
				return map[string]any{"done": false, "value": buf[:n]}, nil
			}
			if err == nil || errors.Is(err, errStreamDone) {
				s.done = true
				return map[string]any{"done": true}, nil
			}
			return nil, jsThrown(err)
		},
		"cancel":      func(ctx context.Context) { s.cancel() },
		"releaseLock": func() { s.mu.Lock(); s.locked = false; s.mu.Unlock() },
	}}
}

func (s *readableStream) cancel() {
	s.mu.Lock()
	first := !s.done
	s.done, s.canceled = true, true
	s.mu.Unlock()
	if first && s.src.Cancel != nil {
		s.src.Cancel()
	}
}

// writableStream is the state of a model WritableStream.
type writableStream struct {
	sink ByteSink

	mu      sync.Mutex
	locked  bool
	closed  bool
	writing sync.Mutex // chunks in order
}

// errWritableClosed is workerd's refusal of a write after the stream has
// closed (writer.close(), or a socket's readable end without
// allowHalfOpen).
func errWritableClosed() error {
	return NewJSError("TypeError", "This WritableStream has been closed.")
}

// newWritableStream returns a model WritableStream to sink, an I/O object
// of the context owner (nil: that of its first use).
func newWritableStream(owner *ioContext, sink ByteSink) (*JSObject, *writableStream) {
	s := &writableStream{sink: sink}
	stream := &JSObject{Class: "WritableStream", IO: true, owner: owner, ioType: "Writable"}
	stream.Methods = map[string]any{
		"getWriter": func() (*JSObject, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.locked {
				return nil, NewJSError("TypeError", "This WritableStream is currently locked to a writer.")
			}
			s.locked = true
			return s.writer(owner), nil
		},
		"close": func(ctx context.Context) error { return s.close() },
		"abort": func(ctx context.Context) { s.abort() },
	}
	return stream, s
}

func (s *writableStream) writer(owner *ioContext) *JSObject {
	return &JSObject{Class: "WritableStreamDefaultWriter", IO: true, owner: owner, ioType: "Writable", Methods: map[string]any{
		"write": func(ctx context.Context, chunk []byte) error {
			s.writing.Lock()
			defer s.writing.Unlock()
			if s.isClosed() {
				return errWritableClosed()
			}
			if err := s.sink.Write(chunk); err != nil {
				return jsThrown(err)
			}
			return nil
		},
		"close":       func(ctx context.Context) error { return s.close() },
		"abort":       func(ctx context.Context) { s.abort() },
		"releaseLock": func() { s.mu.Lock(); s.locked = false; s.mu.Unlock() },
	}}
}

func (s *writableStream) isLocked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.locked
}

func (s *writableStream) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// markClosed closes the stream without closing its sink: later writes
// fail as after writer.close().
func (s *writableStream) markClosed() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (s *writableStream) close() error {
	s.writing.Lock() // after the chunks written before it
	defer s.writing.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errWritableClosed()
	}
	s.closed = true
	s.mu.Unlock()
	if s.sink.Close != nil {
		if err := s.sink.Close(); err != nil {
			return jsThrown(err)
		}
	}
	return nil
}

func (s *writableStream) abort() {
	s.mu.Lock()
	first := !s.closed
	s.closed = true
	s.mu.Unlock()
	if first && s.sink.Abort != nil {
		s.sink.Abort()
	}
}
