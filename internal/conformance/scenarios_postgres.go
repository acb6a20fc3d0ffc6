package conformance

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// HyperdriveEnv names the variable that points the sandbox's Hyperdrive
// binding (HYPERDRIVE) at a database, in wrangler dev and in dotest.
const HyperdriveEnv = "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE"

// PostgresForSandbox starts a PostgreSQL server for the sandbox's
// PostgreSQL scenarios and points the Hyperdrive binding at it; call it
// before the Target starts. When no server can start, it returns nil and
// why, and RunPostgres skips (or, with GODURABLE_E2E set, fails).
func PostgresForSandbox(t *testing.T) (*Postgres, error) {
	t.Helper()
	var pg *Postgres
	var why error
	// StartPostgres skips or fails the test it is given: give it one of
	// its own, so that the sandbox's other scenarios run anyway.
	parent := t
	t.Run("StartPostgres", func(t *testing.T) {
		defer func() {
			if pg == nil && why == nil {
				why = fmt.Errorf("PostgreSQL did not start (see the StartPostgres subtest)")
			}
		}()
		pg = startPostgresFor(t, parent)
	})
	if pg != nil {
		t.Setenv(HyperdriveEnv, pg.URL())
		trustCertificate(t, pg.CertPEM)
	}
	return pg, why
}

// trustCertificate adds cert to the file NODE_EXTRA_CA_CERTS names (a new
// one if none), which both runtimes trust: for StartTLS to PostgreSQL.
func trustCertificate(t *testing.T, cert []byte) {
	t.Helper()
	file := os.Getenv("NODE_EXTRA_CA_CERTS")
	if file == "" {
		file = filepath.Join(t.TempDir(), "ca.pem")
		t.Setenv("NODE_EXTRA_CA_CERTS", file)
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(cert); err != nil {
		t.Fatal(err)
	}
}

// RunPostgres runs the PostgreSQL scenarios (pgx through package sockets
// and the Hyperdrive binding; the sandbox's /pg/ routes), from the
// stateless Worker and from a Durable Object.
func RunPostgres(t *testing.T, target Target, pg *Postgres, why error) {
	if pg == nil {
		if os.Getenv(E2EEnv) != "" {
			t.Fatalf("%v (%s is set)", why, E2EEnv)
		}
		t.Skip(why)
	}
	s := &suite{target: target}
	for _, where := range []struct{ name, prefix, table string }{{"Worker", "", "w"}, {"Object", "/do/pg-object", "o"}} {
		t.Run(where.name, func(t *testing.T) {
			get := func(t *testing.T, route string) map[string]any {
				t.Helper()
				return s.getJSON(t, where.prefix+"/pg/"+route+"?table="+where.table+"_"+route+"_"+target.Name(), 200).(map[string]any)
			}
			t.Run("Hyperdrive", func(t *testing.T) {
				equal(t, "the binding", get(t, "hyperdrive"), map[string]any{
					"hostIsHyperdrive": true, "port": 5432.0, "user": pg.User, "database": pg.Database, "passwordSet": true,
					"connectionString": true, "one": 1.0, "notHyperdrive": true})
			})
			t.Run("Query", func(t *testing.T) {
				equal(t, "queries", get(t, "query"), map[string]any{"n": 42.0, "s": "HéLLO" /* the server's locale is C */, "recent": true, "rows": 1000.0, "sum": 500500.0,
					"error": `ERROR: relation "no_such_table" does not exist (SQLSTATE 42P01)`})
			})
			t.Run("Transaction", func(t *testing.T) {
				equal(t, "a transaction rolled back, one committed", get(t, "tx"), map[string]any{
					"inside": 1.0, "afterRollback": 0.0, "afterCommit": 1.0, "note": "committed"})
			})
			t.Run("Copy", func(t *testing.T) {
				equal(t, "COPY FROM, then COPY TO", get(t, "copy"), map[string]any{"copied": 5000.0, "count": 5000.0, "sum": 12502500.0, "last": "row 5000",
					"copiedOut": 5000.0, "outLines": 5000.0, "outFirst": "1\trow 1", "outLast": "5000\trow 5000"})
			})
			t.Run("PgxTLS", func(t *testing.T) {
				equal(t, "pgx's own TLS over the socket", get(t, "tls"), map[string]any{"ssl": true, "version": "TLSv1.3"})
			})
			t.Run("WorkerdTLS", func(t *testing.T) {
				// To the server itself: the binding's host takes no StartTLS.
				got := s.getJSON(t, where.prefix+"/pg/starttls?addr="+url.QueryEscape(net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port))), 200)
				equal(t, "workerd's TLS after PostgreSQL's SSLRequest (StartTLS)", got, map[string]any{"ssl": true, "version": "TLSv1.3"})
				r := s.get(t, where.prefix+"/pg/starttls")
				if r.Status != 500 || !strings.Contains(string(r.Body), "The `secureTransport` socket option must be set to 'starttls' for startTls to be used.") {
					t.Errorf("StartTLS to the Hyperdrive binding's host: %d %s; want workerd's refusal (its connections ignore connect()'s options)", r.Status, r.Body)
				}
			})
			if where.prefix != "" {
				t.Run("ObjectKeepsConnection", func(t *testing.T) {
					// A pgx connection an object opened serves its next event.
					equal(t, "keep", s.getJSON(t, where.prefix+"/pg/keep", 200), map[string]any{"pid": true})
					equal(t, "kept", s.getJSON(t, where.prefix+"/pg/kept", 200), map[string]any{"session": "kept by pg-object"})
				})
			}
			t.Run("ListenNotify", func(t *testing.T) {
				equal(t, "LISTEN/NOTIFY", get(t, "listen"), map[string]any{
					"channel": true, "payload": "payload one", "fromOther": true, "timedOut": true, "aliveAfter": true})
			})
		})
	}
}
