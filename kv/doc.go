// Package kv reaches Workers KV namespaces from a Worker or a Durable
// Object: a key-value store replicated to Cloudflare's locations, read
// often and written seldom (pages, configuration, sessions, pastes). It
// is not a Durable Object's own storage (package storage, whose KV is
// strongly consistent and private to one object): a KV namespace is
// shared by every Worker bound to it, and a write may take up to a
// minute to be seen in other locations.
//
// A namespace is a binding of wrangler.toml, reached from the stateless
// Worker and from any Durable Object:
//
//	[[kv_namespaces]]
//	binding = "PASTES"    # kv.FromEnv(env, "PASTES") in Go, env.PASTES in JavaScript
//	id = "<the namespace's ID>"
//
// [FromEnv] returns the [Namespace]. Every call waits for KV (it is a
// Promise in JavaScript), so it takes the context of an event: r.Context()
// in an HTTP handler, the ctx of a Durable Object's method. While it
// waits, other events of the Worker, or of the object, run.
//
//	pastes, err := kv.FromEnv(env, "PASTES")
//	// ...
//	err = pastes.Put(ctx, id, text, &kv.PutOptions{ExpirationTTL: 24 * time.Hour})
//	text, err := pastes.Get(ctx, id) // kv.ErrNotFound if there is none
//
// # Reading
//
// [Namespace.Get] reads a value as text (as JavaScript's get(key) does:
// invalid UTF-8 reads as U+FFFD), [Namespace.GetBytes] as it was put,
// [Namespace.GetJSON] decodes JSON text with encoding/json (a 64-bit
// integer keeps every digit), and [Namespace.GetStream] returns an
// io.ReadCloser that reads the value as KV sends it. A key that does not
// exist, or has expired, returns [ErrNotFound]. [Namespace.GetMany] reads
// up to 100 keys in one call (JavaScript's get of an array of keys) as
// text: a missing key is not in its map.
//
// KV caches what a location reads for 60 seconds; [Namespace.WithCacheTTL]
// returns the namespace whose reads ask for longer (JavaScript's
// cacheTtl, at least 30 seconds).
//
// # Writing
//
// [Namespace.Put] stores a string, [Namespace.PutBytes] bytes, and
// [Namespace.PutStream] what an io.Reader gives, streamed to KV as a
// ReadableStream while it is read; [Namespace.Delete] deletes. The puts
// take [PutOptions]: an Expiration (a time.Time at least 60 seconds ahead), or
// an ExpirationTTL (a time.Duration of at least 60 seconds; KV keeps whole
// seconds), and Metadata.
//
// # Metadata
//
// Metadata is any value that encoding/json encodes, of at most 1,024
// bytes of JSON, stored with the key: [Namespace.GetWithMetadata] (text)
// and [Namespace.GetBytesWithMetadata] return a value and decode its
// metadata with encoding/json, and a list gives each [Key]'s metadata as
// JSON text. An object's keys are stored sorted, so the same value is the
// same JSON each time, whichever language reads it.
//
// Not offered yet: the metadata of many keys at once (JavaScript's
// getWithMetadata of an array of keys), and a value's metadata with a
// stream (getWithMetadata of type "stream").
//
// # Listing
//
// [Namespace.List] returns a page of keys ([ListResult]), in the byte
// order of their UTF-8, with their expiration and metadata: those that
// start with [ListOptions].Prefix, at most its Limit (1,000 by default),
// after its Cursor. A page that is not the last (Complete) has the
// Cursor of the next one; KV may give fewer keys than the limit with more
// to come. [Namespace.Keys] iterates over every page:
//
//	for k, err := range pastes.Keys(ctx, &kv.ListOptions{Prefix: "2026/"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(k.Name, k.Expiration)
//	}
//
// # Limits and errors
//
// KV refuses what breaks its limits; the package checks them before it
// sends anything, with the name and message a JavaScript caller catches
// (those of wrangler dev's local KV), in an *[Error] that wraps a
// *worker.Error and matches the limit's error:
//
//   - a key of 1 to 512 bytes of UTF-8, not "." or ".." ([ErrInvalidKey],
//     [ErrKeyTooLong]; also a list's prefix);
//   - a value of at most 25 MiB ([ErrValueTooLarge]);
//   - metadata of at most 1,024 bytes of JSON ([ErrMetadataTooLarge]);
//   - an ExpirationTTL of at least 60 seconds ([ErrExpirationTTL]), an
//     Expiration at least 60 seconds ahead ([ErrExpiration]), each within
//     32 bits of seconds (JavaScript's "Value out of range");
//   - a cache TTL of at least 30 seconds ([ErrCacheTTL]);
//   - a list's Limit of 1 to 1,000 ([ErrListLimit]);
//   - at most 100 keys in one GetMany ([ErrTooManyKeys]).
//
// The length of a PutStream's value is known only as it is read: local
// KV refuses a value longer than 25 MiB with the message that matches
// [ErrValueTooLarge]. Deployed, KV's own messages may be worded
// otherwise; the limits the package checks before sending are refused
// the same way there.
//
//	err := pastes.Put(ctx, id, text, &kv.PutOptions{ExpirationTTL: 30 * time.Second})
//	// errors.Is(err, kv.ErrExpirationTTL); err.Error() is
//	// kv: PASTES: put: KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60.
//
// # Testing
//
// The dotest harness emulates each [[kv_namespaces]] binding as wrangler
// dev's local KV runs it: the same limits and messages (those workerd
// checks, then local KV's), list order and cursors, and expiry on the
// Worker's clock, so that a test moves a dotest.ManualClock past an
// expiration rather than wait for it. A namespace's entries live as long
// as the dotest Worker: they survive Restart and Crash, and each New
// starts empty. A test may play a namespace itself with Options.Fakes.
package kv
