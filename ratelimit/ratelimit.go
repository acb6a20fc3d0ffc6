package ratelimit

import (
	"context"
	"errors"
	"fmt"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// ErrNotLimiter is matched by the error of [FromEnv] for a name that is no
// binding of the Worker (it wraps worker.ErrNoBinding too).
var ErrNotLimiter = errors.New("ratelimit: not a rate-limiting binding")

// Limiter is a rate-limiting binding. It is safe for concurrent use.
type Limiter struct {
	name string
	v    *jsbridge.Value
}

// FromEnv returns the rate limiter bound as name in env ([[ratelimits]]
// name = name, or an [[unsafe.bindings]] of type "ratelimit").
func FromEnv(env *worker.Env, name string) (*Limiter, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: no environment (worker.GetEnv)", ErrNotLimiter)
	}
	// Any class: the binding's is the local emulator's Ratelimit in
	// wrangler dev, and Cloudflare's own may differ.
	if err := env.Binding(name, "[[ratelimits]]"); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotLimiter, err)
	}
	v, err := jsbridge.Binding(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotLimiter, err)
	}
	return &Limiter{name: name, v: v}, nil
}

// Binding returns the name of the binding.
func (l *Limiter) Binding() string { return l.name }

// Limit counts a call for key and reports whether it is within the
// binding's limit: false once the key has had limit calls in the current
// period (a refused call is not counted). Keys are whatever the Worker
// limits by: a client's address, a user, a route.
func (l *Limiter) Limit(ctx context.Context, key string) (success bool, err error) {
	var out struct {
		Success bool `json:"success"`
	}
	if err := l.v.Call(ctx, "limit", &out, map[string]any{"key": key}); err != nil {
		return false, fmt.Errorf("ratelimit: %s: %w", l.name, err)
	}
	return out.Success, nil
}
