package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a PostgreSQL server that a test started for itself: Debian's
// postgresql package (scripts/test.sh installs it), a data directory of
// its own, a loopback port chosen at run time, run as an unprivileged
// user (the package's postgres user when the test runs as root: initdb
// refuses root), and stopped, by its own process ID, when the test ends.
// It is never a server that happens to run on the machine.
type Postgres struct {
	Host     string // 127.0.0.1
	Port     int
	User     string
	Password string
	Database string

	cmd  *exec.Cmd
	dir  string
	log  bytes.Buffer
	done chan struct{}
}

// URL returns the server's connection string (no TLS).
func (p *Postgres) URL() string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(p.User, p.Password), Host: net.JoinHostPort(p.Host, strconv.Itoa(p.Port)),
		Path: "/" + p.Database, RawQuery: "sslmode=disable"}
	return u.String()
}

// StartPostgres starts a PostgreSQL server for the test, and stops it
// when the test ends. When it cannot (no initdb on the machine, a server
// that will not start), the test is skipped, unless GODURABLE_E2E is set,
// which makes it a failure.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	return startPostgresFor(t, t)
}

// startPostgresFor is StartPostgres, skipping or failing skip and
// cleaning up with owner (a test that outlives skip).
func startPostgresFor(skip, owner testing.TB) *Postgres {
	t := owner
	fail := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv(E2EEnv) != "" {
			skip.Fatalf("%s (%s is set, so PostgreSQL must start: scripts/test.sh installs it)", msg, E2EEnv)
		}
		skip.Skipf("PostgreSQL: %s", msg)
	}
	bin, err := postgresBin()
	if err != nil {
		fail("%v", err)
	}
	p := &Postgres{Host: "127.0.0.1", User: "godurable", Password: "godurable-" + strconv.FormatInt(time.Now().UnixNano(), 36), Database: "postgres", done: make(chan struct{})}
	// A directory the server's user may enter (t.TempDir's parents are
	// the test's own, mode 0700).
	if p.dir, err = os.MkdirTemp("", "godurable-postgres-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(p.dir) })
	cred, err := unprivileged(p.dir)
	if err != nil {
		fail("%v", err)
	}
	data := filepath.Join(p.dir, "data")
	pwfile := filepath.Join(p.dir, "pw")
	if err := os.WriteFile(pwfile, []byte(p.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		os.Chown(pwfile, int(cred.Uid), int(cred.Gid))
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", p.User, "--pwfile", pwfile,
		"--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		fail("initdb: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	p.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(p.Port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+p.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=100")
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		fail("postgres: %v", err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	if err := p.waitReady(30 * time.Second); err != nil {
		fail("the server did not start: %v\n%s", err, p.log.String())
	}
	return p
}

// postgresBin finds the directory of initdb and postgres: on PATH, or
// where Debian's packages put them (the newest version).
func postgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb on PATH or in /usr/lib/postgresql/*/bin: install Debian's postgresql package (scripts/test.sh does)")
}

// unprivileged returns the credential to run the server with when the
// test runs as root (the postgres user of Debian's package), giving it
// dir; nil otherwise.
func unprivileged(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and no postgres user to run the server as (initdb refuses root): %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// waitReady waits until the server answers a query.
func (p *Postgres) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var err error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("the server exited")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var conn *pgx.Conn
		if conn, err = pgx.Connect(ctx, p.URL()); err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// stop stops the server (a fast shutdown, SIGINT, to its own process ID)
// and waits for it; after 20 s it is killed.
func (p *Postgres) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Exec runs sql on the server from the test, outside the Worker.
func (p *Postgres) Exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
}
