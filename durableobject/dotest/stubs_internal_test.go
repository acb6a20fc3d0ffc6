package dotest

import (
	"context"
	"testing"
)

// TestKeptStubsAreReleased: a stub that reached Go is kept by the host
// while Go holds it, and released once Go's garbage collector has found
// it unreachable.
func TestKeptStubsAreReleased(t *testing.T) {
	w := New(t, &Options{Package: "../../internal/conformance/sandbox"})
	ctx := context.Background()
	keeper := w.Object("SANDBOX", "keeper")
	if err := keeper.Call(ctx, "keep", nil, w.Object("PLAIN", "kept")); err != nil {
		t.Fatal(err)
	}
	if n := w.iso.KeptStubs(); n != 1 {
		t.Fatalf("the host keeps %d stubs after keep(stub), want 1", n)
	}
	var who map[string]any
	if err := keeper.Call(ctx, "whoamiOfKept", &who); err != nil || who["name"] != "kept" {
		t.Fatalf("whoamiOfKept() = %v, %v", who, err)
	}
	if err := keeper.Call(ctx, "dropKept", nil); err != nil {
		t.Fatal(err)
	}
	// The cleanup runs in a goroutine of its own, in this or a later event.
	for i := 0; i < 20 && w.iso.KeptStubs() > 0; i++ {
		if err := keeper.Call(ctx, "whoami", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.iso.KeptStubs(); n != 0 {
		t.Errorf("the host keeps %d stubs after Go dropped its only one, want 0", n)
	}
	if err := keeper.Call(ctx, "whoamiOfKept", nil); err == nil || err.Error() != "worker: a nil *Stub reaches no Durable Object" {
		t.Errorf("whoamiOfKept() after dropKept: %v, want the nil stub's error", err)
	}
}
