package doccheck

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// A limit is a statement of the docs that godurable does not do something.
// Exactly one of its kinds applies:
//
//   - a feature godurable lacks: Absent and NoScenario name what would
//     exist once it has it (an exported name, a conformance scenario), and
//     the test fails when one does, while the docs still state the limit;
//   - a refusal by design: RefusedBy names the exported error a caller
//     gets, which must exist;
//   - a limit of the platform (workerd, D1, Go, the local tools), which
//     nothing in godurable can change: Platform says whose it is.
type limit struct {
	// Phrase is words of the statement, as they appear in In's docs.
	Phrase string
	// In is where the limit is stated: "README.md" or a package's
	// directory ("worker"), whose docs are what go doc shows of it.
	In string

	Absent     []string // exported names, "pkg.Name" or "pkg.Type.Member"
	NoScenario []string // conformance scenarios (t.Run names, RunX functions)
	RefusedBy  []string // exported names that must exist
	Platform   string
}

// limits is every limit the docs state. A sentence of README.md or of a
// public package's docs that says "not yet", "not offered", "not
// supported", "unsupported" or "cannot" (outside quotes and code) must
// contain the Phrase of one of them.
var limits = []limit{
	// Features godurable lacks.
	{Phrase: "get's routingMode and version options", In: "worker",
		Absent: []string{"worker.GetOptions.RoutingMode", "worker.GetOptions.Version", "worker.GetOptions.Bookmark"}},
	{Phrase: "and getExisting", In: "worker",
		Absent: []string{"worker.Namespace.GetExisting"}},
	{Phrase: "do not stream yet", In: "worker", // bodies of Request and Response RPC values
		NoScenario: []string{"StreamingRequestValues"}},
	{Phrase: "a stream inside a struct", In: "worker",
		NoScenario: []string{"StreamInStruct"}},
	{Phrase: "own entrypoints as bindings (ctx.exports)", In: "worker",
		Absent: []string{"worker.Exports", "worker.Env.Exports"}},
	{Phrase: "ctx.props and ctx.exports", In: "durableobject",
		Absent: []string{"durableobject.State.Props", "durableobject.State.Exports"}},
	{Phrase: "retryAlarm option of ctx.abort", In: "durableobject",
		Absent: []string{"durableobject.AbortOptions", "durableobject.State.AbortWith"}},
	{Phrase: "sessions (withSession) and read replication", In: "d1",
		Absent: []string{"d1.Database.WithSession", "d1.Session"}},
	{Phrase: "the metadata of many keys at once", In: "kv",
		Absent: []string{"kv.Namespace.GetManyWithMetadata"}},
	{Phrase: "a value's metadata with a stream", In: "kv",
		Absent: []string{"kv.Namespace.GetStreamWithMetadata"}},
	{Phrase: "server-side encryption with a key of the caller's", In: "r2",
		Absent: []string{"r2.GetOptions.SSECKey", "r2.PutOptions.SSECKey", "r2.MultipartOptions.SSECKey"}},

	// Refusals by design.
	{Phrase: "A stub cannot be stored", In: "worker",
		RefusedBy: []string{"storage.ErrStubNotStorable"}},

	// Limits of the platform.
	{Phrase: "the Go instance cannot leave fn until it returns", In: "storage",
		Platform: "transactionSync takes a synchronous callback, and a Go function inside it returns to the host only by finishing"},
	{Phrase: "the older workerd cannot open what the newer one wrote", In: "README.md",
		Platform: "workerd's local storage format changed in 2026-07 (the alarm table gained a column)"},
}

// A feature is a statement of the docs that godurable does something,
// with what shows that it does.
type feature struct {
	Phrase    string
	In        string
	Names     []string // exported names that must exist
	Scenarios []string // conformance scenarios that must exist
}

