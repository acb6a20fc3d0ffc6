package wrangler

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var counter = &abi.Manifest{ABI: abi.Version, Worker: []string{"fetch"}, Classes: []abi.Class{{Name: "Counter"}}}

func check(t *testing.T, dir, name, content string, m *abi.Manifest) []Problem {
	t.Helper()
	cfg, err := Load(write(t, dir, name, content))
	if err != nil {
		t.Fatal(err)
	}
	return Check(cfg, m, filepath.Join(dir, "build", "worker.mjs"), "2026-04-26")
}

const good = `
name = "app"
main = "build/worker.mjs"
compatibility_date = "2026-04-01"
[vars]
A = "1"
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[durable_objects.bindings]]
name = "OTHER"
class_name = "Elsewhere"
script_name = "another-worker"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
`

func TestCheckGood(t *testing.T) {
	dir := t.TempDir()
	if ps := check(t, dir, "wrangler.toml", good, counter); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	jsonc := `{
		// comments and trailing commas, as wrangler allows
		"name": "app", "main": "./build/worker.mjs", "compatibility_date": "2026-04-01",
		"durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"},]},
		"migrations": [{"tag": "v1", "new_classes": ["Old"]}, {"tag": "v2", "renamed_classes": [{"from": "Old", "to": "Tmp"}]},
			{"tag": "v3", "new_sqlite_classes": ["Counter"]}],
	}`
	if ps := check(t, dir, "wrangler.jsonc", jsonc, counter); len(ps) != 0 {
		t.Errorf("jsonc problems: %v", ps)
	}
}

func TestCheckProblems(t *testing.T) {
	dir := t.TempDir()
	bad := `
name = "app"
main = "dist/index.js"
compatibility_date = "2027-01-01"
[[durable_objects.bindings]]
name = "X"
class_name = "Nope"
[[durable_objects.bindings]]
name = "X"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_classes = ["Counter"]
[[migrations]]
tag = "v1"
`
	m := &abi.Manifest{ABI: abi.Version, Classes: []abi.Class{{Name: "Counter"}, {Name: "RoomList"}}}
	ps := check(t, dir, "wrangler.toml", bad, m)
	want := []string{
		`main is "dist/index.js", but the shim wasmbuild writes is build/worker.mjs`,
		"compatibility_date 2027-01-01 is later than 2026-04-26",
		`the binding "X" names class "Nope", which the module does not register (it registers: Counter, RoomList)`,
		`the binding name "X" is used twice`,
		"class RoomList is registered but not bound",
		`the migration tag "v1" is used twice`,
		"class Counter is created by a new_classes migration",
		"class RoomList is not created by any migration",
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i := range min(len(ps), len(want)) {
		if !strings.Contains(ps[i].Message, want[i]) {
			t.Errorf("problem %d = %q, want %q", i, ps[i].Message, want[i])
		}
	}
	fixes := ""
	for _, p := range ps {
		fixes += p.Fix + "\n"
	}
	for _, f := range []string{`main = "build/worker.mjs"`, "[[durable_objects.bindings]]\nname = \"ROOM_LIST\"\nclass_name = \"RoomList\"", "[[migrations]]\ntag = \"v3\"\nnew_sqlite_classes = [\"RoomList\"]"} {
		if !strings.Contains(fixes, f) {
			t.Errorf("fixes lack %q:\n%s", f, fixes)
		}
	}
}

func TestCheckDeletedClass(t *testing.T) {
	cfg := good + `
[[migrations]]
tag = "v2"
deleted_classes = ["Counter"]
`
	ps := check(t, t.TempDir(), "wrangler.toml", cfg, counter)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "not created by any migration") {
		t.Errorf("problems: %v", ps)
	}
}

func TestFindAndLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Find(dir); err == nil {
		t.Error("found a configuration in an empty directory")
	}
	write(t, dir, "wrangler.toml", "name = ")
	p, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil {
		t.Error("loaded broken TOML")
	}
	if _, err := Load(write(t, dir, "wrangler.yaml", "")); err == nil {
		t.Error("loaded a .yaml file")
	}
}

