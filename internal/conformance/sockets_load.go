package conformance

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	"github.com/godurable/godurable/ws"
)

// SocketLoad is a load of the sandbox's echoing sockets for
// RunSocketLoad.
type SocketLoad struct {
	Objects, PerObject, Messages int
	// Between, if set, runs while the messages flow (hibernations, say).
	Between func(object func(i int) string)
}

// RunSocketLoad opens PerObject sockets on each of Objects sandbox
// objects, sends Messages binary messages on each at once, and checks
// that each socket gets every echo once and in order. It returns the
// number of echoes received.
func RunSocketLoad(t testing.TB, target Target, l SocketLoad) int {
	s := &suite{target: target}
	name := func(i int) string { return fmt.Sprintf("echo-load-%d", i) }
	var socks []Socket
	for i := range l.Objects {
		for range l.PerObject {
			socks = append(socks, s.sandboxSocket(t, name(i), ""))
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	received := 0
	errs := make(chan error, len(socks))
	for k, sock := range socks {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for n := range l.Messages {
				if err := sock.Send(binaryMessage(k, n)); err != nil {
					errs <- fmt.Errorf("socket %d sending %d: %w", k, n, err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for n := range l.Messages {
				ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
				m, err := sock.Receive(ctx)
				cancel()
				if err != nil {
					errs <- fmt.Errorf("socket %d receiving %d: %w", k, n, err)
					return
				}
				if want := append([]byte("echo:"), binaryMessage(k, n).Data...); string(m.Data) != string(want) {
					errs <- fmt.Errorf("socket %d: echo %d is %x, want %x: lost, duplicated or reordered", k, n, m.Data, want)
					return
				}
				mu.Lock()
				received++
				mu.Unlock()
			}
		}()
	}
	if l.Between != nil {
		l.Between(name)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, sock := range socks {
		sock.Close(1000, "done")
	}
	return received
}

func binaryMessage(socket, n int) ws.Message {
	b := binary.BigEndian.AppendUint32(nil, uint32(socket))
	return ws.BinaryMessage(binary.BigEndian.AppendUint32(b, uint32(n)))
}
