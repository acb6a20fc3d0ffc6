package cpuprof

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Groups of the summary. A sample's self time goes to exactly one group;
// its total time to every group on its stack.
const (
	GroupIdle      = "idle"
	GroupProgram   = "workerd/V8 native, no JS frame: (program)"
	GroupGC        = "V8 garbage collector"
	GroupNativeAPI = "workerd API (native: storage, clocks, ...)"
	GroupNativeTop = "workerd native, called from C++ (anonymous)"
	GroupWrapper   = "wasm<->JS wrappers"
	GroupShim      = "shim JS (godurable.mjs)"
	GroupGenerated = "shim JS (worker.mjs, generated)"
	GroupMsgpackJS = "MessagePack in JS (@msgpack/msgpack)"
	GroupWrangler  = "wrangler middleware JS"
	GroupUserJS    = "user JS"
	GroupOtherJS   = "other JS"

	GroupGoSched   = "Go runtime: scheduler, goroutines, channels, locks"
	GroupGoGC      = "Go runtime: GC, write barriers"
	GroupGoMalloc  = "Go runtime: allocation"
	GroupGoStack   = "Go runtime: stack growth"
	GroupGoMem     = "Go runtime: memmove, memclr, hashing"
	GroupGoRuntime = "Go runtime: other"
	GroupGoReflect = "Go reflect"
	GroupGoMsgpack = "Go MessagePack (vmihailenco/msgpack)"
	GroupGodurable = "Go godurable (rt, abi, hostcall, ...)"
	GroupGoSyscall = "Go syscall, os, internal/poll (idle read, clocks)"
	GroupGoSync    = "Go sync"
	GroupGoHTTP    = "Go net/http, net/url, mime, textproto"
	GroupGoUser    = "Go user code (package main)"
	GroupGoOther   = "Go other packages"
	GroupGoInit    = "Go package initializers (*.init)"
)

// Section is the start of one source file inside a bundled script (esbuild
// writes a comment with the file's path before each).
type Section struct {
	Line int // 0-based line of the comment
	Path string
}

var sectionComment = regexp.MustCompile(`^// (\S+\.(?:m?js|cjs|ts)|wrangler-config:\S+)$`)

// Sections finds the source files of a script bundled by esbuild (as
// wrangler bundles a Worker).
func Sections(source string) []Section {
	var out []Section
	for i, line := range strings.Split(source, "\n") {
		if m := sectionComment.FindStringSubmatch(strings.TrimRight(line, "\r")); m != nil {
			out = append(out, Section{Line: i, Path: m[1]})
		}
	}
	return out
}

// Classifier puts a profile's functions in groups.
type Classifier struct {
	// Scripts maps a scriptId to the files bundled in that script.
	Scripts map[string][]Section
	// Lines holds the scripts' sources by line, for the lines of
	// positionTicks (optional).
	Lines map[string][]string
}

// Line returns line n (1-based) of a script, trimmed, or "".
func (c *Classifier) Line(scriptID string, n int) string {
	ls := c.Lines[scriptID]
	if n < 1 || n > len(ls) {
		return ""
	}
	return strings.TrimSpace(ls[n-1])
}

// fileOf returns the bundled file a line of a script belongs to, or "".
func (c *Classifier) fileOf(cf CallFrame) string {
	secs, bundled := c.Scripts[cf.ScriptID]
	if !bundled {
		// Not a bundle (a profile from Node): the script is the file.
		return strings.TrimPrefix(cf.URL, "file://")
	}
	i := sort.Search(len(secs), func(i int) bool { return secs[i].Line > cf.LineNumber }) - 1
	if i < 0 {
		return ""
	}
	return secs[i].Path
}

