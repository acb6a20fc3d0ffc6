package workerd

import (
	"fmt"

	"github.com/godurable/godurable/internal/abi"
)

// Conn returns the storage of the Durable Object of class with id as the
// guest's storage package reaches it, for a test to read and write with
// the same code: the same operations, without storage faults.
func (iso *Isolate) Conn(class, id string) *Conn {
	return &Conn{iso: iso, class: class, id: id}
}

// Conn performs the storage operations of one object for a test.
type Conn struct {
	iso       *Isolate
	class, id string
}

// Call performs the synchronous operation op, as the call import would.
func (c *Conn) Call(op abi.CallOp, req []byte) ([]byte, error) {
	info, ok := op.Info()
	if !ok || !info.Object {
		return nil, fmt.Errorf("godurable: %v is not an operation on an object's storage", op)
	}
	db, err := c.iso.DB(c.class, c.id)
	if err != nil {
		return nil, err
	}
	db.epoch.Add(1)
	return syncOps[op](c.iso, &objectStorage{class: c.class, id: c.id, db: db}, req)
}

// Epoch counts the storage operations on the object's database so far,
// the guest's and the test's (rt.EpochConn): two equal readings mean that
// none ran in between. ok is false once the Worker is closed.
func (c *Conn) Epoch() (epoch uint64, ok bool) {
	db, err := c.iso.DB(c.class, c.id)
	if err != nil {
		return 0, false
	}
	return db.epoch.Load(), true
}

// Transaction runs fn in a transaction on the object's storage, as the
// guest's storage.Transaction does in workerd (the guest's storage package
// calls it for a test, whose function runs in the test's process).
func (c *Conn) Transaction(fn func() error) error {
	db, err := c.iso.DB(c.class, c.id)
	if err != nil {
		return err
	}
	db.epoch.Add(1)
	return db.Transaction(fn)
}
