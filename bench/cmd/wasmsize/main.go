// Command wasmsize tells where the bytes of a Go wasm module are: the size
// of each section, and the code of each function (its body, raw and its
// share of the gzip-compressed code section) summed by Go package, from
// the module's name section. With a second module it prints what grew.
//
//	wasmsize [-n 30] [-funcs] app.wasm [before.wasm]
//
// The gzip share of a function is what its body adds to a deflate stream
// of the code section flushed after each function: the flushes cost a few
// bytes each, so the shares add up to a little more than the section
// gzipped whole, but they rank packages and functions as gzip does.
package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	n := flag.Int("n", 30, "rows of each table")
	funcs := flag.Bool("funcs", false, "also list the largest functions")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: wasmsize [-n rows] [-funcs] app.wasm [before.wasm]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 1 || flag.NArg() > 2 {
		flag.Usage()
		os.Exit(2)
	}
	cur, err := load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmsize:", err)
		os.Exit(1)
	}
	var old *module
	if flag.NArg() == 2 {
		if old, err = load(flag.Arg(1)); err != nil {
			fmt.Fprintln(os.Stderr, "wasmsize:", err)
			os.Exit(1)
		}
	}
	report(cur, old, *n, *funcs)
}

type function struct {
	name     string
	raw, gz  int
	pkg      string
	sizeOnly bool
}

type module struct {
	raw, gz  int
	sections []section
	funcs    []function
}

type section struct {
	name    string
	raw, gz int
}

