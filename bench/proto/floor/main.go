//go:build wasip1

// Command floor is a prototype for bench/PROFILE.md, not part of
// godurable: the smallest Go reactor that answers an event, to measure in
// workerd what an event into a Go instance costs without godurable's
// machinery, piece by piece. bench/proto/proto.js calls its exports from a
// Durable Object; godurable-bench -proto builds it and times each export
// against a JavaScript method that does the same.
//
//	proto_noop(n)     returns n: the cost of entering Go and coming back
//	proto_get()       reads the KV value "value" through one import with raw
//	                  pointers (no MessagePack request), decodes the int64
//	proto_get_loop(n) proto_get n times inside one export call
//	proto_chan()      one goroutine round trip (spawn, park, run, wake)
//	proto_decode(n)   decodes n bytes of buf as an RPC call's arguments (the
//	                  event's envelope is the export's parameters since ABI
//	                  v2), with abi's reflection-based decoder
//	proto_handoff()   godurable's hand-off of an event and nothing else: the
//	                  floor of a Go event (below)
package main

import (
	"encoding/binary"
	"os"
	"unsafe"

	"github.com/godurable/godurable/internal/abi"
)

func main() {}

//go:wasmimport proto kv_get
func kvGet(key unsafe.Pointer, keyLen int32, out unsafe.Pointer, outCap int32) int32

// buf is where the host writes: results of kv_get, events to decode.
var buf [64 << 10]byte

//go:wasmexport proto_buf
func protoBuf() unsafe.Pointer { return unsafe.Pointer(&buf[0]) }

//go:wasmexport proto_noop
func noop(n int32) int32 { return n }

var key = "value"

//go:wasmexport proto_get
func get() int64 {
	n := kvGet(unsafe.Pointer(unsafe.StringData(key)), int32(len(key)), unsafe.Pointer(&buf[0]), int32(len(buf)))
	return decodeInt(buf[:max(n, 0)])
}

//go:wasmexport proto_get_loop
func getLoop(n int32) int64 {
	var total int64
	for i := int32(0); i < n; i++ {
		total += get()
	}
	return total
}

// decodeInt reads a MessagePack integer as the counter stores it (int64
// 0xd3, or a positive fixint); anything else is 0.
func decodeInt(b []byte) int64 {
	switch {
	case len(b) == 9 && b[0] == 0xd3:
		return int64(binary.BigEndian.Uint64(b[1:]))
	case len(b) == 1 && b[0] < 0x80:
		return int64(b[0])
	}
	return 0
}

//go:wasmexport proto_chan
func chanRoundTrip() int32 {
	ch := make(chan int32)
	go func() { ch <- 1 }()
	return <-ch
}

//go:wasmexport proto_decode
func decode(n int32) int32 {
	var args []any
	if err := abi.Unmarshal(buf[:n], &args); err != nil {
		return -1
	}
	return int32(len(args))
}

// The hand-off of an event, as godurable's runtime does it
// (internal/hostcall, internal/rt's startEvent, spawn and runUntilIdle),
// with no event in it: the export hands a function to a pooled goroutine
// and waits until every goroutine has parked (a read of abi.IdleFD, which
// the host answers once the scheduler polls it in a blocking poll_oneoff);
// the goroutine writes its result, MessagePack's nil, through an import,
// as godurable's complete. What an RPC event into a Go reactor cannot do
// without, if it runs each event in a goroutine of its own so that an
// event may wait on the host while others run.

//go:wasmimport proto complete
func complete(ptr unsafe.Pointer, n int32)

var (
	work      = make(chan func()) // the idle workers take their next function here
	idleFile  *os.File
	nilResult = []byte{0xc0}
)

//go:wasmexport proto_handoff
func handoff() int32 {
	f := func() { complete(unsafe.Pointer(&nilResult[0]), int32(len(nilResult))) }
	select {
	case work <- f:
	default:
		go worker(f)
	}
	if idleFile == nil {
		idleFile = os.NewFile(abi.IdleFD, "idle")
	}
	var b [1]byte
	if _, err := idleFile.Read(b[:]); err != nil {
		return -1
	}
	return 0
}

// worker runs f, then waits for the next function.
func worker(f func()) {
	for {
		f()
		f = <-work
	}
}
