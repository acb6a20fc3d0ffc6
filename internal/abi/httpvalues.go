package abi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// The MessagePack extension types of the Fetch API's values as RPC
// arguments and results (a JavaScript Headers, Request or Response; in
// Go an http.Header, *http.Request or *http.Response). Each one's data is
// one MessagePack value:
const (
	// ExtHeaders: an array of [name, value] pairs (Headers' iteration).
	ExtHeaders int8 = 2
	// ExtRequest: a Request (method, url, headers, body; the body whole).
	ExtRequest int8 = 3
	// ExtResponse: a Response (status, headers, body; the body whole).
	ExtResponse int8 = 4
)

func init() {
	msgpack.RegisterExtEncoder(ExtHeaders, http.Header(nil), func(_ *msgpack.Encoder, v reflect.Value) ([]byte, error) {
		return msgpack.Marshal(HeaderPairs(v.Interface().(http.Header)))
	})
	decodeHeaders := func(dec *msgpack.Decoder, v reflect.Value, n int) error {
		var pairs [][2]string
		if err := extData(dec, n, &pairs); err != nil {
			return fmt.Errorf("decoding Headers: %w", err)
		}
		reflect.Indirect(v).Set(reflect.ValueOf(PairsHeader(pairs)))
		return nil
	}
	// Decoding into an interface: ExtHeaders gives an *http.Header (msgpack
	// cannot make a value of a map type there: it would set it to a
	// pointer to its element type).
	msgpack.RegisterExtDecoder(ExtHeaders, (*http.Header)(nil), decodeHeaders)
	// Decoding into an http.Header: ExtHeaders, or nil.
	msgpack.Register(http.Header(nil), nil, func(dec *msgpack.Decoder, v reflect.Value) error {
		if c, err := dec.PeekCode(); err == nil && c == msgpcode.Nil {
			v.Set(reflect.Zero(v.Type()))
			return dec.DecodeNil()
		}
		id, n, err := dec.DecodeExtHeader()
		switch {
		case err != nil:
			return fmt.Errorf("want Headers: %w", err)
		case id != ExtHeaders:
			return fmt.Errorf("want Headers, got an extension of type %d", id)
		}
		return decodeHeaders(dec, v, n)
	})
	msgpack.RegisterExtEncoder(ExtRequest, (*http.Request)(nil), func(_ *msgpack.Encoder, v reflect.Value) ([]byte, error) {
		r := v.Interface().(*http.Request)
		body, err := readAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("reading the body of the Request: %w", err)
		}
		return msgpack.Marshal(&Request{Method: r.Method, URL: r.URL.String(), Headers: HeaderPairs(r.Header), Body: body})
	})
	msgpack.RegisterExtDecoder(ExtRequest, (*http.Request)(nil), func(dec *msgpack.Decoder, v reflect.Value, n int) error {
		var in Request
		if err := extData(dec, n, &in); err != nil {
			return fmt.Errorf("decoding a Request: %w", err)
		}
		r, err := http.NewRequest(in.Method, in.URL, bytes.NewReader(in.Body))
		if err != nil {
			return fmt.Errorf("decoding a Request: %w", err)
		}
		r.Header = PairsHeader(in.Headers)
		r.RequestURI = r.URL.RequestURI()
		v.Set(reflect.ValueOf(r))
		return nil
	})
	msgpack.RegisterExtEncoder(ExtResponse, (*http.Response)(nil), func(_ *msgpack.Encoder, v reflect.Value) ([]byte, error) {
		r := v.Interface().(*http.Response)
		body, err := readAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("reading the body of the Response: %w", err)
		}
		status := r.StatusCode
		if status == 0 {
			status = http.StatusOK
		}
		return msgpack.Marshal(&Response{Status: status, Headers: HeaderPairs(r.Header), Body: body})
	})
	msgpack.RegisterExtDecoder(ExtResponse, (*http.Response)(nil), func(dec *msgpack.Decoder, v reflect.Value, n int) error {
		var in Response
		if err := extData(dec, n, &in); err != nil {
			return fmt.Errorf("decoding a Response: %w", err)
		}
		v.Set(reflect.ValueOf(&http.Response{
			Status:        fmt.Sprintf("%d %s", in.Status, http.StatusText(in.Status)),
			StatusCode:    in.Status,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        PairsHeader(in.Headers),
			Body:          io.NopCloser(bytes.NewReader(in.Body)),
			ContentLength: int64(len(in.Body)),
		}))
		return nil
	})
}

// extData decodes the n bytes of an extension's data, one MessagePack
// value, into v.
func extData(dec *msgpack.Decoder, n int, v any) error {
	b := make([]byte, n)
	if err := dec.ReadFull(b); err != nil {
		return err
	}
	return Unmarshal(b, v)
}

// readAll reads and closes a body, which may be nil.
func readAll(body io.ReadCloser) ([]byte, error) {
	if body == nil || body == http.NoBody {
		return nil, nil
	}
	defer body.Close()
	return io.ReadAll(body)
}

// HeaderPairs lists h as [name, value] pairs, one per value (the host's
// Headers sorts them).
func HeaderPairs(h http.Header) [][2]string {
	pairs := make([][2]string, 0, len(h))
	for k, vs := range h {
		for _, v := range vs {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	return pairs
}

// PairsHeader is the http.Header of [name, value] pairs (names canonical).
func PairsHeader(pairs [][2]string) http.Header {
	h := make(http.Header, len(pairs))
	for _, kv := range pairs {
		h.Add(kv[0], kv[1])
	}
	return h
}
