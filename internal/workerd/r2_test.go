package workerd

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/driver"
)

// The parts of the R2 emulator and of the model's streams that the
// conformance scenarios reach only through the guest; they check every
// value and message against workerd.

func TestR2ParseEtags(t *testing.T) {
	for _, c := range []struct {
		header string
		want   []r2Etag
		err    string
	}{
		{`"a"`, []r2Etag{{value: "a"}}, ""},
		{`"a", W/"b"`, []r2Etag{{value: "a"}, {value: "b", weak: true}}, ""},
		{`, "a",`, []r2Etag{{value: "a"}}, ""},
		{`"a", *`, []r2Etag{{wildcard: true}}, ""},
		{`"a,b"`, []r2Etag{{value: "a,b"}}, ""},
		{`"a" trailing`, []r2Etag{{value: "a"}}, ""},
		{``, nil, "Invalid ETag in if-match header"},
		{`abc`, nil, "Invalid ETag in if-match header"},
		{`"a`, nil, "Unclosed double quote for Etag"},
		{`"a" "b"`, nil, "Comma was expected to separate etags. Encountered a double quote character"},
		{`"a" *`, nil, "Encountered a wildcard character '*' instead."},
		{`W"a"`, nil, "Weak etags must start with W/ and their value must be quoted"},
	} {
		got, err := r2ParseEtags(c.header, "if-match")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.header, err, c.err)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%q: %v, %v", c.header, got, err)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: %v, want %v", c.header, got, c.want)
			}
		}
	}
}

