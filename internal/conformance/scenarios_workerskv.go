package conformance

import "testing"

// workersKV: the KV namespace KV of the sandbox (wrangler dev's local KV,
// dotest's emulator), reached through package kv by the same code from
// the stateless Worker and from a Durable Object (but for the limits and
// the raw calls, from the Worker only). Keys are prefixed by where the
// code runs: {p} in want.
func (s *suite) workersKV(t *testing.T) {
	for _, sc := range []struct {
		name   string
		want   map[string]string
		object bool
	}{
		{"values", kvValuesWant, true},
		{"metadata", kvMetadataWant, true},
		{"expiration", kvExpirationWant, true},
		{"limits", kvLimitsWant, false},
		{"list", kvListWant, true},
		{"bulk", kvBulkWant, true},
		{"raw", kvRawWant, false},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Run("Worker", func(t *testing.T) {
				sameStrings(t, sc.name, s.getJSON(t, "/workers-kv/"+sc.name, 200), prefixed(sc.want, "w/"+sc.name+"/"))
			})
			if sc.object {
				t.Run("Object", func(t *testing.T) {
					sameStrings(t, sc.name, s.sandboxCall(t, "workers-kv", "workersKV", sc.name), prefixed(sc.want, "o/"+sc.name+"/"))
				})
			}
		})
	}
}

// kvValuesWant: values there and back: text (invalid UTF-8 read as U+FFFD), bytes,
// JSON decoded by encoding/json (all 64 bits of an integer), 3 MB put from
// an io.Reader and read back as a stream; missing keys; delete.
var kvValuesWant = map[string]string{
	`bytes`:           `0001fffe61 ok`,
	`bytes as text`:   `"\x00\x01\ufffd\ufffda" ok`,
	`delete missing`:  `ok`,
	`deleted`:         `true`,
	`empty`:           `"" ok`,
	`empty bytes`:     `0 true ok`,
	`json`:            `{N:9007199254740993 S:x L:[1 2]} ok`,
	`json not JSON`:   `true`,
	`missing`:         `true true true true true`,
	`odd key`:         `"odd key" ok`,
	`reader`:          `"from a strings.Reader" ok`,
	`stream`:          `3000017 true ok`,
	`stream as bytes`: `3000017 true ok`,
	`text`:            `"héllo, wörld" ok`,
}

// kvMetadataWant: metadata as JSON there and back (an object's keys sorted, "<"
// unescaped), untouched when a key has none; its limit counts the bytes
// of JSON.stringify's text (U+2028 three, "\u0001" six).
var kvMetadataWant = map[string]string{
	`get`:               `"value a" {Owner:ann <a&b> Tags:[x y] Size:3} ok`,
	`get bytes`:         `"value a" map[owner:ann <a&b> size:3 tags:[x y]] ok`,
	`limit 1024`:        `ok`,
	`limit 1025`:        `Error: KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024. [ErrMetadataTooLarge]`,
	`limit control`:     `ok`,
	`limit control too`: `Error: KV PUT failed: 413 Metadata length of 1028 exceeds limit of 1024. [ErrMetadataTooLarge]`,
	`limit html`:        `Error: KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024. [ErrMetadataTooLarge]`,
	`limit u2028`:       `Error: KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024. [ErrMetadataTooLarge]`,
	`list a`:            `{"owner":"ann <a&b>","size":3,"tags":["x","y"]} false`,
	`list b`:            `"just a string" false`,
	`list c`:            ` true`,
	`list d`:            `{"a":2.5,"m":null,"z":1} false`,
	`none`:              `"value c" {Owner:before Tags:[] Size:0} ok`,
}

// kvExpirationWant: expirations as list reports them, in whole seconds:
// expirationTtl counts from the put (a fraction dropped), and wins over
// an expiration given with it.
var kvExpirationWant = map[string]string{
	`at`:   `at its second: true`,
	`both`: `in 90 s: true`,
	`frac`: `in 90 s: true`,
	`none`: `no expiration`,
	`ttl`:  `in 120 s: true`,
}

