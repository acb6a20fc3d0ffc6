// Command shapes is a Worker for internal/build's test of generated RPC
// dispatch: a class with methods of every shape (with and without a
// context, parameters of several types, each kind of result), called with
// the same arguments in a module built with reflection and in one built
// with generated invokers, which must answer the same bytes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

func main() {}

// Shapes has one method of each shape.
type Shapes struct{ calls int }

// Celsius is a named integer type: generated code decodes it by reflection.
type Celsius int16

// Point is a struct argument and result.
type Point struct {
	X, Y int
	Tag  string `json:"tag,omitempty"`
}

func (s *Shapes) Nothing()     { s.calls++ }
func (s *Shapes) Count() int   { return s.calls }
func (s *Shapes) Fails() error { return errors.New("it failed") }
func (s *Shapes) MaybeFails(fail bool) error {
	if fail {
		return fmt.Errorf("asked to fail: %w", worker.NewError("RangeError", "out of range"))
	}
	return nil
}
func (s *Shapes) Add(ctx context.Context, a int, b int64) (int64, error) { return int64(a) + b, nil }
func (s *Shapes) Small(a int8, b uint8, c uint16, d int32, e uint32, f uint, g uint64) string {
	return fmt.Sprint(a, b, c, d, e, f, g)
}
func (s *Shapes) Echo(ctx context.Context, str string, ok bool, f float64, b []byte) []any {
	return []any{str, ok, f, b}
}
func (s *Shapes) Warm(c Celsius) Celsius        { return c + 1 }
func (s *Shapes) Move(p Point, by *Point) Point { p.X += by.X; p.Y += by.Y; return p }
func (s *Shapes) Many(m map[string]any, l []string, x any) ([]any, error) {
	return []any{m, l, x}, nil // not a map of several keys: Go encodes those in no fixed order
}
func (s *Shapes) Unsafe() int64                    { return 1 << 60 }
func (s *Shapes) Panics(ctx context.Context) error { panic("a panic in a method") }

// Read streams: it keeps the runtime's reflective path.
func (s *Shapes) Read(ctx context.Context, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return strings.ToUpper(string(b)), err
}

func init() {
	durableobject.Register("Shapes", func(st *durableobject.State, env *worker.Env) (*Shapes, error) {
		return &Shapes{}, nil
	})
}
