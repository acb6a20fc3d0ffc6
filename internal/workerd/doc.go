// Package workerd is a model of workerd in Go, the host that the dotest
// harness runs a godurable module in: the isolate and its Durable Objects,
// their storage with workerd's rules (SQLite's authorizer, limits and
// messages), alarms, hibernatable and outbound WebSockets, IDs and stubs,
// D1, bodies that stream, JavaScript values and HTTP, around the module
// that internal/driver runs on wazero. Each host operation of
// internal/abi's table is implemented in the file of its feature, as the
// shim implements it in workerd (internal/shim/js/features).
package workerd
