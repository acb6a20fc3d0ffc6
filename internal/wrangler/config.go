// Package wrangler reads a Worker's wrangler configuration (wrangler.toml,
// wrangler.jsonc or wrangler.json) and checks it against what a compiled
// godurable module registers.
package wrangler

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/tailscale/hujson"
)

// FileNames are the configuration files wrangler looks for, in its order.
var FileNames = []string{"wrangler.json", "wrangler.jsonc", "wrangler.toml"}

// ErrNoConfig reports that a directory has no wrangler configuration.
var ErrNoConfig = errors.New("no wrangler configuration")

// Config is the part of a wrangler configuration godurable cares about.
type Config struct {
	// Path is the file the configuration was read from.
	Path string `toml:"-" json:"-"`

	Name               string         `toml:"name" json:"name"`
	Main               string         `toml:"main" json:"main"`
	CompatibilityDate  string         `toml:"compatibility_date" json:"compatibility_date"`
	CompatibilityFlags []string       `toml:"compatibility_flags" json:"compatibility_flags"`
	Vars               map[string]any `toml:"vars" json:"vars"`
	DurableObjects     struct {
		Bindings []DurableObjectBinding `toml:"bindings" json:"bindings"`
	} `toml:"durable_objects" json:"durable_objects"`
	Migrations   []Migration         `toml:"migrations" json:"migrations"`
	D1Databases  []D1Binding         `toml:"d1_databases" json:"d1_databases"`
	KVNamespaces []KVBinding         `toml:"kv_namespaces" json:"kv_namespaces"`
	R2Buckets    []R2Binding         `toml:"r2_buckets" json:"r2_buckets"`
	Hyperdrive   []HyperdriveBinding `toml:"hyperdrive" json:"hyperdrive"`
	Triggers     Triggers            `toml:"triggers" json:"triggers"`

	// RateLimits and AnalyticsEngineDatasets are their entries as plain
	// values; Unsafe.Bindings those of unsafe bindings (of a "type").
	RateLimits              []map[string]any `toml:"ratelimits" json:"ratelimits"`
	AnalyticsEngineDatasets []map[string]any `toml:"analytics_engine_datasets" json:"analytics_engine_datasets"`
	Unsafe                  struct {
		Bindings []map[string]any `toml:"bindings" json:"bindings"`
	} `toml:"unsafe" json:"unsafe"`

	Queues Queues `toml:"queues" json:"queues"`
}

// Queues is the [queues] table: the queues the Worker sends to
// ([[queues.producers]]) and those it consumes ([[queues.consumers]]).
type Queues struct {
	Producers []QueueProducer `toml:"producers" json:"producers"`
	Consumers []QueueConsumer `toml:"consumers" json:"consumers"`
}

// QueueProducer is one [[queues.producers]] entry: a binding to send to
// a queue.
type QueueProducer struct {
	Binding string `toml:"binding" json:"binding"`
	Queue   string `toml:"queue" json:"queue"`
}

// QueueConsumer is one [[queues.consumers]] entry: the Worker consumes
// the queue. Unset numbers are nil.
type QueueConsumer struct {
	Queue           string   `toml:"queue" json:"queue"`
	Type            string   `toml:"type" json:"type"`
	MaxBatchSize    *float64 `toml:"max_batch_size" json:"max_batch_size"`
	MaxBatchTimeout *float64 `toml:"max_batch_timeout" json:"max_batch_timeout"` // seconds
	MaxRetries      *float64 `toml:"max_retries" json:"max_retries"`
	DeadLetterQueue string   `toml:"dead_letter_queue" json:"dead_letter_queue"`
	RetryDelay      *float64 `toml:"retry_delay" json:"retry_delay"` // seconds
	MaxConcurrency  *float64 `toml:"max_concurrency" json:"max_concurrency"`
}

// Triggers is the [triggers] table.
type Triggers struct {
	// Crons are the cron triggers' expressions, in Cloudflare's syntax
	// (internal/cron).
	Crons []string `toml:"crons" json:"crons"`
}

