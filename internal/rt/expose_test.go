package rt

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// wellKnownClass implements fmt.Stringer, io.Closer, json.Marshaler and,
// through its mutex, sync.Locker; Close(ctx) of closerWithContext does not
// implement io.Closer.
type wellKnownClass struct{ sync.Mutex }

func (*wellKnownClass) Get() int64                     { return 1 }
func (*wellKnownClass) Put(v int64) error              { return nil }
func (*wellKnownClass) String() string                 { return "" }
func (*wellKnownClass) Close() error                   { return nil }
func (*wellKnownClass) MarshalJSON() ([]byte, error)   { return nil, nil }
func (*wellKnownClass) UnmarshalText(b []byte) error   { return nil }
func (*wellKnownClass) Variadic(xs ...int)             {}
func (*wellKnownClass) GoString() (string, error)      { return "", nil } // not fmt.GoStringer's signature
func (*wellKnownClass) Scan(dest any, extra int) error { return nil }     // not sql.Scanner's

func exposed(t *testing.T, exp Exposure) (names, skipped, hidden []string) {
	t.Helper()
	methods, skipped, hidden := methodsOf(reflect.TypeFor[*wellKnownClass](), exp)
	for n := range methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, skipped, hidden
}

func TestExposureDefaults(t *testing.T) {
	names, skipped, hidden := exposed(t, Exposure{})
	if want := []string{"Get", "GoString", "Put", "Scan"}; !slices.Equal(names, want) {
		t.Errorf("exposed %v, want %v", names, want)
	}
	if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "Variadic: ") {
		t.Errorf("skipped %q", skipped)
	}
	want := map[string]string{
		"String":        "fmt.Stringer",
		"Close":         "io.Closer",
		"MarshalJSON":   "json.Marshaler",
		"UnmarshalText": "encoding.TextUnmarshaler",
		"Lock":          "sync.Locker",
		"Unlock":        "sync.Locker",
		"TryLock":       "a mutex (TryLock)",
	}
	if len(hidden) != len(want) {
		t.Errorf("hidden %q", hidden)
	}
	for _, h := range hidden {
		name, why, _ := strings.Cut(h, ": ")
		if iface := want[name]; iface == "" || why != "a method of "+iface+": not exposed unless durableobject.Expose lists it" {
			t.Errorf("hidden %s: %q", name, why)
		}
	}
}

func TestExposureHide(t *testing.T) {
	names, skipped, hidden := exposed(t, Exposure{Hide: []string{"Put", "Nope"}})
	if want := []string{"Get", "GoString", "Scan"}; !slices.Equal(names, want) {
		t.Errorf("exposed %v, want %v", names, want)
	}
	if !slices.Contains(hidden, "Put: kept off RPC by durableobject.Hide") || !slices.Contains(hidden, "String: a method of fmt.Stringer: not exposed unless durableobject.Expose lists it") {
		t.Errorf("hidden %q", hidden)
	}
	if !slices.Contains(skipped, "Nope: durableobject.Hide lists it, but *rt.wellKnownClass has no exported method Nope") {
		t.Errorf("skipped %q", skipped)
	}
}

func TestExposureOnly(t *testing.T) {
	names, skipped, hidden := exposed(t, Exposure{Only: []string{"Get", "String", "Variadic", "Typo"}})
	if want := []string{"Get", "String"}; !slices.Equal(names, want) {
		t.Errorf("exposed %v, want %v", names, want)
	}
	if !slices.Contains(hidden, "Put: not listed by durableobject.Expose") || !slices.Contains(hidden, "Close: not listed by durableobject.Expose") {
		t.Errorf("hidden %q", hidden)
	}
	if !slices.Contains(skipped, "Typo: durableobject.Expose lists it, but *rt.wellKnownClass has no exported method Typo") ||
		!slices.ContainsFunc(skipped, func(s string) bool { return strings.HasPrefix(s, "Variadic: variadic") }) {
		t.Errorf("skipped %q", skipped)
	}
	if names, _, _ := exposed(t, Exposure{Only: []string{}}); len(names) != 0 {
		t.Errorf("Expose() exposes %v", names)
	}
}

// TestWellKnownMethods: each well-known interface's entry names exactly
// its methods (which the runtime cannot read without bloating the module).
func TestWellKnownMethods(t *testing.T) {
	for _, wk := range wellKnown {
		var names []string
		for i := range wk.iface.NumMethod() {
			names = append(names, wk.iface.Method(i).Name)
		}
		got := slices.Clone(wk.methods)
		sort.Strings(got)
		if !slices.Equal(got, names) {
			t.Errorf("%s: methods %v, but %v has %v", wk.name, wk.methods, wk.iface, names)
		}
	}
}
