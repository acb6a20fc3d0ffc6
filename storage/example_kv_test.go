package storage_test

import (
	"fmt"
	"log"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/storage"
)

// Item is a value kept in KV: its fields are named by their json tags.
type Item struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// KV stores Go values under string keys. In a Durable Object the storage
// is State.Storage; here it is the storage of an object of the counter
// example, which the dotest harness hands a test.
func ExampleKV() {
	w, err := dotest.Start(&dotest.Options{Package: "../examples/counter"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	st := w.Object("COUNTER", "shop").Storage()

	if err := st.KV.PutMany(map[string]any{
		"item:apple": Item{"apple", 3},
		"item:pear":  Item{"pear", 5},
		"item:plum":  Item{"plum", 1},
	}); err != nil {
		log.Fatal(err)
	}

	var pear Item
	ok, err := st.KV.Get("item:pear", &pear)
	fmt.Println(ok, err, pear)

	entries, err := st.KV.List(storage.ListOptions{Prefix: "item:", Reverse: true, Limit: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		var it Item
		if err := e.Decode(&it); err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Key, it.Count)
	}

	existed, err := st.KV.Delete("item:plum")
	fmt.Println(existed, err)
	// Output:
	// true <nil> {pear 5}
	// item:plum 1
	// item:pear 5
	// true <nil>
}

// A Transaction's writes stay together or go together: here the function
// fails, and the Put inside it is undone.
func ExampleStorage_Transaction_rollback() {
	w, err := dotest.Start(&dotest.Options{Package: "../examples/counter"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	st := w.Object("COUNTER", "bank").Storage()

	st.KV.Put("alice", int64(3))
	err = st.Transaction(func() error {
		if err := st.KV.Put("alice", int64(3-5)); err != nil {
			return err
		}
		return fmt.Errorf("alice has 3: %w", ErrInsufficient)
	})
	var alice int64
	st.KV.Get("alice", &alice)
	fmt.Println(err, alice)
	// Output: alice has 3: insufficient balance 3
}
