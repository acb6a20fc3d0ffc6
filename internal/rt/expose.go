package rt

import (
	"encoding"
	"fmt"
	"io"
	"reflect"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// Exposure is what a class's or an entrypoint's registration says about
// which of its RPC methods callers reach (Expose and Hide, of package
// durableobject or worker).
type Exposure struct {
	// Only, when not nil, lists every exposed method by Go name: the
	// others are hidden, and the methods of well-known interfaces listed
	// here are exposed.
	Only []string
	// Hide lists methods (Go names) kept off RPC besides those of the
	// well-known interfaces. It is not used with Only.
	Hide []string
	// Pkg is the package whose Expose and Hide the registration takes,
	// which messages name: "durableobject" (the default) or "worker".
	Pkg string
}

// ExposureOf returns the Exposure that opts (Expose and Hide) make; it
// panics, naming the registration as what, if they both Expose and Hide.
func ExposureOf[O ~func(*Exposure)](what string, opts []O) Exposure {
	var exp Exposure
	for _, o := range opts {
		o(&exp)
	}
	if exp.Only != nil && exp.Hide != nil {
		panic(what + ": Expose lists every exposed method; Hide cannot be used with it")
	}
	return exp
}

// pkg returns the package that messages name for Expose and Hide.
func (exp Exposure) pkg() string {
	if exp.Pkg == "" {
		return "durableobject"
	}
	return exp.Pkg
}

// wellKnown are interfaces whose methods a type has for the sake of Go code
// (fmt, encoders, io, locks), not for its callers: a class that implements
// one does not expose its methods unless it lists them in Only. Their
// method names are written out because reading them from the interface
// types with reflect.Type.Method would make the linker keep every exported
// method of the program (TestWellKnownMethods checks them). Interfaces of
// packages the runtime does not import otherwise are written out too.
var wellKnown = []struct {
	name    string
	iface   reflect.Type
	methods []string
}{
	{"fmt.Stringer", reflect.TypeFor[fmt.Stringer](), []string{"String"}},
	{"fmt.GoStringer", reflect.TypeFor[fmt.GoStringer](), []string{"GoString"}},
	{"fmt.Formatter", reflect.TypeFor[fmt.Formatter](), []string{"Format"}},
	{"error", reflect.TypeFor[error](), []string{"Error"}},
	{"an error wrapper (Unwrap)", reflect.TypeFor[interface{ Unwrap() error }](), []string{"Unwrap"}},
	{"an error wrapper (Is)", reflect.TypeFor[interface{ Is(error) bool }](), []string{"Is"}},
	{"an error wrapper (As)", reflect.TypeFor[interface{ As(any) bool }](), []string{"As"}},
	{"io.Reader", reflect.TypeFor[io.Reader](), []string{"Read"}},
	{"io.Writer", reflect.TypeFor[io.Writer](), []string{"Write"}},
	{"io.Closer", reflect.TypeFor[io.Closer](), []string{"Close"}},
	{"io.Seeker", reflect.TypeFor[io.Seeker](), []string{"Seek"}},
	{"io.ReaderAt", reflect.TypeFor[io.ReaderAt](), []string{"ReadAt"}},
	{"io.WriterAt", reflect.TypeFor[io.WriterAt](), []string{"WriteAt"}},
	{"io.ReaderFrom", reflect.TypeFor[io.ReaderFrom](), []string{"ReadFrom"}},
	{"io.WriterTo", reflect.TypeFor[io.WriterTo](), []string{"WriteTo"}},
	{"io.StringWriter", reflect.TypeFor[io.StringWriter](), []string{"WriteString"}},
	{"json.Marshaler", reflect.TypeFor[interface{ MarshalJSON() ([]byte, error) }](), []string{"MarshalJSON"}},
	{"json.Unmarshaler", reflect.TypeFor[interface{ UnmarshalJSON([]byte) error }](), []string{"UnmarshalJSON"}},
	{"encoding.TextMarshaler", reflect.TypeFor[encoding.TextMarshaler](), []string{"MarshalText"}},
	{"encoding.TextUnmarshaler", reflect.TypeFor[encoding.TextUnmarshaler](), []string{"UnmarshalText"}},
	{"encoding.TextAppender", reflect.TypeFor[interface {
		AppendText([]byte) ([]byte, error)
	}](), []string{"AppendText"}},
	{"encoding.BinaryMarshaler", reflect.TypeFor[encoding.BinaryMarshaler](), []string{"MarshalBinary"}},
	{"encoding.BinaryUnmarshaler", reflect.TypeFor[encoding.BinaryUnmarshaler](), []string{"UnmarshalBinary"}},
	{"encoding.BinaryAppender", reflect.TypeFor[interface {
		AppendBinary([]byte) ([]byte, error)
	}](), []string{"AppendBinary"}},
	{"gob.GobEncoder", reflect.TypeFor[interface{ GobEncode() ([]byte, error) }](), []string{"GobEncode"}},
	{"gob.GobDecoder", reflect.TypeFor[interface{ GobDecode([]byte) error }](), []string{"GobDecode"}},
	{"msgpack.Marshaler", reflect.TypeFor[msgpack.Marshaler](), []string{"MarshalMsgpack"}},
	{"msgpack.Unmarshaler", reflect.TypeFor[msgpack.Unmarshaler](), []string{"UnmarshalMsgpack"}},
	{"sql.Scanner", reflect.TypeFor[interface{ Scan(any) error }](), []string{"Scan"}},
	{"sync.Locker", reflect.TypeFor[sync.Locker](), []string{"Lock", "Unlock"}},
	{"a mutex (TryLock)", reflect.TypeFor[interface{ TryLock() bool }](), []string{"TryLock"}},
	{"a read-write mutex", reflect.TypeFor[interface {
		RLock()
		RUnlock()
		TryRLock() bool
		RLocker() sync.Locker
	}](), []string{"RLock", "RUnlock", "TryRLock", "RLocker"}},
}

// hidden returns why exp keeps each of typ's hidden methods off RPC, by Go
// name, when exp lists no exposed set.
func (exp Exposure) hidden(typ reflect.Type) map[string]string {
	why := map[string]string{}
	for _, wk := range wellKnown {
		if typ.Implements(wk.iface) {
			for _, n := range wk.methods {
				why[n] = "a method of " + wk.name + ": not exposed unless " + exp.pkg() + ".Expose lists it"
			}
		}
	}
	for _, n := range exp.Hide {
		why[n] = "kept off RPC by " + exp.pkg() + ".Hide"
	}
	return why
}

// listed returns the names exp lists, with the option that lists them.
func (exp Exposure) listed() map[string]string {
	out := map[string]string{}
	for _, n := range exp.Only {
		out[n] = exp.pkg() + ".Expose"
	}
	for _, n := range exp.Hide {
		out[n] = exp.pkg() + ".Hide"
	}
	return out
}