// KVBinding is one [[kv_namespaces]] entry.
type KVBinding struct {
	Binding string `toml:"binding" json:"binding"`
	ID      string `toml:"id" json:"id"`
}

// HyperdriveBinding is one [[hyperdrive]] entry: the configuration's id
// (deployed), and the database wrangler dev uses instead (unless
// CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<binding> names one).
type HyperdriveBinding struct {
	Binding               string `toml:"binding" json:"binding"`
	ID                    string `toml:"id" json:"id"`
	LocalConnectionString string `toml:"localConnectionString" json:"localConnectionString"`
}

// R2Binding is one [[r2_buckets]] entry.
type R2Binding struct {
	Binding           string `toml:"binding" json:"binding"`
	BucketName        string `toml:"bucket_name" json:"bucket_name"`
	PreviewBucketName string `toml:"preview_bucket_name" json:"preview_bucket_name"`
	Jurisdiction      string `toml:"jurisdiction" json:"jurisdiction"`
}

// D1Binding is one [[d1_databases]] entry.
type D1Binding struct {
	Binding      string `toml:"binding" json:"binding"`
	DatabaseName string `toml:"database_name" json:"database_name"`
	DatabaseID   string `toml:"database_id" json:"database_id"`
}

// DurableObjectBinding is one [[durable_objects.bindings]] entry.
type DurableObjectBinding struct {
	Name       string `toml:"name" json:"name"`
	ClassName  string `toml:"class_name" json:"class_name"`
	ScriptName string `toml:"script_name" json:"script_name"`
}

// Migration is one [[migrations]] entry.
type Migration struct {
	Tag              string          `toml:"tag" json:"tag"`
	NewClasses       []string        `toml:"new_classes" json:"new_classes"`
	NewSQLiteClasses []string        `toml:"new_sqlite_classes" json:"new_sqlite_classes"`
	DeletedClasses   []string        `toml:"deleted_classes" json:"deleted_classes"`
	RenamedClasses   []RenamedClass  `toml:"renamed_classes" json:"renamed_classes"`
	TransferredClass []TransferClass `toml:"transferred_classes" json:"transferred_classes"`
}

// RenamedClass is a renamed_classes entry.
type RenamedClass struct {
	From string `toml:"from" json:"from"`
	To   string `toml:"to" json:"to"`
}

// TransferClass is a transferred_classes entry.
type TransferClass struct {
	From       string `toml:"from" json:"from"`
	FromScript string `toml:"from_script" json:"from_script"`
	To         string `toml:"to" json:"to"`
}

// Find returns the configuration file in dir, looking for the names in
// FileNames.
func Find(dir string) (string, error) {
	for _, n := range FileNames {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w in %s (looked for %s)", ErrNoConfig, dir, strings.Join(FileNames, ", "))
}

// FindUp returns the configuration file in dir or the nearest directory
// above it that has one.
func FindUp(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if p, err := Find(d); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%w in or above %s (looked for %s)", ErrNoConfig, abs, strings.Join(FileNames, ", "))
		}
	}
}

// Load reads a configuration file; the format follows its extension.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	switch filepath.Ext(path) {
	case ".toml":
		if _, err := toml.Decode(string(b), &c); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	case ".json", ".jsonc":
		std, err := hujson.Standardize(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := json.Unmarshal(std, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	default:
		return nil, fmt.Errorf("%s: unknown configuration format (want .toml, .json or .jsonc)", path)
	}
	c.Path = path
	return &c, nil
}

// Dir returns the directory of the configuration file; relative paths in
// the configuration are relative to it.
func (c *Config) Dir() string {
	abs, err := filepath.Abs(c.Path)
	if err != nil {
		return filepath.Dir(c.Path)
	}
	return filepath.Dir(abs)
}

// MainPath returns the absolute path of main.
func (c *Config) MainPath() string {
	if c.Main == "" {
		return ""
	}
	return filepath.Join(c.Dir(), filepath.FromSlash(c.Main))
}

