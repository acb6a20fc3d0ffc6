package rt

import (
	"errors"
	"fmt"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

// A transaction runs inside workerd's transactionSync: the guest asks for
// CallTransactionSync, and the host, inside transactionSync's callback,
// calls back into the guest through ExportTransaction, which runs the
// function on the goroutine that is waiting in the import. That is the
// one reentrant export; see RATIONALE.md.

func init() { hostcall.Handlers.Transaction = runTransaction }

// ErrTransactionWait is returned by an operation that would wait on the
// host (a fetch, a stub call, an alarm operation) when it is called inside
// a transaction's function, which must run synchronously, as JavaScript's
// transactionSync callback must.
var ErrTransactionWait = errors.New("godurable: a transaction's function cannot wait on I/O (workerd's transactionSync runs it synchronously); do the I/O before or after the transaction")

// A TransactionConn runs transactions itself: the dotest harness's storage
// does, running the function in the test's own process.
type TransactionConn interface {
	Transaction(fn func() error) error
}

type transaction struct {
	fn       func() error
	object   uint32
	err      error // what fn returned
	panicked bool
	panicVal any
}

var (
	txMu     sync.Mutex
	txs      = map[int32]*transaction{}
	txNext   int32
	txActive = map[uint32]int{} // object handle -> transactions running
)

// Transaction runs fn in a transaction on c's storage: the writes fn makes
// commit together when it returns nil, and roll back together when it
// returns an error or panics. It returns fn's error, or the transaction's
// own (a commit that failed). A panic in fn goes on after the rollback.
func Transaction(c Conn, fn func() error) error {
	if tc, ok := c.(TransactionConn); ok {
		return tc.Transaction(fn)
	}
	oc, ok := c.(objectConn)
	if !ok {
		return fmt.Errorf("godurable: transactions need a Durable Object's storage, not %T", c)
	}
	t := &transaction{fn: fn, object: uint32(oc)}
	txMu.Lock()
	txNext++
	id := txNext
	txs[id] = t
	txMu.Unlock()
	defer func() {
		txMu.Lock()
		delete(txs, id)
		txMu.Unlock()
	}()
	_, err := Do(c, abi.OpTransactionSync, &id)
	if t.panicked {
		panic(t.panicVal)
	}
	if t.err != nil {
		return t.err
	}
	return err
}

// runTransaction is the godurable_transaction export.
func runTransaction(id int32) (r int32) {
	txMu.Lock()
	t := txs[id]
	txMu.Unlock()
	if t == nil {
		return 1
	}
	txMu.Lock()
	txActive[t.object]++
	txMu.Unlock()
	defer func() {
		txMu.Lock()
		if txActive[t.object]--; txActive[t.object] == 0 {
			delete(txActive, t.object)
		}
		txMu.Unlock()
		if v := recover(); v != nil {
			t.panicked, t.panicVal, r = true, v, 1
		}
	}()
	if t.err = t.fn(); t.err != nil {
		return 1
	}
	return 0
}

// inTransaction reports whether a transaction of the object with handle
// h is running.
func inTransaction(h uint32) bool {
	txMu.Lock()
	defer txMu.Unlock()
	return txActive[h] > 0
}
