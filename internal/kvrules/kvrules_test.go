package kvrules

import (
	"strings"
	"testing"
)

// TestClassify: every refusal's message classifies as its limit, so that
// a refusal KV makes (which reaches Go as a message) matches the same
// error as the one the kv package makes.
func TestClassify(t *testing.T) {
	long := strings.Repeat("k", MaxKeyBytes+1)
	for _, r := range []*Refusal{
		Key(OpGet, ""), Key(OpPut, "."), Key(OpDelete, ".."), Key(OpGet, long),
		BulkKey(""), BulkKey(".."), BulkKey(long), Prefix(long),
		CacheTTLSeconds(OpGet, 29), CacheTTLSeconds(OpGetBulk, -1),
		ExpirationTTLSeconds(0), ExpirationTTLSeconds(59),
		ExpirationSeconds(100, 100), ExpirationSeconds(159, 100),
		Metadata(make([]byte, MaxMetadataBytes+1)), Value(MaxValueBytes + 1),
		ListLimitCount(0), ListLimitCount(MaxListLimit + 1),
		BulkCount(MaxBulkKeys + 1), BulkCount(0),
	} {
		if r == nil || r.Limit == NoLimit {
			t.Errorf("refusal %v: no limit", r)
			continue
		}
		if got := Classify(r.Message); got != r.Limit {
			t.Errorf("Classify(%q) = %d, want %d", r.Message, got, r.Limit)
		}
	}
	for _, ok := range []*Refusal{
		Key(OpGet, "a"), Key(OpGet, strings.Repeat("é", MaxKeyBytes/2)), BulkKey("x"), Prefix(""),
		CacheTTLSeconds(OpGet, MinCacheTTL), ExpirationTTLSeconds(MinExpirationTTL),
		ExpirationSeconds(160, 100), Metadata(make([]byte, MaxMetadataBytes)), Value(MaxValueBytes),
		ListLimitCount(1), ListLimitCount(MaxListLimit), BulkCount(1), BulkCount(MaxBulkKeys),
		BulkType(""), BulkType("json"), BulkTotal(MaxBulkBytes),
	} {
		if ok != nil {
			t.Errorf("refused within the limits: %v", ok)
		}
	}
	if _, r := Int32(Expiration, 1<<31); r == nil || r.Name != "TypeError" {
		t.Errorf("Int32(2^31) = %v, want a TypeError", r)
	}
	if n, r := Int32(CacheTTL, 29.9); r != nil || n != 29 {
		t.Errorf("Int32(29.9) = %d, %v; want 29", n, r)
	}
}

// TestJSON: the text is JSON.stringify's (its length is what the metadata
// limit counts): no HTML escapes, U+2028, U+2029 and U+FFFD as
// themselves, other escapes kept.
func TestJSON(t *testing.T) {
	for in, want := range map[string]string{
		"<a&b>":           `"<a&b>"`,
		"\u2028\u2029":    "\"\u2028\u2029\"",
		"bad \xff":        "\"bad \ufffd\"",
		"\b\f\n\x01":      `"\b\f\n\u0001"`,
		`\u2028 as text`:  `"\\u2028 as text"`,
		"quote \" and \\": `"quote \" and \\"`,
	} {
		got, err := JSON(in)
		if err != nil || string(got) != want {
			t.Errorf("JSON(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	got, err := JSON(map[string]any{"z": 1, "a": []any{2.5, nil}})
	if err != nil || string(got) != `{"a":[2.5,null],"z":1}` {
		t.Errorf("JSON(map) = %s, %v", got, err)
	}
}
