package wrangler

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/crontrigger"
)

// Problem is one thing wrong in a configuration, with how to fix it.
type Problem struct {
	Message string
	Fix     string // a snippet to add or change, in the file's syntax
	// Warning reports a configuration that works, but likely not as
	// meant: wasmbuild says so, and goes on.
	Warning bool
}

func (p Problem) String() string {
	msg := p.Message
	if p.Warning {
		msg = "warning: " + msg
	}
	if p.Fix == "" {
		return msg
	}
	return msg + "\n    fix:\n      " + strings.ReplaceAll(strings.TrimRight(p.Fix, "\n"), "\n", "\n      ")
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// r2BucketName is what wrangler accepts as an R2 bucket's name.
var r2BucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// hyperdriveScheme matches the connection strings Hyperdrive takes.
var hyperdriveScheme = regexp.MustCompile(`^(postgres|postgresql|mysql)://`)

// Check reports every way in which cfg does not fit the module described by
// m, whose shim is the file entry (an absolute path). maxDate is the last
// compatibility date the pinned workerd supports.
func Check(cfg *Config, m *abi.Manifest, entry, maxDate string) []Problem {
	var ps []Problem
	add := func(fix, format string, args ...any) {
		ps = append(ps, Problem{Message: fmt.Sprintf(format, args...), Fix: fix})
	}

	wantMain := filepath.ToSlash(relOrAbs(cfg.Dir(), entry))
	switch {
	case cfg.Main == "":
		add(cfg.kv("main", wantMain), "main is not set: it must name the shim wasmbuild writes, %s", wantMain)
	case filepath.Clean(cfg.MainPath()) != filepath.Clean(entry):
		add(cfg.kv("main", wantMain), "main is %q, but the shim wasmbuild writes is %s", cfg.Main, wantMain)
	}

	switch {
	case cfg.CompatibilityDate == "":
		add(cfg.kv("compatibility_date", maxDate), "compatibility_date is not set")
	case !datePattern.MatchString(cfg.CompatibilityDate):
		add(cfg.kv("compatibility_date", maxDate), "compatibility_date %q is not a date (YYYY-MM-DD)", cfg.CompatibilityDate)
	case cfg.CompatibilityDate > maxDate:
		add(cfg.kv("compatibility_date", maxDate), "compatibility_date %s is later than %s, the newest one the installed (or else the pinned) workerd accepts", cfg.CompatibilityDate, maxDate)
	}

	registered := map[string]bool{}
	var names []string
	for _, c := range m.Classes {
		registered[c.Name] = true
		names = append(names, c.Name)
	}

	// Bindings: every registered class bound; every local binding names a
	// registered class.
	bound := map[string]bool{}
	seenBinding := map[string]bool{}
	for _, b := range cfg.DurableObjects.Bindings {
		if seenBinding[b.Name] {
			add("", "the binding name %q is used twice in durable_objects.bindings", b.Name)
		}
		seenBinding[b.Name] = true
		if b.ScriptName != "" && b.ScriptName != cfg.Name {
			continue // a class of another Worker
		}
		bound[b.ClassName] = true
		if !registered[b.ClassName] {
			add("", "the binding %q names class %q, which the module does not register (it registers: %s); register it with durableobject.Register(%q, ...) or fix class_name",
				b.Name, b.ClassName, list(names), b.ClassName)
		}
	}
	for _, c := range m.Classes {
		if !bound[c.Name] {
			add(cfg.bindingFix(c.Name), "class %s is registered but not bound: add a Durable Object binding for it", c.Name)
		}
	}

	// D1 databases, KV namespaces, R2 buckets and the others: each
	// binding named, once, and not another binding's name.
	named := func(key, example, pkg string, i int, name string) {
		switch {
		case name == "":
			add("", "%s entry %d has no binding: name it (binding = %q gives env.%s, %s.FromEnv(env, %[3]q) in Go)", key, i+1, example, example, pkg)
		case seenBinding[name]:
			add("", "the binding name %q is used twice (%s)", name, key)
		}
		seenBinding[name] = true
	}
	for i, d := range cfg.D1Databases {
		named("d1_databases", "DB", "d1", i, d.Binding)
	}
	for i, k := range cfg.KVNamespaces {
		named("kv_namespaces", "KV", "kv", i, k.Binding)
	}
	// R2 buckets' names as wrangler accepts them.
	for i, b := range cfg.R2Buckets {
		named("r2_buckets", "BUCKET", "r2", i, b.Binding)
		for _, n := range []struct{ key, name string }{{"bucket_name", b.BucketName}, {"preview_bucket_name", b.PreviewBucketName}} {
			if n.name != "" && !r2BucketName.MatchString(n.name) {
				add("", "r2_buckets entry %d: %s %q is not a bucket name: wrangler wants 3 to 63 lowercase letters, digits and hyphens, beginning and ending with a letter or a digit", i+1, n.key, n.name)
			}
		}
	}

	// Hyperdrive: an id, as wrangler requires, and a local database that
	// wrangler dev can reach.
	for i, h := range cfg.Hyperdrive {
		named("hyperdrive", "HYPERDRIVE", "hyperdrive", i, h.Binding)
		if h.ID == "" {
			add("", "hyperdrive entry %d (%s) has no id: wrangler requires the id of the Hyperdrive configuration (wrangler hyperdrive create prints it)", i+1, h.Binding)
		}
		if s := h.LocalConnectionString; s != "" && !hyperdriveScheme.MatchString(s) {
			add("", "hyperdrive entry %d (%s): localConnectionString %q is not a postgres://, postgresql:// or mysql:// URL", i+1, h.Binding, s)
		}
	}
	// Rate limiters ([[ratelimits]], or unsafe bindings of type
	// "ratelimit") and Analytics Engine datasets.
	for i, r := range cfg.RateLimits {
		name, _ := r["name"].(string)
		named("ratelimits", "LIMITER", "ratelimit", i, name)
		if _, _, err := RateLimit(r); err != nil {
			add("", "ratelimits entry %d (%s): %v", i+1, name, err)
		}
	}
	for i, u := range cfg.Unsafe.Bindings {
		name, _ := u["name"].(string)
		if name != "" {
			if seenBinding[name] {
				add("", "the binding name %q is used twice (unsafe.bindings)", name)
			}
			seenBinding[name] = true
		}
		if u["type"] == "ratelimit" {
			if _, _, err := RateLimit(u); err != nil {
				add("", "unsafe.bindings entry %d (%s): %v", i+1, name, err)
			}
		}
	}
	for i, d := range cfg.AnalyticsEngineDatasets {
		name, _ := d["binding"].(string)
		named("analytics_engine_datasets", "EVENTS", "analytics", i, name)
	}

	ps = append(ps, cfg.checkCrons(m)...)
	ps = append(ps, cfg.checkQueues(m, seenBinding)...)

	// Migrations: replay them to learn each class's storage backend.
	tags := map[string]bool{}
	for i, mig := range cfg.Migrations {
		if mig.Tag == "" {
			add("", "migration %d has no tag", i+1)
		} else if tags[mig.Tag] {
			add("", "the migration tag %q is used twice", mig.Tag)
		}
		tags[mig.Tag] = true
	}
	backend := cfg.Backends()
	var missing []string
	for _, c := range m.Classes {
		switch backend[c.Name] {
		case "sqlite", "transferred":
		case "kv":
			add("", "class %s is created by a new_classes migration, which gives it the key-value storage backend; godurable objects use synchronous SQLite storage: declare it in new_sqlite_classes instead (a class already deployed with the key-value backend cannot be switched; create a new class)", c.Name)
		default:
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		add(cfg.migrationFix(missing, len(cfg.Migrations)+1), "class%s %s %s not created by any migration: add them to new_sqlite_classes in a new migration",
			plural(len(missing), "", "es"), list(missing), plural(len(missing), "is", "are"))
	}
	return ps
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	s := append([]string(nil), names...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func relOrAbs(base, target string) string {
	if rel, err := filepath.Rel(base, target); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return target
}

func (c *Config) kv(key, value string) string {
	if c.TOML() {
		return fmt.Sprintf("%s = %q", key, value)
	}
	return fmt.Sprintf("%q: %q,", key, value)
}

// BindingName suggests a binding name for a class: COUNTER for Counter.
func BindingName(class string) string {
	var b strings.Builder
	for i, r := range class {
		if i > 0 && r >= 'A' && r <= 'Z' && !(class[i-1] >= 'A' && class[i-1] <= 'Z') {
			b.WriteByte('_')
		}
		b.WriteString(strings.ToUpper(string(r)))
	}
	return b.String()
}

func (c *Config) bindingFix(class string) string {
	if c.TOML() {
		return fmt.Sprintf("[[durable_objects.bindings]]\nname = %q\nclass_name = %q", BindingName(class), class)
	}
	return fmt.Sprintf("\"durable_objects\": { \"bindings\": [ { \"name\": %q, \"class_name\": %q } ] },", BindingName(class), class)
}

func (c *Config) migrationFix(classes []string, n int) string {
	quoted := make([]string, len(classes))
	for i, cl := range classes {
		quoted[i] = fmt.Sprintf("%q", cl)
	}
	if c.TOML() {
		return fmt.Sprintf("[[migrations]]\ntag = \"v%d\"\nnew_sqlite_classes = [%s]", n, strings.Join(quoted, ", "))
	}
	return fmt.Sprintf("\"migrations\": [ { \"tag\": \"v%d\", \"new_sqlite_classes\": [%s] } ],", n, strings.Join(quoted, ", "))
}

// Backends replays the configuration's migrations and returns the storage
// backend of each class they leave: "sqlite" (new_sqlite_classes), "kv"
// (new_classes) or "transferred" (from another Worker). A class that no
// migration creates is absent: wrangler dev runs it with the key-value
// backend, whose synchronous KV and SQL APIs throw.
func (cfg *Config) Backends() map[string]string {
	backend := map[string]string{}
	for _, mig := range cfg.Migrations {
		for _, c := range mig.NewSQLiteClasses {
			backend[c] = "sqlite"
		}
		for _, c := range mig.NewClasses {
			backend[c] = "kv"
		}
		for _, r := range mig.RenamedClasses {
			backend[r.To] = backend[r.From]
			delete(backend, r.From)
		}
		for _, tr := range mig.TransferredClass {
			if _, ok := backend[tr.To]; !ok {
				backend[tr.To] = "transferred"
			}
		}
		for _, c := range mig.DeletedClasses {
			delete(backend, c)
		}
	}
	return backend
}

// checkCrons checks the cron triggers: each an expression in Cloudflare's
// syntax, once, and a scheduled handler to run them.
func (c *Config) checkCrons(m *abi.Manifest) []Problem {
	var ps []Problem
	seen := map[string]bool{}
	for _, expr := range c.Triggers.Crons {
		if _, err := crontrigger.Parse(expr); err != nil {
			ps = append(ps, Problem{Message: "triggers.crons: " + err.Error()})
		} else if seen[expr] {
			ps = append(ps, Problem{Message: fmt.Sprintf("triggers.crons has %q twice (Cloudflare refuses a duplicate)", expr)})
		}
		seen[expr] = true
	}
	handler := slices.Contains(m.Worker, "scheduled")
	switch {
	case len(c.Triggers.Crons) > 0 && !handler:
		ps = append(ps, Problem{Message: fmt.Sprintf("triggers.crons has %d cron trigger%s, but the module has no scheduled handler: register one with cron.Handle (workerd fails every run: \"Handler does not export a scheduled() function\")",
			len(c.Triggers.Crons), plural(len(c.Triggers.Crons), "", "s"))})
	case len(c.Triggers.Crons) == 0 && handler:
		fix := "[triggers]\ncrons = [\"*/5 * * * *\"]"
		if !c.TOML() {
			fix = `"triggers": { "crons": ["*/5 * * * *"] },`
		}
		ps = append(ps, Problem{Warning: true, Fix: fix,
			Message: "the module has a scheduled handler (cron.Handle), but the configuration has no cron triggers: only wrangler dev's /__scheduled and dotest's Worker.Scheduled run it"})
	}
	return ps
}
