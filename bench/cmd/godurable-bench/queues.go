package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

const secQueue = "Queues: messages through a local queue (SendBatch of 100, consume, ack)"

// measureQueues measures messages per second through a queue in a
// session of its own: bench/go/queue and its twin bench/js/queue.js
// (also the session's front), each sending to its own queue in batches
// of 100 and consuming it (decode, ack) in batches of 100. A run sends n
// messages and waits until the Worker has consumed them all; the rate is
// n over the time from the run's start to the last batch consumed, as the
// Worker's clock reads them (the polling of the benchmark does not
// count).
func (b *bench) measureQueues(ctx context.Context) error {
	s, err := b.startSession(ctx, 1, "bench/js/queue.toml", "bench/go/queue.toml")
	if err != nil {
		return err
	}
	defer s.stop()
	n := 2000
	if b.smoke {
		n = 200
	}
	for _, side := range []string{sideGo, sideJS} { // warm up
		if _, err := b.queueRun(ctx, s, side, 200); err != nil {
			return fmt.Errorf("queue %s: %w", side, err)
		}
	}
	for round := 0; round < b.cfg.Rounds; round++ {
		for _, side := range order([]string{sideGo, sideJS}, round) {
			r, err := b.queueRun(ctx, s, side, n)
			if err != nil {
				return fmt.Errorf("queue %s: %w", side, err)
			}
			b.m.get(secQueue, fmt.Sprintf("%d messages: messages per second, sent to consumed", n), "msg/s", higher).add(side, float64(n)/r.elapsed.Seconds())
			b.m.get(secQueue, "SendBatch of 100 messages: mean time", "ms", lower).add(side, r.sendMs/float64((n+99)/100))
		}
	}
	return nil
}

type queueResult struct {
	elapsed time.Duration // from the run's start to its last batch consumed
	sendMs  float64       // the sends alone
}

// queueRun runs n messages through side's queue and waits (a minute at
// most) until they are all consumed.
func (b *bench) queueRun(ctx context.Context, s *session, side string, n int) (queueResult, error) {
	body, err := s.do(ctx, "POST", fmt.Sprintf("/%s/run?n=%d", side, n))
	if err != nil {
		return queueResult{}, err
	}
	var sent struct {
		Sent int     `json:"sent"`
		MS   float64 `json:"ms"`
	}
	if err := json.Unmarshal(body, &sent); err != nil || sent.Sent != n {
		return queueResult{}, fmt.Errorf("the run answered %s", body)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		body, err := s.do(ctx, "GET", "/"+side+"/count")
		if err != nil {
			return queueResult{}, err
		}
		var c struct {
			Count   int   `json:"count"`
			Started int64 `json:"started"`
			Last    int64 `json:"last"`
		}
		if err := json.Unmarshal(body, &c); err != nil {
			return queueResult{}, fmt.Errorf("the count answered %s", body)
		}
		if c.Count >= n {
			return queueResult{elapsed: time.Duration(max(1, c.Last-c.Started)) * time.Millisecond, sendMs: sent.MS}, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return queueResult{}, fmt.Errorf("%d of %d messages consumed after a minute", c.Count, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
