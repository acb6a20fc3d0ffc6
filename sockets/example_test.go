package sockets_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/sockets"
)

// A Worker talks to a TCP server; under dotest, its connections are real
// ones from the host, here to a server on 127.0.0.1 that the test runs.
func Example() {
	// In the Worker (testdata/whois), on an HTTP request r:
	//
	//	c, err := sockets.Connect(r.Context(), r.URL.Query().Get("server"), nil)
	//	fmt.Fprintf(c, "%s\n", r.URL.Query().Get("q"))
	//	line, err := bufio.NewReader(c).ReadString('\n')
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			q, _ := bufio.NewReader(c).ReadString('\n')
			fmt.Fprintf(c, "%s: a Worker's object\n", strings.TrimSpace(q))
			c.Close()
		}
	}()

	w, err := dotest.Start(&dotest.Options{Package: "./testdata/whois"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	resp := w.Fetch(httptest.NewRequest("GET", "/ask?q=durable&server="+url.QueryEscape(l.Addr().String()), nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output: 200 durable: a Worker's object
}

// pgx connects through workerd's sockets: Dial makes the connection, and
// Lookup leaves the name to workerd.
func ExampleDial() {
	query := func(ctx context.Context, connString string) (int, error) {
		cfg, err := pgx.ParseConfig(connString) // hyperdrive.FromEnv gives one
		if err != nil {
			return 0, err
		}
		cfg.DialFunc = sockets.Dial
		cfg.LookupFunc = sockets.Lookup
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return 0, err
		}
		defer conn.Close(ctx)
		var n int
		err = conn.QueryRow(ctx, "SELECT $1::int + 1", 41).Scan(&n)
		return n, err
	}
	_ = query
}

// A protocol that upgrades to TLS in the middle (SMTP, PostgreSQL,
// IMAP): connect with StartTLS, speak in the clear, then upgrade.
func ExampleConn_StartTLS() {
	starttls := func(ctx context.Context) error {
		c, err := sockets.Connect(ctx, "mail.example.com:587", &sockets.Options{SecureTransport: sockets.StartTLS})
		if err != nil {
			return err
		}
		defer c.Close()
		// ... EHLO, STARTTLS, and the server's 220 ...
		if err := c.StartTLS(ctx); err != nil {
			return err // a certificate workerd does not trust fails here
		}
		_, err = c.Write([]byte("EHLO worker.example.com\r\n")) // encrypted
		return err
	}
	_ = starttls
}
