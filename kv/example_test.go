package kv_test

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/kv"
)

// The examples run testdata/pastes, a Worker on package kv, under dotest.
var _ *kv.Namespace

// A paste bin on the KV namespace PASTES (testdata/pastes), run under
// dotest, which emulates the namespace. In the Worker, on an HTTP
// request r:
//
//	pastes, err := kv.FromEnv(env, "PASTES")
//	err = pastes.PutStream(r.Context(), id, r.Body, &kv.PutOptions{
//		ExpirationTTL: ttl,
//		Metadata:      meta{ContentType: r.Header.Get("Content-Type")},
//	})
//	// ...
//	var m meta
//	body, err := pastes.GetBytesWithMetadata(r.Context(), id, &m)
//	if errors.Is(err, kv.ErrNotFound) {
//		http.NotFound(w, r)
//	}
func Example() {
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/pastes"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	put := httptest.NewRequest("PUT", "/pastes/hello", strings.NewReader(`{"hello": "world"}`))
	put.Header.Set("Content-Type", "application/json")
	w.Fetch(put).Body.Close()

	resp := w.Fetch(httptest.NewRequest("GET", "/pastes/hello", nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), string(body))
	resp = w.Fetch(httptest.NewRequest("GET", "/pastes/nope", nil))
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 application/json {"hello": "world"}
	// 404
}

// Keys iterates over every page of a list. In the Worker:
//
//	for k, err := range pastes.Keys(r.Context(), nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Fprint(w, k.Name)
//		if !k.Expiration.IsZero() {
//			fmt.Fprint(w, " expires ", k.Expiration.UTC().Format(time.RFC3339))
//		}
//		fmt.Fprintln(w)
//	}
//
// On a dotest.ManualClock, a key expires when the test moves the clock
// past its expiration.
func ExampleNamespace_Keys() {
	clock := dotest.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/pastes", Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	for _, path := range []string{"/pastes/b", "/pastes/a?ttl=3600", "/pastes/c?ttl=60"} {
		w.Fetch(httptest.NewRequest("PUT", path, strings.NewReader("text"))).Body.Close()
	}
	list := func() {
		resp := w.Fetch(httptest.NewRequest("GET", "/pastes", nil))
		body, _ := io.ReadAll(resp.Body)
		fmt.Print(string(body))
	}
	list()
	clock.Advance(2 * time.Minute)
	fmt.Println("two minutes later:")
	list()
	// Output:
	// a expires 2026-12-01T13:00:00Z
	// b
	// c expires 2026-12-01T12:01:00Z
	// two minutes later:
	// a expires 2026-12-01T13:00:00Z
	// b
}

// A put that breaks one of KV's limits is refused before anything is
// sent, with the message JavaScript's put would throw. In the Worker:
//
//	err = pastes.PutStream(r.Context(), id, r.Body, &kv.PutOptions{ExpirationTTL: 30 * time.Second})
//	if errors.Is(err, kv.ErrExpirationTTL) {
//		http.Error(w, err.Error(), http.StatusBadRequest)
//	}
func ExampleErrExpirationTTL() {
	w, err := dotest.Start(&dotest.Options{Package: "./testdata/pastes"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	resp := w.Fetch(httptest.NewRequest("PUT", "/pastes/soon?ttl=30", strings.NewReader("text")))
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output: 400 kv: PASTES: put: KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60.
}