var features = []feature{
	{Phrase: "# Stubs as values", In: "worker",
		Names: []string{"worker.Stub", "storage.ErrStubNotStorable"}, Scenarios: []string{"StubValues"}},
	{Phrase: "from 2026-04-21 (workerd's enhanced_error_serialization)", In: "worker",
		Names: []string{"worker.Error.Code", "worker.Error.Cause"}, Scenarios: []string{"RPCErrors"}},
	{Phrase: "# Streams over RPC", In: "worker",
		Names: []string{"worker.Stream", "worker.Values"}, Scenarios: []string{"RPCStreams", "StreamArgument", "Cancel"}},
	{Phrase: "# Streaming bodies", In: "worker",
		Scenarios: []string{"Streaming"}},
	{Phrase: "# Cancellation", In: "worker",
		Names: []string{"worker.ErrClientGone"}, Scenarios: []string{"ClientGoesAway"}},
	{Phrase: "# Failures", In: "cron",
		Names: []string{"cron.Handle", "cron.Event.NoRetry", "durableobject/dotest.Worker.Scheduled"}, Scenarios: []string{"Scheduled"}},
	{Phrase: "# Bodies", In: "queues",
		Names: []string{"queues.ContentType", "queues.Message.Decode"}, Scenarios: []string{"ContentTypes"}},
	{Phrase: "When it returns an error or panics, the runtime retries the whole batch", In: "queues",
		Names: []string{"queues.Handle", "queues.Message.Ack"}, Scenarios: []string{"BatchError", "BatchPanic"}},
	{Phrase: "# Retries and dead letters", In: "queues",
		Names: []string{"queues.Message.Retry", "queues.Batch.RetryAll"}, Scenarios: []string{"AckRetry", "RetryAll", "DeadLetter", "Delays"}},
	{Phrase: "# Queues", In: "durableobject/dotest",
		Names: []string{"durableobject/dotest.Worker.Queue", "durableobject/dotest.Worker.QueueSend", "durableobject/dotest.Worker.QueueRuns", "durableobject/dotest.Worker.QueueBacklog"}, Scenarios: []string{"Queues", "Jobs"}},
	{Phrase: "# Cron triggers", In: "durableobject/dotest",
		Names: []string{"durableobject/dotest.Worker.Scheduled", "durableobject/dotest.Worker.ScheduledRuns"}, Scenarios: []string{"Scheduled"}},
	{Phrase: "# Background work", In: "worker",
		Names: []string{"worker.WaitUntil"}, Scenarios: []string{"WaitUntil"}},
	{Phrase: "# Service bindings", In: "worker",
		Names: []string{"worker.Env.Service", "worker.Entrypoint", "worker.Props", "worker.Expose", "worker.Hide",
			"durableobject/dotest.Worker.Entrypoint", "durableobject/dotest.Entrypoint.WithProps"},
		Scenarios: []string{"ServiceBindings", "Entrypoints"}},
	{Phrase: "a binding with a script_name", In: "worker",
		Names: []string{"durableobject/dotest.Options.Scripts"}, Scenarios: []string{"CrossScript"}},
	{Phrase: "[Namespace.Jurisdiction] is the namespace restricted", In: "worker",
		Names: []string{"worker.Namespace.Jurisdiction", "worker.Namespace.NewUniqueID"}, Scenarios: []string{"IDs"}},
	{Phrase: "# What is exposed", In: "durableobject",
		Names: []string{"durableobject.Expose", "durableobject.Hide"}, Scenarios: []string{"Exposure"}},
	{Phrase: "# Turns", In: "durableobject",
		Names: []string{"durableobject.State.BlockConcurrencyWhile"}, Scenarios: []string{"Turns", "Waits", "Feed", "Lock"}},
	{Phrase: "Init(ctx context.Context) error method ([Initializer])", In: "durableobject",
		Names: []string{"durableobject.Initializer"}, Scenarios: []string{"Initializer"}},
	{Phrase: "[State.Abort](ctx, reason) is workerd's ctx.abort", In: "durableobject",
		Names: []string{"durableobject.State.Abort"}, Scenarios: []string{"Abort"}},
	{Phrase: "# Transactions", In: "storage",
		Names: []string{"storage.Storage.Transaction", "storage.ErrTransactionWait"}, Scenarios: []string{"Transactions"}},
	{Phrase: "# Values a JavaScript object stored", In: "storage",
		Names: []string{"storage.KV.GetRaw", "storage.ErrNotOneValue", "durableobject/dotest.Object.PutJS"}, Scenarios: []string{"JSValues"}},
	{Phrase: "Point-in-time recovery is", In: "storage",
		Names: []string{"storage.Storage.CurrentBookmark", "storage.Storage.BookmarkForTime", "storage.Storage.RestoreOnNextSession"}, Scenarios: []string{"Bookmarks"}},
	{Phrase: "[Storage.DeleteAll] deletes everything", In: "storage",
		Names: []string{"storage.Storage.DeleteAll"}, Scenarios: []string{"DeleteAll"}},
	{Phrase: "# Transactions", In: "storage/sqldb",
		Names: []string{"storage/sqldb.Transaction", "storage/sqldb.ErrNoBegin"}, Scenarios: []string{"SQLDB"}},
	{Phrase: "[Database.Batch] runs statements as one transaction", In: "d1",
		Names: []string{"d1.Database.Batch", "d1.ErrNoTransaction"}, Scenarios: []string{"D1"}},
	{Phrase: "# Limits and errors", In: "kv",
		Names: []string{"kv.Error", "kv.ErrKeyTooLong", "kv.ErrValueTooLarge", "kv.ErrMetadataTooLarge", "kv.ErrExpirationTTL", "kv.ErrExpiration", "kv.ErrCacheTTL", "kv.ErrListLimit", "kv.ErrTooManyKeys"}, Scenarios: []string{"WorkersKV"}},
	{Phrase: "[Namespace.Keys] iterates over every page", In: "kv",
		Names: []string{"kv.Namespace.Keys", "kv.ListResult.Cursor"}, Scenarios: []string{"WorkersKV"}},
	{Phrase: "# Multipart uploads", In: "r2",
		Names: []string{"r2.Bucket.CreateMultipartUpload", "r2.MultipartUpload.Complete"}, Scenarios: []string{"R2"}},
	{Phrase: "Bodies stream in both directions", In: "r2",
		Names: []string{"r2.Object.Body", "r2.ErrSize"}, Scenarios: []string{"R2"}},
	{Phrase: "# The Scheduler", In: "alarm",
		Names: []string{"alarm.Scheduler", "alarm.Scheduler.Dead", "alarm.Event.LastError"}, Scenarios: []string{"Reminders"}},
	{Phrase: "# Retries", In: "alarm",
		Names: []string{"alarm.Info.RetryCount"}, Scenarios: []string{"Alarms"}},
	{Phrase: "# Outbound sockets", In: "ws",
		Names: []string{"ws.Dial", "ws.Client"}, Scenarios: []string{"Sockets"}},
	{Phrase: "[SetAutoResponse](ctx, \"ping\", \"pong\")", In: "ws",
		Names: []string{"ws.SetAutoResponse", "ws.Conn.AutoResponseTime"}, Scenarios: []string{"Chat"}},
	{Phrase: "# Deadlines", In: "sockets",
		Names: []string{"sockets.Conn.SetDeadline", "sockets.Conn.SetReadDeadline"}, Scenarios: []string{"Deadline"}},
	{Phrase: "then Conn.StartTLS", In: "sockets",
		Names: []string{"sockets.Conn.StartTLS", "sockets.StartTLS", "sockets.On"}, Scenarios: []string{"StartTLS", "TLS"}},
	{Phrase: "# PostgreSQL with pgx", In: "sockets",
		Names: []string{"sockets.Dial", "sockets.Lookup", "hyperdrive.FromEnv"}, Scenarios: []string{"Query", "Transaction", "Copy", "ListenNotify", "PgxTLS", "WorkerdTLS", "ObjectKeepsConnection"}},
	{Phrase: "# Whose connection it is", In: "sockets",
		Names: []string{"jsbridge.OwnerContext", "jsbridge.ErrOtherRequest"}, Scenarios: []string{"OtherRequest", "ObjectKeeps"}},
	{Phrase: "# Modules", In: "jsbridge",
		Names: []string{"jsbridge.Module"}, Scenarios: []string{"TCP"}},
	{Phrase: "# TCP sockets and Hyperdrive", In: "durableobject/dotest",
		Names: []string{"durableobject/dotest.Options.Dial", "durableobject/dotest.Options.RootCAs"}, Scenarios: []string{"TCP", "Hyperdrive"}},
	{Phrase: "# Several Workers", In: "durableobject/dotest",
		Names: []string{"durableobject/dotest.Options.Scripts"}, Scenarios: []string{"CrossScript"}},
	{Phrase: "# What the cache keeps", In: "cache",
		Names:     []string{"cache.ErrUncacheable", "cache.ErrURL", "cache.ErrName", "cache.QueryOptions.IgnoreMethod", "cache.Open"},
		Scenarios: []string{"Cache", "Refused", "Rules", "IgnoreMethod", "Named", "Conditional"}},
	{Phrase: "# Bodies", In: "cache",
		Names: []string{"cache.ErrLength"}, Scenarios: []string{"StreamedBody"}},
	{Phrase: "[Limiter.Limit] counts a call", In: "ratelimit",
		Names: []string{"ratelimit.Limiter.Limit"}, Scenarios: []string{"RateLimit"}},
	{Phrase: "# Limits", In: "analytics",
		Names: []string{"analytics.ErrLimit", "analytics.DataPoint.Check"}, Scenarios: []string{"Analytics"}},
	{Phrase: "[Worker.DataPoints] returns", In: "durableobject/dotest",
		Names: []string{"durableobject/dotest.Worker.DataPoints"}, Scenarios: []string{"Analytics"}},
}

