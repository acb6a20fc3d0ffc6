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

// RPCInvokers gives the RPC methods of T, by Go name, the invokers that
// wasmbuild generates for them: each decodes the arguments into typed
// variables, calls the method directly and encodes its result, where the
// runtime would use reflection. A method whose call streams keeps the
// runtime's own path.
func RPCInvokers[T any](invokers map[string]Invoker) {
	rt.RegisterStaticInvokers(reflect.TypeFor[T](), invokers)
}

// Invoker calls one RPC method (see RPCInvokers).
type Invoker = rt.Invoker

// Call is one RPC call as an Invoker sees it: Ctx and Recv are the
// event's context and the object.
type Call = rt.Call

// Arg decodes argument i of c as an A and reports whether it did; on
// false the call has already failed with the runtime's error, and the
// invoker returns.
func Arg[A any](c *Call, i int) (A, bool) { return rt.CallArg[A](c, i) }

// Return ends a call with the method's result and error (nil for a
// method without one).
func Return[R any](c *Call, r R, err error) { rt.CallReturn(c, r, err) }

// ReturnError ends a call of a method whose only result is an error.
func ReturnError(c *Call, err error) { rt.CallReturnError(c, err) }

// Done ends a call of a method without results.
func Done(c *Call) { rt.CallDone(c) }
