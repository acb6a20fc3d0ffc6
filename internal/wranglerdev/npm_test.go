package wranglerdev

import (
	"strings"
	"testing"
)

// npmCI is what npm 11.19 on Node.js 20.20.2 writes for npm ci of
// godurable's package-lock.json, with an error of npm's added.
const npmCI = `npm warn EBADENGINE Unsupported engine {
npm warn EBADENGINE   package: '@cloudflare/kv-asset-handler@0.5.0',
npm warn EBADENGINE   required: { node: '>=22.0.0' },
npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }
npm warn EBADENGINE }
npm warn EBADENGINE Unsupported engine {
npm warn EBADENGINE   package: 'miniflare@5.20261117.0-beta',
npm warn EBADENGINE   required: { node: '>=22.12.0' },
npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }
npm warn EBADENGINE }
npm warn deprecated something@1.0.0: use something else
npm WARN EBADENGINE Unsupported engine {
npm WARN EBADENGINE   package: 'wrangler@4.164.0',
npm WARN EBADENGINE   required: { node: '>=22.12.0' },
npm WARN EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }
npm WARN EBADENGINE }
npm error code ECONNREFUSED

added 37 packages in 5s`

// TestEngineFilter: npm's EBADENGINE warnings are held back, whatever the
// writes' boundaries; everything else passes, errors included; and one
// line says why the warnings do not matter when wrangler runs on a
// Node.js they accept.
func TestEngineFilter(t *testing.T) {
	var out strings.Builder
	f := &EngineFilter{W: &out}
	for rest := npmCI; rest != ""; { // in pieces of 7 bytes
		n := min(7, len(rest))
		f.Write([]byte(rest[:n]))
		rest = rest[n:]
	}
	f.Flush()
	want := "npm warn deprecated something@1.0.0: use something else\nnpm error code ECONNREFUSED\n\nadded 37 packages in 5s"
	if out.String() != want {
		t.Errorf("passed on:\n%s\nwant:\n%s", out.String(), want)
	}
	if got := f.Held(); strings.Count(got, "EBADENGINE") != 15 || strings.Contains(got, "deprecated") {
		t.Errorf("held back:\n%s", got)
	}

	pinned := &Tools{NodeVersion: "22.23.2", Pinned: true}
	note := f.Explain(pinned)
	for _, s := range []string{"@cloudflare/kv-asset-handler@0.5.0, miniflare@5.20261117.0-beta, wrangler@4.164.0", ">=22.0.0, >=22.12.0", "v20.20.2", "Node.js 22.23.2 (node_modules)"} {
		if !strings.Contains(note, s) {
			t.Errorf("the note does not say %q: %s", s, note)
		}
	}
	// The warnings matter when wrangler would run on a Node.js they
	// refuse, or nothing runs it.
	if note := f.Explain(&Tools{NodeVersion: "22.5.0"}); note != "" {
		t.Errorf("a note for Node.js 22.5: %s", note)
	}
	if note := f.Explain(nil); note != "" {
		t.Errorf("a note without tools: %s", note)
	}
	if note := (&EngineFilter{W: &out}).Explain(pinned); note != "" {
		t.Errorf("a note without warnings: %s", note)
	}
}
