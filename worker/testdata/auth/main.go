// Command auth is the Worker of worker's service binding example: its
// entrypoints serve the Worker testdata/front.
package main

import (
	"context"

	"github.com/godurable/godurable/worker"
)

// Auth is the default entrypoint: a service binding without an
// entrypoint reaches its RPC methods.
type Auth struct{}

// Check returns the user of token.
func (Auth) Check(ctx context.Context, token string) (string, error) {
	if token != "t1" {
		return "", &worker.Error{Name: "Error", Code: "E_TOKEN", Message: "unknown token"}
	}
	return "ann", nil
}

// Admin is the entrypoint Admin; the props of the binding that reaches
// it say which realm it serves.
type Admin struct{}

// Realm returns the realm of the caller's binding.
func (Admin) Realm(ctx context.Context) (string, error) {
	var props struct {
		Realm string `json:"realm"`
	}
	err := worker.Props(ctx, &props)
	return props.Realm, err
}

func init() {
	worker.Entrypoint("", Auth{})
	worker.Entrypoint("Admin", Admin{})
}

func main() {}