func TestBindingName(t *testing.T) {
	for in, want := range map[string]string{"Counter": "COUNTER", "ChatRoom": "CHAT_ROOM", "HTTPCache": "HTTPCACHE", "a": "A"} {
		if got := BindingName(in); got != want {
			t.Errorf("BindingName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestD1Databases(t *testing.T) {
	dir := t.TempDir()
	cfg := good + `
[[d1_databases]]
binding = "DB"
database_name = "app"
database_id = "00000000-0000-0000-0000-000000000001"
`
	if ps := check(t, dir, "wrangler.toml", cfg, counter); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	c, err := Load(filepath.Join(dir, "wrangler.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (D1Binding{Binding: "DB", DatabaseName: "app", DatabaseID: "00000000-0000-0000-0000-000000000001"}); len(c.D1Databases) != 1 || c.D1Databases[0] != want {
		t.Errorf("d1_databases = %+v", c.D1Databases)
	}
	jsonc := `{"name": "app", "main": "build/worker.mjs", "compatibility_date": "2026-04-01",
		"durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Counter"]}],
		"d1_databases": [{"binding": "COUNTER", "database_name": "x", "database_id": "1"}, {"database_name": "y"}]}`
	ps := check(t, dir, "wrangler.jsonc", jsonc, counter)
	if len(ps) != 2 || !strings.Contains(ps[0].Message, `"COUNTER" is used twice`) || !strings.Contains(ps[1].Message, "entry 2 has no binding") {
		t.Errorf("problems: %v", ps)
	}
}

func TestKVNamespaces(t *testing.T) {
	dir := t.TempDir()
	cfg := good + `
[[kv_namespaces]]
binding = "PASTES"
id = "0f2ac74b498b48028cb68387c421e279"
`
	if ps := check(t, dir, "wrangler.toml", cfg, counter); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	jsonc := `{"name": "app", "main": "build/worker.mjs", "compatibility_date": "2026-04-01",
		"durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Counter"]}],
		"kv_namespaces": [{"binding": "COUNTER", "id": "1"}, {"id": "2"}]}`
	ps := check(t, dir, "wrangler.jsonc", jsonc, counter)
	if len(ps) != 2 || !strings.Contains(ps[0].Message, `"COUNTER" is used twice (kv_namespaces)`) || !strings.Contains(ps[1].Message, "kv_namespaces entry 2 has no binding") {
		t.Errorf("problems: %v", ps)
	}
}

func TestHyperdrive(t *testing.T) {
	dir := t.TempDir()
	cfg := good + `
[[hyperdrive]]
binding = "HYPERDRIVE"
id = "00000000000000000000000000000000"
localConnectionString = "postgres://user:secret@127.0.0.1:5432/app"
`
	if ps := check(t, dir, "wrangler.toml", cfg, counter); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	cfg = good + `
[[hyperdrive]]
binding = "DB"
localConnectionString = "sqlite://app.db"
`
	ps := check(t, dir, "wrangler.toml", cfg, counter)
	if len(ps) != 2 || !strings.Contains(ps[0].Message, "hyperdrive entry 1 (DB) has no id") || !strings.Contains(ps[1].Message, `"sqlite://app.db" is not a postgres://`) {
		t.Errorf("problems: %v", ps)
	}
}

func TestR2Buckets(t *testing.T) {
	dir := t.TempDir()
	cfg := good + `
[[r2_buckets]]
binding = "BLOBS"
bucket_name = "my-blobs"
`
	if ps := check(t, dir, "wrangler.toml", cfg, counter); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	cfg = good + `
[[r2_buckets]]
binding = "COUNTER"
bucket_name = "My_Blobs"
[[r2_buckets]]
bucket_name = "ok-name"
preview_bucket_name = "-x"
`
	ps := check(t, dir, "wrangler.toml", cfg, counter)
	if len(ps) != 4 || !strings.Contains(ps[0].Message, `"COUNTER" is used twice (r2_buckets)`) || !strings.Contains(ps[1].Message, `bucket_name "My_Blobs" is not a bucket name`) ||
		!strings.Contains(ps[2].Message, "entry 2 has no binding") || !strings.Contains(ps[3].Message, `preview_bucket_name "-x"`) {
		t.Errorf("problems: %v", ps)
	}
}

// TestRateLimitsAndDatasets: rate limiters, both ways, with the local
// emulator's rules, and Analytics Engine datasets, in TOML and JSON.
func TestRateLimitsAndDatasets(t *testing.T) {
	dir := t.TempDir()
	cfg := good + `
[[ratelimits]]
name = "LIMITER"
namespace_id = "1001"
simple = { limit = 3, period = 60 }
[[unsafe.bindings]]
name = "UNSAFE"
type = "ratelimit"
namespace_id = "1002"
simple = { limit = 2, period = 10 }
[[analytics_engine_datasets]]
binding = "EVENTS"
`
	if ps := check(t, dir, "wrangler.toml", cfg, counter); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	jsonc := `{"name": "app", "main": "build/worker.mjs", "compatibility_date": "2026-04-01",
		"durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Counter"]}],
		"ratelimits": [{"name": "A", "namespace_id": "1", "simple": {"limit": 3, "period": 30}}, {"name": "B", "namespace_id": "2"}],
		"unsafe": {"bindings": [{"name": "A", "type": "ratelimit", "simple": {"limit": 0, "period": 10}}]},
		"analytics_engine_datasets": [{"dataset": "d"}]}`
	var got []string
	for _, p := range check(t, dir, "wrangler.jsonc", jsonc, counter) {
		got = append(got, p.Message)
	}
	want := []string{
		`ratelimits entry 1 (A): "ratelimits" bindings "simple.period" must be either 10 or 60 but got 30`,
		`ratelimits entry 2 (B): "ratelimits" bindings must have a "simple" configuration object`,
		`the binding name "A" is used twice (unsafe.bindings)`,
		`unsafe.bindings entry 1 (A): "ratelimits" bindings "simple.limit" must be a number greater than 0 but got 0`,
		`analytics_engine_datasets entry 1 has no binding: name it (binding = "EVENTS" gives env.EVENTS, analytics.FromEnv(env, "EVENTS") in Go)`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBindings: every kind of binding is listed, in TOML and JSON alike,
// including a kind wrangler adds later, and never a variable.
func TestBindings(t *testing.T) {
	dir := t.TempDir()
	toml := filepath.Join(dir, "wrangler.toml")
	os.WriteFile(toml, []byte(`name = "x"
[vars]
binding = "a variable, not a binding"
[ai]
binding = "AI"
[[kv_namespaces]]
binding = "KV"
id = "1"
[[durable_objects.bindings]]
name = "DO"
class_name = "C"
[[queues.producers]]
binding = "Q"
queue = "q"
[[queues.consumers]]
queue = "q"
[[future_things]]
binding = "F"
[[send_email]]
name = "MAIL"
`), 0o644)
	jsonc := filepath.Join(dir, "wrangler.jsonc")
	os.WriteFile(jsonc, []byte(`{
		// the same, as JSON
		"name": "x", "vars": {"binding": "no"}, "ai": {"binding": "AI"},
		"kv_namespaces": [{"binding": "KV", "id": "1"}],
		"durable_objects": {"bindings": [{"name": "DO", "class_name": "C"}]},
		"queues": {"producers": [{"binding": "Q", "queue": "q"}], "consumers": [{"queue": "q"}]},
		"future_things": [{"binding": "F"}], "send_email": [{"name": "MAIL"}]
	}`), 0o644)
	want := []Binding{{"AI", "ai", nil}, {"DO", "durable_objects.bindings", nil}, {"F", "future_things", nil}, {"KV", "kv_namespaces", nil}, {"Q", "queues.producers", nil}, {"MAIL", "send_email", nil}}
	for _, path := range []string{toml, jsonc} {
		got, err := Bindings(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 3 && got[3].Entry["id"] != "1" {
			t.Errorf("%s: the KV binding's entry = %v, want its id", filepath.Base(path), got[3].Entry)
		}
		for i := range got {
			got[i].Entry = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Bindings = %v, want %v", filepath.Base(path), got, want)
		}
	}
}

// TestCheckCrons: each cron trigger must be an expression Cloudflare
// accepts, once, with a scheduled handler to run it; a handler without
// triggers is a warning.
func TestCheckCrons(t *testing.T) {
	dir := t.TempDir()
	scheduled := &abi.Manifest{ABI: abi.Version, Worker: []string{"fetch", "scheduled"}, Classes: counter.Classes}
	ps := check(t, dir, "wrangler.toml", good+`
[triggers]
crons = ["*/5 * * * *", "0 0 * * 0", "0 0 L-2 * *", "*/5 * * * *", "59 23 LW * *", "0 18 * * friL"]
`, scheduled)
	want := []string{
		`triggers.crons: cron "0 0 * * 0": day-of-week "0": day 0: Cloudflare numbers the days of the week from 1 (SUN) to 7 (SAT)`,
		`triggers.crons: cron "0 0 L-2 * *": day-of-month "L-2"`,
		`triggers.crons has "*/5 * * * *" twice`,
	}
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if !strings.Contains(ps[i].Message, w) || ps[i].Warning {
			t.Errorf("problem %d = %q, want the error %q", i, ps[i].Message, w)
		}
	}

	// Triggers without a handler: an error.
	ps = check(t, dir, "wrangler.toml", good+"[triggers]\ncrons = [\"0 * * * *\"]\n", counter)
	if len(ps) != 1 || ps[0].Warning || !strings.Contains(ps[0].Message, "triggers.crons has 1 cron trigger, but the module has no scheduled handler: register one with cron.Handle") {
		t.Errorf("crons without a handler: %v", ps)
	}

	// A handler without triggers: a warning, with the lines to add.
	ps = check(t, dir, "wrangler.toml", good, scheduled)
	if len(ps) != 1 || !ps[0].Warning || !strings.Contains(ps[0].Message, "the configuration has no cron triggers") || ps[0].Fix != "[triggers]\ncrons = [\"*/5 * * * *\"]" {
		t.Errorf("a handler without crons: %+v", ps)
	}
	if s := ps[0].String(); !strings.HasPrefix(s, "warning: the module has a scheduled handler") {
		t.Errorf("the warning reads %q", s)
	}
	jsonc := `{"name": "app", "main": "build/worker.mjs", "compatibility_date": "2026-04-01",
		"durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]},
		"migrations": [{"tag": "v1", "new_sqlite_classes": ["Counter"]}],
		"triggers": {"crons": ["0 12 * * MON#1"]}}`
	if ps := check(t, dir, "wrangler.jsonc", jsonc, scheduled); len(ps) != 0 {
		t.Errorf("jsonc with a cron: %v", ps)
	}
}

// TestCheckQueues: producers and consumers of queues: names, settings in
// wrangler's ranges, one consumer per queue, a queue handler to deliver
// to, and warnings for queues whose messages wrangler dev would drop.
func TestCheckQueues(t *testing.T) {
	dir := t.TempDir()
	consumer := &abi.Manifest{ABI: abi.Version, Worker: []string{"fetch", "queue"}, Classes: counter.Classes}
	fine := good + `
[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.consumers]]
queue = "jobs"
max_batch_size = 10
max_batch_timeout = 0.5
max_retries = 0
dead_letter_queue = "jobs-dead"
retry_delay = 30

[[queues.consumers]]
queue = "jobs-dead"
`
	if ps := check(t, dir, "wrangler.toml", fine, consumer); len(ps) != 0 {
		t.Errorf("a good configuration: %v", ps)
	}

	ps := check(t, dir, "wrangler.toml", good+`
[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.producers]]
binding = "COUNTER"
queue = "jobs"

[[queues.producers]]
queue = "jobs"

[[queues.producers]]
binding = "NOQUEUE"

[[queues.consumers]]
queue = "jobs"
max_batch_size = 101
max_batch_timeout = 61
max_retries = 1.5
retry_delay = -1
dead_letter_queue = "jobs"
type = "http_pull"

[[queues.consumers]]
queue = "jobs"

[[queues.consumers]]
queue = "other"
dead_letter_queue = "nobody"
`, consumer)
	want := []struct {
		msg     string
		warning bool
	}{
		{`the binding name "JOBS" is used twice (queues.producers)`, false},
		{`the binding name "COUNTER" is used twice (queues.producers)`, false},
		{`queues.producers entry 4 has no binding`, false},
		{`queues.producers entry 5 (NOQUEUE) names no queue`, false},
		{`queues.consumers "jobs": type "http_pull"`, false},
		{`queues.consumers "jobs": max_batch_size = 101: it must be a whole number from 1 to 100`, false},
		{`queues.consumers "jobs": max_batch_timeout = 61: it must be a number from 0 to 60 seconds`, false},
		{`queues.consumers "jobs": max_retries = 1.5: it must be a whole number from 0 to 100`, false},
		{`queues.consumers "jobs": retry_delay = -1: it must be a whole number from 0 to 86400 seconds`, false},
		{`queues.consumers "jobs": dead_letter_queue is the queue itself`, false},
		{`queues.consumers has the queue "jobs" twice`, false},
		{`the dead-letter queue "nobody" of "other" has no consumer here`, true},
	}
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if !strings.Contains(ps[i].Message, w.msg) || ps[i].Warning != w.warning {
			t.Errorf("problem %d = %q (warning %v), want %q (warning %v)", i, ps[i].Message, ps[i].Warning, w.msg, w.warning)
		}
	}

	// Consumers without a handler: an error; a handler without
	// consumers, and a producer of a queue nobody here consumes: warnings.
	ps = check(t, dir, "wrangler.toml", fine, counter)
	if len(ps) != 1 || ps[0].Warning || !strings.Contains(ps[0].Message, "queues.consumers has 2 queues, but the module has no queue handler: register one with queues.Handle") {
		t.Errorf("consumers without a handler: %v", ps)
	}
	ps = check(t, dir, "wrangler.toml", good+"[[queues.producers]]\nbinding = \"Q\"\nqueue = \"q\"\n", consumer)
	if len(ps) != 2 || !ps[0].Warning || !strings.Contains(ps[0].Message, `the queue "q" of the binding Q has no consumer here`) ||
		!ps[1].Warning || !strings.Contains(ps[1].Message, "the configuration consumes no queue") || ps[1].Fix != "[[queues.consumers]]\nqueue = \"<queue>\"" {
		t.Errorf("a producer alone, and a handler without consumers: %+v", ps)
	}
}
