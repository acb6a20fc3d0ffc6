package main

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/godurable/godurable/cron"
)

// sweepGrace spares the objects uploaded that recently: a POST stores its
// object, then its record, and the sweep must not take the one for an
// orphan in between. An object whose record has expired is older than
// that, as no record lives under 60 seconds.
const sweepGrace = 30 * time.Second

// sweep is the scheduled handler: it deletes every R2 object whose
// record is gone from KV (expired, or never written), page by page of the
// bucket, and stores what it did under sweepKey.
func sweep(ctx context.Context, e *cron.Event) error {
	s, err := open()
	if err != nil {
		return err
	}
	now := time.Now()
	deleted := 0
	for page, err := range s.blobs.Pages(ctx, nil) {
		if err != nil {
			return err
		}
		var orphans []string
		for objs := range slices.Chunk(page.Objects, 100) { // GetMany's most keys
			keys := make([]string, len(objs))
			for i, o := range objs {
				keys[i] = recordPrefix + o.Key
			}
			records, err := s.records.GetMany(ctx, keys)
			if err != nil {
				return err
			}
			for i, o := range objs {
				if o.Uploaded.After(now.Add(-sweepGrace)) {
					continue
				}
				value, ok := records[keys[i]]
				if !ok || expiredRecord(value, now) {
					orphans = append(orphans, o.Key)
				}
			}
		}
		if len(orphans) > 0 {
			if err := s.blobs.Delete(ctx, orphans...); err != nil {
				return err
			}
			deleted += len(orphans)
		}
	}
	last, err := json.Marshal(Sweep{At: e.ScheduledTime.UnixMilli(), Deleted: deleted})
	if err != nil {
		return err
	}
	return s.records.Put(ctx, sweepKey, string(last), nil)
}

// expiredRecord reports whether the record value (JSON text, as GetMany
// reads it) has expired at now.
func expiredRecord(value string, now time.Time) bool {
	var p Paste
	return json.Unmarshal([]byte(value), &p) == nil && p.expired(now)
}
