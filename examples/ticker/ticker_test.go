package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/godurable/godurable/durableobject/dotest"
)

// The route forwards the ticks as lines, each as it comes.
func TestTickRoute(t *testing.T) {
	w := dotest.New(t, nil)
	resp := w.Fetch(httptest.NewRequest("GET", "/tick/3?every=10", nil))
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q, want application/x-ndjson", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	var got []Tick
	for sc.Scan() {
		var tick Tick
		if err := json.Unmarshal(sc.Bytes(), &tick); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, tick)
	}
	if len(got) != 3 || got[0] != (Tick{1, 3}) || got[2] != (Tick{3, 3}) {
		t.Errorf("ticks = %v, want 1..3 of 3", got)
	}
}

// The typed stub yields the ticks; breaking out of the loop cancels the
// stream, and the object goes on serving.
func TestTickStub(t *testing.T) {
	w := dotest.New(t, nil)
	stub := NewTickerStub(w.Object("TICKER", "t"))
	ticks, err := stub.Tick(context.Background(), 1000, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for tick, err := range ticks {
		if err != nil {
			t.Fatal(err)
		}
		if got = append(got, tick.N); len(got) == 2 {
			break
		}
	}
	if len(got) != 2 || got[1] != 2 {
		t.Errorf("ticks = %v, want 1, 2", got)
	}
	ticks, err = stub.Tick(context.Background(), 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range ticks {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("a second stream yielded %d ticks, want 2", n)
	}
}
