// Package sockets opens outbound TCP connections from a Worker or a
// Durable Object: workerd's connect() of the module cloudflare:sockets, as
// a net.Conn.
//
//	c, err := sockets.Connect(r.Context(), "db.example.com:5432", nil)
//	if err != nil {
//		return err // a *net.OpError; errors.Is(err, sockets.ErrCannotConnect) when workerd could not connect
//	}
//	defer c.Close()
//	c.SetDeadline(time.Now().Add(5 * time.Second))
//	_, err = c.Write(request)
//	n, err := c.Read(buf)
//
// The package is built on jsbridge: Connect calls connect() through
// jsbridge.Module("cloudflare:sockets"), and the Conn's methods read and
// write the socket's streams. It needs no binding in wrangler.toml.
package sockets
