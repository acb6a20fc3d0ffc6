package worker_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"

	"github.com/godurable/godurable/durableobject/dotest"
)

// Two Workers, each a Go package with its wrangler.toml, tested together:
// testdata/auth serves RPC methods on its default entrypoint and on the
// entrypoint Admin (worker.Entrypoint); testdata/front calls them through
// its service bindings (Env.Service), as in a wrangler dev of both.
func ExampleEnv_Service() {
	auth, err := dotest.Start(&dotest.Options{Package: "./testdata/auth"})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close()
	// The service bindings of front's wrangler.toml name the service
	// "auth": Scripts routes them to that Worker.
	front, err := dotest.Start(&dotest.Options{Package: "./testdata/front", Scripts: map[string]*dotest.Worker{"auth": auth}})
	if err != nil {
		log.Fatal(err)
	}
	defer front.Close()
	for _, token := range []string{"t1", "t2"} {
		resp := front.Fetch(httptest.NewRequest("GET", "/?token="+token, nil))
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, string(body))
	}

	// A test calls an entrypoint as a binding with props would.
	var realm string
	err = auth.Entrypoint("Admin").WithProps(map[string]any{"realm": "ops"}).Call(context.Background(), "realm", &realm)
	fmt.Println(realm, err)
	// Output:
	// 200 ann of staff
	// 401 unknown token
	//
	// ops <nil>
}
