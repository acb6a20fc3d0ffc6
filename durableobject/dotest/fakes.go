package dotest

import "github.com/godurable/godurable/internal/workerd"

// A JSObject is a JavaScript object played by Go: a binding's fake
// (Options.Fakes), or what a fake's method returns to stay an object (a
// class instance with methods) rather than plain data. See the fields'
// docs for how its methods take arguments and give results.
type JSObject = workerd.JSObject

// NewJSObject returns the JavaScript object whose methods are the exported
// methods of v, each by its JavaScript name (the Go name with a lower-case
// first letter, as RPC names them), and whose constructor is called class
// (what jsbridge's Type reports). A method whose first parameter is a
// context.Context returns a promise in JavaScript, and may block.
func NewJSObject(class string, v any) *JSObject { return workerd.NewJSObject(class, v) }
