package worker

import (
	"errors"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

// TestGetTarget checks what Get asks the host for: an ID crosses as its
// string and name, in the namespace it was made in.
func TestGetTarget(t *testing.T) {
	ns := &Namespace{binding: "ROOMS"}
	eu := &Namespace{binding: "ROOMS", jurisdiction: "eu"}
	named := ObjectID{id: "aa", name: "lobby"}
	inEU := ObjectID{id: "bb", jurisdiction: "eu"}
	for _, c := range []struct {
		what string
		ns   *Namespace
		id   ObjectID
		opts *GetOptions
		want abi.StubTarget
	}{
		{"a named ID", ns, named, nil, abi.StubTarget{Binding: "ROOMS", Name: "lobby", ID: "aa"}},
		{"a hint", ns, ObjectID{id: "aa"}, &GetOptions{LocationHint: "weur"}, abi.StubTarget{Binding: "ROOMS", ID: "aa", LocationHint: "weur"}},
		{"an ID of the namespace's jurisdiction", eu, inEU, nil, abi.StubTarget{Binding: "ROOMS", Jurisdiction: "eu", ID: "bb"}},
		{"an ID of a jurisdiction, unrestricted", ns, inEU, nil, abi.StubTarget{Binding: "ROOMS", Jurisdiction: "eu", ID: "bb"}},
		{"an ID of no jurisdiction, restricted", eu, named, nil, abi.StubTarget{Binding: "ROOMS", Jurisdiction: "eu", Name: "lobby", ID: "aa"}},
	} {
		s := c.ns.Get(c.id, c.opts)
		if s.err != nil || s.c().Target() != c.want {
			t.Errorf("Get of %s: %+v, %v; want %+v", c.what, s.c().Target(), s.err, c.want)
		}
	}

	if err := ns.Get(ObjectID{}, nil).Call(t.Context(), "m", nil); !errors.Is(err, ErrNoID) {
		t.Errorf("Call on the zero ID: %v", err)
	}
	err := (&Namespace{binding: "ROOMS", jurisdiction: "fedramp"}).Get(inEU, nil).Call(t.Context(), "m", nil)
	var we *Error
	if !errors.As(err, &we) || we.Name != "TypeError" ||
		we.Message != "get called on jurisdictional subnamespace with an ID from a different jurisdiction" {
		t.Errorf("Call with an ID of another jurisdiction: %v", err)
	}
	if _, err := ns.Get(ObjectID{}, nil).Fetch(nil); !errors.Is(err, ErrNoID) {
		t.Errorf("Fetch on the zero ID: %v", err)
	}
}

func TestObjectID(t *testing.T) {
	a, b := ObjectID{id: "aa", name: "lobby"}, ObjectID{id: "aa"}
	if !a.Equal(b) || a.Equal(ObjectID{id: "ab"}) || a == b {
		t.Error("Equal compares the IDs' strings only")
	}
	if a.String() != "aa" || a.Name() != "lobby" || b.Name() != "" || a.Jurisdiction() != "" || a.IsZero() || !(ObjectID{}).IsZero() {
		t.Errorf("accessors of %#v", a)
	}
}
