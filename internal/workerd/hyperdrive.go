package workerd

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
)

// The model's Hyperdrive bindings, as wrangler dev (miniflare) makes them
// (measured with wrangler 4.164.0): the binding's database is the one its
// local connection string names (the environment variable
// CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING>, else the
// entry's localConnectionString); the Worker sees connectionString, host,
// port, user, password and database, where host is a name of its own
// ("<32 hex digits>.hyperdrive.local") and port the protocol's default,
// and connect() to that host and port reaches the database.

func init() { RegisterEmulator("hyperdrive", newHyperdrive) }

// connectOverrides maps the addresses of Hyperdrive's hosts to their
// databases' (host:port), for connect().
var connectOverrides sync.Map

// HyperdriveEnvPrefix is the prefix of the environment variable that
// gives a Hyperdrive binding its local database, as wrangler reads it.
const HyperdriveEnvPrefix = "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_"

func newHyperdrive(c BindingConfig) (*JSObject, error) {
	raw := os.Getenv(HyperdriveEnvPrefix + c.Name)
	if raw == "" {
		raw = os.Getenv("WRANGLER_HYPERDRIVE_LOCAL_CONNECTION_STRING_" + c.Name)
	}
	if raw == "" {
		raw, _ = c.Entry["localConnectionString"].(string)
	}
	if raw == "" {
		return nil, fmt.Errorf("When developing locally, you should use a local Postgres connection string to emulate Hyperdrive functionality. Please setup Postgres locally and set the value of the '%s%s' variable or %q's \"localConnectionString\" to the Postgres connection string.", HyperdriveEnvPrefix, c.Name, c.Name)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("localConnectionString: %v", err)
	}
	scheme := strings.TrimSuffix(u.Scheme, ":")
	port := "5432"
	switch scheme {
	case "postgres", "postgresql":
	case "mysql":
		port = "3306"
	case "":
		return nil, fmt.Errorf("You must specify the database protocol - e.g. 'postgresql'/'mysql'.")
	default:
		return nil, fmt.Errorf("Only PostgreSQL-compatible or MySQL-compatible databases are currently supported.")
	}
	password, _ := u.User.Password()
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("You must provide a hostname or IP address in your connection string - e.g. 'user:password@database-hostname.example.com:5432/databasename")
	case strings.TrimPrefix(u.Path, "/") == "":
		return nil, fmt.Errorf("You must provide a database name as the path component - e.g. /postgres")
	case u.User.Username() == "":
		return nil, fmt.Errorf("You must provide a username - e.g. 'user:password@database.example.com:port/databasename'")
	case password == "":
		return nil, fmt.Errorf("You must provide a password - e.g. 'user:password@database.example.com:port/databasename' ")
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), port)
	}
	var id [16]byte
	rand.Read(id[:])
	host := hex.EncodeToString(id[:]) + ".hyperdrive.local"
	connectOverrides.Store(net.JoinHostPort(host, port), target)
	sslmode := "disable"
	for k, v := range u.Query() {
		if strings.EqualFold(k, "sslmode") && len(v) > 0 {
			sslmode = strings.ToLower(v[0])
		}
	}
	database := strings.TrimPrefix(u.Path, "/")
	cs := url.URL{Scheme: scheme, User: url.UserPassword(u.User.Username(), password), Host: net.JoinHostPort(host, port), Path: "/" + database, RawQuery: "sslmode=" + sslmode}
	var portNumber int
	fmt.Sscan(port, &portNumber)
	return &JSObject{Class: "Hyperdrive", Props: map[string]any{
		"connectionString": cs.String(),
		"host":             host,
		"port":             float64(portNumber), // a number, as Props hold JavaScript values
		"user":             u.User.Username(),
		"password":         password,
		"database":         database,
		"scheme":           scheme,
	}}, nil
}

// overridden returns the address a connection to address really goes to.
func overridden(address string) string {
	if t, ok := connectOverrides.Load(address); ok {
		return t.(string)
	}
	return address
}
