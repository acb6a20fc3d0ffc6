// Command lean is a Worker for internal/build's test of the static build:
// a class with RPC methods, and a type whose exported method nothing
// calls, which the linker drops unless something reaches
// reflect.Type.Method.
package main

import (
	"context"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/cron"
	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/queues"
	"github.com/godurable/godurable/worker"
	"github.com/godurable/godurable/ws"
)

func main() {}

// Lean is a class that uses every feature package.
type Lean struct{ helper helper }

func (l *Lean) Ping() string { return l.helper.name() }

func (l *Lean) Alarm(ctx context.Context, info alarm.Info) error { return nil }

func (l *Lean) WebSocketMessage(ctx context.Context, c *ws.Conn, m ws.Message) error { return nil }

type helper struct{ n string }

func (h helper) name() string { return h.n }

// UnusedExportedMarker is called by nothing: a static build drops it.
func (h helper) UnusedExportedMarker() string { return "marker" + h.n }

func init() {
	durableobject.Register("Lean", func(s *durableobject.State, env *worker.Env) (*Lean, error) {
		return &Lean{helper: helper{n: s.Name}}, nil
	})
	cron.Handle(func(ctx context.Context, e *cron.Event) error { return nil })
	queues.Handle(func(ctx context.Context, b *queues.Batch) error { return nil })
}
