package r2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"strconv"

	"github.com/godurable/godurable/internal/jsbody"
	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// BindingKind is what workerd's environment calls an R2 bucket binding, as
// worker.Env.BindingKind reports it.
const BindingKind = "R2Bucket"

// ErrNotR2 is matched by the error of FromEnv for a name that is not an R2
// bucket binding of the Worker (which matches worker.ErrNoBinding too).
var ErrNotR2 = errors.New("r2: not an R2 bucket binding")

// ErrPreconditionFailed is the error of Put when a condition of
// PutOptions.OnlyIf did not hold: nothing was written (R2's put returns
// null).
var ErrPreconditionFailed = errors.New("r2: the precondition (onlyIf) did not hold")

// Bucket is an R2 bucket binding (env.BUCKET in JavaScript). It is a name:
// cheap to make, safe for concurrent use.
type Bucket struct {
	binding string
}

// FromEnv returns the R2 bucket bound as binding ([[r2_buckets]] in
// wrangler.toml). It fails with ErrNotR2 if env has no such R2 binding.
func FromEnv(env *worker.Env, binding string) (*Bucket, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: no environment (worker.GetEnv)", ErrNotR2)
	}
	if err := env.Binding(binding, "[[r2_buckets]]", BindingKind); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotR2, err)
	}
	return &Bucket{binding: binding}, nil
}

// Binding returns the name of the binding.
func (b *Bucket) Binding() string { return b.binding }

// call calls the bucket's method op, and decodes its result into res as
// jsbridge does (a **jsbridge.Value keeps it by reference).
func (b *Bucket) call(ctx context.Context, op string, res any, args ...any) error {
	v, err := jsbridge.Binding(b.binding)
	if err != nil {
		return err
	}
	return v.Call(ctx, op, res, args...)
}

// Head returns the metadata of the object stored under key, or nil if
// there is none.
func (b *Bucket) Head(ctx context.Context, key string) (*Object, error) {
	var v *jsbridge.Value
	if err := b.call(ctx, "head", &v, key); err != nil {
		return nil, opError("head", key, err)
	}
	if v == nil {
		return nil, nil
	}
	defer v.Release()
	return decodeObject(ctx, v, "head", key)
}

// Delete deletes the objects stored under keys, in one call to R2. A key
// with no object is not an error; no keys, nothing to do.
func (b *Bucket) Delete(ctx context.Context, keys ...string) error {
	var arg any = keys
	switch len(keys) {
	case 0:
		return nil
	case 1:
		arg = keys[0]
	}
	if err := b.call(ctx, "delete", nil, arg); err != nil {
		return opError("delete", "", err)
	}
	return nil
}

// ListOptions choose what List returns. The zero value lists the first
// 1,000 objects of the bucket, by key.
type ListOptions struct {
	// Limit is the most objects (and delimited prefixes) a page holds:
	// 1 to 1,000; 0 means 1,000.
	Limit int
	// Prefix restricts the listing to keys that start with it.
	Prefix string
	// Cursor continues a listing: the Cursor of the previous page.
	Cursor string
	// Delimiter groups the keys that have it after Prefix into one
	// delimited prefix each (Page.DelimitedPrefixes), as directories:
	// with "/", "photos/2026/a.jpg" is listed as "photos/" under Prefix "".
	Delimiter string
	// StartAfter lists only keys that sort after it.
	StartAfter string
	// IncludeHTTPMetadata and IncludeCustomMetadata fill the objects'
	// HTTPMetadata and CustomMetadata, which a listing leaves empty
	// otherwise (R2's include: "httpMetadata", "customMetadata").
	IncludeHTTPMetadata, IncludeCustomMetadata bool
}

// Page is one page of a listing (JavaScript's R2Objects).
type Page struct {
	// Objects are the page's objects, by key, without Body nor Range.
	Objects []*Object `json:"objects"`
	// DelimitedPrefixes are the prefixes that ListOptions.Delimiter
	// grouped keys under.
	DelimitedPrefixes []string `json:"delimitedPrefixes"`
	// Truncated reports that there are more: List again with Cursor.
	Truncated bool `json:"truncated"`
	// Cursor continues the listing after this page, if Truncated.
	Cursor string `json:"cursor"`
}

