package driver

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/tetratelabs/wazero"
)

// dataModule is a module with one exported page of memory and data as
// its data section.
func dataModule(data []byte) []byte {
	section := func(b []byte, id byte, body []byte) []byte {
		b = append(b, id)
		b = binary.AppendUvarint(b, uint64(len(body)))
		return append(b, body...)
	}
	b := append([]byte(nil), wasmHeader...)
	b = section(b, 5, []byte{1, 0, 1})                   // memory: one, min 1 page
	b = section(b, 7, []byte{1, 3, 'm', 'e', 'm', 2, 0}) // export "mem" memory 0
	return section(b, 11, data)
}

// memoryOf instantiates wasm and returns its first page of memory.
func memoryOf(t *testing.T, wasm []byte) []byte {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	m, err := r.Instantiate(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := m.Memory().Read(0, 1<<16)
	if !ok {
		t.Fatal("no memory")
	}
	return bytes.Clone(b)
}

func TestPackDataSegments(t *testing.T) {
	segs := []segment{ // in no order, as Go's linker writes its sections
		{offset: 1000, data: []byte{5, 6, 7}},                // far from the run below: its own
		{offset: 16, data: []byte{1, 2}},                     // a run of segments joined: 16 to 103
		{offset: 36, data: []byte{3}},                        // 18 zeros after the first
		{offset: 37 + DataGap, data: []byte{4}},              // DataGap zeros after
		{offset: 38 + DataGap, data: []byte{9}},              // adjacent
		{offset: 39 + 2*DataGap, data: nil},                  // empty, DataGap zeros after
		{offset: 1003 + DataGap + 1, data: []byte{8}},        // one zero too many: its own
		{offset: 40000, data: bytes.Repeat([]byte{10}, 300)}, // its own
	}
	wasm := dataModule(appendSegments(nil, segs))
	packed := PackDataSegments(wasm)
	if got, want := memoryOf(t, packed), memoryOf(t, wasm); !bytes.Equal(got, want) {
		t.Error("the packed module's memory differs")
	}
	var n uint64
	EachSection(packed, func(id byte, body []byte) error {
		if id == 11 {
			n, _ = binary.Uvarint(body)
		}
		return nil
	})
	if n != 4 {
		t.Errorf("%d segments, want 4", n)
	}

	// What it cannot read stays as it is.
	for name, data := range map[string][]byte{
		"overlapping segments": appendSegments(nil, []segment{{offset: 0, data: []byte{1, 2}}, {offset: 1, data: []byte{3}}}),
		"a passive segment":    {1, 1, 1, 42},
		"a global's offset":    {1, 0, 0x23, 0, 0x0b, 1, 42},
	} {
		if m := dataModule(data); !bytes.Equal(PackDataSegments(m), m) {
			t.Errorf("%s: rewritten", name)
		}
	}
}
