// Package hyperdrive gives a Worker the database of a Hyperdrive binding:
// its connection string and parts, for a PostgreSQL driver that connects
// through package sockets (pgx: see the example).
//
//	[[hyperdrive]]
//	binding = "HYPERDRIVE"
//	id = "<the configuration's ID>"
//	localConnectionString = "postgres://user:password@127.0.0.1:5432/app"
//
// In wrangler dev, the binding's database is the one its local connection
// string names: the environment variable
// CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_<BINDING> (HYPERDRIVE
// above), else localConnectionString. dotest reads them the same way and
// routes the binding's host to that database, so a test points the
// binding at a server it started on a port of its own by setting the
// variable (t.Setenv) before dotest.New, as it does before starting
// wrangler dev.
//
// workerd connects to the binding's host without connect()'s options: a
// sockets.Conn to it takes no StartTLS, and pgx's own TLS
// (sslmode=require) goes through it to the database as it is.
package hyperdrive
