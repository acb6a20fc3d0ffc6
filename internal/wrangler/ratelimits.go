package wrangler

import (
	"fmt"
	"slices"
)

// RateLimitPeriods are the periods, in seconds, that a rate-limiting
// binding may have.
var RateLimitPeriods = []float64{10, 60}

// RateLimit reads a rate-limiting binding's entry ([[ratelimits]], or an
// [[unsafe.bindings]] entry of type "ratelimit") as wrangler dev does: its
// simple.limit and simple.period, or what it refuses, with its message.
// `wasmbuild check` and dotest's emulator share it.
func RateLimit(entry map[string]any) (limit, period float64, err error) {
	simple, _ := entry["simple"].(map[string]any)
	if simple == nil {
		return 0, 0, fmt.Errorf(`"ratelimits" bindings must have a "simple" configuration object`)
	}
	limit, ok := number(simple["limit"])
	if !ok || limit <= 0 {
		return 0, 0, fmt.Errorf(`"ratelimits" bindings "simple.limit" must be a number greater than 0 but got %v`, simple["limit"])
	}
	period, ok = number(simple["period"])
	if !ok || !slices.Contains(RateLimitPeriods, period) {
		return 0, 0, fmt.Errorf(`"ratelimits" bindings "simple.period" must be either 10 or 60 but got %v`, simple["period"])
	}
	return limit, period, nil
}

// number is a number of a configuration read as plain values (an
// integer of TOML, a float64 of JSON), and whether v is one.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
