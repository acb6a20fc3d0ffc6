// Package host is the Go implementation of the host side of the godurable
// ABI, on wazero: the tools use it to read a module's manifest, and the
// dotest harness to run a module's events in tests.
package workerd
