package dotest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// wranglerConfig is what the harness reads from wrangler.toml.
type wranglerConfig struct {
	Name               string         `toml:"name"`
	CompatibilityDate  string         `toml:"compatibility_date"`
	CompatibilityFlags []string       `toml:"compatibility_flags"`
	Vars               map[string]any `toml:"vars"`
	DurableObjects     struct {
		Bindings []struct {
			Name       string `toml:"name"`
			ClassName  string `toml:"class_name"`
			ScriptName string `toml:"script_name"`
		} `toml:"bindings"`
	} `toml:"durable_objects"`
}

// findConfig returns the nearest wrangler.toml in dir or above it, or "".
func findConfig(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "wrangler.toml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// readConfig reads a wrangler.toml and the .dev.vars beside it (the
// secrets wrangler dev loads).
func readConfig(path string) (*wranglerConfig, map[string]string, error) {
	var c wranglerConfig
	if _, err := toml.DecodeFile(path, &c); err != nil {
		return nil, nil, fmt.Errorf("dotest: reading %s: %w", path, err)
	}
	for _, b := range c.DurableObjects.Bindings {
		if b.Name == "" || b.ClassName == "" {
			return nil, nil, fmt.Errorf("dotest: %s: a [[durable_objects.bindings]] entry needs a name and a class_name", path)
		}
	}
	secrets, err := readDevVars(filepath.Join(filepath.Dir(path), ".dev.vars"))
	if err != nil {
		return nil, nil, err
	}
	return &c, secrets, nil
}

// readDevVars reads a dotenv file: NAME=value lines, values optionally
// quoted. A missing file is no error.
func readDevVars(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
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
	return out, sc.Err()
}
