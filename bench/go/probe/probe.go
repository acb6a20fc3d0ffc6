//go:build godurable_bench

// The memory probe of the benchmarks. godurable-bench compiles this file
// into examples/counter (package main) with go build -overlay and the tag
// godurable_bench, so the Counter class gains RPC methods for measurements:
// benchMemory reports the size of the Go instance's linear memory and of
// the Go heap, benchNoop does nothing (the cost of the boundary alone),
// benchStub takes a stub (what a stub as an argument adds),
// benchGets reads the value n times in one event, and benchCompute does a
// fixed amount of pure Go work.
// The example itself is not changed; nothing else uses this file.

package main

import (
	"encoding/json"
	"runtime"

	"github.com/godurable/godurable/worker"
)

// memoryPages returns the size of the module's linear memory in 64 KiB
// pages (the wasm memory.size instruction; pages_wasm.s).
func memoryPages() int32

// BenchMemory is what benchMemory reports.
type BenchMemory struct {
	LinearBytes int64 `json:"linearBytes"` // memory.size × 64 KiB
	HeapAlloc   int64 `json:"heapAlloc"`   // live heap bytes after a GC
	HeapInuse   int64 `json:"heapInuse"`   // heap spans in use after a GC
	Sys         int64 `json:"sys"`         // bytes the Go runtime obtained
	Goroutines  int64 `json:"goroutines"`
}

// BenchNoop does nothing: calling it measures the boundary alone.
func (c *Counter) BenchNoop() {}

// BenchStub takes a Durable Object stub and answers 1: calling it
// measures what a stub as an argument adds (the shim keeps it for Go, Go
// releases it when its garbage collector finds it unreachable).
func (c *Counter) BenchStub(peer *worker.Stub) int {
	if peer == nil {
		return 0
	}
	return 1
}

// BenchGets reads the counter's value n times in one event: the cost of
// a KV read from Go when it is not the event's first storage call.
func (c *Counter) BenchGets(n int64) (int64, error) {
	var total int64
	for i := int64(0); i < n; i++ {
		v, err := c.Get()
		if err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}

// BenchGetsAfter is BenchGets with k JSON encodings (BenchCompute's
// work) before each read: pure Go work between two storage calls, as an
// event of the real counter has, to see what it does to the read.
func (c *Counter) BenchGetsAfter(n, k int64) (int64, error) {
	var total int64
	for i := int64(0); i < n; i++ {
		if _, err := c.BenchCompute(k); err != nil {
			return 0, err
		}
		v, err := c.Get()
		if err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}

// BenchComputeN is BenchCompute(k) n times, BenchGetsAfter's work
// without its reads.
func (c *Counter) BenchComputeN(n, k int64) (int64, error) {
	var total int64
	for i := int64(0); i < n; i++ {
		t, err := c.BenchCompute(k)
		if err != nil {
			return 0, err
		}
		total += t
	}
	return total, nil
}

// BenchCompute encodes n small JSON values: a fixed amount of pure Go
// work, to compare how fast the engine runs Go code (workerd against
// Node's V8 running the same module).
func (c *Counter) BenchCompute(n int64) (int64, error) {
	var total int64
	for i := int64(0); i < n; i++ {
		b, err := json.Marshal(Step{By: i})
		if err != nil {
			return 0, err
		}
		total += int64(len(b))
	}
	return total, nil
}

// BenchMemory runs a garbage collection and reports the instance's memory.
func (c *Counter) BenchMemory() (BenchMemory, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return BenchMemory{
		LinearBytes: int64(memoryPages()) << 16,
		HeapAlloc:   int64(ms.HeapAlloc),
		HeapInuse:   int64(ms.HeapInuse),
		Sys:         int64(ms.Sys),
		Goroutines:  int64(runtime.NumGoroutine()),
	}, nil
}