// Classify returns the group and a detail (the function, for the tables
// of top functions) of one call frame. parentJS is the nearest JavaScript
// function above it, for native functions.
func (c *Classifier) Classify(cf CallFrame, parentJS string) (group, detail string) {
	name := cf.FunctionName
	switch {
	case cf.URL == "" && name == "(idle)":
		return GroupIdle, name
	case cf.URL == "" && name == "(program)":
		return GroupProgram, name
	case cf.URL == "" && name == "(garbage collector)":
		return GroupGC, name
	case cf.URL == "" && (name == "wasm-to-js" || name == "js-to-wasm" || strings.HasPrefix(name, "wasm-to-js:") || strings.HasPrefix(name, "js-to-wasm:")):
		return GroupWrapper, name
	case strings.HasPrefix(cf.URL, "wasm://"):
		return goGroup(name), name
	case cf.URL == "":
		if parentJS == "" {
			if name == "" {
				return GroupNativeTop, "(anonymous native)"
			}
			return GroupNativeTop, name
		}
		if name == "" {
			name = "(anonymous)"
		}
		return GroupNativeAPI, name + " ← " + parentJS
	}
	file := c.fileOf(cf)
	fn := name
	if fn == "" {
		fn = fmt.Sprintf("(anonymous:%d)", cf.LineNumber+1)
		// An arrow function that is a property's value, as the shim's
		// WASI table and its host operations ("sql.exec": ...) have
		// them: esbuild's __name(...) hides the name from V8, the line
		// still shows the key.
		if m := propertyKey.FindStringSubmatch(c.Line(cf.ScriptID, cf.LineNumber+1)); m != nil {
			fn = m[1] + " " + fn
		}
	}
	switch {
	case file == "":
		return GroupOtherJS, fn + " " + cf.URL
	case strings.Contains(file, "@msgpack/msgpack"):
		return GroupMsgpackJS, fn
	case strings.HasSuffix(file, "godurable.mjs"), strings.HasSuffix(file, "godurable.node.mjs"):
		return GroupShim, fn
	case strings.HasSuffix(file, "/worker.mjs") || file == "worker.mjs":
		return GroupGenerated, fn
	case strings.Contains(file, "wrangler") || strings.Contains(file, "middleware"):
		return GroupWrangler, fn
	default:
		return GroupUserJS, fn + " (" + file[strings.LastIndexByte(file, '/')+1:] + ")"
	}
}

var propertyKey = regexp.MustCompile(`^\[?"?([\w.$]+)"?\]?:\s*(?:/\* @__PURE__ \*/\s*)?(?:__name\()?\(`)

// domainPrefix matches the mangled first element of a package path with a
// domain, as V8 shows Go's function names ("github.com_x_y.F").
var domainPrefix = regexp.MustCompile(`^[a-z0-9-]+\.(?:com|org|net|io|in|dev|cc|co|me|app|sh|xyz|tech|page|cloud)_`)

// GoPackage returns the Go package of a wasm function name as the
// profile shows it: V8 writes "/" and the "(*T)" of methods as "_"
// ("github.com_vmihailenco_msgpack_v5.__Decoder_.readCode"); a leading
// "$" is dropped.
func GoPackage(fn string) string {
	fn = strings.TrimPrefix(fn, "$")
	start := 0
	if m := domainPrefix.FindString(fn); m != "" {
		start = len(m)
	}
	i := strings.IndexByte(fn[start:], '.')
	if i < 0 {
		return fn
	}
	return strings.ReplaceAll(fn[:start+i], "_", "/")
}

