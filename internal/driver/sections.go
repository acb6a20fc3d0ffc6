package driver

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
)

// A wasm module is a header and sections: an id byte, a LEB128 size, the
// contents; a custom section (id 0) starts with its name.

var wasmHeader = []byte{0, 'a', 's', 'm', 1, 0, 0, 0}

// ManifestSection returns the contents of the module's abi.ManifestSection,
// and false if it has none.
func ManifestSection(wasm []byte) (manifest []byte, found bool, err error) {
	err = EachSection(wasm, func(id byte, body []byte) error {
		if id != 0 || found {
			return nil
		}
		nameLen, m := binary.Uvarint(body)
		if m <= 0 || nameLen > uint64(len(body)-m) {
			return errors.New("custom section name")
		}
		if string(body[m:m+int(nameLen)]) == abi.ManifestSection {
			manifest, found = body[m+int(nameLen):], true
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return manifest, found, nil
}

// EachSection calls fn with the id and the contents of each section of
// wasm, in order, until fn returns an error.
func EachSection(wasm []byte, fn func(id byte, body []byte) error) error {
	if len(wasm) < len(wasmHeader) || string(wasm[:len(wasmHeader)]) != string(wasmHeader) {
		return errors.New("not a wasm module (no wasm header)")
	}
	for i := len(wasmHeader); i < len(wasm); {
		id := wasm[i]
		size, n := binary.Uvarint(wasm[i+1:])
		if n <= 0 || size > uint64(len(wasm)-i-1-n) {
			return fmt.Errorf("malformed wasm: section at byte %d", i)
		}
		if err := fn(id, wasm[i+1+n:i+1+n+int(size)]); err != nil {
			return fmt.Errorf("malformed wasm: section at byte %d: %w", i, err)
		}
		i += 1 + n + int(size)
	}
	return nil
}

// WithManifestSection returns wasm with manifest appended as its
// abi.ManifestSection. wasm must not have one yet.
func WithManifestSection(wasm, manifest []byte) []byte {
	name := abi.ManifestSection
	body := binary.AppendUvarint(nil, uint64(len(name)))
	body = append(append(body, name...), manifest...)
	out := make([]byte, 0, len(wasm)+len(body)+6)
	out = append(append(out, wasm...), 0)
	out = binary.AppendUvarint(out, uint64(len(body)))
	return append(out, body...)
}
