package driver

import (
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

// describeOp reads requests the guest controls, for error messages:
// malformed bytes must never panic.
func FuzzDescribeOp(f *testing.F) {
	b, err := abi.Marshal(&abi.StubFetch{Target: abi.StubTarget{Binding: "NS", ID: "00"}, Request: abi.Request{Method: "POST", URL: "http://x/"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, o := range abi.AsyncOps() {
			if describeOp(abi.AsyncOp(o.Code), b) == "" {
				t.Fatalf("no description of %s", o.Name)
			}
		}
	})
}
