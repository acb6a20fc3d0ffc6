package workerd

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/wrangler"
)

// The rate-limiting binding ([[ratelimits]], or an [[unsafe.bindings]]
// of type "ratelimit"), as local workerd runs it (miniflare's Ratelimit
// and its RateLimiterObject): limit({key}) counts the key's calls in a
// window of the binding's period (10 or 60 seconds), aligned to the clock
// (the Worker's), and refuses them once the count has reached the
// binding's limit; a refused call is not counted. Counters outlive
// restarts of the isolate, as the local emulator keeps them on disk.

func init() {
	RegisterEmulator("ratelimits", newRateLimiter)
	RegisterEmulator("unsafe.bindings:ratelimit", newRateLimiter)
}

// rateLimiter is the state of one rate-limiting binding.
type rateLimiter struct {
	clock         driver.Clock
	limit, period float64

	mu      sync.Mutex
	buckets map[rateBucketKey]*rateBucket
}

type rateBucketKey struct {
	key    string
	period float64
}

type rateBucket struct {
	epoch, count float64
}

func newRateLimiter(c BindingConfig) (*JSObject, error) {
	limit, period, err := wrangler.RateLimit(c.Entry)
	if err != nil {
		return nil, err
	}
	l := &rateLimiter{clock: c.Clock, limit: limit, period: period, buckets: map[rateBucketKey]*rateBucket{}}
	return &JSObject{Class: "Ratelimit", Methods: map[string]any{"limit": l.call}}, nil
}

// rateLimitOptions are the options limit takes.
var rateLimitOptions = []string{"key", "limit", "period", "delta"}

// call is limit(options), with the local emulator's checks and messages.
func (l *rateLimiter) call(_ context.Context, options any) (map[string]any, error) {
	opts, ok := options.(map[string]any)
	if !ok {
		return nil, NewJSError("Error", "invalid rate limit options")
	}
	var bad []string
	for k := range opts {
		if !slices.Contains(rateLimitOptions, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, NewJSError("Error", "bad rate limit options: ["+strings.Join(bad, ",")+"]")
	}
	key := ""
	if v, ok := opts["key"]; ok && v != nil {
		if key, ok = v.(string); !ok {
			return nil, NewJSError("Error", fmt.Sprintf("invalid key: %v", v))
		}
	}
	limit, period, delta := l.limit, l.period, 1.0
	if v, ok := opts["limit"]; ok && v != nil {
		if limit, ok = numberOf(v); !ok {
			return nil, NewJSError("Error", fmt.Sprintf("limit must be a number: %v", v))
		}
	}
	if v, ok := opts["period"]; ok && v != nil {
		if period, ok = numberOf(v); !ok {
			return nil, NewJSError("Error", fmt.Sprintf("period must be a number: %v", v))
		}
		if !slices.Contains(wrangler.RateLimitPeriods, period) {
			return nil, NewJSError("Error", fmt.Sprintf("unsupported period: %v", v))
		}
	}
	if v, ok := opts["delta"]; ok && v != nil {
		d, ok := numberOf(v)
		switch {
		case !ok || math.IsInf(d, 0) || math.IsNaN(d):
			return nil, NewJSError("TypeError", "The value cannot be converted because it is not an integer.")
		case d < 0:
			return nil, NewJSError("TypeError", "The value cannot be converted because it is negative and this API expects a positive number.")
		case d > math.MaxUint32:
			return nil, NewJSError("TypeError", "Value out of range. Must be less than or equal to 4294967295.")
		case math.Trunc(d) == 0:
			return nil, NewJSError("RangeError", "delta must be non-zero")
		}
		delta = math.Trunc(d)
	}
	epoch := math.Floor(float64(l.clock.Now().UnixMilli()) / (period * 1000))
	l.mu.Lock()
	defer l.mu.Unlock()
	k := rateBucketKey{key, period}
	count := 0.0
	if b := l.buckets[k]; b != nil && b.epoch == epoch {
		count = b.count
	} else {
		for bk, b := range l.buckets { // windows roll over together: the old ones go
			if bk.period == period && b.epoch != epoch {
				delete(l.buckets, bk)
			}
		}
	}
	if count >= limit {
		return map[string]any{"success": false}, nil
	}
	l.buckets[k] = &rateBucket{epoch: epoch, count: count + delta}
	return map[string]any{"success": true}, nil
}
