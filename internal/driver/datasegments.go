package driver

import (
	"encoding/binary"
	"errors"
	"slices"
)

// DataGap is the longest run of zero bytes between two data segments that
// PackDataSegments fills in to make them one.
const DataGap = 32

// PackDataSegments returns wasm with its data segments joined wherever
// the gap between two is at most DataGap bytes, the gap written out as
// the zeros it holds: the same memory at instantiation, in fewer segments.
//
// Go's linker cuts a segment at every run of 8 zero bytes or more, which
// is the smallest module, but not the smallest gzipped one: the lookup
// table of function PCs (runtime.findfunctab, 20 bytes per 4 KiB of PCs,
// and a wasm function's PCs span 64 KiB) is mostly zeros, and came out in
// examples/counter as some 65,000 segments of 2 bytes whose headers (an
// offset that grows by 20 each time) gzip poorly, where 18 zeros cost
// almost nothing.
// RATIONALE.md, "Why does wasmbuild rewrite the data section?", has the
// figures.
//
// A module it does not know how to read (a passive segment, an offset
// that is not an i32.const, a data count section, overlapping segments)
// is returned as it is.
func PackDataSegments(wasm []byte) []byte {
	var out []byte
	packed := false
	err := EachSection(wasm, func(id byte, body []byte) error {
		switch id {
		case 11:
			segs, ok := readSegments(body)
			if !ok {
				return errUnpacked
			}
			body = appendSegments(nil, joinSegments(segs))
			packed = true
		case 12: // data count: it would have to change too
			return errUnpacked
		}
		out = append(out, id)
		out = binary.AppendUvarint(out, uint64(len(body)))
		out = append(out, body...)
		return nil
	})
	if err != nil || !packed {
		return wasm
	}
	return append(wasm[:len(wasmHeader):len(wasmHeader)], out...)
}

var errUnpacked = errors.New("not packed")

// segment is an active data segment of memory 0.
type segment struct {
	offset int64
	data   []byte
}

func (s segment) end() int64 { return s.offset + int64(len(s.data)) }

// readSegments reads a data section of active segments of memory 0 at
// i32.const offsets, ordered by offset, and reports false for any other
// (or for segments that overlap).
func readSegments(body []byte) ([]segment, bool) {
	r := &reader{b: body}
	n := r.uvarint()
	segs := make([]segment, 0, n)
	for ; n > 0 && r.err == nil; n-- {
		if r.uvarint() != 0 || r.byte() != 0x41 { // active, memory 0, i32.const
			return nil, false
		}
		off, m := sleb(r.b)
		if m <= 0 || off < 0 {
			return nil, false
		}
		r.skip(m)
		if r.byte() != 0x0b { // end
			return nil, false
		}
		segs = append(segs, segment{off, r.bytes(int(r.uvarint()))})
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, false
	}
	slices.SortFunc(segs, func(a, b segment) int { return int(a.offset - b.offset) })
	for i := 1; i < len(segs); i++ {
		if segs[i].offset < segs[i-1].end() {
			return nil, false
		}
	}
	return segs, true
}

// joinSegments joins the ordered segments whose gap is at most DataGap,
// copying each byte once.
func joinSegments(segs []segment) []segment {
	var out []segment
	for i := 0; i < len(segs); {
		j := i + 1 // segs[i:j] is one run
		for j < len(segs) && segs[j].offset-segs[j-1].end() <= DataGap {
			j++
		}
		if j == i+1 {
			out = append(out, segs[i])
		} else {
			data := make([]byte, segs[j-1].end()-segs[i].offset)
			for _, s := range segs[i:j] {
				copy(data[s.offset-segs[i].offset:], s.data)
			}
			out = append(out, segment{segs[i].offset, data})
		}
		i = j
	}
	return out
}

func appendSegments(b []byte, segs []segment) []byte {
	b = binary.AppendUvarint(b, uint64(len(segs)))
	for _, s := range segs {
		b = append(b, 0, 0x41)
		b = appendSleb(b, s.offset)
		b = append(b, 0x0b)
		b = binary.AppendUvarint(b, uint64(len(s.data)))
		b = append(b, s.data...)
	}
	return b
}

// sleb reads a signed LEB128 integer of at most 5 bytes (an i32).
func sleb(b []byte) (int64, int) {
	var v int64
	var shift uint
	for i := 0; i < len(b) && i < 5; i++ {
		c := b[i]
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if c&0x40 != 0 {
				v -= 1 << shift
			}
			return v, i + 1
		}
	}
	return 0, 0
}

func appendSleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
