package r2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/godurable/godurable/jsbridge"
)

// ErrUnknownSize is the error of Put and UploadPart given a size of -1 and
// a body whose length they do not know: R2 needs the length before the
// body is sent. Pass the length (an http.Request's ContentLength, a file's
// size), or read the body into a []byte first.
var ErrUnknownSize = errors.New("r2: the body's size is unknown (R2 needs it before the body is sent)")

// ErrSize is matched by the error of Put and UploadPart when the body
// ended before the size given, or went on after it. Nothing was stored.
var ErrSize = errors.New("r2: the body's length is not the size given")

// PutOptions are what Put stores with an object, and its conditions.
type PutOptions struct {
	// HTTPMetadata are the HTTP headers to keep with the object (see
	// HTTPMetadataFromHeader).
	HTTPMetadata HTTPMetadata
	// CustomMetadata are keys and values to keep with the object (at
	// most 8 KiB in all).
	CustomMetadata map[string]string
	// Checksums, if one is set (one at most: R2 refuses more), is the
	// checksum R2 checks the body against; the object is not stored if
	// it differs (an *Error with CodeBadDigest).
	Checksums Checksums
	// OnlyIf makes the put depend on the object stored under the key:
	// if a condition does not hold, Put stores nothing and returns
	// ErrPreconditionFailed.
	OnlyIf *Conditional
	// StorageClass is R2's storage class ("Standard" or
	// "InfrequentAccess"); empty for the bucket's default.
	StorageClass string
}

// Put stores size bytes read from body under key, and returns the new
// object's metadata (without Range). R2 needs the size before the body is
// sent: pass an http.Request's ContentLength, a file's size; or -1 for a
// body whose length Put can tell (nil, http.NoBody, a *bytes.Reader,
// *bytes.Buffer or *strings.Reader). A body over 64 KiB streams to R2 as
// Put reads it (through workerd's FixedLengthStream), so that an upload of
// any size never sits whole in memory; a smaller one crosses whole. A body
// shorter or longer than size fails with ErrSize. Put does not close
// body.
func (b *Bucket) Put(ctx context.Context, key string, body io.Reader, size int64, opts *PutOptions) (*Object, error) {
	o := map[string]any{}
	if opts != nil {
		o = metadataJS(opts.HTTPMetadata, opts.CustomMetadata, opts.StorageClass)
		for _, f := range opts.Checksums.fields() {
			if *f.b != nil {
				o[f.name] = *f.b
			}
		}
		if opts.OnlyIf != nil {
			o["onlyIf"] = opts.OnlyIf.js()
		}
	}
	up, err := newUpload(ctx, body, size)
	if err != nil {
		return nil, opError("put", key, err)
	}
	var v *jsbridge.Value
	err = b.call(ctx, "put", &v, key, up.value, o)
	if err = up.done(err); err != nil {
		return nil, opError("put", key, err)
	}
	if v == nil {
		return nil, ErrPreconditionFailed
	}
	defer v.Release()
	return decodeObject(ctx, v, "put", key)
}

// metadataJS is what put and createMultipartUpload store with an object,
// as their options have it.
func metadataJS(md HTTPMetadata, custom map[string]string, storageClass string) map[string]any {
	o := map[string]any{}
	if m := md.js(); len(m) > 0 {
		o["httpMetadata"] = m
	}
	if custom != nil {
		o["customMetadata"] = custom
	}
	setNonZero(o, "storageClass", storageClass)
	return o
}

// wholeBelow is the size up to which a body crosses whole, in the call's
// arguments, rather than as a stream.
const wholeBelow = 64 << 10

// upload is a body on its way to R2, as put and uploadPart take it: value
// is nil (no bytes), a []byte, or the readable half of a
// FixedLengthStream that the body is piped into.
type upload struct {
	value  any
	sized  *sizedReader
	stream *jsbridge.Value
}

// newUpload prepares body, of size bytes (-1: to be told from its type),
// to be sent on behalf of the event of ctx.
func newUpload(ctx context.Context, body io.Reader, size int64) (*upload, error) {
	if size < 0 {
		switch r := body.(type) {
		case nil:
			size = 0
		case *bytes.Reader:
			size = int64(r.Len())
		case *bytes.Buffer:
			size = int64(r.Len())
		case *strings.Reader:
			size = int64(r.Len())
		default:
			if body != http.NoBody {
				return nil, fmt.Errorf("%w: a %T", ErrUnknownSize, body)
			}
			size = 0
		}
	}
	if body == nil {
		body = http.NoBody
	}
	up := &upload{sized: &sizedReader{r: body, size: size}}
	if size <= wholeBelow {
		b := make([]byte, size)
		if _, err := io.ReadFull(up.sized, b); err != nil {
			return nil, err
		}
		if _, err := up.sized.Read(nil); err != io.EOF {
			return nil, err
		}
		up.value = b
		return up, nil
	}
	// The body streams: Object(body) is the ReadableStream Go writes it
	// into, piped through new FixedLengthStream(size), whose readable
	// half is a stream of known length, as R2 requires.
	fls, err := global("FixedLengthStream")
	if err != nil {
		return nil, err
	}
	var pair *jsbridge.Value
	if err := fls.New(ctx, &pair, size); err != nil {
		return nil, err
	}
	defer pair.Release()
	object, err := global("Object")
	if err != nil {
		return nil, err
	}
	var src *jsbridge.Value
	if err := object.Invoke(ctx, &src, up.sized); err != nil {
		return nil, err
	}
	defer src.Release()
	if err := src.Call(ctx, "pipeThrough", &up.stream, pair); err != nil {
		return nil, err
	}
	up.value = up.stream
	return up, nil
}

// done returns the error of the call that sent the body, which was err:
// the body's own (ErrSize, a read error) if it failed.
func (up *upload) done(err error) error {
	up.stream.Release()
	if err != nil && up.sized.err != nil {
		return up.sized.err
	}
	return err
}

// sizedReader reads a body that must have size bytes, neither fewer nor
// more; err is why it does not, or the body's read error.
type sizedReader struct {
	r       io.Reader
	size, n int64
	err     error
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.n == s.size {
		return 0, s.end()
	}
	if rest := s.size - s.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	switch {
	case err == io.EOF && s.n < s.size:
		s.err = fmt.Errorf("%w: it ended after %d of %d bytes", ErrSize, s.n, s.size)
	case err != nil && err != io.EOF:
		s.err = err
	}
	return n, s.err
}

// end checks that the body has no more bytes.
func (s *sizedReader) end() error {
	var one [1]byte
	for range 100 {
		n, err := s.r.Read(one[:])
		switch {
		case n > 0:
			s.err = fmt.Errorf("%w: it has more than %d bytes", ErrSize, s.size)
			return s.err
		case err == io.EOF:
			return io.EOF
		case err != nil:
			s.err = err
			return err
		}
	}
	s.err = io.ErrNoProgress
	return s.err
}