// List returns one page of the bucket's objects, as opts says.
func (b *Bucket) List(ctx context.Context, opts *ListOptions) (*Page, error) {
	o := map[string]any{}
	if opts != nil {
		setNonZero(o, "limit", opts.Limit)
		setNonZero(o, "prefix", opts.Prefix)
		setNonZero(o, "cursor", opts.Cursor)
		setNonZero(o, "delimiter", opts.Delimiter)
		setNonZero(o, "startAfter", opts.StartAfter)
		var include []string
		if opts.IncludeHTTPMetadata {
			include = append(include, "httpMetadata")
		}
		if opts.IncludeCustomMetadata {
			include = append(include, "customMetadata")
		}
		if include != nil {
			o["include"] = include
		}
	}
	var v *jsbridge.Value
	if err := b.call(ctx, "list", &v, o); err != nil {
		return nil, opError("list", "", err)
	}
	defer v.Release()
	var p Page
	if err := stringify(ctx, v, &p); err != nil {
		return nil, opError("list", "", err)
	}
	return &p, nil
}

// Pages lists every page of the bucket's objects, as opts says (its
// Cursor is where the first page starts), calling List for each page as
// the loop asks for it. It stops at the first error, which it yields.
func (b *Bucket) Pages(ctx context.Context, opts *ListOptions) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		var o ListOptions
		if opts != nil {
			o = *opts
		}
		for {
			p, err := b.List(ctx, &o)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(p, nil) || !p.Truncated {
				return
			}
			o.Cursor = p.Cursor
		}
	}
}

// setNonZero sets o[k] to v unless v is its type's zero value, which
// JavaScript then sees as undefined.
func setNonZero[T comparable](o map[string]any, k string, v T) {
	var zero T
	if v != zero {
		o[k] = v
	}
}

// stringify decodes v, an object of R2 (an R2Object, a listing), through
// JSON.stringify: one call for all of its properties, whose checksums say
// themselves in hex (their toJSON), and whose dates are ISO 8601 text.
func stringify(ctx context.Context, v *jsbridge.Value, out any) error {
	j, err := jsbody.Global("JSON")
	if err != nil {
		return err
	}
	var text string
	if err := j.Call(ctx, "stringify", &text, v); err != nil {
		return err
	}
	return json.Unmarshal([]byte(text), out)
}

// Error is an error R2 returned: workerd throws it as an Error whose
// message is the operation, R2's message and R2's code, such as "put: The
// MD5 checksum you specified did not match what we received. ... (10037)".
// The codes are R2's (see the Code constants). Errors that workerd raises
// before asking R2 (a bad argument: a TypeError or a RangeError) are
// *worker.Error values, as JavaScript catches them.
type Error struct {
	// Op is the operation, as R2's message names it: "get", "put",
	// "list", "uploadPart", "completeMultipartUpload", ...
	Op string
	// Code is R2's error code.
	Code int
	// Message is R2's message, without the operation and the code.
	Message string
	// Err is the error as JavaScript caught it.
	Err *worker.Error
}

// R2's error codes, as Error.Code has them.
const (
	CodeInternal          = 10001 // an internal error (locally: an unknown multipart upload, a part listed twice)
	CodeEntityTooSmall    = 10011 // a part of a multipart upload, other than the last, is under 5 MiB
	CodeMetadataTooLarge  = 10012 // the custom metadata is over 8 KiB
	CodeInvalidObjectName = 10020 // the key is over 1,024 bytes
	CodeInvalidMaxKeys    = 10022 // ListOptions.Limit is over 1,000
	CodeNoSuchUpload      = 10024 // the multipart upload is unknown, completed or aborted
	CodeInvalidPart       = 10025 // a completed part's ETag is not the uploaded part's
	CodeBadDigest         = 10037 // the body does not have the checksum given
	CodeInvalidRange      = 10039 // the range is not within the object
	CodeBadUpload         = 10048 // the parts of a multipart upload differ in size
)

// Error returns the message of R2's error.
func (e *Error) Error() string { return "r2: " + e.Err.Message }

// Unwrap returns the *worker.Error, for errors.As.
func (e *Error) Unwrap() error { return e.Err }

var r2Message = regexp.MustCompile(`(?s)^([A-Za-z]+): (.*) \((\d+)\)$`)

// opError wraps err, the error of operation op on key, in an *Error if R2
// returned it.
func opError(op, key string, err error) error {
	var we *worker.Error
	if errors.As(err, &we) && we.Name == "Error" {
		if m := r2Message.FindStringSubmatch(we.Message); m != nil {
			code, _ := strconv.Atoi(m[3])
			return &Error{Op: m[1], Code: code, Message: m[2], Err: we}
		}
	}
	if key != "" {
		return fmt.Errorf("r2: %s %q: %w", op, key, err)
	}
	return fmt.Errorf("r2: %s: %w", op, err)
}
