package wrangler

import (
	"fmt"
	"math"
	"slices"

	"github.com/godurable/godurable/internal/abi"
)

// checkQueues checks the queues' bindings and consumers: a producer
// binding names a queue and a name of its own (seen holds the binding
// names of the other kinds checked); a consumer's settings are in the
// ranges wrangler and the local emulator accept, once per queue, with a
// queue handler in the module to deliver to.
func (c *Config) checkQueues(m *abi.Manifest, seen map[string]bool) []Problem {
	var ps []Problem
	add := func(warning bool, fix, format string, args ...any) {
		ps = append(ps, Problem{Message: fmt.Sprintf(format, args...), Fix: fix, Warning: warning})
	}
	for i, p := range c.Queues.Producers {
		switch {
		case p.Binding == "":
			add(false, "", "queues.producers entry %d has no binding: name it (binding = \"JOBS\" gives env.JOBS, queues.FromEnv(env, \"JOBS\") in Go)", i+1)
		case seen[p.Binding]:
			add(false, "", "the binding name %q is used twice (queues.producers)", p.Binding)
		}
		seen[p.Binding] = true
		if p.Queue == "" {
			add(false, "", "queues.producers entry %d (%s) names no queue: add queue = \"<name>\"", i+1, p.Binding)
		}
	}
	consumed := map[string]bool{}
	for _, qc := range c.Queues.Consumers {
		for _, msg := range CheckQueueConsumer(qc) {
			add(false, "", "%s", msg)
		}
		if qc.Queue != "" && consumed[qc.Queue] {
			add(false, "", "queues.consumers has the queue %q twice: a queue has one consumer", qc.Queue)
		}
		consumed[qc.Queue] = true
	}
	for _, qc := range c.Queues.Consumers {
		if dlq := qc.DeadLetterQueue; dlq != "" && dlq != qc.Queue && !consumed[dlq] {
			add(true, c.consumerFix(dlq), "the dead-letter queue %q of %q has no consumer here: wrangler dev drops the messages it moves there (on Cloudflare they wait in it)", dlq, qc.Queue)
		}
	}
	for _, p := range c.Queues.Producers {
		if p.Queue != "" && !consumed[p.Queue] {
			add(true, "", "the queue %q of the binding %s has no consumer here: wrangler dev drops its messages unless another Worker of the session consumes it", p.Queue, p.Binding)
			consumed[p.Queue] = true // once per queue
		}
	}
	handler := slices.Contains(m.Worker, "queue")
	switch {
	case len(c.Queues.Consumers) > 0 && !handler:
		add(false, "", "queues.consumers has %d queue%s, but the module has no queue handler: register one with queues.Handle (workerd fails every batch: \"Handler does not export a queue() function.\", and retries it)",
			len(c.Queues.Consumers), plural(len(c.Queues.Consumers), "", "s"))
	case len(c.Queues.Consumers) == 0 && handler:
		add(true, c.consumerFix("<queue>"), "the module has a queue handler (queues.Handle), but the configuration consumes no queue: only dotest's Worker.Queue runs it")
	}
	return ps
}

// CheckQueueConsumer returns what wrangler or the local emulator refuses
// in a [[queues.consumers]] entry, one message each.
func CheckQueueConsumer(qc QueueConsumer) []string {
	var out []string
	name := qc.Queue
	if name == "" {
		out = append(out, "a queues.consumers entry names no queue: add queue = \"<name>\"")
		name = "?"
	}
	if qc.Type != "" && qc.Type != "worker" {
		out = append(out, fmt.Sprintf("queues.consumers %q: type %q: only \"worker\" consumers are configured in wrangler.toml", name, qc.Type))
	}
	check := func(key string, v *float64, lo, hi float64, integer bool, unit string) {
		if v == nil {
			return
		}
		if *v < lo || *v > hi || integer && *v != math.Trunc(*v) {
			kind := "a number"
			if integer {
				kind = "a whole number"
			}
			out = append(out, fmt.Sprintf("queues.consumers %q: %s = %v: it must be %s from %v to %v%s", name, key, *v, kind, lo, hi, unit))
		}
	}
	check("max_batch_size", qc.MaxBatchSize, 1, 100, true, "")
	check("max_batch_timeout", qc.MaxBatchTimeout, 0, 60, false, " seconds")
	check("max_retries", qc.MaxRetries, 0, 100, true, "")
	check("retry_delay", qc.RetryDelay, 0, 86400, true, " seconds")
	if qc.DeadLetterQueue != "" && qc.DeadLetterQueue == qc.Queue {
		out = append(out, fmt.Sprintf("queues.consumers %q: dead_letter_queue is the queue itself: name another queue", name))
	}
	return out
}

func (c *Config) consumerFix(queue string) string {
	if c.TOML() {
		return fmt.Sprintf("[[queues.consumers]]\nqueue = %q", queue)
	}
	return fmt.Sprintf("\"queues\": { \"consumers\": [ { \"queue\": %q } ] },", queue)
}
