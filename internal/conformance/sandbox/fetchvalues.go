package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// HeaderValues reports what Go reads of Headers: each name's values.
func (s *Sandbox) HeaderValues(h http.Header) map[string][]string { return h }

// WithHeader returns h with name set to value.
func (s *Sandbox) WithHeader(h http.Header, name, value string) http.Header {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(name, value)
	return h
}

// DescribeRequest reports what Go reads of a Request.
func (s *Sandbox) DescribeRequest(r *http.Request) (map[string]any, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"method": r.Method, "url": r.URL.String(), "host": r.Host, "path": r.URL.Path,
		"contentType": r.Header.Get("Content-Type"), "xTest": r.Header.Values("X-Test"),
		"contentLength": r.ContentLength, "body": string(body),
	}, nil
}

// Reply answers a Request with a Response: 201, its method, path and body.
func (s *Sandbox) Reply(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "text/plain")
	h.Add("X-Reply", "yes")
	return &http.Response{
		StatusCode: http.StatusCreated, Header: h,
		Body: io.NopCloser(strings.NewReader(fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, body))),
	}, nil
}

// MakeRequest returns a PUT Request to url with body.
func (s *Sandbox) MakeRequest(url, body string) (*http.Request, error) {
	r, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	if err == nil {
		r.Header.Set("X-Made", "by Go")
	}
	return r, err
}

// DescribeResponse reports what Go reads of a Response.
func (s *Sandbox) DescribeResponse(r *http.Response) (map[string]any, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"status": r.StatusCode, "contentType": r.Header.Get("Content-Type"), "body": string(body)}, nil
}

// CallWithFetchValues is a Go caller of another Sandbox, the one called
// name: it passes a Request, a Response and Headers to its methods and
// reports what came back.
func (s *Sandbox) CallWithFetchValues(ctx context.Context, name string) (map[string]any, error) {
	stub, err := sandboxStub(name)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, "https://example.com/go/caller?q=1", strings.NewReader("from Go"))
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Test", "go")
	var resp *http.Response
	if err := stub.Call(ctx, "reply", &resp, req); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var described map[string]any
	arg := &http.Response{StatusCode: http.StatusAccepted, Header: http.Header{"Content-Type": {"text/csv"}}, Body: io.NopCloser(strings.NewReader("a,b"))}
	if err := stub.Call(ctx, "describeResponse", &described, arg); err != nil {
		return nil, fmt.Errorf("describeResponse: %w", err)
	}
	var h http.Header
	if err := stub.Call(ctx, "withHeader", &h, http.Header{"X-One": {"1"}}, "X-Two", "2"); err != nil {
		return nil, fmt.Errorf("withHeader: %w", err)
	}
	return map[string]any{
		"status": resp.StatusCode, "reply": resp.Header.Get("X-Reply"), "body": string(body),
		"described": described, "headers": map[string][]string(h),
	}, nil
}
