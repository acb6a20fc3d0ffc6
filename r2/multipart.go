package r2

import (
	"context"
	"io"
	"sync"

	"github.com/godurable/godurable/jsbridge"
)

// MultipartOptions are what CreateMultipartUpload stores with the object
// that the upload makes.
type MultipartOptions struct {
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string
	StorageClass   string
}

// MultipartUpload is an upload of an object in parts (JavaScript's
// R2MultipartUpload): each part is uploaded on its own (UploadPart, in any
// order, concurrently, in different requests), then Complete makes the
// object of the parts it lists. Every part but the last
// must be at least 5 MiB, and all of them but the last the same size.
type MultipartUpload struct {
	Key      string
	UploadID string

	b  *Bucket
	mu sync.Mutex
	js *jsbridge.Value
}

// UploadedPart is a part that UploadPart stored: Complete takes the list of
// them.
type UploadedPart struct {
	PartNumber int    `json:"partNumber"`
	ETag       string `json:"etag"`
}

// CreateMultipartUpload begins a multipart upload of an object under key.
// Keep its UploadID to go on with it in other requests
// (ResumeMultipartUpload).
func (b *Bucket) CreateMultipartUpload(ctx context.Context, key string, opts *MultipartOptions) (*MultipartUpload, error) {
	o := map[string]any{}
	if opts != nil {
		o = metadataJS(opts.HTTPMetadata, opts.CustomMetadata, opts.StorageClass)
	}
	var v *jsbridge.Value
	if err := b.call(ctx, "createMultipartUpload", &v, key, o); err != nil {
		return nil, opError("createMultipartUpload", key, err)
	}
	var id string
	if err := v.Get(ctx, "uploadId", &id); err != nil {
		v.Release()
		return nil, opError("createMultipartUpload", key, err)
	}
	return &MultipartUpload{Key: key, UploadID: id, b: b, js: v}, nil
}

// ResumeMultipartUpload returns the multipart upload of key called
// uploadID, which CreateMultipartUpload began. Nothing is checked until
// one of its methods runs: an upload that does not exist (or is completed
// or aborted) fails then, with an *Error.
func (b *Bucket) ResumeMultipartUpload(key, uploadID string) *MultipartUpload {
	return &MultipartUpload{Key: key, UploadID: uploadID, b: b}
}

// value returns the JavaScript object of the upload, made by the bucket's
// resumeMultipartUpload at the first use of a resumed upload.
func (u *MultipartUpload) value(ctx context.Context) (*jsbridge.Value, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.js == nil {
		if err := u.b.call(ctx, "resumeMultipartUpload", &u.js, u.Key, u.UploadID); err != nil {
			return nil, err
		}
	}
	return u.js, nil
}

func (u *MultipartUpload) call(ctx context.Context, method string, res any, args ...any) error {
	v, err := u.value(ctx)
	if err != nil {
		return err
	}
	return v.Call(ctx, method, res, args...)
}

// UploadPart stores size bytes read from body as the part partNumber (1 to
// 10,000) of the upload, replacing an earlier upload of that part. The
// body's size is needed before it is sent, as for Put (-1 for the bodies
// whose length UploadPart can tell); a body over 64 KiB streams.
func (u *MultipartUpload) UploadPart(ctx context.Context, partNumber int, body io.Reader, size int64) (UploadedPart, error) {
	up, err := newUpload(ctx, body, size)
	if err != nil {
		return UploadedPart{}, opError("uploadPart", u.Key, err)
	}
	var part UploadedPart
	err = u.call(ctx, "uploadPart", &part, partNumber, up.Value)
	if err = up.Done(err); err != nil {
		return UploadedPart{}, opError("uploadPart", u.Key, err)
	}
	return part, nil
}

// Complete makes the object of the parts listed (its bytes in the order of
// their part numbers), and returns its metadata (without Range). It ends
// the upload.
func (u *MultipartUpload) Complete(ctx context.Context, parts []UploadedPart) (*Object, error) {
	if parts == nil {
		parts = []UploadedPart{}
	}
	var v *jsbridge.Value
	if err := u.call(ctx, "complete", &v, parts); err != nil {
		return nil, opError("complete", u.Key, err)
	}
	defer v.Release()
	return decodeObject(ctx, v, "complete", u.Key)
}

// Abort ends the upload and deletes its parts. Aborting an upload that
// has ended already does nothing.
func (u *MultipartUpload) Abort(ctx context.Context) error {
	if err := u.call(ctx, "abort", nil); err != nil {
		return opError("abort", u.Key, err)
	}
	return nil
}
