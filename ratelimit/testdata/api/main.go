// Command api is a Worker whose API allows each client two calls a
// minute, with a rate-limiting binding: GET /api answers 200, or 429 Too
// Many Requests beyond the limit. The ratelimit package's examples run it
// under dotest.
package main

import (
	"fmt"
	"net/http"

	"github.com/godurable/godurable/ratelimit"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() { worker.Handle(limited(http.HandlerFunc(api))) }

// limited lets each client (by its address: CF-Connecting-IP) make the
// calls LIMITER allows, and answers 429 to the others.
func limited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		limiter, err := ratelimit.FromEnv(env, "LIMITER")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ok, err := limiter.Limit(r.Context(), r.RemoteAddr)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		case !ok:
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func api(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }
