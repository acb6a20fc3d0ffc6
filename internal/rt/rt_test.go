package rt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

type sample struct{}

// withOptionals has a method whose trailing parameters can be nil.
type withOptionals struct{}

func (withOptionals) Optional(a int64, b *string, c []int) string { return "" }

type point struct {
	X int `json:"x"`
}

func (sample) Plain(a int64, b string) string                 { return "" }
func (sample) WithContext(ctx context.Context, p point) error { return nil }
func (sample) Pair() (int, error)                             { return 0, nil }
func (sample) Nothing()                                       {}
func (sample) ServeHTTP(http.ResponseWriter, *http.Request)   {}
func (sample) Fetch() string                                  { return "" }
func (sample) Variadic(xs ...int)                             {}
func (sample) Three() (int, int, error)                       { return 0, 0, nil }
func (sample) BadSecond() (int, int)                          { return 0, 0 }
func (sample) Chan(c chan int)                                {}
func (sample) LateContext(a int, ctx context.Context)         {}
func (sample) Then() string                                   { return "" }
func (sample) ToString() string                               { return "" }
func (sample) ReturnsFunc() func()                            { return nil }

func TestMethodsOf(t *testing.T) {
	methods, skipped, _ := methodsOf(reflect.TypeFor[sample](), Exposure{})
	var names []string
	for n := range methods {
		names = append(names, n)
	}
	for _, want := range []string{"Plain", "WithContext", "Pair", "Nothing"} {
		if methods[want] == nil {
			t.Errorf("%s is not an RPC method; methods: %v, skipped: %v", want, names, skipped)
		}
	}
	if m := methods["WithContext"]; m != nil && (!m.ctx || len(m.params) != 1 || !m.err || m.result != nil) {
		t.Errorf("WithContext = %+v", m)
	}
	if m := methods["Pair"]; m != nil && (m.result == nil || !m.err) {
		t.Errorf("Pair = %+v", m)
	}
	if _, ok := methods["ServeHTTP"]; ok {
		t.Error("ServeHTTP is an RPC method")
	}
	wantSkipped := map[string]string{
		"Fetch":       `its JavaScript name "fetch" is reserved by workerd`,
		"Then":        `its JavaScript name "then" cannot be called over RPC`,
		"ToString":    `its JavaScript name "toString" cannot be called over RPC`,
		"Variadic":    "variadic methods are not RPC methods",
		"Three":       "more than two results",
		"BadSecond":   "a second result must be an error",
		"Chan":        "parameter 1: chan int cannot cross the boundary",
		"LateContext": "parameter 2: a context.Context must be the first parameter",
		"ReturnsFunc": "result: func() cannot cross the boundary",
	}
	if len(skipped) != len(wantSkipped) {
		t.Errorf("skipped = %q", skipped)
	}
	for _, s := range skipped {
		name, why, _ := strings.Cut(s, ": ")
		if wantSkipped[name] != why {
			t.Errorf("skipped %s because %q, want %q", name, why, wantSkipped[name])
		}
	}
}

func TestJSName(t *testing.T) {
	for in, want := range map[string]string{"Increment": "increment", "URL": "uRL", "Ärger": "ärger", "x": "x"} {
		if got := JSName(in); got != want {
			t.Errorf("JSName(%q) = %q, want %q", in, got, want)
		}
	}
}

func enc(t *testing.T, v any) []byte {
	t.Helper()
	b, err := abi.EncodeValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeArg(t *testing.T) {
	for _, tc := range []struct {
		in   any
		typ  reflect.Type
		want any
		err  string
	}{
		{5, reflect.TypeFor[int64](), int64(5), ""},
		{-5, reflect.TypeFor[int8](), int8(-5), ""},
		{300, reflect.TypeFor[int8](), nil, "300 overflows int8"},
		{-1, reflect.TypeFor[uint](), nil, "-1 does not fit uint"},
		{1.5, reflect.TypeFor[int](), nil, "want an integer, got a number with a fraction"},
		{"5", reflect.TypeFor[int](), nil, "want an integer, got a string"},
		{2.5, reflect.TypeFor[float64](), 2.5, ""},
		{7, reflect.TypeFor[float64](), 7.0, ""},
		{"s", reflect.TypeFor[string](), "s", ""},
		{5, reflect.TypeFor[string](), nil, "want a string, got an integer"},
		{true, reflect.TypeFor[bool](), true, ""},
		{"true", reflect.TypeFor[bool](), nil, "want a boolean, got a string"},
		{nil, reflect.TypeFor[string](), "", ""},
		{[]string{"a"}, reflect.TypeFor[[]string](), []string{"a"}, ""},
		{map[string]any{"x": 3}, reflect.TypeFor[point](), point{X: 3}, ""},
		{map[string]any{"a": 1}, reflect.TypeFor[any](), map[string]any{"a": int8(1)}, ""},
		{"x", reflect.TypeFor[[]int](), nil, "cannot decode a string"},
	} {
		t.Run(fmt.Sprintf("%v into %s", tc.in, tc.typ), func(t *testing.T) {
			v, err := DecodeArg(enc(t, tc.in), tc.typ)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrArgument) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Interface(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestDecodeArgs(t *testing.T) {
	methods, _, _ := methodsOf(reflect.TypeFor[sample](), Exposure{})
	plain := methods["Plain"]
	decodeArgs := func(ctx context.Context, m *method, raw []byte) ([]reflect.Value, error) {
		items, err := argItems(m, raw)
		if err != nil {
			return nil, err
		}
		return decodeArgs(ctx, m, items)
	}
	if _, err := decodeArgs(context.Background(), plain, enc(t, []any{1, "a"})); err != nil {
		t.Error(err)
	}
	_, err := decodeArgs(context.Background(), plain, enc(t, []any{1}))
	if err == nil || err.Error() != "takes 2 arguments (int64, string), got 1" {
		t.Errorf("one argument: %v", err)
	}
	// Trailing arguments that can be nil may be left out, as JavaScript
	// leaves out an optional one; others may not.
	optionals, _, _ := methodsOf(reflect.TypeFor[withOptionals](), Exposure{})
	optional := optionals["Optional"]
	if args, err := decodeArgs(context.Background(), optional, enc(t, []any{1})); err != nil || len(args) != 3 || !args[1].IsNil() || !args[2].IsNil() {
		t.Errorf("Optional(1): %v, %v", args, err)
	}
	if args, err := decodeArgs(context.Background(), optional, enc(t, []any{1, "s"})); err != nil || *args[1].Interface().(*string) != "s" || !args[2].IsNil() {
		t.Errorf(`Optional(1, "s"): %v, %v`, args, err)
	}
	if _, err := decodeArgs(context.Background(), optional, enc(t, []any{})); err == nil || err.Error() != "takes 3 arguments (int64, *string, []int), got 0" {
		t.Errorf("Optional(): %v", err)
	}
	_, err = decodeArgs(context.Background(), plain, enc(t, "not an array"))
	if err == nil || !strings.Contains(err.Error(), "arguments are not an array") {
		t.Errorf("not an array: %v", err)
	}
	_, err = decodeArgs(context.Background(), plain, enc(t, []any{"x", "a"}))
	if err == nil || !strings.Contains(err.Error(), "argument 1 (int64)") {
		t.Errorf("bad first argument: %v", err)
	}
	if _, err := decodeArgs(context.Background(), methods["Nothing"], nil); err != nil {
		t.Errorf("no arguments, no bytes: %v", err)
	}
}

type namedErr struct{}

func (namedErr) Error() string     { return "inner" }
func (namedErr) ErrorName() string { return "RangeError" }
func (namedErr) ErrorCode() string { return "E_INNER" }

func TestToABI(t *testing.T) {
	e := ToABI(fmt.Errorf("outer: %w", namedErr{}))
	if e.Name != "RangeError" || e.Code != "E_INNER" || e.Message != "outer: inner" {
		t.Errorf("ToABI = %+v", e)
	}
	if e.Cause == nil || e.Cause.Message != "inner" {
		t.Errorf("cause = %+v", e.Cause)
	}
	plain := ToABI(errors.New("plain"))
	if plain.Name != "Error" || plain.Code != "" || plain.Cause != nil {
		t.Errorf("plain = %+v", plain)
	}
}

func TestIncomingRequest(t *testing.T) {
	in := &abi.Request{Method: "POST", URL: "https://example.com/a/b?c=d",
		Headers: [][2]string{{"content-type", "text/plain"}, {"x-a", "1"}, {"x-a", "2"}, {"cf-connecting-ip", "192.0.2.1"}},
		Body:    []byte("hello")}
	r, err := NewIncomingRequest(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	if r.Method != "POST" || r.Host != "example.com" || r.RequestURI != "/a/b?c=d" || string(body) != "hello" ||
		r.ContentLength != 5 || r.Header.Get("Content-Type") != "text/plain" || len(r.Header["X-A"]) != 2 || r.RemoteAddr != "192.0.2.1" {
		t.Errorf("request = %+v", r)
	}
	if _, err := NewIncomingRequest(context.Background(), &abi.Request{URL: "://bad"}); err == nil {
		t.Error("a bad URL was accepted")
	}
}

func TestResponseRecorder(t *testing.T) {
	w := NewResponseRecorder()
	fmt.Fprint(w, "<html><body>hi</body></html>")
	w.WriteHeader(http.StatusTeapot) // too late: ignored, as in net/http
	r := w.Response()
	if r.Status != 200 || string(r.Body) != "<html><body>hi</body></html>" {
		t.Errorf("response = %+v", r)
	}
	if ct := headerValue(r.Headers, "Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("sniffed Content-Type = %q", ct)
	}
	empty := NewResponseRecorder().Response()
	if empty.Status != 200 || len(empty.Headers) != 0 {
		t.Errorf("empty response = %+v", empty)
	}
}

func headerValue(h [][2]string, name string) string {
	for _, kv := range h {
		if kv[0] == name {
			return kv[1]
		}
	}
	return ""
}

func TestHostCallsOutsideWasm(t *testing.T) {
	if _, err := Do(NoObject, abi.OpEnv, nil); !errors.Is(err, ErrNoHost) {
		t.Errorf("Do on the host: %v, want ErrNoHost", err)
	}
	if _, err := AwaitOp(context.Background(), abi.OpFetch, &abi.Request{}); !errors.Is(err, ErrNoHost) {
		t.Errorf("AwaitOp on the host: %v, want ErrNoHost", err)
	}
}

func TestRegisterClassPanics(t *testing.T) {
	ctor := func(context.Context, ObjectInfo) (any, error) { return sample{}, nil }
	for _, name := range []string{"", "1abc", "has space", "dash-ed"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterClass(%q) did not panic", name)
				}
			}()
			RegisterClass(name, reflect.TypeFor[sample](), ctor, Exposure{})
		}()
	}
	RegisterClass("RtTestSample", reflect.TypeFor[sample](), ctor, Exposure{})
	defer func() {
		if recover() == nil {
			t.Error("registering a class twice did not panic")
		}
	}()
	RegisterClass("RtTestSample", reflect.TypeFor[sample](), ctor, Exposure{})
}

func TestManifest(t *testing.T) {
	RegisterClass("RtTestManifest", reflect.TypeFor[sample](), func(context.Context, ObjectInfo) (any, error) { return sample{}, nil }, Exposure{})
	m := Manifest()
	if m.ABI != abi.Version {
		t.Errorf("ABI = %d", m.ABI)
	}
	if m.Shape != m.ComputeShape() {
		t.Errorf("Shape = %q", m.Shape)
	}
	for _, c := range m.Classes {
		if c.Name != "RtTestManifest" {
			continue
		}
		if !reflect.DeepEqual(c.Capabilities, []string{"fetch"}) || len(c.Methods) != 4 || c.Methods[0].Name != "Nothing" || c.Methods[2].JSName != "plain" ||
			!reflect.DeepEqual(c.Methods[2].Params, []string{"int64", "string"}) || c.Methods[2].Result != "string" {
			t.Errorf("class = %+v", c)
		}
		return
	}
	t.Error("the class is not in the manifest")
}

// TestHandlerMethods: each capability names the one method of its
// interface (which the runtime cannot read without bloating the module).
func TestHandlerMethods(t *testing.T) {
	for kind, spec := range handlers {
		if spec.Interface == nil {
			continue
		}
		if spec.Interface.NumMethod() != 1 || spec.Interface.Method(0).Name != spec.Method {
			t.Errorf("%v: Method %q, but %v has the methods %v", kind, spec.Method, spec.Interface, spec.Interface)
		}
	}
}
