package generated

import (
	"reflect"

	"github.com/godurable/godurable/internal/rt"
)

// RPCMethods lists the RPC methods of T as method expressions by Go name,
// so that the module finds them without reflection, which lets the Go
// linker drop the exported methods nobody calls (about 3 MB of a typical
// module). wasmbuild generates one call per class, in a file it adds to
// the main package with go build -overlay.
func RPCMethods[T any](methods map[string]any) {
	rt.RegisterStaticMethods(reflect.TypeFor[T](), methods)
}
