package conformance

import (
	"context"
	"testing"
)

// TestDotestSQLDBDrop: the *sql.DB that sqldb.Open made for an object is
// closed when the runtime drops the object, and the object rebuilt after
// its eviction gets a new one. (workerd drops an object when its
// JavaScript object is collected, which a test cannot provoke.)
func TestDotestSQLDBDrop(t *testing.T) {
	d := NewDotest(t, "./sandbox")
	ctx := context.Background()
	o := d.W.Object("SANDBOX", "sqldb-drop")
	var same bool
	if err := o.Call(ctx, "sqldbKeep", &same, "drop"); err != nil || !same {
		t.Fatalf("sqldbKeep = %v, %v", same, err)
	}
	var kept string
	if err := o.Call(ctx, "sqldbKept", &kept, "drop"); err != nil || kept != "ping: ok, this object's: true" {
		t.Fatalf("before the eviction: %q, %v", kept, err)
	}
	if !o.Evict() {
		t.Fatal("the object was not live")
	}
	// The next event of the instance, for any object, delivers the drop.
	if err := d.W.Object("SANDBOX", "sqldb-other").Call(ctx, "sqldbKept", &kept, "drop"); err != nil || kept != "ping: sql: database is closed, this object's: false" {
		t.Errorf("after the eviction, from another object: %q, %v", kept, err)
	}
	if err := o.Call(ctx, "sqldbKept", &kept, "drop"); err != nil || kept != "ping: sql: database is closed, this object's: false" {
		t.Errorf("the rebuilt object: %q, %v", kept, err)
	}
}
