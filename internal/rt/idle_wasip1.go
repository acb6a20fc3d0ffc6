//go:build wasip1

package rt

import (
	"os"

	"github.com/godurable/godurable/internal/abi"
)

var idleFile *os.File

// waitIdle blocks until every other goroutine has parked or finished: the
// host answers the read of abi.IdleFD only once the Go scheduler, having
// nothing left to run, polls it in a blocking poll_oneoff.
func waitIdle() {
	if idleFile == nil {
		idleFile = os.NewFile(abi.IdleFD, "godurable-idle")
	}
	var b [1]byte
	if _, err := idleFile.Read(b[:]); err != nil {
		panic("godurable: the host does not implement idle detection on fd " + itoa(abi.IdleFD) + ": " + err.Error())
	}
}