// markers are the words of a statement of a limit.
var markers = regexp.MustCompile(`(?i)\b(not yet|not offered|not supported|unsupported|cannot)\b`)

func TestLimits(t *testing.T) {
	r := readRepo(t)
	for _, l := range limits {
		kinds := 0
		for _, set := range []bool{len(l.Absent)+len(l.NoScenario) > 0, len(l.RefusedBy) > 0, l.Platform != ""} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("limit %q: give exactly one of Absent/NoScenario, RefusedBy, Platform", l.Phrase)
		}
		if !r.says(l.In, l.Phrase) {
			t.Errorf("limit %q: the docs of %s no longer say it: remove the entry, or say it there (the docs of the package where the feature would live)", l.Phrase, l.In)
		}
		for _, name := range l.Absent {
			if r.names[name] {
				t.Errorf("%s exists, but the docs of %s still say %q: say what it does instead, and move the entry to the features", name, l.In, l.Phrase)
			}
		}
		for _, s := range l.NoScenario {
			if r.scenarios[s] {
				t.Errorf("the conformance scenario %s exists, but the docs of %s still say %q: say what it does instead, and move the entry to the features", s, l.In, l.Phrase)
			}
		}
		for _, name := range l.RefusedBy {
			if !r.names[name] {
				t.Errorf("limit %q: %s, which refuses it, is gone: check the docs of %s", l.Phrase, name, l.In)
			}
		}
	}

	// Every statement of a limit is in the table.
	for _, u := range r.units {
		for _, sentence := range sentences(u.text) {
			if !markers.MatchString(unquote(sentence)) {
				continue
			}
			known := slices.ContainsFunc(limits, func(l limit) bool { return containsFold(sentence, l.Phrase) })
			if !known {
				t.Errorf("%s states a limit that the table in internal/doccheck does not know:\n\t%s\nadd an entry (for a feature godurable lacks, with the names or scenario that would show it), or reword it if it states no limit", u.where, sentence)
			}
		}
	}
}

