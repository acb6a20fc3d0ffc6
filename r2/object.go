package r2

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/godurable/godurable/jsbridge"
)

// Object is an object's metadata (JavaScript's R2Object), and its body
// for Get (R2ObjectBody).
type Object struct {
	Key     string `json:"key"`
	Version string `json:"version"` // unique to this upload of the object
	Size    int64  `json:"size"`    // of the whole object, in bytes
	// ETag is the object's entity tag: the MD5 of its bytes in hex for an
	// object stored by Put, and for one that a multipart upload made,
	// the MD5 of its parts' MD5s then "-" and the number of parts.
	ETag string `json:"etag"`
	// HTTPETag is ETag quoted, for an HTTP ETag header.
	HTTPETag string    `json:"httpEtag"`
	Uploaded time.Time `json:"uploaded"` // to the millisecond
	// HTTPMetadata and CustomMetadata are what Put (or the multipart
	// upload) stored with the object. A listing leaves them empty unless
	// ListOptions includes them.
	HTTPMetadata   HTTPMetadata      `json:"httpMetadata"`
	CustomMetadata map[string]string `json:"customMetadata"`
	// Checksums are the object's checksums: its MD5 (but not for a
	// multipart upload), and the one given to Put.
	Checksums Checksums `json:"checksums"`
	// Range is the part of the object that Body holds (Get), or all of
	// it (Head); nil for Put, a listing and a multipart upload.
	Range *Range `json:"range"`
	// StorageClass is R2's storage class ("Standard",
	// "InfrequentAccess"); local R2 (wrangler dev) gives "".
	StorageClass string `json:"storageClass"`
	// Body reads the object's bytes (or the part Range says), as they
	// come from R2: an object over 64 KiB streams, a smaller one is read
	// whole by Get. Only Get sets it, and not when the object failed a
	// condition of GetOptions.OnlyIf. Read it during the event that got it
	// (workerd ties a stream to its request), and Close it.
	Body io.ReadCloser `json:"-"`
}

// HTTPMetadata are the HTTP headers R2 keeps with an object, to serve it
// with.
type HTTPMetadata struct {
	ContentType        string    `json:"contentType,omitempty"`
	ContentLanguage    string    `json:"contentLanguage,omitempty"`
	ContentDisposition string    `json:"contentDisposition,omitempty"`
	ContentEncoding    string    `json:"contentEncoding,omitempty"`
	CacheControl       string    `json:"cacheControl,omitempty"`
	CacheExpiry        time.Time `json:"cacheExpiry,omitzero"` // the Expires header
}

// HTTPMetadataFromHeader returns the HTTP metadata in h, the headers of a
// request (an upload): Content-Type, Content-Language, Content-Disposition,
// Content-Encoding, Cache-Control and Expires (left out unless
// http.ParseTime reads it), as workerd's put takes them from a Headers.
func HTTPMetadataFromHeader(h http.Header) HTTPMetadata {
	expires, _ := http.ParseTime(h.Get("Expires"))
	return HTTPMetadata{
		ContentType:        h.Get("Content-Type"),
		ContentLanguage:    h.Get("Content-Language"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		CacheControl:       h.Get("Cache-Control"),
		CacheExpiry:        expires,
	}
}

// Write sets the headers of h that m has (as JavaScript's
// writeHttpMetadata does): Content-Type, Content-Language,
// Content-Disposition, Content-Encoding, Cache-Control, and Expires in
// HTTP's date format.
func (m HTTPMetadata) Write(h http.Header) {
	for _, f := range []struct{ name, value string }{
		{"Content-Type", m.ContentType},
		{"Content-Language", m.ContentLanguage},
		{"Content-Disposition", m.ContentDisposition},
		{"Content-Encoding", m.ContentEncoding},
		{"Cache-Control", m.CacheControl},
	} {
		if f.value != "" {
			h.Set(f.name, f.value)
		}
	}
	if !m.CacheExpiry.IsZero() {
		h.Set("Expires", m.CacheExpiry.UTC().Format(http.TimeFormat))
	}
}

// js is m as put and createMultipartUpload take it.
func (m HTTPMetadata) js() map[string]any {
	o := map[string]any{}
	setNonZero(o, "contentType", m.ContentType)
	setNonZero(o, "contentLanguage", m.ContentLanguage)
	setNonZero(o, "contentDisposition", m.ContentDisposition)
	setNonZero(o, "contentEncoding", m.ContentEncoding)
	setNonZero(o, "cacheControl", m.CacheControl)
	if !m.CacheExpiry.IsZero() {
		o["cacheExpiry"] = m.CacheExpiry
	}
	return o
}

// Checksums are an object's checksums, each the hash's bytes (nil when R2
// has none). Put checks the one it is given: R2 refuses the object if its
// bytes do not have it (an *Error with CodeBadDigest).
type Checksums struct {
	MD5, SHA1, SHA256, SHA384, SHA512 []byte
}

// fields are the checksums by their names in JavaScript.
func (c *Checksums) fields() []struct {
	name string
	b    *[]byte
} {
	return []struct {
		name string
		b    *[]byte
	}{{"md5", &c.MD5}, {"sha1", &c.SHA1}, {"sha256", &c.SHA256}, {"sha384", &c.SHA384}, {"sha512", &c.SHA512}}
}

// MarshalJSON writes c as R2Checksums' toJSON does: hex strings.
func (c Checksums) MarshalJSON() ([]byte, error) {
	m := map[string]string{}
	for _, f := range c.fields() {
		if *f.b != nil {
			m[f.name] = hex.EncodeToString(*f.b)
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Checksums) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for _, f := range c.fields() {
		if s, ok := m[f.name]; ok {
			d, err := hex.DecodeString(s)
			if err != nil {
				return err
			}
			*f.b = d
		}
	}
	return nil
}

// Range is a part of an object, in bytes: Length bytes from Offset (to the
// end if Length is 0), or, if Suffix is set, the last Suffix bytes.
type Range struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
	Suffix int64 `json:"suffix,omitempty"`
	header string
}

// RangeFromHeader returns the range of the Range header in h (such as
// "bytes=0-1023" or "bytes=-500"), as workerd's get takes it from a
// Headers; nil if h has none. As local R2 does, Get gives the whole object
// for a header of several ranges, or one beyond the object's end.
func RangeFromHeader(h http.Header) *Range {
	v := h.Get("Range")
	if v == "" {
		return nil
	}
	return &Range{header: v}
}

func (r *Range) js() any {
	if r.header != "" {
		return http.Header{"Range": {r.header}}
	}
	o := map[string]any{}
	if r.Suffix == 0 {
		o["offset"] = r.Offset
	} else {
		o["suffix"] = r.Suffix
		setNonZero(o, "offset", r.Offset) // which workerd refuses with a suffix
	}
	setNonZero(o, "length", r.Length)
	return o
}

// Conditional makes a Get or a Put depend on the object stored under its
// key (JavaScript's R2Conditional); the zero value has no conditions.
type Conditional struct {
	// ETagMatches, if set, requires the object's ETag to be it (an
	// unquoted ETag; "*" for any object).
	ETagMatches string
	// ETagDoesNotMatch, if set, requires the object's ETag not to be it
	// ("*": no object).
	ETagDoesNotMatch string
	// UploadedBefore and UploadedAfter, if set, require the object to
	// have been uploaded before, or after, them.
	UploadedBefore, UploadedAfter time.Time
	// SecondsGranularity compares the upload times in whole seconds, as
	// HTTP dates have them.
	SecondsGranularity bool
	header             http.Header
}

// ConditionalFromHeader returns the conditions of a request's headers h:
// If-Match, If-None-Match (lists of ETags, weak ones, "*"),
// If-Modified-Since and If-Unmodified-Since (in whole seconds), as
// workerd reads them from a Headers; nil if h has none of them.
func ConditionalFromHeader(h http.Header) *Conditional {
	c := http.Header{}
	for _, k := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := h.Values(k); len(v) > 0 {
			c[k] = v
		}
	}
	if len(c) == 0 {
		return nil
	}
	return &Conditional{header: c}
}

