package workerd

import (
	"fmt"
	"net/url"

	"github.com/godurable/godurable/internal/abi"
)

// fetchValue is the JavaScript Headers, Request or Response (abi.ExtHeaders,
// ExtRequest, ExtResponse) that the shim builds of the extension's data,
// as the shim hands it on: names of headers in lower case and sorted, a
// repeated header's values joined (JSHeaders), a GET's or HEAD's body and
// that of a null-body status dropped, a status beyond 200-599 refused.
func fetchValue(typ int8, data []byte) (any, error) {
	var out any
	switch typ {
	case abi.ExtHeaders:
		var pairs [][2]string
		if err := abi.Unmarshal(data, &pairs); err != nil {
			return nil, fmt.Errorf("%w: Headers: %v", errJSDecode, err)
		}
		out = JSHeaders(abi.PairsHeader(pairs))
	case abi.ExtRequest:
		var r abi.Request
		if err := abi.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%w: Request: %v", errJSDecode, err)
		}
		u, err := url.Parse(r.URL)
		if err != nil || !u.IsAbs() {
			return nil, NewJSError("TypeError", fmt.Sprintf("Invalid URL string: %q", r.URL))
		}
		if r.Method == "GET" || r.Method == "HEAD" {
			r.Body = nil
		}
		out = &abi.Request{Method: r.Method, URL: u.String(), Headers: JSHeaders(abi.PairsHeader(r.Headers)), Body: r.Body}
	case abi.ExtResponse:
		var r abi.Response
		if err := abi.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%w: Response: %v", errJSDecode, err)
		}
		if r.Status < 200 || r.Status > 599 {
			return nil, NewJSError("RangeError", "Responses may only be constructed with status codes in the range 200 to 599, inclusive.")
		}
		if nullBodyStatus[r.Status] {
			r.Body = nil
		}
		out = &abi.Response{Status: r.Status, Headers: JSHeaders(abi.PairsHeader(r.Headers)), Body: r.Body}
	}
	b, err := abi.Marshal(out)
	if err != nil {
		return nil, err
	}
	return jsExt{typ: typ, data: b}, nil
}
