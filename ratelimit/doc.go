// Package ratelimit reaches a Worker's rate-limiting binding from Go: a
// counter per key (a client's address, a user, a route) that allows a
// number of calls in a period of 10 or 60 seconds, kept by Cloudflare in
// each location.
//
// A rate limiter is a binding of wrangler.toml, declared either way that
// wrangler documents:
//
//	[[ratelimits]]
//	name = "LIMITER"                          # ratelimit.FromEnv(env, "LIMITER") in Go
//	namespace_id = "1001"                     # your account's number for it
//	simple = { limit = 100, period = 60 }     # 100 calls a minute per key
//
//	[[unsafe.bindings]]
//	name = "LIMITER"
//	type = "ratelimit"
//	namespace_id = "1001"
//	simple = { limit = 100, period = 60 }
//
// The period is 10 or 60 seconds, the limit above 0: `wasmbuild check`
// says so for an entry that wrangler dev would refuse.
//
// [Limiter.Limit] counts a call and reports whether it is within the
// limit:
//
//	limiter, err := ratelimit.FromEnv(env, "LIMITER")
//	// ...
//	ok, err := limiter.Limit(r.Context(), r.RemoteAddr) // the client's CF-Connecting-IP
//	if err == nil && !ok {
//		http.Error(w, "slow down", http.StatusTooManyRequests)
//	}
//
// In wrangler dev, a period is a window of the clock (the windows of a
// minute begin at every minute), not a sliding one: a key's count starts
// again at the next window, and a refused call is not counted. Cloudflare
// keeps a location's counts and may let a few more calls through than the
// limit while they spread: it is meant to shed abuse, not to count
// exactly.
//
// # Testing
//
// The dotest harness emulates both kinds of declaration as wrangler dev's
// local rate limiter runs them: limit calls per key in windows of the
// binding's period on the Worker's clock (a test moves a
// dotest.ManualClock to the next window rather than wait for it), the
// same messages for what JavaScript's limit refuses, a period other than
// 10 or 60 refused when the Worker starts. The counts survive Restart and
// Crash, as wrangler dev keeps them on disk. One difference: two bindings
// with the same namespace_id share their counts in wrangler dev, and
// count apart in dotest. A test may play the binding itself with
// Options.Fakes.
package ratelimit
