package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/godurable/godurable/r2"
)

// ServeHTTP serves the HTTP API: it is the Worker's fetch handler, as
// the default entrypoint's.
func (Pastebin) ServeHTTP(w http.ResponseWriter, r *http.Request) { mux.ServeHTTP(w, r) }

var mux = routes()

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/pastes", methods{http.MethodGet: listPastes, http.MethodPost: createPaste})
	mux.Handle("/pastes/{id}", methods{http.MethodGet: getPaste, http.MethodDelete: deletePaste})
	mux.Handle("/stats", methods{http.MethodGet: getStats})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, http.StatusNotFound, errorBody(fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)))
	})
	return mux
}

// A handler serves one method of a route. An *httpError it returns is
// answered with its status, any other error with a 500.
type handler func(s *store, w http.ResponseWriter, r *http.Request) error

// httpError is a request's fault: its status and message.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

// methods are the handlers of a route's methods; GET serves HEAD too, and
// another method is answered 405 with Allow.
type methods map[string]handler

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	h, ok := m[method]
	if !ok {
		allow := slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) || k == http.MethodGet && !yield(http.MethodHead) {
					return
				}
			}
		})
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, r, http.StatusMethodNotAllowed, errorBody(fmt.Sprintf("%s %s: the methods are %s", r.Method, r.URL.Path, strings.Join(allow, ", "))))
		return
	}
	s, err := open()
	if err == nil {
		err = h(s, w, r)
	}
	if err != nil {
		status := http.StatusInternalServerError
		var e *httpError
		if errors.As(err, &e) {
			status = e.status
		}
		writeJSON(w, r, status, errorBody(err.Error()))
	}
}

// writeJSON answers v as JSON (without a body for HEAD).
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		json.NewEncoder(w).Encode(v)
	}
}

// createPaste: POST /pastes?ttl=SECONDS, the paste in the body.
func createPaste(s *store, w http.ResponseWriter, r *http.Request) error {
	var ttl int64
	if q := r.URL.Query(); q.Has("ttl") {
		var err error
		if ttl, err = strconv.ParseInt(q.Get("ttl"), 10, 64); err != nil {
			return badRequest("ttl must be an integer number of seconds, not %q", q.Get("ttl"))
		}
		if err := checkTTL(ttl); err != nil {
			return badRequest("%v", err)
		}
	}
	contentType := r.Header.Get("Content-Type")
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	p, err := s.create(r.Context(), r.Body, r.ContentLength, contentType, ttl)
	switch {
	case errors.Is(err, errEmpty):
		return badRequest("%v", err)
	case errors.Is(err, errTooLarge):
		return &httpError{http.StatusRequestEntityTooLarge, err.Error()}
	case err != nil:
		return err
	}
	w.Header().Set("Location", "/pastes/"+p.ID)
	writeJSON(w, r, http.StatusCreated, p)
	return nil
}

// getPaste: GET or HEAD /pastes/{id}, with Range and If-None-Match.
func getPaste(s *store, w http.ResponseWriter, r *http.Request) error {
	p, err := s.get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if p == nil {
		return notFound(r.PathValue("id"))
	}
	h := w.Header()
	h.Set("ETag", `"`+p.ETag+`"`)
	h.Set("Accept-Ranges", "bytes")
	if noneMatch(r.Header.Get("If-None-Match"), p.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	rng, ok := parseRange(r.Header.Get("Range"), p.Size)
	if !ok {
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", p.Size))
		return &httpError{http.StatusRequestedRangeNotSatisfiable, fmt.Sprintf("the range %q is outside the paste's %d bytes", r.Header.Get("Range"), p.Size)}
	}
	status, length := http.StatusOK, p.Size
	if rng != nil {
		status, length = http.StatusPartialContent, rng.Length
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.Offset, rng.Offset+rng.Length-1, p.Size))
	}
	var body io.ReadCloser
	if r.Method != http.MethodHead {
		obj, err := s.blobs.Get(r.Context(), p.ID, &r2.GetOptions{Range: rng})
		if err != nil {
			return err
		}
		if obj == nil { // deleted since (the record goes last)
			return notFound(p.ID)
		}
		body = obj.Body
		defer body.Close()
	}
	h.Set("Content-Type", p.ContentType)
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if body != nil {
		_, err = io.Copy(w, body)
	}
	return err
}

func notFound(id string) error {
	return &httpError{http.StatusNotFound, fmt.Sprintf("no paste %q (unknown, deleted or expired)", id)}
}

// noneMatch reports whether an If-None-Match header matches etag (R2's,
// unquoted): "*", or a list of ETags, weak or strong.
func noneMatch(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == `"`+etag+`"` {
			return true
		}
	}
	return false
}

// parseRange returns the range of a Range header for a paste of size
// bytes (size > 0): nil, true for none, or for a header that HTTP lets a
// server ignore (another unit, several ranges, bad syntax); false if it
// cannot be satisfied (416).
func parseRange(header string, size int64) (*r2.Range, bool) {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, true
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, true
	}
	if first == "" { // the last n bytes
		n, ok := digits(last)
		switch {
		case !ok:
			return nil, true
		case n == 0:
			return nil, false
		}
		n = min(n, size)
		return &r2.Range{Offset: size - n, Length: n}, true
	}
	a, ok := digits(first)
	if !ok {
		return nil, true
	}
	b := size - 1
	if last != "" {
		if b, ok = digits(last); !ok || b < a {
			return nil, true
		}
	}
	if a >= size {
		return nil, false
	}
	b = min(b, size-1)
	return &r2.Range{Offset: a, Length: b - a + 1}, true
}

// digits reads a non-negative decimal number of digits only.
func digits(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// listPastes: GET /pastes?limit=N&cursor=C.
func listPastes(s *store, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 100
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > 1000 {
			return badRequest("limit must be an integer from 1 to 1000, not %q", q.Get("limit"))
		}
		limit = n
	}
	pastes, next, err := s.list(r.Context(), limit, q.Get("cursor"))
	if err != nil {
		return err
	}
	var cursor *string
	if next != "" {
		cursor = &next
	}
	writeJSON(w, r, http.StatusOK, struct {
		Pastes []Listed `json:"pastes"`
		Cursor *string  `json:"cursor"`
	}{pastes, cursor})
	return nil
}

// deletePaste: DELETE /pastes/{id}.
func deletePaste(s *store, w http.ResponseWriter, r *http.Request) error {
	ok, err := s.remove(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
	}
	writeJSON(w, r, status, map[string]bool{"deleted": ok})
	return nil
}

// getStats: GET /stats.
func getStats(s *store, w http.ResponseWriter, r *http.Request) error {
	st, err := s.stats(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, st)
	return nil
}
