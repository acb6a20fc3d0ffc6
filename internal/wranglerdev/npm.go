package wranglerdev

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// EngineFilter passes npm's output on to W but for its EBADENGINE
// warnings, which it holds back for Explain. npm checks every package's
// engines.node against the Node.js that npm itself runs on: on Node.js 20
// it warns about wrangler and a few of its dependencies, which need
// Node.js 22.12 (about 20 lines), although they run on the Node.js 22
// that the same install puts into node_modules. npm has no option that
// silences these warnings alone (engine-strict=false is the default, and
// an .npmrc saying so does not), and --loglevel=error silences every
// warning.
type EngineFilter struct {
	W io.Writer

	partial []byte   // the start of a line
	held    []string // the lines of the warnings
	// What the warnings say: the packages, the Node.js versions they
	// require and the one npm runs on.
	packages, required []string
	current            string
}

var (
	engineLine = regexp.MustCompile(`(?i)^npm warn EBADENGINE\b`)
	enginePkg  = regexp.MustCompile(`package: '([^']+)'`)
	engineReq  = regexp.MustCompile(`required: \{[^}]*node: '([^']+)'`)
	engineCur  = regexp.MustCompile(`current: \{[^}]*node: '([^']+)'`)
)

// Write passes on the complete lines of p that are not EBADENGINE
// warnings.
func (f *EngineFilter) Write(p []byte) (int, error) {
	f.partial = append(f.partial, p...)
	for {
		i := bytes.IndexByte(f.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := f.partial[:i+1]
		if err := f.line(line); err != nil {
			return len(p), err
		}
		f.partial = f.partial[i+1:]
	}
}

func (f *EngineFilter) line(line []byte) error {
	if !engineLine.Match(line) {
		_, err := f.W.Write(line)
		return err
	}
	s := string(line)
	f.held = append(f.held, s)
	if m := enginePkg.FindStringSubmatch(s); m != nil {
		f.packages = append(f.packages, m[1])
	}
	if m := engineReq.FindStringSubmatch(s); m != nil && !slices.Contains(f.required, m[1]) {
		f.required = append(f.required, m[1])
	}
	if m := engineCur.FindStringSubmatch(s); m != nil {
		f.current = m[1]
	}
	return nil
}

// Flush passes on the last line if it did not end with a newline.
func (f *EngineFilter) Flush() error {
	if len(f.partial) == 0 {
		return nil
	}
	line := f.partial
	f.partial = nil
	return f.line(line)
}

// Explain returns one line that says why the warnings held back do not
// matter, now that the install is done and t (nil if none) are the tools
// found: t runs wrangler on a Node.js that every package warned about
// accepts. It returns "" if they matter, or if npm did not warn.
func (f *EngineFilter) Explain(t *Tools) string {
	if len(f.held) == 0 || t == nil {
		return ""
	}
	for _, r := range f.required {
		if ok, err := Satisfies(t.NodeVersion, r); err != nil || !ok {
			return ""
		}
	}
	where := "the system's"
	if t.Pinned {
		where = "node_modules"
	}
	return fmt.Sprintf("npm's EBADENGINE warnings (%s want Node.js %s; npm runs on %s) do not matter: wrangler runs on Node.js %s (%s)",
		strings.Join(f.packages, ", "), strings.Join(f.required, ", "), f.current, t.NodeVersion, where)
}

// Held returns the warnings held back, as npm wrote them.
func (f *EngineFilter) Held() string { return strings.Join(f.held, "") }
