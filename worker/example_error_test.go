package worker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/godurable/godurable/worker"
)

// ErrSoldOut is what a JavaScript caller catches as a RangeError with the
// code "E_SOLD_OUT" (with a compatibility date from 2026-04-21; before,
// as a RangeError without the code).
var ErrSoldOut = &worker.Error{Name: "RangeError", Code: "E_SOLD_OUT", Message: "sold out"}

// Shop is a Durable Object class.
type Shop struct{ left int }

// Buy is an RPC method whose error chooses what its callers see. A Go
// caller (Stub.Call) gets the *worker.Error whole, name and code
// included, at any date.
func (s *Shop) Buy(n int) error {
	if n > s.left {
		return fmt.Errorf("buying %d: %w", n, ErrSoldOut)
	}
	s.left -= n
	return nil
}

func ExampleError() {
	shop := &Shop{left: 1}
	err := shop.Buy(2)

	var we *worker.Error
	if errors.As(err, &we) {
		fmt.Println(we.ErrorName(), we.ErrorCode(), we.Message)
	}
	fmt.Println(errors.Is(err, ErrSoldOut))
	// Output:
	// RangeError E_SOLD_OUT sold out
	// true
}

// A Go caller matches the error a Durable Object method returned by its
// name and code: it arrives as a *worker.Error, not as the callee's
// variable.
func ExampleError_fromACall() {
	buy := func(ctx context.Context, shop *worker.Stub) (string, int) {
		err := shop.Call(ctx, "buy", nil, 2)
		var we *worker.Error
		switch {
		case err == nil:
			return "bought", http.StatusOK
		case errors.As(err, &we) && we.Code == "E_SOLD_OUT":
			return we.Message, http.StatusConflict
		default:
			return err.Error(), http.StatusBadGateway
		}
	}
	_ = buy
}

// The environment's JSON variables decode into Go values.
func ExampleEnv_DecodeVar() {
	// wrangler.toml:
	//
	//	[vars]
	//	GREETING = "hello"
	//	LIMITS = { rooms = 10, members = 100 }
	env, err := worker.GetEnv()
	if err != nil {
		fmt.Println(err) // outside a Worker: no host
		return
	}
	var limits struct {
		Rooms   int `json:"rooms"`
		Members int `json:"members"`
	}
	if err := env.DecodeVar("LIMITS", &limits); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(env.Var("GREETING"), limits.Rooms, limits.Members)
}
