package hyperdrive

import (
	"context"
	"errors"
	"fmt"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// BindingKind is the JavaScript class of a Hyperdrive binding, as
// worker.Env.BindingKind reports it.
const BindingKind = "Hyperdrive"

// ErrNotHyperdrive is matched by the error of FromEnv for a name that is
// not a Hyperdrive binding (it wraps worker.ErrNoBinding too).
var ErrNotHyperdrive = errors.New("hyperdrive: not a Hyperdrive binding")

// Config is what a Hyperdrive binding gives a Worker: the connection
// string of its database, and its parts. Deployed, Host and Port name
// Hyperdrive's pool for the database; in wrangler dev (and in dotest),
// Host is a name of the binding's own ("<32 hex digits>.hyperdrive.local")
// that workerd's connect() routes to the database of the binding's local
// connection string.
type Config struct {
	ConnectionString string // postgres://user:password@host:port/database?sslmode=...
	Host             string
	Port             int
	User             string
	Password         string
	Database         string
}

// FromEnv reads the Hyperdrive binding called name ([[hyperdrive]] in
// wrangler.toml), on behalf of the event of ctx (r.Context(), a method's
// ctx).
func FromEnv(ctx context.Context, env *worker.Env, name string) (*Config, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: no environment (worker.GetEnv)", ErrNotHyperdrive)
	}
	if err := env.Binding(name, "[[hyperdrive]]", BindingKind); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotHyperdrive, err)
	}
	b, err := jsbridge.Binding(name)
	if err != nil {
		return nil, fmt.Errorf("hyperdrive: %w", err)
	}
	c := &Config{}
	var port float64
	for _, p := range []struct {
		name string
		into any
	}{
		{"connectionString", &c.ConnectionString}, {"host", &c.Host}, {"port", &port},
		{"user", &c.User}, {"password", &c.Password}, {"database", &c.Database},
	} {
		if err := b.Get(ctx, p.name, p.into); err != nil {
			return nil, fmt.Errorf("hyperdrive: %s: %w", name, err)
		}
	}
	c.Port = int(port)
	return c, nil
}