var (
	goGCNames     = regexp.MustCompile(`^runtime\.(gc|.*[mM]ark|.*[sS]weep|scanobject|scanblock|scanstack|scanframe|greyobject|findObject|heapBits|.*wbBuf|.*WriteBarrier|bulkBarrier|typePointers|.*__gcWork_|.*__gcControllerState_|.*__spanSet_|.*__mspan_.(sweep|markBits|refillAllocCache|typePointers|nextFreeIndex))`)
	goMallocNames = regexp.MustCompile(`^runtime\.(malloc|mallocgc|nextFreeFast|newobject|newarray|makeslice|growslice|makemap|rawstring|rawbyteslice|rawruneslice|slicebytetostring|concatstring|memclrNoHeapPointers|persistentalloc|deductAssistCredit|.*__mcache_|.*__mcentral_|.*__mheap_|.*__mspan_|.*__pageAlloc_|.*__fixalloc_|heapSetType|sysAlloc|sysMap|makeBucketArray|newstring|roundupsize)`)
	goStackNames  = regexp.MustCompile(`^runtime\.(morestack|newstack|copystack|stackalloc|stackfree|stackcache|adjust|gentraceback|.*__unwinder_|.*__stkframe_|funcdata|pcvalue|step|findfunc|funcInfo|.*__funcInfo_|pcdatavalue|readvarint|funcspdelta|getStackMap|shrinkstack)`)
	goSchedNames  = regexp.MustCompile(`^runtime\.(schedule|findRunnable|findrunnable|gopark|goready|park_m|ready|runq|globrunq|execute|mcall|gogo|casgstatus|casGToWaiting|netpoll|notetsleep|wakep|goexit|newproc|injectglist|checkTimers|pidle|stealWork|.*__timers_|.*__timer_|resetspinning|gosched|chan|recv|send|closechan|lock|unlock|lock2|unlock2|semacquire|semrelease|selectgo|acquireSudog|releaseSudog|goroutineReady|handleAsyncEvent|wasmExit|exitsyscall|entersyscall|reentersyscall|beforeIdle|pause|mPark|stopm|startm|handoffp|acquirep|releasep|wirep|dropg|gfget|gfput|malg|newproc1|gdestroy|goexit0|.*__waitq_|.*__hchan_|sudog|nanotime|walltime|now|procyield|osyield|usleep|mstart|wasm_export|.*__randomOrder_|cheaprand|block|forEachP|sysmon|runSafePointFn|timeSleepUntil|.*__p_.)`)
	goMemNames    = regexp.MustCompile(`^runtime\.(memmove|memequal|memhash|aeshash|strhash|nilinterhash|interhash|typehash|efaceeq|ifaceeq|cmpstring|memclr|wasmMove|wasmZero|mapaccess|mapassign|mapdelete|.*__maptype_|.*__Map_|mapiter|mapclear|cmpbody)`)
)

func goGroup(fn string) string {
	fn = strings.TrimPrefix(fn, "$")
	pkg := GoPackage(fn)
	rest := strings.TrimPrefix(fn, strings.ReplaceAll(pkg, "/", "_")+".")
	if rest == "init" || strings.HasPrefix(rest, "init.") || strings.HasPrefix(rest, "init_") {
		return GroupGoInit
	}
	switch {
	case pkg == "runtime":
		switch {
		case goGCNames.MatchString(fn):
			return GroupGoGC
		case goMallocNames.MatchString(fn):
			return GroupGoMalloc
		case goStackNames.MatchString(fn):
			return GroupGoStack
		case goSchedNames.MatchString(fn):
			return GroupGoSched
		case goMemNames.MatchString(fn):
			return GroupGoMem
		}
		return GroupGoRuntime
	case strings.HasPrefix(pkg, "internal/runtime/"), pkg == "internal/abi", pkg == "internal/bytealg", pkg == "internal/stringslite":
		return GroupGoMem
	case pkg == "reflect", pkg == "internal/reflectlite":
		return GroupGoReflect
	case strings.HasPrefix(pkg, "github.com/vmihailenco/"):
		return GroupGoMsgpack
	case strings.HasPrefix(pkg, "github.com/godurable/"):
		return GroupGodurable
	case pkg == "syscall", pkg == "os", strings.HasPrefix(pkg, "internal/poll"), strings.HasPrefix(pkg, "internal/syscall"), pkg == "time", pkg == "io":
		return GroupGoSyscall
	case pkg == "sync", pkg == "internal/sync", pkg == "sync/atomic", pkg == "internal/sync/atomic":
		return GroupGoSync
	case strings.HasPrefix(pkg, "net/"), pkg == "net", pkg == "mime", strings.HasPrefix(pkg, "mime/"), strings.HasPrefix(pkg, "vendor/golang.org/"):
		return GroupGoHTTP
	case pkg == "main":
		return GroupGoUser
	}
	return GroupGoOther
}