func TestR2Ranges(t *testing.T) {
	for _, c := range []struct {
		header string
		want   r2Range
		ok     bool
	}{
		{"bytes=0-1", r2Range{0, 2}, true},
		{"bytes=2-", r2Range{2, 3}, true},
		{"bytes=-2", r2Range{3, 2}, true},
		{"bytes=1-100", r2Range{1, 4}, true},
		{"bytes=-5", r2Range{}, false}, // a suffix of the whole object or more: the whole object
		{"bytes=5-", r2Range{}, false},
		{"bytes=3-1", r2Range{}, false},
		{"bytes=0-1,3-4", r2Range{}, false},
		{"items=0-1", r2Range{}, false},
	} {
		got, ok := r2ParseRangeHeader(c.header, 5)
		if ok != c.ok || got != c.want {
			t.Errorf("%q of 5 bytes: %v %v, want %v %v", c.header, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		w    r2RangeWant
		want r2Range
		err  error
	}{
		{r2RangeWant{given: true, offset: 1, length: -1, suffix: -1}, r2Range{1, 4}, nil},
		{r2RangeWant{given: true, offset: -1, length: 2, suffix: -1}, r2Range{0, 2}, nil},
		{r2RangeWant{given: true, offset: -1, length: -1, suffix: 9}, r2Range{0, 5}, nil},
		{r2RangeWant{given: true, offset: 5, length: -1, suffix: -1}, r2Range{}, r2InvalidRange},
		{r2RangeWant{given: true, offset: 1, length: 0, suffix: -1}, r2Range{}, r2InvalidRange},
		{r2RangeWant{given: true, offset: -1, length: -1, suffix: 0}, r2Range{}, r2InvalidRange},
	} {
		got, err := c.w.resolve(5)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%+v of 5 bytes: %v %v, want %v %v", c.w, got, err, c.want, c.err)
		}
	}
}

func TestR2Conditions(t *testing.T) {
	o := &r2Object{etag: "e", uploaded: 10_500}
	ms := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		name string
		c    *r2Cond
		want bool
	}{
		{"none", nil, true},
		{"etag matches", &r2Cond{etagMatches: []r2Etag{{value: "e"}}}, true},
		{"weak etag does not match strongly", &r2Cond{etagMatches: []r2Etag{{value: "e", weak: true}}}, false},
		{"weak etag matches weakly", &r2Cond{etagDoesNotMatch: []r2Etag{{value: "e", weak: true}}}, false},
		{"uploaded before", &r2Cond{before: ms(10_501)}, true},
		{"uploaded before, in seconds", &r2Cond{before: ms(10_501), seconds: true}, false},
		{"uploaded after", &r2Cond{after: ms(10_499)}, true},
		{"if-none-match overrides if-modified-since", &r2Cond{after: ms(20_000), etagDoesNotMatch: []r2Etag{{value: "x"}}}, true},
		{"if-match overrides if-unmodified-since", &r2Cond{before: ms(0), etagMatches: []r2Etag{{value: "e"}}}, true},
	} {
		if got := c.c.holds(o); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if (&r2Cond{etagDoesNotMatch: []r2Etag{{wildcard: true}}}).holdsForNone() != true || (&r2Cond{etagMatches: []r2Etag{{wildcard: true}}}).holdsForNone() {
		t.Errorf("conditions where there is no object")
	}
}

func TestJSONStringify(t *testing.T) {
	o := newJSObject()
	o.set("b", 1.5)
	o.set("a", "x<y")
	o.set("u", jsUndefined{})
	o.set("d", jsDate{ms: 1_700_000_000_123})
	o.set("l", []any{float64(1), jsUndefined{}, nil, true})
	sums := &JSObject{Class: "Checksums", Methods: map[string]any{"toJSON": func() map[string]string { return map[string]string{"md5": "00"} }}}
	obj := &JSObject{Class: "HeadResult", Props: map[string]any{"o": o, "sums": sums, "fn": &JSObject{Func: func() {}}}}
	got, err := jsonStringify(obj)
	want := `{"o":{"b":1.5,"a":"x<y","d":"2023-11-14T22:13:20.123Z","l":[1,null,null,true]},"sums":{"md5":"00"}}`
	if err != nil || got != want {
		t.Errorf("JSON.stringify = %v, %v\nwant %s", got, err, want)
	}
	if got, _ := jsonStringify(map[string]any{"t": time.UnixMilli(5).UTC(), "n": int64(3)}); got != `{"n":3,"t":"1970-01-01T00:00:00.005Z"}` {
		t.Errorf("Go values: %v", got)
	}
	if got, _ := jsonStringify(jsUndefined{}); got != (jsUndefined{}) {
		t.Errorf("undefined: %v", got)
	}
}

// TestFixedLengthStream: piping a stream into a FixedLengthStream gives its
// readable half the bytes and their length, or workerd's error for too
// many or too few.
func TestFixedLengthStream(t *testing.T) {
	for _, c := range []struct {
		body string
		n    float64
		err  string
	}{
		{"hello", 5, ""},
		{"hell", 5, "FixedLengthStream did not see all expected bytes before close()."},
		{"hello!", 5, "Attempt to write too many bytes through a FixedLengthStream."},
	} {
		fls, err := newFixedLengthStream(c.n)
		if err != nil {
			t.Fatal(err)
		}
		src := &jsStream{r: io.NopCloser(strings.NewReader(c.body))}
		res, err := callFunc(src.methods().Methods["pipeThrough"], []any{fls}, "pipeThrough")
		if err != nil {
			t.Fatal(err)
		}
		r, ok := res.(*jsStream).r.(*fixedLengthReader)
		if !ok || r.length != int64(c.n) {
			t.Fatalf("the readable half: %#v", res)
		}
		b, err := io.ReadAll(r)
		var je *driver.JSError
		switch {
		case c.err == "" && (err != nil || string(b) != c.body):
			t.Errorf("%q: %q, %v", c.body, b, err)
		case c.err != "" && (!errors.As(err, &je) || je.Err.Name != "TypeError" || je.Err.Message != c.err):
			t.Errorf("%q: %v, want %s", c.body, err, c.err)
		}
	}
	if _, err := newFixedLengthStream(-1); err == nil {
		t.Errorf("a negative length")
	}
}
