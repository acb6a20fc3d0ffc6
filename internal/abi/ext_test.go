package abi

import "testing"

// TestExtensionTypesAreDistinct: every MessagePack extension type of the
// boundary has a code of its own (two branches once both took 2), and none
// is the timestamp's -1.
func TestExtensionTypesAreDistinct(t *testing.T) {
	seen := map[int8]string{-1: "the timestamp"}
	for name, code := range map[string]int8{"ExtBigInt": ExtBigInt, "ExtHeaders": ExtHeaders, "ExtRequest": ExtRequest, "ExtResponse": ExtResponse, "ExtStream": ExtStream, "ExtStub": ExtStub} {
		if other, ok := seen[code]; ok {
			t.Errorf("%s and %s are both extension type %d", name, other, code)
		}
		seen[code] = name
	}
}
