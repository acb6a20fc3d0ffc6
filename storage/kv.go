package storage

import (
	"fmt"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// KV is a Durable Object's key-value store (ctx.storage.kv in JavaScript).
// Values are Go values encoded as MessagePack: struct fields are named by
// their msgpack tag, else their json tag, else their Go name.
type KV struct {
	conn rt.Conn
}

// Get decodes the value stored under key into v, a non-nil pointer, and
// reports whether the key exists. If it does not, v is left alone.
func (kv *KV) Get(key string, v any) (bool, error) {
	raw, err := kv.GetRaw(key)
	if err != nil || raw == nil {
		return false, err
	}
	if err := abi.DecodeValue(raw, v); err != nil {
		return true, fmt.Errorf("storage: decoding %q (%s) into %T: %w", key, abi.Describe(raw), v, err)
	}
	return true, nil
}

// GetRaw returns the MessagePack bytes stored under key, or nil if there
// are none.
func (kv *KV) GetRaw(key string) ([]byte, error) {
	req := abi.KVGetRequest(key)
	out, err := rt.Do(conn(kv.c()), abi.OpKVGet, &req)
	if err != nil {
		return nil, fmt.Errorf("storage: get %q: %w", key, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Put stores v under key.
func (kv *KV) Put(key string, v any) error {
	raw, err := abi.EncodeValue(v)
	if err != nil {
		return fmt.Errorf("storage: put %q: encoding %T: %w", key, v, err)
	}
	return kv.PutRaw(key, raw)
}

// PutRaw stores MessagePack bytes under key as they are.
func (kv *KV) PutRaw(key string, raw []byte) error {
	// Stored bytes never become JS numbers, so large integers are fine.
	if err := abi.CheckStorable(raw); err != nil {
		return fmt.Errorf("storage: put %q: %w", key, err)
	}
	req := abi.AppendKVPutRequest(nil, key, raw)
	if _, err := rt.Do(conn(kv.c()), abi.OpKVPut, &req); err != nil {
		return fmt.Errorf("storage: put %q: %w", key, err)
	}
	return nil
}

// Delete deletes key and reports whether it existed.
func (kv *KV) Delete(key string) (bool, error) {
	existed, err := rt.Do(conn(kv.c()), abi.OpKVDelete, &abi.KVKey{Key: key})
	if err != nil {
		return false, fmt.Errorf("storage: delete %q: %w", key, err)
	}
	return existed, nil
}

// GetMany returns the entries of those of keys that exist, in the order of
// keys, in one call to the host.
func (kv *KV) GetMany(keys []string) ([]Entry, error) {
	keys = nonNil(keys)
	got, err := rt.Do(conn(kv.c()), abi.OpKVGetMany, &keys)
	if err != nil {
		return nil, fmt.Errorf("storage: get many: %w", err)
	}
	out := make([]Entry, len(got))
	for i, e := range got {
		out[i] = Entry{Key: e.Key, Value: e.Value}
	}
	return out, nil
}

// PutMany stores every value of entries under its key, in one call to the
// host. Nothing is stored if encoding a value fails.
func (kv *KV) PutMany(entries map[string]any) error {
	req := make([]abi.KVEntry, 0, len(entries))
	for k, v := range entries {
		raw, err := abi.EncodeValue(v)
		if err != nil {
			return fmt.Errorf("storage: put many: %q: encoding %T: %w", k, v, err)
		}
		if err := abi.CheckStorable(raw); err != nil {
			return fmt.Errorf("storage: put many: %q: %w", k, err)
		}
		req = append(req, abi.KVEntry{Key: k, Value: raw})
	}
	if _, err := rt.Do(conn(kv.c()), abi.OpKVPutMany, &req); err != nil {
		return fmt.Errorf("storage: put many: %w", err)
	}
	return nil
}

// DeleteMany deletes keys, in one call to the host, and returns how many
// of them existed.
func (kv *KV) DeleteMany(keys []string) (int, error) {
	keys = nonNil(keys)
	n, err := rt.Do(conn(kv.c()), abi.OpKVDeleteMany, &keys)
	if err != nil {
		return 0, fmt.Errorf("storage: delete many: %w", err)
	}
	return n, nil
}

// nonNil encodes a nil slice as an empty array, as the host expects.
func nonNil(keys []string) []string {
	if keys == nil {
		return []string{}
	}
	return keys
}

// ListOptions selects the keys List returns, as the options of workerd's
// ctx.storage.kv.list do. Keys are ordered by their UTF-8 bytes.
type ListOptions struct {
	Prefix     string // only keys that start with Prefix
	Start      string // only keys >= Start
	StartAfter string // only keys > StartAfter (not with Start)
	End        string // only keys < End
	Limit      int    // at most Limit entries; 0 means all
	Reverse    bool   // in descending order
}

// Entry is one key and its value as List returns them.
type Entry struct {
	Key   string
	Value []byte // MessagePack, as Put writes it
}

// Decode decodes the entry's value into v.
func (e Entry) Decode(v any) error {
	if err := abi.DecodeValue(e.Value, v); err != nil {
		return fmt.Errorf("storage: decoding %q (%s) into %T: %w", e.Key, abi.Describe(e.Value), v, err)
	}
	return nil
}

// List returns the entries that opts selects, in key order.
func (kv *KV) List(opts ListOptions) ([]Entry, error) {
	if opts.Limit < 0 {
		return nil, fmt.Errorf("storage: list: negative limit %d", opts.Limit)
	}
	if opts.Start != "" && opts.StartAfter != "" {
		return nil, fmt.Errorf("storage: list: Start and StartAfter cannot both be set")
	}
	got, err := rt.Do(conn(kv.c()), abi.OpKVList, (*abi.KVList)(&opts))
	if err != nil {
		return nil, fmt.Errorf("storage: list: %w", err)
	}
	out := make([]Entry, len(got))
	for i, e := range got {
		out[i] = Entry{Key: e.Key, Value: e.Value}
	}
	return out, nil
}

func (kv *KV) c() rt.Conn {
	if kv == nil {
		return nil
	}
	return kv.conn
}
