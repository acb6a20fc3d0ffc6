package main

import "context"

// PutMany stores entries with KV.PutMany.
func (s *Sandbox) PutMany(entries map[string]any) error { return s.state.Storage.KV.PutMany(entries) }

// GetMany returns KV.GetMany's entries as [key, value] pairs, in order.
func (s *Sandbox) GetMany(keys []string) ([][]any, error) {
	entries, err := s.state.Storage.KV.GetMany(keys)
	if err != nil {
		return nil, err
	}
	out := [][]any{}
	for _, e := range entries {
		var v any
		if err := e.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, []any{e.Key, v})
	}
	return out, nil
}

// DeleteMany deletes keys with KV.DeleteMany.
func (s *Sandbox) DeleteMany(keys []string) (int, error) { return s.state.Storage.KV.DeleteMany(keys) }

// SyncWrites writes a key and waits for Storage.Sync.
func (s *Sandbox) SyncWrites(ctx context.Context) (string, error) {
	if err := s.state.Storage.KV.Put("synced", "yes"); err != nil {
		return "", err
	}
	if err := s.state.Storage.Sync(ctx); err != nil {
		return "", err
	}
	return "synced", nil
}
