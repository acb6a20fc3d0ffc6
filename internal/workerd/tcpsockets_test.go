package workerd

import (
	"strings"
	"testing"
)

// The addresses connect() takes and refuses, with workerd's messages
// (measured in wrangler dev).
func TestParseSocketAddress(t *testing.T) {
	for _, c := range []struct {
		in         any
		addr, err  string
		host, port string
	}{
		{in: "127.0.0.1:5432", addr: "127.0.0.1:5432", host: "127.0.0.1", port: "5432"},
		{in: "db.example.com:5432", addr: "db.example.com:5432", host: "db.example.com", port: "5432"},
		{in: "[::1]:80", addr: "[::1]:80", host: "::1", port: "80"},
		{in: map[string]any{"hostname": "localhost", "port": 9000.0}, addr: "localhost:9000", host: "localhost", port: "9000"},
		{in: "no-port", err: "Specified address is missing port."},
		{in: "bad host:1", err: "Specified address could not be parsed."},
		{in: 42.0, err: "Specified address could not be parsed."},
	} {
		addr, host, port, err := parseSocketAddress(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%v: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || addr != c.addr || host != c.host || port != c.port {
			t.Errorf("%v: %q %q %q %v, want %q %q %q", c.in, addr, host, port, err, c.addr, c.host, c.port)
		}
	}
}

// A Hyperdrive binding's local database: wrangler's variable first, then
// localConnectionString; what the Worker sees names a host of its own,
// which connect() routes to the database.
func TestHyperdriveEmulator(t *testing.T) {
	entry := map[string]any{"localConnectionString": "postgres://ann:pw@127.0.0.1:6543/app"}
	o, err := newHyperdrive(BindingConfig{Name: "HD", Kind: "hyperdrive", Entry: entry})
	if err != nil {
		t.Fatal(err)
	}
	host := o.Props["host"].(string)
	if !strings.HasSuffix(host, ".hyperdrive.local") || len(host) != 32+len(".hyperdrive.local") {
		t.Errorf("host %q", host)
	}
	if got, want := o.Props["connectionString"], "postgres://ann:pw@"+host+":5432/app?sslmode=disable"; got != want {
		t.Errorf("connectionString %q, want %q", got, want)
	}
	if got := overridden(host + ":5432"); got != "127.0.0.1:6543" {
		t.Errorf("connect() to the binding's host goes to %q", got)
	}
	t.Setenv(HyperdriveEnvPrefix+"HD", "postgresql://bob:secret@localhost/other?sslmode=require")
	o, err = newHyperdrive(BindingConfig{Name: "HD", Kind: "hyperdrive", Entry: entry})
	if err != nil {
		t.Fatal(err)
	}
	if o.Props["user"] != "bob" || o.Props["database"] != "other" || o.Props["port"] != 5432.0 ||
		!strings.HasSuffix(o.Props["connectionString"].(string), "/other?sslmode=require") {
		t.Errorf("from the variable: %v", o.Props)
	}
	if got := overridden(o.Props["host"].(string) + ":5432"); got != "localhost:5432" {
		t.Errorf("the default port: %q", got)
	}
	for in, want := range map[string]string{
		"postgres://ann@127.0.0.1/app": "You must provide a password",
		"postgres://ann:pw@127.0.0.1/": "You must provide a database name",
		"redis://ann:pw@127.0.0.1/app": "Only PostgreSQL-compatible or MySQL-compatible",
	} {
		t.Setenv(HyperdriveEnvPrefix+"HD", in)
		if _, err := newHyperdrive(BindingConfig{Name: "HD", Kind: "hyperdrive"}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
