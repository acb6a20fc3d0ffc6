package sockets_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/godurable/godurable/durableobject/dotest"
)

// dotest.Options.Dial hands the Worker's connection to the test: here one
// end of a net.Pipe, whose other end plays the server.
func TestDialOption(t *testing.T) {
	var dialed []string
	w := dotest.New(t, &dotest.Options{Package: "./testdata/whois", Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		dialed = append(dialed, network+" "+address)
		if address == "refused.example:7" {
			return nil, fmt.Errorf("no one there")
		}
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			q, _ := bufio.NewReader(server).ReadString('\n')
			fmt.Fprintf(server, "piped %s", q)
		}()
		return client, nil
	}})
	resp := w.Fetch(httptest.NewRequest("GET", "/ask?q=hello&server=whois.example:43", nil))
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "piped hello\n" {
		t.Errorf("through the pipe: %d %q", resp.StatusCode, body)
	}
	resp = w.Fetch(httptest.NewRequest("GET", "/ask?q=hello&server=refused.example:7", nil))
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 502 || !strings.Contains(string(body), "cannot connect to the specified address") {
		t.Errorf("a dial that fails: %d %q", resp.StatusCode, body)
	}
	if strings.Join(dialed, ",") != "tcp whois.example:43,tcp refused.example:7" {
		t.Errorf("dialed %q", dialed)
	}
}