func TestFeatures(t *testing.T) {
	r := readRepo(t)
	for _, f := range features {
		if !r.says(f.In, f.Phrase) {
			t.Errorf("feature %q: the docs of %s no longer say it: update the entry", f.Phrase, f.In)
		}
		for _, name := range f.Names {
			if !r.names[name] {
				t.Errorf("the docs of %s document %q, but %s does not exist", f.In, f.Phrase, name)
			}
		}
		for _, s := range f.Scenarios {
			if !r.scenarios[s] {
				t.Errorf("the docs of %s document %q, but no conformance scenario %s tests it", f.In, f.Phrase, s)
			}
		}
	}
}

// TestPackageDocs checks that each public package has its documentation in
// a doc.go, and only there.
func TestPackageDocs(t *testing.T) {
	r := readRepo(t)
	for _, p := range r.packages {
		switch {
		case len(p.docFiles) == 0:
			t.Errorf("%s has no package documentation: write it in %s/doc.go", p.dir, p.dir)
		case len(p.docFiles) > 1 || p.docFiles[0] != "doc.go":
			t.Errorf("%s has its package documentation in %v: keep it in doc.go alone", p.dir, p.docFiles)
		}
	}
}

// repo is what the tests read of the repository.
type repo struct {
	packages  []*pkg
	units     []unit          // README.md, and every public package's docs
	names     map[string]bool // exported names of the public packages
	scenarios map[string]bool // conformance scenarios
}

