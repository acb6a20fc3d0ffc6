package conformance

import (
	"fmt"
	"os"
	"testing"

	"github.com/godurable/godurable/internal/pgserver"
)

// Postgres is a PostgreSQL server that a test started for itself (see
// package pgserver): its own data directory and loopback port, stopped
// when the test ends.
type Postgres = pgserver.Server

// StartPostgres starts a PostgreSQL server for the test, and stops it
// when the test ends. When it cannot (no initdb on the machine, a server
// that will not start), the test is skipped, unless GODURABLE_E2E is set,
// which makes it a failure.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	return startPostgresFor(t, t)
}

// startPostgresFor is StartPostgres, skipping or failing skip and
// stopping the server when owner (a test that outlives skip) ends.
func startPostgresFor(skip, owner testing.TB) *Postgres {
	skip.Helper()
	s, err := pgserver.Start()
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL: %v", err)
		if os.Getenv(E2EEnv) != "" {
			skip.Fatalf("%s (%s is set, so PostgreSQL must start: scripts/test.sh installs it)", msg, E2EEnv)
		}
		skip.Skip(msg)
	}
	owner.Cleanup(s.Stop)
	return s
}