// kvLimitsWant: every limit, with JavaScript's error and the package's sentinel:
// refused before anything is sent, but for the length of a stream, which
// KV counts as it reads. An expiration's second is <exp>.
var kvLimitsWant = map[string]string{
	`bulk ..`:               `Error: KV GET_BULK failed: 400 Illegal key name "..". Please use a different name. [ErrInvalidKey]`,
	`bulk 100 keys`:         `ok`,
	`bulk 101 keys`:         `Error: KV GET_BULK failed: 400 You can request a maximum of 100 keys [ErrTooManyKeys]`,
	`bulk cache ttl 29 s`:   `Error: KV GET_BULK failed: 400 Invalid cache_ttl of 29. Cache TTL must be at least 30. [ErrCacheTTL]`,
	`bulk empty key`:        `Error: KV GET_BULK failed: 400 Key names must not be empty [ErrInvalidKey]`,
	`bulk long key`:         `Error: KV GET_BULK failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512. [ErrKeyTooLong]`,
	`cache ttl 10 s`:        `Error: KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30. [ErrCacheTTL]`,
	`cache ttl 30 s`:        `ok`,
	`delete ..`:             `TypeError: ".." is not allowed as a key name. [ErrInvalidKey]`,
	`delete long key`:       `Error: KV DELETE failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512. [ErrKeyTooLong]`,
	`expiration 10 s ago`:   `Error: KV PUT failed: 400 Invalid expiration of <exp>. Please specify integer greater than the current number of seconds since the UNIX epoch. [ErrExpiration]`,
	`expiration in 1 h`:     `ok`,
	`expiration in 10 s`:    `Error: KV PUT failed: 400 Invalid expiration of <exp>. Expiration times must be at least 60 seconds in the future. [ErrExpiration]`,
	`expiration in 2040`:    `TypeError: Value out of range. Must be between -2147483648 and 2147483647 (inclusive). [ErrExpiration]`,
	`get empty key`:         `TypeError: Key name cannot be empty. [ErrInvalidKey]`,
	`get long key`:          `Error: KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512. [ErrKeyTooLong]`,
	`list limit -1`:         `Error: KV GET failed: 400 Invalid key_count_limit of -1. Please specify an integer greater than 0. [ErrListLimit]`,
	`list limit 1000`:       `ok`,
	`list limit 1001`:       `Error: KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000. [ErrListLimit]`,
	`list long prefix`:      `Error: KV GET failed: 414 UTF-8 encoded length of 600 exceeds key length limit of 512. [ErrKeyTooLong]`,
	`put .`:                 `TypeError: "." is not allowed as a key name. [ErrInvalidKey]`,
	`put 25 MiB`:            `ok`,
	`put 25 MiB + 1`:        `Error: KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400. [ErrValueTooLarge]`,
	`put 512-byte key`:      `ok`,
	`put stream 25 MiB + 5`: `Error: KV PUT failed: 413 Value length of 26214405 exceeds limit of 26214400. [ErrValueTooLarge]`,
	`put wide key`:          `Error: KV PUT failed: 414 UTF-8 encoded length of 514 exceeds key length limit of 512. [ErrKeyTooLong]`,
	`ttl -5 s`:              `Error: KV PUT failed: 400 Invalid expiration_ttl of -5. Please specify integer greater than 0. [ErrExpirationTTL]`,
	`ttl 0.5 s`:             `Error: KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0. [ErrExpirationTTL]`,
	`ttl 2^31 s`:            `TypeError: Value out of range. Must be between -2147483648 and 2147483647 (inclusive). [ErrExpirationTTL]`,
	`ttl 30 s`:              `Error: KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60. [ErrExpirationTTL]`,
	`ttl 60 s`:              `ok`,
}

// kvListWant: pages of three keys in byte order (the cursor continues them), a
// prefix, the iterator over pages of two (stopped early too), and its
// error.
var kvListWant = map[string]string{
	`keys`:          `Z a a/1 a/2 b c é`,
	`keys error`:    `Error: KV GET failed: 400 Invalid key_count_limit of 5000. Please specify an integer less than 1000. [ErrListLimit]`,
	`keys, stopped`: `Z a a/1`,
	`page 1`:        `Z a a/1 | complete false, cursor true`,
	`page 2`:        `a/2 b c | complete false, cursor true`,
	`page 3`:        `é | complete true, cursor false`,
	`prefix a`:      `a a/1 a/2 | complete true`,
}

// kvBulkWant: many keys in one get: a missing key is not in the map (nor a
// repeated one twice); no keys, no call.
var kvBulkWant = map[string]string{
	`1`:       `"value 1"`,
	`2`:       `"value 2"`,
	`empty`:   `""`,
	`get`:     `ok`,
	`no keys`: `0 ok`,
}

// kvRawWant: the binding called through jsbridge as JavaScript calls it: the
// refusals of workerd and local KV (which package kv makes before
// sending) and the shapes of what they return.
var kvRawWant = map[string]string{
	`bulk`:                    `map[{p}missing:<nil> {p}n:5]`,
	`bulk 101`:                `Error: KV GET_BULK failed: 400 You can request a maximum of 100 keys []`,
	`bulk dot`:                `Error: KV GET_BULK failed: 400 Illegal key name ".". Please use a different name. []`,
	`bulk json`:               `map[{p}n:5]`,
	`bulk json not json`:      `Error: KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value []`,
	`bulk none`:               `Error: KV GET_BULK failed: 400 You must request a minimum of 1 key []`,
	`bulk type`:               `Error: KV GET_BULK failed: 400 "arrayBuffer" is not a valid type. Use "json" or "text" []`,
	`bulk with metadata`:      `map[{p}m:map[metadata:map[k:[1 two]] value:mv] {p}missing:<nil> {p}n:map[metadata:<nil> value:5]]`,
	`get cache ttl`:           `Error: KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30. []`,
	`get cache ttl frac`:      `Error: KV GET failed: 400 Invalid cache_ttl of 29. Cache TTL must be at least 30. []`,
	`get empty`:               `TypeError: Key name cannot be empty. []`,
	`get long`:                `Error: KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512. []`,
	`get missing`:             `<nil>`,
	`get number`:              `5`,
	`getWithMetadata`:         `map[cacheStatus:<nil> metadata:map[k:[1 two]] value:mv]`,
	`getWithMetadata missing`: `map[cacheStatus:<nil> metadata:<nil> value:<nil>]`,
	`list`:                    `map[cacheStatus:<nil> keys:[map[expiration:set metadata:map[k:[1 two]] name:{p}m] map[name:{p}n]] list_complete:true]`,
	`list limit`:              `Error: KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000. []`,
	`list prefix`:             `Error: KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512. []`,
	`put bytes too long`:      `Error: KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400. []`,
	`put expiration 0`:        `Error: KV PUT failed: 400 Invalid expiration of 0. Please specify integer greater than the current number of seconds since the UNIX epoch. []`,
	`put metadata`:            `Error: KV PUT failed: 413 Metadata length of 1102 exceeds limit of 1024. []`,
	`put object`:              `TypeError: KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values. []`,
	`put ttl`:                 `Error: KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60. []`,
	`put ttl 0`:               `Error: KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0. []`,
	`put ttl range`:           `TypeError: Value out of range. Must be between -2147483648 and 2147483647 (inclusive). []`,
	`type`:                    `object KvNamespace ok`,
}
