package rt

import "testing"

func TestOnDrop(t *testing.T) {
	const h = 9001
	declared := func() {
		objectsMu.Lock()
		objects[h] = &object{handle: h}
		objectsMu.Unlock()
	}
	declared()
	ran := 0
	if !OnDrop(objectConn(h), func() { ran++ }) || !OnDrop(objectConn(h), func() { ran++ }) {
		t.Fatal("OnDrop refused a declared object")
	}
	if OnDrop(objectConn(h+1), func() {}) || OnDrop(NoObject, func() {}) {
		t.Error("OnDrop accepted an undeclared object")
	}
	dropObject(h)
	if ran != 2 {
		t.Errorf("%d functions ran at the drop, want 2", ran)
	}
	dropObject(h) // twice: nothing more
	if ran != 2 || OnDrop(objectConn(h), func() {}) {
		t.Error("a dropped object")
	}
	if _, ok := StorageEpoch(objectConn(h)); ok {
		t.Error("an epoch without a host")
	}
}
