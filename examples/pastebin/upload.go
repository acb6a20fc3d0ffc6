package main

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/godurable/godurable/r2"
)

// partSize is the size of the parts of a body of unknown length: R2's
// smallest part (but the last) of a multipart upload, whose parts but the
// last must all be the same size.
const partSize = 5 << 20

// upload stores a body under key in R2, as it arrives, never whole in
// memory: R2 needs an object's length before its bytes, so a body of known
// size (a request's Content-Length) streams into one Put, and one of
// unknown length (a chunked upload, size -1) is uploaded in parts of
// partSize, one held at a time. A body of unknown length that goes over
// maxSize fails with errTooLarge once it does, and its parts are deleted.
func (s *store) upload(ctx context.Context, key string, body io.Reader, size int64, contentType string) (*r2.Object, error) {
	meta := r2.HTTPMetadata{ContentType: contentType}
	switch {
	case size == 0:
		return nil, errEmpty
	case size > maxSize:
		return nil, errTooLarge
	case size > 0:
		return s.blobs.Put(ctx, key, body, size, &r2.PutOptions{HTTPMetadata: meta})
	}
	part := make([]byte, partSize)
	n, err := io.ReadFull(body, part)
	switch {
	case n == 0 && err == io.EOF:
		return nil, errEmpty
	case err == io.ErrUnexpectedEOF: // it all fits in one part
		return s.blobs.Put(ctx, key, bytes.NewReader(part[:n]), int64(n), &r2.PutOptions{HTTPMetadata: meta})
	case err != nil:
		return nil, err
	}
	up, err := s.blobs.CreateMultipartUpload(ctx, key, &r2.MultipartOptions{HTTPMetadata: meta})
	if err != nil {
		return nil, err
	}
	obj, err := uploadParts(ctx, up, body, part)
	if err != nil {
		// The client may have gone: the abort is not its to cancel.
		return nil, errors.Join(err, up.Abort(context.WithoutCancel(ctx)))
	}
	return obj, nil
}

// uploadParts uploads part, which is full, then the rest of body in parts
// of the same size, and completes the upload.
func uploadParts(ctx context.Context, up *r2.MultipartUpload, body io.Reader, part []byte) (*r2.Object, error) {
	var parts []r2.UploadedPart
	n, total := len(part), int64(len(part))
	for n > 0 {
		if total > maxSize {
			return nil, errTooLarge
		}
		p, err := up.UploadPart(ctx, len(parts)+1, bytes.NewReader(part[:n]), int64(n))
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
		if n < len(part) {
			break // that was the last
		}
		n, err = io.ReadFull(body, part)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return nil, err
		}
		total += int64(n)
	}
	return up.Complete(ctx, parts)
}
