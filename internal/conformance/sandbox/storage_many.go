package main

import (
	"context"
	"time"
)

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

// Bookmarks returns two current bookmarks, a write apart, and what
// BookmarkForTime and RestoreOnNextSession said (their errors, as text).
func (s *Sandbox) Bookmarks(ctx context.Context) (map[string]any, error) {
	st := &s.state.Storage
	first, err := st.CurrentBookmark(ctx)
	if err != nil {
		return nil, err
	}
	if err := st.KV.Put("bookmarked", true); err != nil {
		return nil, err
	}
	second, err := st.CurrentBookmark(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"first": first, "second": second}
	if b, err := st.BookmarkForTime(ctx, time.Now().Add(-time.Second)); err != nil {
		out["forTime"] = err.Error()
	} else {
		out["forTime"] = b
	}
	if b, err := st.RestoreOnNextSession(ctx, first); err != nil {
		out["restore"] = err.Error()
	} else {
		out["restore"] = b
	}
	return out, nil
}