type pkg struct {
	dir      string // relative to the module's root, slash-separated
	docFiles []string
}

// A unit is a piece of documentation, and where it is.
type unit struct {
	in    string // "README.md" or the package's directory
	where string // for messages
	text  string
}

func (r *repo) says(in, phrase string) bool {
	for _, u := range r.units {
		if u.in == in && containsFold(u.text, phrase) {
			return true
		}
	}
	return false
}

func readRepo(t *testing.T) *repo {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	r := &repo{names: map[string]bool{}, scenarios: map[string]bool{}}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	r.units = append(r.units, unit{in: "README.md", where: "README.md", text: markdownProse(string(readme))})

	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if rel != "." && !public(rel) {
			return filepath.SkipDir
		}
		return r.readPackage(path, rel)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.packages) < 9 {
		t.Fatalf("found %d public packages; the walk is broken", len(r.packages))
	}

	conf, err := filepath.Glob(filepath.Join(root, "internal", "conformance", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	scenario := regexp.MustCompile(`t\.Run\("([^"]+)"|func Run(\w+)\(`)
	for _, f := range conf {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range scenario.FindAllStringSubmatch(string(b), -1) {
			r.scenarios[m[1]+m[2]] = true
		}
	}
	if len(r.scenarios) < 20 {
		t.Fatalf("found %d conformance scenarios; the search is broken", len(r.scenarios))
	}
	return r
}

// public reports whether the directory rel holds public packages: not
// internal, test data, the examples, the benchmarks or tools' trees.
func public(rel string) bool {
	for i, elem := range strings.Split(rel, "/") {
		switch {
		case elem == "internal", elem == "testdata", elem == "node_modules", elem == "template",
			strings.HasPrefix(elem, "."), strings.HasPrefix(elem, "_"):
			return false
		case i == 0 && (elem == "examples" || elem == "bench" || elem == "build" || elem == "scripts"):
			return false
		}
	}
	return true
}

// readPackage reads the exported names and the documentation of the
// package in dir, if there is one.
func (r *repo) readPackage(dir, rel string) error {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		return err
	}
	for _, p := range pkgs {
		pk := &pkg{dir: rel}
		r.packages = append(r.packages, pk)
		files := make([]string, 0, len(p.Files))
		for name := range p.Files {
			files = append(files, name)
		}
		slices.Sort(files)
		for _, name := range files {
			f := p.Files[name]
			if f.Doc != nil {
				pk.docFiles = append(pk.docFiles, filepath.Base(name))
				r.units = append(r.units, unit{in: rel, where: rel + " (package doc)", text: docProse(f.Doc)})
			}
			for _, decl := range f.Decls {
				r.readDecl(rel, decl)
			}
		}
	}
	return nil
}

// readDecl records the exported names of decl and their documentation.
func (r *repo) readDecl(rel string, decl ast.Decl) {
	add := func(name string, docs ...*ast.CommentGroup) {
		r.names[rel+"."+name] = true
		for _, d := range docs {
			if d != nil {
				r.units = append(r.units, unit{in: rel, where: rel + "." + name, text: docProse(d)})
			}
		}
	}
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() {
			return
		}
		if d.Recv == nil {
			add(d.Name.Name, d.Doc)
			return
		}
		if recv := recvName(d.Recv.List[0].Type); ast.IsExported(recv) {
			add(recv+"."+d.Name.Name, d.Doc)
		}
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch s := spec.(type) {
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.IsExported() {
						add(n.Name, d.Doc, s.Doc, s.Comment)
					}
				}
			case *ast.TypeSpec:
				if !s.Name.IsExported() {
					continue
				}
				add(s.Name.Name, d.Doc, s.Doc, s.Comment)
				var fields *ast.FieldList
				switch ty := s.Type.(type) {
				case *ast.StructType:
					fields = ty.Fields
				case *ast.InterfaceType:
					fields = ty.Methods
				}
				if fields == nil {
					continue
				}
				for _, field := range fields.List {
					for _, n := range field.Names {
						if n.IsExported() {
							add(s.Name.Name+"."+n.Name, field.Doc, field.Comment)
						}
					}
				}
			}
		}
	}
}

func recvName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return recvName(x.X)
	case *ast.IndexExpr:
		return recvName(x.X)
	case *ast.IndexListExpr:
		return recvName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return ""
}