// TOML reports whether the configuration is a TOML file, to write fixes in
// its syntax.
func (c *Config) TOML() bool { return filepath.Ext(c.Path) == ".toml" }

// DevVars reads the .dev.vars file beside the configuration: the secrets
// wrangler dev loads, as NAME=value lines (values optionally quoted,
// "export " and # comments allowed). A missing file is no error.
func (c *Config) DevVars() (map[string]string, error) {
	path := filepath.Join(c.Dir(), ".dev.vars")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// Binding is a binding of the configuration, of any kind.
type Binding struct {
	// Name is the binding's name in the environment (env.NAME).
	Name string
	// Kind is the configuration's key for its kind: "kv_namespaces",
	// "r2_buckets", "services", "queues.producers", "ai", ...
	Kind string
	// Entry is the binding's table in the configuration, as plain maps
	// and lists (its id, bucket_name, queue, service, ...).
	Entry map[string]any
}

// bindingSections are the keys under which wrangler declares bindings, and
// the key of each that names the binding: those that hold one table (ai,
// browser) as well as those that hold a list. Keys wrangler adds later are
// found by their shape instead (see Bindings).
var bindingSections = map[string]string{
	"durable_objects.bindings": "name", "d1_databases": "binding", "kv_namespaces": "binding",
	"r2_buckets": "binding", "services": "binding", "queues.producers": "binding", "ai": "binding",
	"vectorize": "binding", "analytics_engine_datasets": "binding", "hyperdrive": "binding",
	"browser": "binding", "send_email": "name", "ratelimits": "name", "workflows": "binding",
	"dispatch_namespaces": "binding", "mtls_certificates": "binding", "images": "binding",
	"version_metadata": "binding", "assets": "binding", "secrets_store_secrets": "binding",
	"pipelines": "binding", "unsafe.bindings": "name",
}

// Bindings returns every binding the configuration at path declares, of
// every kind, in the order of the file's keys (sorted) and entries. Besides
// the kinds wrangler knows today, a top-level key whose value is a table,
// or a list of tables, with a "binding" string is taken for a kind that
// wrangler added since.
func Bindings(path string) ([]Binding, error) {
	raw, err := loadRaw(path)
	if err != nil {
		return nil, err
	}
	var out []Binding
	add := func(kind, nameKey string, v any) {
		tables, ok := v.([]any)
		if !ok {
			tables = []any{v}
		}
		for _, t := range tables {
			if m, ok := t.(map[string]any); ok {
				if name, ok := m[nameKey].(string); ok && name != "" {
					out = append(out, Binding{Name: name, Kind: kind, Entry: m})
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		switch k {
		case "vars", "env", "migrations":
			continue // no bindings (env holds whole configurations of their own)
		case "durable_objects", "queues", "unsafe":
			if nested, ok := raw[k].(map[string]any); ok {
				for _, s := range slices.Sorted(maps.Keys(nested)) {
					if nameKey, ok := bindingSections[k+"."+s]; ok {
						add(k+"."+s, nameKey, nested[s])
					}
				}
			}
			continue
		}
		nameKey, ok := bindingSections[k]
		if !ok {
			nameKey = "binding" // a kind of binding wrangler added since, if it has one
		}
		add(k, nameKey, raw[k])
	}
	return out, nil
}

// loadRaw reads the configuration at path as plain maps and lists.
func loadRaw(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	switch filepath.Ext(path) {
	case ".toml":
		if _, err := toml.Decode(string(b), &raw); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	default:
		std, err := hujson.Standardize(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := json.Unmarshal(std, &raw); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return normalizeRaw(raw).(map[string]any), nil
}

// normalizeRaw turns the TOML decoder's []map[string]any (a list of
// tables) into []any, as JSON's decoder gives it.
func normalizeRaw(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeRaw(e)
		}
		return x
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeRaw(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = normalizeRaw(e)
		}
		return x
	}
	return v
}
