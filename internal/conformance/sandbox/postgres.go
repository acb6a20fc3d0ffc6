package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/godurable/godurable/hyperdrive"
	"github.com/godurable/godurable/sockets"
	"github.com/godurable/godurable/worker"
)

// The PostgreSQL scenarios: pgx through package sockets, to the database
// of the Hyperdrive binding HYPERDRIVE (a server the test started, named
// by CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE). The
// stateless Worker serves them under /pg/, the Sandbox object under
// /do/{name}/pg/; ?table= names the scenario's own table.
func pgRoutes(mux *http.ServeMux, prefix string) {
	mux.HandleFunc("GET "+prefix+"/pg/hyperdrive", pgRoute(pgHyperdrive))
	mux.HandleFunc("GET "+prefix+"/pg/query", pgRoute(pgQuery))
	mux.HandleFunc("GET "+prefix+"/pg/tx", pgRoute(pgTx))
	mux.HandleFunc("GET "+prefix+"/pg/copy", pgRoute(pgCopy))
	mux.HandleFunc("GET "+prefix+"/pg/listen", pgRoute(pgListen))
	mux.HandleFunc("GET "+prefix+"/pg/tls", pgRoute(pgTLS))
	mux.HandleFunc("GET "+prefix+"/pg/starttls", pgRoute(pgStartTLS))
	if prefix != "" { // an object's connection outlives its event
		mux.HandleFunc("GET "+prefix+"/pg/keep", pgRoute(pgKeep))
		mux.HandleFunc("GET "+prefix+"/pg/kept", pgRoute(pgKept))
	}
}

var (
	keptPgMu sync.Mutex
	keptPg   = map[string]*pgx.Conn{} // by object name
)

// pgKeep connects and keeps the connection for the object's next event,
// in a session variable of the connection.
func pgKeep(ctx context.Context, r *http.Request) (map[string]any, error) {
	conn, err := pgConnect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SET application_name = 'kept by "+r.PathValue("name")+"'"); err != nil {
		return nil, err
	}
	keptPgMu.Lock()
	keptPg[r.PathValue("name")] = conn
	keptPgMu.Unlock()
	return map[string]any{"pid": conn.PgConn().PID() != 0}, nil
}

// pgKept queries on the connection an earlier event of the object kept:
// the same session.
func pgKept(ctx context.Context, r *http.Request) (map[string]any, error) {
	keptPgMu.Lock()
	conn := keptPg[r.PathValue("name")]
	delete(keptPg, r.PathValue("name"))
	keptPgMu.Unlock()
	if conn == nil {
		return nil, errors.New("nothing kept")
	}
	defer conn.Close(ctx)
	var name string
	err := conn.QueryRow(ctx, "SELECT current_setting('application_name')").Scan(&name)
	return map[string]any{"session": name}, err
}

// pgRoute runs a scenario and answers what it returned, or its error.
func pgRoute(f func(ctx context.Context, r *http.Request) (map[string]any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := f(r.Context(), r)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// pgBinding reads the Hyperdrive binding HYPERDRIVE.
func pgBinding(ctx context.Context) (*hyperdrive.Config, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	return hyperdrive.FromEnv(ctx, env, "HYPERDRIVE")
}

// pgConnect connects pgx to the Hyperdrive binding's database: workerd's
// connect() dials (sockets.Dial), and resolves the name itself.
func pgConnect(ctx context.Context) (*pgx.Conn, error) { return pgConnectMode(ctx, "") }

// pgConnectMode is pgConnect with another sslmode than the binding's.
func pgConnectMode(ctx context.Context, sslmode string) (*pgx.Conn, error) {
	return pgConnectWith(ctx, sslmode, sockets.Dial)
}

// pgConnectWith is pgConnectMode with a dial function of its own.
func pgConnectWith(ctx context.Context, sslmode string, dial pgconn.DialFunc) (*pgx.Conn, error) {
	h, err := pgBinding(ctx)
	if err != nil {
		return nil, err
	}
	cs := h.ConnectionString
	if sslmode != "" {
		cs = strings.Replace(cs, "sslmode=disable", "sslmode="+sslmode, 1)
	}
	cfg, err := pgx.ParseConfig(cs)
	if err != nil {
		return nil, err
	}
	cfg.DialFunc = dial
	cfg.LookupFunc = sockets.Lookup
	return pgx.ConnectConfig(ctx, cfg)
}

// pgHyperdrive answers what the binding gives, and a query through it.
func pgHyperdrive(ctx context.Context, r *http.Request) (map[string]any, error) {
	h, err := pgBinding(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := pgConnect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return nil, err
	}
	env, _ := worker.GetEnv()
	_, notHD := hyperdrive.FromEnv(ctx, env, "SANDBOX")
	return map[string]any{
		"hostIsHyperdrive": strings.HasSuffix(h.Host, ".hyperdrive.local"),
		"port":             h.Port,
		"user":             h.User,
		"database":         h.Database,
		"passwordSet":      h.Password != "",
		"connectionString": strings.HasPrefix(h.ConnectionString, "postgres://"+h.User+":") && strings.Contains(h.ConnectionString, "@"+h.Host+":5432/"+h.Database),
		"one":              one,
		"notHyperdrive":    errors.Is(notHD, hyperdrive.ErrNotHyperdrive) && errors.Is(notHD, worker.ErrNoBinding),
	}, nil
}

// pgQuery runs a query with arguments, and one that fails.
func pgQuery(ctx context.Context, r *http.Request) (map[string]any, error) {
	conn, err := pgConnect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var n int
	var s string
	var at time.Time
	if err := conn.QueryRow(ctx, "SELECT $1::int + 1, upper($2::text), now()", 41, "héllo").Scan(&n, &s, &at); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, "SELECT g FROM generate_series(1, 1000) g")
	if err != nil {
		return nil, err
	}
	series, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, err
	}
	sum := 0
	for _, v := range series {
		sum += v
	}
	_, qerr := conn.Exec(ctx, "SELECT * FROM no_such_table")
	return map[string]any{"n": n, "s": s, "recent": time.Since(at) < time.Hour, "rows": len(series), "sum": sum,
		"error": fmt.Sprint(qerr)}, nil
}

