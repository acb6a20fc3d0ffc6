// Package r2 reaches Cloudflare R2 buckets from a Worker or a Durable
// Object: objects with their metadata, read and written as they stream,
// ranges and conditional requests, listings page after page, and multipart
// uploads. It is JavaScript's R2Bucket in Go shapes (io.Reader bodies,
// http.Header metadata, time.Time, iter.Seq2), built on package jsbridge.
//
// A bucket is a binding of wrangler.toml, reached from the stateless Worker
// and from any Durable Object:
//
//	[[r2_buckets]]
//	binding = "FILES"              # r2.FromEnv(env, "FILES") in Go, env.FILES in JavaScript
//	bucket_name = "files"
//
// Every call waits for R2 (a Promise in JavaScript), so it takes the context
// of an event: r.Context() in an HTTP handler, the ctx of a Durable Object's
// method. While it waits, other events of the Worker, or of the object, run.
//
//	b, err := r2.FromEnv(env, "FILES")
//	// PUT /files/{key}: the body goes to R2 as it arrives
//	obj, err := b.Put(r.Context(), key, r.Body, r.ContentLength, &r2.PutOptions{
//		HTTPMetadata: r2.HTTPMetadataFromHeader(r.Header),
//	})
//	// GET /files/{key}: the object comes from R2 as the client reads it
//	obj, err = b.Get(r.Context(), key, &r2.GetOptions{Range: r2.RangeFromHeader(r.Header)})
//	defer obj.Body.Close()
//	io.Copy(w, obj.Body)
//
// # Objects
//
// [Bucket.Head] returns an [Object]'s metadata, [Bucket.Get] the object
// with its Body, both nil for a key with no object. An Object has R2's
// metadata: Key, Version, Size, ETag and HTTPETag (quoted, for an ETag
// header), Uploaded, the [HTTPMetadata] and CustomMetadata stored with it,
// its [Checksums], the Range a Body holds, and StorageClass.
// HTTPMetadata.Write sets the headers it has (Content-Type, Content-Language,
// Content-Disposition, Content-Encoding, Cache-Control, Expires) on an
// http.Header, as JavaScript's writeHttpMetadata does.
//
// A Body over 64 KiB streams from R2 as it is read, so that an object of
// any size never sits whole in memory; a smaller one is read whole by Get
// (one call instead of a stream's two). Read it during the event that got
// it (workerd ties a stream to the request that made it), and close it.
//
// A [Range] chooses part of an object: Length bytes from Offset, or the
// last Suffix bytes; [RangeFromHeader] takes a request's Range header as
// workerd reads it (one range; local R2 answers a header of several
// ranges, or one beyond the object's end, with the whole object).
// Object.Range says what the Body holds.
//
// # Conditions
//
// A [Conditional] makes a Get or a Put depend on the object stored under
// the key: its ETag (ETagMatches, ETagDoesNotMatch, "*" for any object),
// its upload time (UploadedBefore, UploadedAfter, SecondsGranularity).
// [ConditionalFromHeader] takes them from a request's If-Match,
// If-None-Match (lists of ETags, weak ones), If-Modified-Since and
// If-Unmodified-Since headers, as workerd reads them. When a condition
// does not hold, Get returns the object's metadata without a Body (an
// HTTP server answers 304 or 412), and Put stores nothing and returns
// [ErrPreconditionFailed]: with ETagDoesNotMatch "*", Put only creates.
//
// # Writing
//
// [Bucket.Put] stores a body under a key, with HTTPMetadata, CustomMetadata
// (8 KiB at most), a checksum R2 checks ([Checksums]: MD5, SHA-1, SHA-256,
// SHA-384 or SHA-512; one at most), conditions and a storage class. R2
// needs the body's length before the body is sent: Put takes it as an
// argument (an http.Request's ContentLength, a file's size), or -1 for a
// body whose length it can tell (nil, http.NoBody, a *bytes.Reader,
// *bytes.Buffer or *strings.Reader); any other body of size -1 is refused
// with [ErrUnknownSize] before anything is sent. A body over 64 KiB
// streams to R2 as Put reads it, through workerd's FixedLengthStream (a
// stream of known length, which is what R2 accepts); a smaller one crosses
// whole. A body that ends before its size, or goes on after it, fails with
// [ErrSize], and nothing is stored. [Bucket.Delete] deletes one key or
// many in one call.
//
// # Listing
//
// [Bucket.List] returns a [Page] of objects by key (1,000 at most, as
// [ListOptions] says): under a Prefix, after StartAfter, from a Cursor,
// with a Delimiter that groups keys as directories (Page.DelimitedPrefixes),
// and with their HTTP and custom metadata if asked for (a listing leaves
// them empty otherwise). [Bucket.Pages] is an iterator over every page:
//
//	for page, err := range b.Pages(ctx, &r2.ListOptions{Prefix: "photos/", Delimiter: "/"}) {
//		if err != nil {
//			return err
//		}
//		for _, obj := range page.Objects { ... }
//	}
//
// # Multipart uploads
//
// [Bucket.CreateMultipartUpload] begins an upload in parts, and
// [Bucket.ResumeMultipartUpload] goes on with it by its UploadID in later
// requests. [MultipartUpload.UploadPart] stores one part (numbered 1 to
// 10,000; it streams as Put does) and returns an [UploadedPart];
// [MultipartUpload.Complete] makes the object of the parts listed,
// whose ETag is the MD5 of the parts' MD5s followed by "-" and the number
// of parts; [MultipartUpload.Abort] gives the upload up. Every part but the
// last must be at least 5 MiB, and of the same size.
//
// # Errors
//
// An error R2 returns is an *[Error] with R2's code (CodeBadDigest for a
// checksum that does not match, CodeInvalidRange, CodeNoSuchUpload, ...)
// and message, wrapping the *worker.Error JavaScript catches ("put: The
// MD5 checksum you specified did not match what we received. ... (10037)").
// A bad argument that workerd refuses itself (two checksums, a part number
// of 0, a quoted ETag in a Conditional, a negative range) is the
// *worker.Error of its TypeError or RangeError.
//
// # Memory
//
// Bodies stream in both directions: measured on 2026-12-06 with the
// conformance sandbox, an upload of 100 MiB through a Go Worker (PUT
// streamed into Put) and its download (Get's Body copied into the
// response) left the Go heap where it was in wrangler dev 4.164
// (runtime.MemStats.HeapSys 15.9 MiB before and after), and grew it by
// 3.6 MiB in dotest.
//
// # Cost
//
// Measured with the benchmark's R2 row (bench/README.md) in wrangler dev
// 4.164 on a loaded 2-core machine (local observability off, two runs of 5
// interleaved rounds): a get of a 1 KiB object from a stateless Go Worker
// answered 190 and 216 requests a second at 8 concurrent, the same Worker in
// JavaScript 232 and 285 (0.82x and 0.76x), and took 5.29 and 4.69 ms one at
// a time against 3.55 and 2.59 ms. Go makes two awaited calls (get, then
// arrayBuffer) where JavaScript makes one and passes the body on natively,
// and reads the metadata with a synchronous one (JSON.stringify).
//
// # Testing
//
// The dotest harness emulates each [[r2_buckets]] binding as wrangler
// dev's local R2 does: workerd's checks of the arguments and miniflare's
// rules for the rest (the ETag of a put and of a multipart upload, ranges,
// conditions, checksums, the listing's order, cursor and delimiter, the
// limits on keys, metadata and parts, and the same messages). The objects'
// bytes are files in the test's temporary directory, kept across
// Worker.Restart and Worker.Crash, and the conformance scenario R2 checks
// that both agree. One difference: in wrangler dev, two bindings with the
// same bucket_name reach the same bucket; in dotest each binding has its
// own.
//
// Not yet: server-side encryption with a key of the caller's (the ssecKey
// option of get, put and createMultipartUpload).
package r2
