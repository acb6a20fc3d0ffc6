package workerd

import (
	"time"

	"github.com/godurable/godurable/internal/abi"
)

// The operations on an event in flight, as the shim's features/event.js
// implements them: keep it alive after its result (ctx.waitUntil), resume
// Go in its I/O context, sleep in it.

func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallWaitUntil: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			return []byte{}, iso.current().ExtendEvent(id)
		},
		abi.CallWaitUntilDone: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var id int32
			if err := decodeRequest(req, &id); err != nil {
				return nil, err
			}
			iso.current().ReleaseEvent(id)
			return []byte{}, nil
		},
	})
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		// A timer of the Worker's clock, as the shim's setTimeout.
		abi.AsyncSleep: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var ms float64
			if err := decodeRequest(req, &ms); err != nil {
				return nil, err
			}
			done := make(chan struct{})
			iso.cfg.Clock.AfterFunc(time.Duration(ms*float64(time.Millisecond)), func() { close(done) })
			<-done
			return []byte{}, nil
		},
		// Settles at once; the driver resumes Go in the event's context.
		abi.AsyncEnter: func(*Isolate, *objectStorage, []byte) ([]byte, error) {
			return []byte{}, nil
		},
	})
}