func (c *Conditional) js() any {
	if c.header != nil {
		return c.header
	}
	o := map[string]any{}
	setNonZero(o, "etagMatches", c.ETagMatches)
	setNonZero(o, "etagDoesNotMatch", c.ETagDoesNotMatch)
	if !c.UploadedBefore.IsZero() {
		o["uploadedBefore"] = c.UploadedBefore
	}
	if !c.UploadedAfter.IsZero() {
		o["uploadedAfter"] = c.UploadedAfter
	}
	setNonZero(o, "secondsGranularity", c.SecondsGranularity)
	return o
}

// GetOptions choose what Get returns.
type GetOptions struct {
	// OnlyIf makes the body depend on conditions: if one does not hold,
	// Get returns the object without a Body.
	OnlyIf *Conditional
	// Range chooses part of the object.
	Range *Range
}

// smallBody is the size up to which Get reads a body whole, with one call
// (arrayBuffer) instead of a stream's two.
const smallBody = 64 << 10

// Get returns the object stored under key, with its Body, or nil if there
// is none. If a condition of opts.OnlyIf does not hold, it returns the
// object without a Body (JavaScript's get returns an R2Object then).
func (b *Bucket) Get(ctx context.Context, key string, opts *GetOptions) (*Object, error) {
	o := map[string]any{}
	if opts != nil {
		if opts.OnlyIf != nil {
			o["onlyIf"] = opts.OnlyIf.js()
		}
		if opts.Range != nil {
			o["range"] = opts.Range.js()
		}
	}
	var v *jsbridge.Value
	if err := b.call(ctx, "get", &v, key, o); err != nil {
		return nil, opError("get", key, err)
	}
	if v == nil {
		return nil, nil
	}
	defer v.Release()
	obj, err := decodeObject(ctx, v, "get", key)
	if err != nil {
		return nil, err
	}
	if opts != nil && opts.OnlyIf != nil {
		t, err := v.Type(ctx)
		if err != nil {
			return nil, opError("get", key, err)
		}
		if t.Class == "HeadResult" { // a condition failed: no body
			return obj, nil
		}
	}
	if obj.Range != nil && obj.Range.Length <= smallBody {
		var b []byte
		if err := v.Call(ctx, "arrayBuffer", &b); err != nil {
			return nil, opError("get", key, err)
		}
		obj.Body = io.NopCloser(bytes.NewReader(b))
		return obj, nil
	}
	if err := v.Get(ctx, "body", &obj.Body); err != nil {
		return nil, opError("get", key, err)
	}
	return obj, nil
}

// decodeObject reads the properties of v, an R2Object.
func decodeObject(ctx context.Context, v *jsbridge.Value, op, key string) (*Object, error) {
	var obj Object
	if err := stringify(ctx, v, &obj); err != nil {
		return nil, opError(op, key, err)
	}
	return &obj, nil
}
