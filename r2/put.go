package r2

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/godurable/godurable/internal/jsbody"
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
	err = b.call(ctx, "put", &v, key, up.Value, o)
	if err = up.Done(err); err != nil {
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

// newUpload prepares body, of size bytes (-1: to be told from its type),
// to be sent on behalf of the event of ctx: whole up to 64 KiB, else
// through a FixedLengthStream, as R2 needs a stream of known length.
func newUpload(ctx context.Context, body io.Reader, size int64) (*jsbody.Body, error) {
	if size < 0 {
		if size = jsbody.LengthOf(body); size < 0 {
			return nil, fmt.Errorf("%w: a %T", ErrUnknownSize, body)
		}
	}
	return jsbody.New(ctx, body, size, ErrSize)
}
