package cpuprof

import "testing"

func TestGoPackage(t *testing.T) {
	for fn, want := range map[string]string{
		"runtime.mallocgc": "runtime",
		"runtime.park_m":   "runtime",
		"github.com_vmihailenco_msgpack_v5.__Decoder_.readCode":       "github.com/vmihailenco/msgpack/v5",
		"github.com_godurable_godurable_internal_rt.callMethod":       "github.com/godurable/godurable/internal/rt",
		"internal_sync.__HashTrieMap_go.shape.interface____go.shape.": "internal/sync",
		"$reflect.Value.call": "reflect",
		"_initialize":         "_initialize",
	} {
		if got := GoPackage(fn); got != want {
			t.Errorf("GoPackage(%q) = %q, want %q", fn, got, want)
		}
	}
}

func TestSections(t *testing.T) {
	src := "var x;\n// ../build/counter/godurable.mjs\nfunction a() {}\n// ../../node_modules/@msgpack/msgpack/dist.esm/Encoder.mjs\nfunction b() {}\n// not a path\n"
	got := Sections(src)
	if len(got) != 2 || got[0] != (Section{1, "../build/counter/godurable.mjs"}) || got[1].Line != 3 {
		t.Fatalf("Sections = %+v", got)
	}
}

// TestPropertyKey checks that an anonymous arrow function is named by
// the property whose value it is, quoted or not.
func TestPropertyKey(t *testing.T) {
	c := &Classifier{Scripts: map[string][]Section{"5": {{0, "../build/chat/godurable.mjs"}}}, Lines: map[string][]string{"5": {
		"// ../build/chat/godurable.mjs",
		`  fd_read: /* @__PURE__ */ __name((fd, iovs) => {`,
		`  "sql.exec": /* @__PURE__ */ __name((rt, req, o) => {`,
		`  [ABI.ImportTake]: (ptr) => this.take(ptr),`,
	}}}
	for line, want := range map[int]string{1: "fd_read (anonymous:2)", 2: "sql.exec (anonymous:3)", 3: "ABI.ImportTake (anonymous:4)"} {
		if _, got := c.Classify(CallFrame{ScriptID: "5", URL: "worker.js", LineNumber: line}, ""); got != want {
			t.Errorf("line %d: %q, want %q", line+1, got, want)
		}
	}
}

// TestSummarize checks the grouping and the sampling arithmetic on a
// small profile: root -> hostCall (shim) -> get (native), and a wasm
// function, with one long gap that is left out.
func TestSummarize(t *testing.T) {
	c := &Classifier{Scripts: map[string][]Section{"5": {{0, "../build/counter/godurable.mjs"}, {100, "../../node_modules/@msgpack/msgpack/dist.esm/Decoder.mjs"}}}}
	p := &Profile{
		Nodes: []Node{
			{ID: 1, CallFrame: CallFrame{FunctionName: "(root)"}, Children: []int{2, 4, 5, 6}},
			{ID: 2, CallFrame: CallFrame{FunctionName: "hostCall", ScriptID: "5", URL: "worker.js", LineNumber: 10}, Children: []int{3}},
			{ID: 3, CallFrame: CallFrame{FunctionName: "get"}},
			{ID: 4, CallFrame: CallFrame{FunctionName: "runtime.mallocgc", ScriptID: "6", URL: "wasm://wasm/abc"}},
			{ID: 5, CallFrame: CallFrame{FunctionName: "decode", ScriptID: "5", URL: "worker.js", LineNumber: 120}},
			{ID: 6, CallFrame: CallFrame{FunctionName: "(idle)"}},
		},
		Samples:    []int{2, 3, 3, 4, 5, 6, 4},
		TimeDeltas: []int{0, 100, 100, 100, 100, 100, 5000},
	}
	s := c.Summarize(p)
	if s.Period != 100 {
		t.Fatalf("period %v, want 100", s.Period)
	}
	want := map[string]float64{GroupNativeAPI: 200, GroupGoMalloc: 250, GroupMsgpackJS: 100, GroupIdle: 100}
	for g, v := range want {
		if s.Self[g] != v {
			t.Errorf("self %s = %v, want %v", g, s.Self[g], v)
		}
	}
	if s.Total[GroupShim] != 200 { // hostCall's sample is the first: no interval before it
		t.Errorf("total shim = %v, want 200", s.Total[GroupShim])
	}
	if s.Gaps != 5000-150 {
		t.Errorf("gaps = %v", s.Gaps)
	}
	if s.Busy() != 550 {
		t.Errorf("busy = %v, want 550", s.Busy())
	}
	if got := s.DetailTotal[GroupNativeAPI+"\x00get ← hostCall"]; got != 200 {
		t.Errorf("get ← hostCall total = %v", got)
	}
}
