package workerd

import (
	"github.com/godurable/godurable/internal/abi"
)

// The object's own state, as the shim's features/state.js: ctx.abort.

func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallAbort: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var reason string
			if err := decodeRequest(req, &reason); err != nil {
				return nil, err
			}
			iso.Evict(s.class, s.id) // once its events in flight are over, as workerd resets it
			return []byte{}, nil
		},
	})
}