// docProse returns the prose of a doc comment: its text without code
// blocks (lines indented by a tab).
func docProse(c *ast.CommentGroup) string {
	var b strings.Builder
	for _, line := range strings.Split(c.Text(), "\n") {
		if strings.HasPrefix(line, "\t") {
			b.WriteString("\n\n") // a code block ends a sentence
			continue
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.String()
}

// markdownProse returns README's text without its fenced code blocks.
func markdownProse(s string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			b.WriteString("\n\n")
			continue
		}
		if !fenced {
			b.WriteString(line)
			b.WriteString("\n")
		}
	}
	return b.String()
}

var (
	paragraphBreak = regexp.MustCompile(`\n\s*\n`)
	sentenceEnd    = regexp.MustCompile(`([.!?])\s+`)
	space          = regexp.MustCompile(`\s+`)
	quoted         = regexp.MustCompile("\"[^\"]*\"|`[^`]*`")
)

// sentences splits text into sentences, each on one line: at the end of
// a paragraph, a list item, a table row or a heading, and after ".", "!"
// or "?" and a space.
func sentences(text string) []string {
	var out []string
	for _, para := range paragraphBreak.Split(text, -1) {
		var items []string
		alone := true // the line starts an item of its own
		for _, line := range strings.Split(para, "\n") {
			trimmed := strings.TrimSpace(line)
			// A table row and a heading are items of their own.
			row := strings.HasPrefix(trimmed, "|") || strings.HasPrefix(trimmed, "#")
			if alone || row || strings.HasPrefix(trimmed, "- ") {
				items = append(items, line)
			} else {
				items[len(items)-1] += " " + line
			}
			alone = row
		}
		for _, item := range items {
			item = sentenceEnd.ReplaceAllString(space.ReplaceAllString(item, " "), "$1\n")
			for _, s := range strings.Split(item, "\n") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// unquote drops what a sentence quotes (an error message, code): its
// words are not the docs' own.
func unquote(s string) string { return quoted.ReplaceAllString(s, "") }

func containsFold(s, phrase string) bool {
	s = space.ReplaceAllString(s, " ")
	phrase = space.ReplaceAllString(phrase, " ")
	return strings.Contains(strings.ToLower(s), strings.ToLower(phrase))
}

// TestRationaleContents checks that the contents at the top of
// RATIONALE.md list its sections and entries, in order, and that the
// links to its entries from README.md resolve.
// update rewrites RATIONALE.md's contents from its headings.
var update = flag.Bool("update", false, "rewrite RATIONALE.md's table of contents from its headings")

func TestRationaleContents(t *testing.T) {
	b, err := os.ReadFile("../../RATIONALE.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	var want []string
	anchors := map[string]bool{}
	heading := regexp.MustCompile(`(?m)^(##|###) (.+)$`)
	for _, m := range heading.FindAllStringSubmatch(text, -1) {
		if m[2] == "Contents" {
			continue
		}
		a := anchor(m[2])
		if anchors[a] {
			t.Errorf("RATIONALE.md has two headings %q", m[2])
		}
		anchors[a] = true
		indent := ""
		if m[1] == "###" {
			indent = "  "
		}
		want = append(want, indent+"- ["+m[2]+"](#"+a+")")
	}
	before, contents, ok := strings.Cut(text, "\n## Contents\n\n")
	if !ok {
		t.Fatal(`RATIONALE.md has no "## Contents"`)
	}
	contents, after, _ := strings.Cut(contents, "\n\n")
	if got := strings.Split(contents, "\n"); !slices.Equal(got, want) {
		if *update {
			text = before + "\n## Contents\n\n" + strings.Join(want, "\n") + "\n\n" + after
			if err := os.WriteFile("../../RATIONALE.md", []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Errorf("RATIONALE.md's contents differ from its headings (go test ./internal/doccheck -run Rationale -update rewrites them); they should read:\n%s", strings.Join(want, "\n"))
		}
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`RATIONALE\.md#([\w-]+)`).FindAllStringSubmatch(string(readme), -1) {
		if !anchors[m[1]] {
			t.Errorf("README.md links to RATIONALE.md#%s, which no heading makes", m[1])
		}
	}
}

// anchor is GitHub's anchor of a heading: lower case, without what is
// not a letter, a digit, a space, "-" or "_", spaces made "-".
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-', r == '_', unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