func load(path string) (*module, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := &module{raw: len(wasm), gz: gzipSize(wasm)}
	var bodies [][]byte
	names := map[int]string{}
	imported := 0
	err = eachSection(wasm, func(id byte, body []byte) error {
		name := sectionNames[id]
		r := &reader{b: body}
		switch id {
		case 0:
			l := r.uvarint()
			name = "custom " + string(r.bytes(int(l)))
			if name == "custom name" {
				readNames(r, names)
			}
		case 2:
			for n := r.uvarint(); n > 0 && r.err == nil; n-- {
				r.bytes(int(r.uvarint()))
				r.bytes(int(r.uvarint()))
				switch r.byte() {
				case 0:
					r.uvarint()
					imported++
				case 1:
					r.byte()
					r.limits()
				case 2:
					r.limits()
				case 3:
					r.bytes(2)
				}
			}
		case 10:
			for n := r.uvarint(); n > 0 && r.err == nil; n-- {
				bodies = append(bodies, r.bytes(int(r.uvarint())))
			}
		}
		m.sections = append(m.sections, section{name, len(body), gzipSize(body)})
		return r.err
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	for i, b := range bodies {
		before := buf.Len()
		zw.Write(b)
		zw.Flush()
		name := names[imported+i]
		if name == "" {
			name = fmt.Sprintf("func[%d]", imported+i)
		}
		m.funcs = append(m.funcs, function{name: name, raw: len(b), gz: buf.Len() - before, pkg: pkgOf(name)})
	}
	return m, nil
}

var sectionNames = map[byte]string{1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount"}

// readNames reads the function names (subsection 1) of a name section.
func readNames(r *reader, names map[int]string) {
	for len(r.b) > 0 && r.err == nil {
		id := r.byte()
		sub := &reader{b: r.bytes(int(r.uvarint()))}
		if id != 1 {
			continue
		}
		for n := sub.uvarint(); n > 0 && sub.err == nil; n-- {
			idx := sub.uvarint()
			names[int(idx)] = string(sub.bytes(int(sub.uvarint())))
		}
	}
}

// pkgOf returns the Go package of a function's name in the name section,
// where the linker writes "/" as "_" and "(*T)" as "__T_":
// "encoding_json.__decodeState_.object" is in encoding_json, and
// "github.com_x_y.F" in github.com_x_y (the dot of a domain is skipped).
func pkgOf(sym string) string {
	head := sym
	if i := strings.IndexByte(head, '['); i >= 0 {
		head = head[:i]
	}
	start := 0
	if i := strings.IndexByte(head, '.'); i >= 0 && !strings.Contains(head[:i], "_") {
		if rest := head[i+1:]; strings.IndexByte(rest, '_') > 0 && strings.IndexByte(rest, '_') < strings.IndexByte(rest+".", '.') {
			start = i + 1 // a domain: github.com_owner_name.F
		}
	}
	if i := strings.IndexByte(head[start:], '.'); i >= 0 {
		return sym[:start+i]
	}
	return sym
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Len()
}

type row struct {
	key              string
	raw, gz          int
	oldRaw, oldGz, n int
}

func group(fs []function, key func(function) string) map[string]*row {
	out := map[string]*row{}
	for _, f := range fs {
		k := key(f)
		r := out[k]
		if r == nil {
			r = &row{key: k}
			out[k] = r
		}
		r.raw += f.raw
		r.gz += f.gz
		r.n++
	}
	return out
}

func report(cur, old *module, n int, funcs bool) {
	fmt.Printf("module: %d bytes, %d gzip", cur.raw, cur.gz)
	if old != nil {
		fmt.Printf(" (before: %d, %d gzip; %+d, %+d gzip)", old.raw, old.gz, cur.raw-old.raw, cur.gz-old.gz)
	}
	fmt.Println()
	fmt.Println("\nsections (raw, gzip alone):")
	for _, s := range cur.sections {
		fmt.Printf("  %-24s %9d %9d", s.name, s.raw, s.gz)
		if old != nil {
			for _, o := range old.sections {
				if o.name == s.name {
					fmt.Printf("   %+8d %+8d", s.raw-o.raw, s.gz-o.gz)
				}
			}
		}
		fmt.Println()
	}
	table := func(title string, key func(function) string) {
		rows := group(cur.funcs, key)
		if old != nil {
			for k, o := range group(old.funcs, key) {
				r := rows[k]
				if r == nil {
					r = &row{key: k}
					rows[k] = r
				}
				r.oldRaw, r.oldGz = o.raw, o.gz
			}
		}
		list := make([]*row, 0, len(rows))
		for _, r := range rows {
			list = append(list, r)
		}
		if old != nil {
			fmt.Printf("\n%s, by growth of the gzip share (raw, gzip, before raw, before gzip):\n", title)
			sort.Slice(list, func(i, j int) bool { return list[i].gz-list[i].oldGz > list[j].gz-list[j].oldGz })
		} else {
			fmt.Printf("\n%s, largest gzip share first (functions, raw, gzip):\n", title)
			sort.Slice(list, func(i, j int) bool { return list[i].gz > list[j].gz })
		}
		for i, r := range list {
			if i == n {
				break
			}
			if old != nil {
				fmt.Printf("  %8d %8d %8d %8d  %+7d  %s\n", r.raw, r.gz, r.oldRaw, r.oldGz, r.gz-r.oldGz, r.key)
			} else {
				fmt.Printf("  %5d %8d %8d  %s\n", r.n, r.raw, r.gz, r.key)
			}
		}
	}
	table("code by package", func(f function) string { return f.pkg })
	if funcs {
		table("code by function", func(f function) string { return f.name })
	}
}

// eachSection calls fn with the id and contents of each section.
func eachSection(wasm []byte, fn func(id byte, body []byte) error) error {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return errors.New("not a wasm module")
	}
	for i := 8; i < len(wasm); {
		id := wasm[i]
		size, n := binary.Uvarint(wasm[i+1:])
		if n <= 0 || size > uint64(len(wasm)-i-1-n) {
			return fmt.Errorf("malformed wasm: section at byte %d", i)
		}
		if err := fn(id, wasm[i+1+n:i+1+n+int(size)]); err != nil {
			return fmt.Errorf("section at byte %d: %w", i, err)
		}
		i += 1 + n + int(size)
	}
	return nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errors.New("it ends early"), nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	b := r.bytes(1)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func (r *reader) bytes(n int) []byte {
	if n > len(r.b) {
		r.err, r.b = errors.New("it ends early"), nil
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) limits() {
	if r.byte()&1 != 0 {
		r.uvarint()
	}
	r.uvarint()
}
