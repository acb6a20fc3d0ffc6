package hostcall

import (
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

type countingHost struct{}

func (countingHost) Take([]byte)                                   {}
func (countingHost) Call(abi.CallOp, uint32, []byte, []byte) int32 { return 0 }
func (countingHost) Start(abi.AsyncOp, int32, []byte) int32        { return 1 }
func (countingHost) Complete(int32, abi.Status, []byte)            {}
func (countingHost) WaitIdle()                                     {}

func TestEpoch(t *testing.T) {
	SetHost(countingHost{})
	defer SetHost(nil)
	e := Epoch()
	if Epoch() != e {
		t.Fatal("the epoch moved without a crossing")
	}
	Call(abi.CallEnv, 0, nil, nil)
	Start(abi.AsyncOp(1), 1, nil)
	Complete(1, abi.StatusOK, nil)
	if got := Epoch() - e; got != 3 {
		t.Errorf("three imports moved the epoch by %d", got)
	}
}
