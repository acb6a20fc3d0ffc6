package workerd

import (
	"context"
	"errors"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// Outbound HTTP, as the shim's features/fetch.js: the Worker's fetch goes
// to Config.Fetch.

func init() {
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		abi.AsyncFetch: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var in abi.Request
			if err := decodeRequest(req, &in); err != nil {
				return nil, err
			}
			sent, fail := iso.sending(&in)
			hreq, err := requestFromGo(&in)
			if err != nil {
				return fail(err)
			}
			if sent != nil {
				hreq.Body, hreq.ContentLength = sent, -1
			}
			if isUpgrade(&in) {
				return iso.dialOutbound(context.Background(), &in)
			}
			if iso.cfg.Fetch == nil {
				return fail(NewJSError("TypeError", "godurable: outbound fetch is not available in this test (set a Fetch handler): "+in.Method+" "+in.URL))
			}
			resp, err := iso.cfg.Fetch(hreq)
			if err != nil {
				var je *driver.JSError
				if errors.As(err, &je) {
					return fail(je)
				}
				return fail(NewJSError("TypeError", "fetch failed: "+err.Error()))
			}
			return iso.responseToGo(resp)
		},
	})
}