// IsGo reports whether a group is the Go module's code.
func IsGo(group string) bool { return strings.HasPrefix(group, "Go ") }

// Summary is a profile summed by group.
type Summary struct {
	// Period is the sampling period the summary assumes (µs): the 20th
	// percentile of the intervals between samples. A sample counts for
	// the interval before it, but for at most 1.5 periods: V8 takes no
	// sample while the isolate is not entered (workerd runs other
	// isolates on the same thread, or waits), and that time is not this
	// isolate's.
	Period   float64
	Gaps     float64 // µs between samples left out by that rule
	Duration float64 // µs covered by samples
	Samples  int
	Self     map[string]float64 // group -> µs
	Total    map[string]float64 // group -> µs (inclusive: the group is on the stack)
	Detail   map[string]float64 // group + "\x00" + detail -> self µs
	// DetailTotal is the inclusive time of each function (group + "\x00" +
	// detail): the samples with the function anywhere on the stack.
	DetailTotal map[string]float64
	// LineSelf splits the self time of JavaScript functions by source
	// line (from V8's positionTicks): detail key -> line (1-based, in the
	// script) -> µs.
	LineSelf map[string]map[int]float64
	// ScriptOf is the script of a detail key's function.
	ScriptOf map[string]string
	// InitTotal is the inclusive time of Go's package initializers by
	// package (the outermost pkg.init frame of a sample).
	InitTotal map[string]float64
}

// Summarize sums a profile's samples by group, estimating the sampling
// period from the profile.
func (c *Classifier) Summarize(p *Profile) *Summary { return c.SummarizePeriod(p, 0) }

