// Command whois is the Worker of package sockets' example: GET
// /ask?server=host:port&q=... sends q and a newline to a TCP server and
// answers the line the server sends back.
package main

import (
	"bufio"
	"fmt"
	"net/http"
	"time"

	"github.com/godurable/godurable/sockets"
	"github.com/godurable/godurable/worker"
)

func init() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := sockets.Connect(r.Context(), r.URL.Query().Get("server"), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := fmt.Fprintf(c, "%s\n", r.URL.Query().Get("q")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, line)
	})
}

func main() {}
