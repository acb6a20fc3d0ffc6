// Package kvrules holds the rules of Workers KV that two sides enforce
// alike: package kv, before it sends anything, and dotest's emulator of
// KV namespaces (internal/workerd), as wrangler dev's workerd and local
// KV (miniflare) enforce them. Each check returns the refusal a
// JavaScript caller catches, with its name and message (measured with
// wrangler 4.164: workerd checks key names itself; the other limits are
// local KV's, whose message workerd prefixes with "KV <OP> failed: <status>").
package kvrules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The limits (miniflare's KVLimits and MAX_BULK_GET_KEYS).
const (
	MaxKeyBytes      = 512
	MaxValueBytes    = 25 << 20
	MaxBulkBytes     = 25 << 20
	MaxMetadataBytes = 1024
	MinExpirationTTL = 60 // seconds
	MinCacheTTL      = 30 // seconds
	MaxListLimit     = 1000
	MaxBulkKeys      = 100
)

// The operations as workerd names them in its messages.
const (
	OpGet     = "GET"
	OpGetBulk = "GET_BULK"
	OpPut     = "PUT"
	OpDelete  = "DELETE"
	OpList    = "GET" // list is a GET of the namespace's root
)

// Limit says which rule a refusal is about.
type Limit int

const (
	NoLimit Limit = iota
	InvalidKey
	KeyTooLong
	ValueTooLarge
	MetadataTooLarge
	ExpirationTTL
	Expiration
	CacheTTL
	ListLimit
	BulkKeys
)

// Refusal is KV's refusal of a call, as JavaScript catches it.
type Refusal struct {
	Name    string // "Error" or "TypeError"
	Message string
	Limit   Limit
}

func (r *Refusal) Error() string { return r.Name + ": " + r.Message }

// failed is local KV's refusal as workerd reports it: "KV PUT failed:
// 400 ...".
func failed(limit Limit, op string, status int, format string, args ...any) *Refusal {
	return &Refusal{Name: "Error", Limit: limit, Message: fmt.Sprintf("KV %s failed: %d ", op, status) + fmt.Sprintf(format, args...)}
}

// Key checks a key name as workerd does before a single get, put or
// delete.
func Key(op, key string) *Refusal {
	switch key {
	case "":
		return &Refusal{Name: "TypeError", Message: "Key name cannot be empty.", Limit: InvalidKey}
	case ".", "..":
		return &Refusal{Name: "TypeError", Message: fmt.Sprintf("%q is not allowed as a key name.", key), Limit: InvalidKey}
	}
	return keyLength(op, key)
}

// BulkKey checks a key of a bulk get as local KV does (workerd sends
// them unchecked).
func BulkKey(key string) *Refusal {
	switch key {
	case "":
		return failed(InvalidKey, OpGetBulk, 400, "Key names must not be empty")
	case ".", "..":
		return failed(InvalidKey, OpGetBulk, 400, "Illegal key name %q. Please use a different name.", key)
	}
	return keyLength(OpGetBulk, key)
}

// Prefix checks the prefix of a list as local KV does.
func Prefix(prefix string) *Refusal { return keyLength(OpList, prefix) }

func keyLength(op, key string) *Refusal {
	if len(key) > MaxKeyBytes {
		return failed(KeyTooLong, op, 414, "UTF-8 encoded length of %d exceeds key length limit of %d.", len(key), MaxKeyBytes)
	}
	return nil
}

// Int32 checks a number option (cacheTtl, expiration, expirationTtl,
// limit) as workerd converts it to its int: whole seconds, truncated,
// within 32 bits.
func Int32(limit Limit, n float64) (int64, *Refusal) {
	if n < math.MinInt32 || n > math.MaxInt32 || math.IsNaN(n) {
		return 0, &Refusal{Name: "TypeError", Limit: limit, Message: "Value out of range. Must be between -2147483648 and 2147483647 (inclusive)."}
	}
	return int64(n), nil
}

// CacheTTLSeconds checks the cacheTtl of a get (op OpGet or OpGetBulk).
func CacheTTLSeconds(op string, ttl int64) *Refusal {
	if ttl < MinCacheTTL {
		return failed(CacheTTL, op, 400, "Invalid cache_ttl of %d. Cache TTL must be at least %d.", ttl, MinCacheTTL)
	}
	return nil
}

// ExpirationTTLSeconds checks the expirationTtl of a put.
func ExpirationTTLSeconds(ttl int64) *Refusal {
	if ttl <= 0 {
		return failed(ExpirationTTL, OpPut, 400, "Invalid expiration_ttl of %d. Please specify integer greater than 0.", ttl)
	}
	if ttl < MinExpirationTTL {
		return failed(ExpirationTTL, OpPut, 400, "Invalid expiration_ttl of %d. Expiration TTL must be at least %d.", ttl, MinExpirationTTL)
	}
	return nil
}

// ExpirationSeconds checks the expiration of a put (seconds since the
// epoch) against now (seconds since the epoch, rounded down).
func ExpirationSeconds(exp, now int64) *Refusal {
	if exp <= now {
		return failed(Expiration, OpPut, 400, "Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch.", exp)
	}
	if exp < now+MinExpirationTTL {
		return failed(Expiration, OpPut, 400, "Invalid expiration of %d. Expiration times must be at least %d seconds in the future.", exp, MinExpirationTTL)
	}
	return nil
}

// Metadata checks the length of a put's metadata, as JSON text (JSON).
func Metadata(text []byte) *Refusal {
	if len(text) > MaxMetadataBytes {
		return failed(MetadataTooLarge, OpPut, 413, "Metadata length of %d exceeds limit of %d.", len(text), MaxMetadataBytes)
	}
	return nil
}

// Value checks the length of a put's value.
func Value(n int64) *Refusal {
	if n > MaxValueBytes {
		return failed(ValueTooLarge, OpPut, 413, "Value length of %d exceeds limit of %d.", n, MaxValueBytes)
	}
	return nil
}

// ListLimitCount checks the limit of a list, a number workerd sends
// (it sends none for a limit that is not positive, and local KV then
// lists up to MaxListLimit keys).
func ListLimitCount(n int64) *Refusal {
	if n < 1 {
		return failed(ListLimit, OpList, 400, "Invalid key_count_limit of %d. Please specify an integer greater than 0.", n)
	}
	if n > MaxListLimit {
		return failed(ListLimit, OpList, 400, "Invalid key_count_limit of %d. Please specify an integer less than %d.", n, MaxListLimit)
	}
	return nil
}

// BulkCount checks the number of keys of a bulk get.
func BulkCount(n int) *Refusal {
	if n > MaxBulkKeys {
		return failed(BulkKeys, OpGetBulk, 400, "You can request a maximum of %d keys", MaxBulkKeys)
	}
	if n < 1 {
		return failed(BulkKeys, OpGetBulk, 400, "You must request a minimum of 1 key")
	}
	return nil
}

// BulkType checks the type of a bulk get: local KV reads text and JSON
// only.
func BulkType(typ string) *Refusal {
	if typ != "" && typ != "text" && typ != "json" {
		return failed(NoLimit, OpGetBulk, 400, "%q is not a valid type. Use \"json\" or \"text\"", typ)
	}
	return nil
}

// BulkNotJSON is local KV's refusal of a bulk get of type json of a value
// that is not JSON.
func BulkNotJSON() *Refusal {
	return failed(NoLimit, OpGetBulk, 400, "At least one of the requested keys corresponds to a non-json value")
}

// BulkTotal checks the total size of a bulk get's values, as local KV
// counts it (UTF-16 code units of the text).
func BulkTotal(n int64) *Refusal {
	if n > MaxBulkBytes {
		return failed(NoLimit, OpGetBulk, 413, "Total size of request exceeds the limit of %dMB", MaxBulkBytes>>20)
	}
	return nil
}

// Classify returns the Limit that a message of KV's refusal is about
// (what a JavaScript caller would catch), or NoLimit.
func Classify(msg string) Limit {
	for _, c := range classes {
		if strings.Contains(msg, c.part) {
			return c.limit
		}
	}
	return NoLimit
}

var classes = []struct {
	part  string
	limit Limit
}{
	{"Key name cannot be empty", InvalidKey},
	{"is not allowed as a key name", InvalidKey},
	{"Key names must not be empty", InvalidKey},
	{"Illegal key name", InvalidKey},
	{"exceeds key length limit", KeyTooLong},
	{"Value length of", ValueTooLarge},
	{"Metadata length of", MetadataTooLarge},
	{"Invalid expiration_ttl of", ExpirationTTL},
	{"Invalid expiration of", Expiration},
	{"Invalid cache_ttl of", CacheTTL},
	{"Invalid key_count_limit of", ListLimit},
	{"You can request a maximum of", BulkKeys},
	{"You must request a minimum of", BulkKeys},
}

// JSON returns v as JavaScript's JSON.stringify writes it, whose length
// is what the metadata limit counts: encoding/json's text without its
// HTML escapes, and with U+2028, U+2029 and U+FFFD (what invalid UTF-8
// becomes) written as themselves rather than escaped.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if !bytes.Contains(b, []byte(`\u`)) {
		return b, nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		// An escape: \u2028, \u2029 and \ufffd become the character.
		if i+6 <= len(b) && b[i+1] == 'u' {
			if r, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 32); err == nil && (r == 0x2028 || r == 0x2029 || r == utf8.RuneError) {
				out = utf8.AppendRune(out, rune(r))
				i += 5
				continue
			}
		}
		out = append(out, b[i], b[i+1]) // another escape, \\ included
		i++
	}
	return out, nil
}
