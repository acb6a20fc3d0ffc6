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
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/godurable/godurable/internal/driver"
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
	name    string
	raw, gz int
	pkg     string
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
	err = driver.EachSection(wasm, func(id byte, body []byte) error {
		name := sectionNames[id]
		if id == 0 {
			if n, k := binary.Uvarint(body); k > 0 && n <= uint64(len(body)-k) {
				name = "custom " + string(body[k:k+int(n)])
			}
		}
		m.sections = append(m.sections, section{name, len(body), gzipSize(body)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	fns, err := driver.Functions(wasm)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	for i, f := range fns {
		if f.Body == nil {
			continue // imported
		}
		before := buf.Len()
		zw.Write(f.Body)
		zw.Flush()
		name := f.Name
		if name == "" {
			name = fmt.Sprintf("func[%d]", i)
		}
		m.funcs = append(m.funcs, function{name: name, raw: len(f.Body), gz: buf.Len() - before, pkg: pkgOf(name)})
	}
	return m, nil
}

var sectionNames = map[byte]string{1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount"}

// pkgOf returns the Go package of a function's name in the name section,
// where the linker writes "/" as "_" and "(*T)" as "__T_":
// "encoding_json.__decodeState_.object" is in encoding_json, and
// "github.com_x_y.F" in github.com_x_y (the dot of a domain is skipped).
func pkgOf(sym string) string {
	head := sym
	if i := strings.Index(head, "_go.shape"); i >= 0 { // F[go.shape.int] is F_go.shape.int_
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
