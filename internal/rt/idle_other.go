//go:build !wasip1

package rt

// waitIdle is never reached outside a wasm guest: no host calls the exports.
func waitIdle() { panic("godurable: waitIdle outside a wasm guest") }
