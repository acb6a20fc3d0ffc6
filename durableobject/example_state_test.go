package durableobject_test

import (
	"context"
	"fmt"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Account mirrors a balance that another object (its ledger) keeps.
type Account struct {
	state   *durableobject.State
	ledger  *worker.Stub
	balance int64 // what Refresh last stored
}

// Refresh reads the ledger and stores its balance. The call to the ledger
// waits on the host, which would let the object's other events run in
// between; BlockConcurrencyWhile keeps them out until the store is done.
func (a *Account) Refresh(ctx context.Context) (int64, error) {
	var balance int64
	err := a.state.BlockConcurrencyWhile(ctx, func(ctx context.Context) error {
		if err := a.ledger.Call(ctx, "balance", &balance, a.state.Name); err != nil {
			return err
		}
		if err := a.state.Storage.KV.Put("balance", balance); err != nil {
			return err
		}
		a.balance = balance
		return nil
	})
	return balance, err
}

// Check resets the object when what it holds in memory disagrees with its
// storage: the call fails with the reason, and the next event builds the
// object anew from storage.
func (a *Account) Check(ctx context.Context) error {
	var stored int64
	if _, err := a.state.Storage.KV.Get("balance", &stored); err != nil {
		return err
	}
	if stored != a.balance {
		a.state.Abort(ctx, fmt.Sprintf("balance %d in memory, %d stored", a.balance, stored)) // does not return
	}
	return nil
}

func ExampleState_BlockConcurrencyWhile() {
	durableobject.Register("Account", func(state *durableobject.State, env *worker.Env) (*Account, error) {
		ns, err := env.DurableObject("LEDGER")
		if err != nil {
			return nil, err
		}
		return &Account{state: state, ledger: ns.GetByName("main")}, nil
	})
}

func ExampleState_Abort() {
	var a *Account // an object made by the constructor above
	_ = a.Check    // an RPC method: JavaScript calls stub.check()
}
