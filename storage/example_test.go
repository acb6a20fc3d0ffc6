package storage_test

import (
	"errors"
	"fmt"

	"github.com/godurable/godurable/storage"
)

// ErrInsufficient is returned by transfer when the source has too little.
var ErrInsufficient = errors.New("insufficient balance")

// A transfer between two accounts of one Durable Object: both balances
// change, or neither does.
func ExampleStorage_Transaction() {
	transfer := func(st *storage.Storage, from, to string, amount int64) error {
		return st.Transaction(func() error {
			var a, b int64
			if _, err := st.KV.Get(from, &a); err != nil {
				return err
			}
			if _, err := st.KV.Get(to, &b); err != nil {
				return err
			}
			if err := st.KV.Put(from, a-amount); err != nil {
				return err
			}
			if err := st.KV.Put(to, b+amount); err != nil {
				return err
			}
			if _, err := st.SQL.Exec(`INSERT INTO transfers (src, dst, amount) VALUES (?, ?, ?)`, from, to, amount); err != nil {
				return err
			}
			if a < amount {
				return fmt.Errorf("%s has %d: %w", from, a, ErrInsufficient) // undoes the writes above
			}
			return nil
		})
	}
	_ = transfer // in a Durable Object: transfer(&state.Storage, "alice", "bob", 5)
}
