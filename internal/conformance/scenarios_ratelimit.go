package conformance

import (
	"fmt"
	"testing"
)

// rateLimit: the rate-limiting bindings of the sandbox (LIMITER, 3 calls
// a minute, declared under [[ratelimits]]; UNSAFE_LIMITER, 2 calls in 10
// seconds, an [[unsafe.bindings]] of type "ratelimit"), through package
// ratelimit: a key's calls up to the limit succeed, the next ones are
// refused, another key counts apart.
func (s *suite) rateLimit(t *testing.T) {
	for _, c := range []struct {
		binding       string
		limit, period int
	}{{"LIMITER", 3, 60}, {"UNSAFE_LIMITER", 2, 10}} {
		t.Run(c.binding, func(t *testing.T) {
			want := []any{}
			for i := range c.limit + 2 {
				want = append(want, i < c.limit)
			}
			// The windows are the clock's: a run that crosses into the next
			// window starts counting again, and is run again.
			for try := 0; ; try++ {
				key := cacheKey(t)
				got := s.getJSON(t, fmt.Sprintf("/ratelimit?binding=%s&key=%s&n=%d&period=%d", c.binding, key, c.limit+2, c.period), 200).(map[string]any)
				if got["oneWindow"] != true && try < 3 {
					continue
				}
				equal(t, "the calls of one key", got["results"], want)
				other := s.getJSON(t, fmt.Sprintf("/ratelimit?binding=%s&key=%s-other&n=1&period=%d", c.binding, key, c.period), 200).(map[string]any)
				equal(t, "another key", other["results"], []any{true})
				break
			}
		})
	}
	t.Run("Options", func(t *testing.T) {
		got := s.getJSON(t, "/ratelimit/options", 200).(map[string]any)
		e := func(msg string) map[string]any { return map[string]any{"name": "Error", "message": msg} }
		equal(t, "an unknown option", got["unknown"], e("bad rate limit options: [foo]"))
		equal(t, "a key that is no string", got["key"], e("invalid key: 5"))
		equal(t, "a period other than 10 or 60", got["period"], e("unsupported period: 30"))
		equal(t, "no options", got["none"], e("invalid rate limit options"))
	})
}