// pgTx rolls a transaction back, then commits one.
func pgTx(ctx context.Context, r *http.Request) (map[string]any, error) {
	table := pgx.Identifier{r.URL.Query().Get("table")}.Sanitize()
	conn, err := pgConnect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE "+table+" (id int PRIMARY KEY, note text)"); err != nil {
		return nil, err
	}
	count := func() (n int) {
		conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n)
		return n
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+table+" VALUES (1, 'rolled back')"); err != nil {
		return nil, err
	}
	var inside int
	tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&inside)
	if err := tx.Rollback(ctx); err != nil {
		return nil, err
	}
	afterRollback := count()
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+table+" VALUES (2, 'committed')")
		return err
	})
	if err != nil {
		return nil, err
	}
	var note string
	conn.QueryRow(ctx, "SELECT note FROM "+table).Scan(&note)
	return map[string]any{"inside": inside, "afterRollback": afterRollback, "afterCommit": count(), "note": note}, nil
}

// pgCopy copies rows in with COPY FROM, and out again with COPY TO (the
// server streams them: about 50 KB of text).
func pgCopy(ctx context.Context, r *http.Request) (map[string]any, error) {
	table := r.URL.Query().Get("table")
	conn, err := pgConnect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE "+pgx.Identifier{table}.Sanitize()+" (id int, name text)"); err != nil {
		return nil, err
	}
	rows := make([][]any, 5000)
	for i := range rows {
		rows[i] = []any{i + 1, fmt.Sprintf("row %d", i+1)}
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{table}, []string{"id", "name"}, pgx.CopyFromRows(rows))
	if err != nil {
		return nil, err
	}
	var count, sum int
	var last string
	if err := conn.QueryRow(ctx, "SELECT count(*), sum(id), max(name) FILTER (WHERE id = 5000) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&count, &sum, &last); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	tag, err := conn.PgConn().CopyTo(ctx, &out, "COPY (SELECT id, name FROM "+pgx.Identifier{table}.Sanitize()+" ORDER BY id) TO STDOUT")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	return map[string]any{"copied": n, "count": count, "sum": sum, "last": last,
		"copiedOut": tag.RowsAffected(), "outLines": len(lines), "outFirst": lines[0], "outLast": lines[len(lines)-1]}, nil
}

// pgListen listens on a channel on one connection and notifies it from
// another.
func pgListen(ctx context.Context, r *http.Request) (map[string]any, error) {
	channel := r.URL.Query().Get("table")
	listener, err := pgConnect(ctx)
	if err != nil {
		return nil, err
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return nil, err
	}
	notifier, err := pgConnect(ctx)
	if err != nil {
		return nil, err
	}
	defer notifier.Close(ctx)
	if _, err := notifier.Exec(ctx, "SELECT pg_notify($1, $2)", channel, "payload one"); err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := listener.WaitForNotification(wait)
	if err != nil {
		return nil, err
	}
	// Nothing more comes: the wait ends at its deadline.
	short, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	_, timeout := listener.WaitForNotification(short)
	var one int
	alive := listener.QueryRow(ctx, "SELECT 1").Scan(&one) == nil && one == 1
	return map[string]any{"channel": n.Channel == channel, "payload": n.Payload, "fromOther": n.PID != listener.PgConn().PID(),
		"timedOut": errors.Is(timeout, context.DeadlineExceeded), "aliveAfter": alive}, nil
}

// pgTLS connects with sslmode=require: pgx's own TLS (Go's crypto/tls)
// over the plain socket, after PostgreSQL's SSLRequest.
func pgTLS(ctx context.Context, r *http.Request) (map[string]any, error) {
	conn, err := pgConnectMode(ctx, "require")
	return pgSSL(ctx, conn, err)
}

// pgSSL answers whether conn's session is encrypted, and with which TLS.
func pgSSL(ctx context.Context, conn *pgx.Conn, err error) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var ssl bool
	var version string
	err = conn.QueryRow(ctx, "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl, &version)
	return map[string]any{"ssl": ssl, "version": version}, err
}

// pgStartTLS connects with workerd's TLS: the dial function sends
// PostgreSQL's SSLRequest in the clear, reads the server's "S", and calls
// StartTLS; pgx then speaks through TLS with sslmode=disable (TLS is the
// connection's business). The server's certificate is for 127.0.0.1. It
// dials ?addr= if given, the server itself, rather than the binding's
// host, whose connections workerd makes without the StartTLS option.
func pgStartTLS(ctx context.Context, r *http.Request) (map[string]any, error) {
	direct := r.URL.Query().Get("addr")
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if direct != "" {
			addr = direct
		}
		c, err := sockets.Connect(ctx, addr, &sockets.Options{SecureTransport: sockets.StartTLS, ServerName: "127.0.0.1"})
		if err != nil {
			return nil, err
		}
		answer := make([]byte, 1)
		_, err = c.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) // SSLRequest: length 8, code 80877103
		if err == nil {
			_, err = io.ReadFull(c, answer)
		}
		if err == nil && answer[0] != 'S' {
			err = fmt.Errorf("the server answered %q to SSLRequest", answer)
		}
		if err == nil {
			err = c.StartTLS(ctx)
		}
		if err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
	conn, err := pgConnectWith(ctx, "", dial)
	return pgSSL(ctx, conn, err)
}
