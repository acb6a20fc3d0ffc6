// Package storageconn hands the packages under storage/ the host
// connection of a *storage.Storage, which package storage keeps
// unexported so that user code cannot make or reach one.
package storageconn

import "github.com/godurable/godurable/internal/rt"

// Of returns the connection of s, a *storage.Storage, or nil if s belongs
// to no object. Package storage sets it during initialization.
var Of func(s any) rt.Conn
