package workerd_test

import (
	"errors"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
	"github.com/godurable/godurable/internal/workerd"
)

// TestResolve checks the model's stub(target) against what the pinned
// workerd (1.20261117.1) does under wrangler dev: a name wins and must
// agree with the ID, jurisdictions are refused, and of the location hints
// only "offpeak" is, without its compatibility flag.
func TestResolve(t *testing.T) {
	r, _, _ := newRuntime(t, nil)
	alice := r.IDFromName("Probe", "alice")
	unique := r.NewUniqueID("Probe")
	other := workerd.NewIsolate(workerd.Config{Module: guestModule(t), Script: "other"}).IDFromName("Probe", "alice")
	jsErr := func(name, message string) error {
		return &driver.JSError{Err: &abi.Error{Name: name, Message: message}}
	}
	notThisNamespace := jsErr("TypeError", "Durable Object ID is not valid for this namespace.")
	for _, c := range []struct {
		target abi.StubTarget
		want   workerd.Target
		err    error
	}{
		{abi.StubTarget{Binding: "PROBE", Name: "alice"}, workerd.Target{Class: "Probe", ID: alice, Name: "alice"}, nil},
		{abi.StubTarget{Binding: "PROBE", Name: "alice", ID: alice, LocationHint: "wnam"}, workerd.Target{Class: "Probe", ID: alice, Name: "alice"}, nil},
		{abi.StubTarget{Binding: "PROBE"}, workerd.Target{Class: "Probe", ID: r.IDFromName("Probe", "")}, nil},
		{abi.StubTarget{Binding: "PROBE", ID: unique, LocationHint: "no such region"}, workerd.Target{Class: "Probe", ID: unique}, nil},
		{abi.StubTarget{Binding: "PROBE", Name: "bob", ID: alice}, workerd.Target{}, notThisNamespace},
		{abi.StubTarget{Binding: "PROBE", Name: "alice", ID: other}, workerd.Target{}, notThisNamespace},
		{abi.StubTarget{Binding: "PROBE", ID: other}, workerd.Target{}, notThisNamespace},
		{abi.StubTarget{Binding: "PROBE", ID: "abc"}, workerd.Target{}, jsErr("TypeError", "Invalid Durable Object ID: must be 64 hex digits")},
		{abi.StubTarget{Binding: "PROBE", Name: "alice", Jurisdiction: "eu"}, workerd.Target{}, jsErr("Error", "Jurisdiction restrictions are not implemented in workerd.")},
		{abi.StubTarget{Binding: "PROBE", Name: "alice", LocationHint: "offpeak"}, workerd.Target{}, jsErr("TypeError", `get called with an unsupported locationHint: "offpeak"`)},
	} {
		host, got, err := r.Resolve(c.target)
		if got != c.want || !sameJSError(err, c.err) || err == nil && host != r {
			t.Errorf("Resolve(%+v) = %+v, %v; want %+v, %v", c.target, got, err, c.want, c.err)
		}
	}

	flagged, _, _ := newRuntime(t, func(c *workerd.Config) { c.Compat = workerd.CompatFor("2026-11-24", []string{"offpeak_location_hint"}) })
	if _, got, err := flagged.Resolve(abi.StubTarget{Binding: "PROBE", Name: "alice", LocationHint: "offpeak"}); err != nil || got.ID != alice {
		t.Errorf("offpeak with offpeak_location_hint: %+v, %v", got, err)
	}
	if workerd.CompatFor("", nil).OffpeakLocationHint || workerd.CompatFor("2099-01-01", nil).OffpeakLocationHint {
		t.Error("offpeak_location_hint is on without the flag")
	}
}

func sameJSError(err, want error) bool {
	if err == nil || want == nil {
		return err == nil && want == nil
	}
	var a, b *driver.JSError
	return errors.As(err, &a) && errors.As(want, &b) && a.Err.Name == b.Err.Name && a.Err.Message == b.Err.Message
}
