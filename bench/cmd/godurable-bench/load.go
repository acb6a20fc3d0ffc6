package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// client sends the benchmark's requests to 127.0.0.1, keeping connections
// alive.
type client struct {
	base string // http://127.0.0.1:port
	http *http.Client
}

func newClient(base string, conc int) *client {
	tr := &http.Transport{
		MaxIdleConns:        conc * 2,
		MaxIdleConnsPerHost: conc * 2,
		MaxConnsPerHost:     conc * 2,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// do sends one request and reads the whole answer; a status other than 200
// is an error. A PUT sends a chunked body of ?bytes= zeros.
func (c *client) do(ctx context.Context, method, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	if method == http.MethodPut {
		n, _ := strconv.ParseInt(req.URL.Query().Get("bytes"), 10, 64)
		req.Body, req.ContentLength = io.NopCloser(io.LimitReader(zeros{}, n)), -1
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// timed sends one request and returns how long it took.
func (c *client) timed(ctx context.Context, method, path string) (time.Duration, error) {
	t0 := time.Now()
	_, err := c.do(ctx, method, path)
	return time.Since(t0), err
}

// phase bounds one load run: at most Count requests, at most Duration,
// Concurrency requests in flight.
type phase struct {
	Concurrency int
	Count       int
	Duration    time.Duration
}

// loadResult is what one load run measured.
type loadResult struct {
	OK, Errors int
	FirstError error
	Elapsed    time.Duration
	Latencies  []time.Duration // sorted
	CPU        time.Duration   // CPU time of the wrangler/workerd processes
}

func (r *loadResult) rps() float64 { return float64(r.OK) / r.Elapsed.Seconds() }

func (r *loadResult) quantile(q float64) time.Duration { return quantile(r.Latencies, q) }

// cpuPerRequest is the CPU time of the server processes per answered request.
func (r *loadResult) cpuPerRequest() time.Duration {
	if r.OK == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.OK)
}

// run drives path with p's bounds. path(i) gives the method and path of
// request i.
func (c *client) run(ctx context.Context, p phase, cpu func() time.Duration, path func(i int) (string, string)) *loadResult {
	ctx, cancel := context.WithTimeout(ctx, p.Duration+2*time.Minute)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		res      = &loadResult{}
		wg       sync.WaitGroup
		deadline = time.Now().Add(p.Duration)
	)
	cpu0 := cpu()
	t0 := time.Now()
	for w := 0; w < p.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, p.Count/p.Concurrency+1)
			ok, errs := 0, 0
			var first error
			for {
				i := int(next.Add(1)) - 1
				if i >= p.Count || time.Now().After(deadline) || ctx.Err() != nil {
					break
				}
				method, pth := path(i)
				d, err := c.timed(ctx, method, pth)
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				ok++
				lat = append(lat, d)
			}
			mu.Lock()
			res.OK += ok
			res.Errors += errs
			if res.FirstError == nil {
				res.FirstError = first
			}
			res.Latencies = append(res.Latencies, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(t0)
	res.CPU = cpu() - cpu0
	sort.Slice(res.Latencies, func(i, j int) bool { return res.Latencies[i] < res.Latencies[j] })
	return res
}

// quantile returns the q-quantile (nearest rank) of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// median returns the median of xs (the mean of the middle two for an even
// count), or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return nan
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