// SummarizePeriod sums a profile's samples by group with a known sampling
// period (µs; 0 to estimate it). A mostly idle isolate's profile is mostly
// gaps, so its period is better taken from a busy isolate's profile of the
// same run.
func (c *Classifier) SummarizePeriod(p *Profile, period float64) *Summary {
	s := &Summary{Self: map[string]float64{}, Total: map[string]float64{}, Detail: map[string]float64{}, DetailTotal: map[string]float64{}, InitTotal: map[string]float64{},
		LineSelf: map[string]map[int]float64{}, ScriptOf: map[string]string{}}
	nodeSelf := map[int]float64{}
	byID := make(map[int]*Node, len(p.Nodes))
	parent := map[int]int{}
	for i := range p.Nodes {
		n := &p.Nodes[i]
		byID[n.ID] = n
		for _, ch := range n.Children {
			parent[ch] = n.ID
		}
	}
	type info struct {
		group, detail string
		groups        []string // groups on the path from the root, deduplicated
		details       []string // functions on the path, deduplicated
		initPkg       string   // the package of the outermost initializer on the path
	}
	memo := map[int]*info{}
	var get func(id int) *info
	get = func(id int) *info {
		if in, ok := memo[id]; ok {
			return in
		}
		n := byID[id]
		in := &info{}
		memo[id] = in
		if n == nil || n.CallFrame.FunctionName == "(root)" {
			return in
		}
		var up *info
		pid, hasParent := parent[id]
		if hasParent {
			up = get(pid)
		}
		parentJS := ""
		for q, ok := pid, hasParent; ok; q, ok = parent[q] {
			pn := byID[q]
			if pn == nil {
				break
			}
			if pn.CallFrame.URL != "" && !strings.HasPrefix(pn.CallFrame.URL, "wasm://") {
				parentJS = pn.CallFrame.FunctionName
				if parentJS == "" {
					parentJS = "(anonymous)"
				}
				break
			}
			if strings.HasPrefix(pn.CallFrame.URL, "wasm://") {
				parentJS = "wasm"
				break
			}
		}
		in.group, in.detail = c.Classify(n.CallFrame, parentJS)
		key := in.group + "\x00" + in.detail
		if up != nil {
			in.groups = up.groups
			in.details = up.details
			in.initPkg = up.initPkg
		}
		if in.group == GroupGoInit && in.initPkg == "" {
			in.initPkg = GoPackage(n.CallFrame.FunctionName)
		}
		if !contains(in.details, key) {
			in.details = append(append([]string(nil), in.details...), key)
		}
		seen := false
		for _, g := range in.groups {
			if g == in.group {
				seen = true
				break
			}
		}
		if !seen {
			in.groups = append(append([]string(nil), in.groups...), in.group)
		}
		return in
	}
	s.Period = period
	if s.Period <= 0 {
		s.Period = estimatePeriod(p.TimeDeltas)
	}
	for i, id := range p.Samples {
		var d float64
		if i > 0 && i < len(p.TimeDeltas) {
			d = float64(p.TimeDeltas[i])
		}
		if d < 0 {
			d = 0
		}
		if limit := 1.5 * s.Period; d > limit {
			s.Gaps += d - limit
			d = limit
		}
		in := get(id)
		if in.group == "" {
			continue
		}
		s.Samples++
		s.Duration += d
		nodeSelf[id] += d
		s.Self[in.group] += d
		s.Detail[in.group+"\x00"+in.detail] += d
		for _, g := range in.groups {
			s.Total[g] += d
		}
		for _, k := range in.details {
			s.DetailTotal[k] += d
		}
		if in.initPkg != "" {
			s.InitTotal[in.initPkg] += d
		}
	}
	for id, t := range nodeSelf {
		n := byID[id]
		in := memo[id]
		if n == nil || in == nil || len(n.PositionTicks) == 0 || strings.HasPrefix(n.CallFrame.URL, "wasm://") {
			continue
		}
		var ticks int
		for _, pt := range n.PositionTicks {
			ticks += pt.Ticks
		}
		if ticks == 0 {
			continue
		}
		key := in.group + "\x00" + in.detail
		m := s.LineSelf[key]
		if m == nil {
			m = map[int]float64{}
			s.LineSelf[key] = m
			s.ScriptOf[key] = n.CallFrame.ScriptID
		}
		for _, pt := range n.PositionTicks {
			m[pt.Line] += t * float64(pt.Ticks) / float64(ticks)
		}
	}
	return s
}

// period estimates the sampling period from the intervals between
// samples: their 20th percentile.
func estimatePeriod(deltas []int) float64 {
	if len(deltas) < 2 {
		return 0
	}
	d := append([]int(nil), deltas[1:]...)
	sort.Ints(d)
	return float64(d[len(d)/5])
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// FunctionTotal is the inclusive time of the functions of a group whose
// detail is name.
func (s *Summary) FunctionTotal(group, name string) float64 {
	return s.DetailTotal[group+"\x00"+name]
}

// Busy is the time that was not idle.
func (s *Summary) Busy() float64 { return s.Duration - s.Self[GroupIdle] }

// GoSelf is the self time of the Go module's code.
func (s *Summary) GoSelf() float64 {
	var t float64
	for g, v := range s.Self {
		if IsGo(g) {
			t += v
		}
	}
	return t
}

// TopDetails returns the n functions with the most self time, across
// groups (or in one group if group is not "").
func (s *Summary) TopDetails(group string, n int) []DetailTime {
	var out []DetailTime
	for k, v := range s.Detail {
		g, d, _ := strings.Cut(k, "\x00")
		if group != "" && g != group {
			continue
		}
		out = append(out, DetailTime{Group: g, Detail: d, Self: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Self != out[j].Self {
			return out[i].Self > out[j].Self
		}
		return out[i].Detail < out[j].Detail
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// DetailTime is one function's self time.
type DetailTime struct {
	Group, Detail string
	Self          float64
}
