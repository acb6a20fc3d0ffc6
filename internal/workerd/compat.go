package workerd

import (
	"errors"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// Compat is the part of workerd's compatibility behaviour that the host
// reproduces, chosen like workerd chooses it: by the Worker's
// compatibility date, overridden by its compatibility flags.
type Compat struct {
	// EnhancedErrorSerialization is workerd's enhanced_error_serialization
	// (on from 2026-04-21, off with legacy_error_serialization): an error
	// thrown across Workers RPC keeps its name, whatever it is, and its
	// own properties (code, cause); before it only the standard error
	// types kept their name, another name was prefixed to the message, and
	// every other property was lost.
	EnhancedErrorSerialization bool
	// OffpeakLocationHint is workerd's offpeak_location_hint (on only by
	// the flag): get(id, {locationHint: "offpeak"}) is accepted; without
	// it that hint is a TypeError.
	OffpeakLocationHint bool
}

// compatFlags are the flags Compat follows.
var compatFlags = []struct {
	date, enable, disable string
	set                   func(*Compat, bool)
}{
	{"2026-04-21", "enhanced_error_serialization", "legacy_error_serialization",
		func(c *Compat, on bool) { c.EnhancedErrorSerialization = on }},
	{"", "offpeak_location_hint", "",
		func(c *Compat, on bool) { c.OffpeakLocationHint = on }},
}

// CompatFor returns the behaviour of a Worker with compatibility date
// (YYYY-MM-DD) and flags, as workerd derives it. An empty date means the
// newest behaviour.
func CompatFor(date string, flags []string) Compat {
	var c Compat
	has := make(map[string]bool, len(flags))
	for _, f := range flags {
		has[f] = true
	}
	for _, f := range compatFlags {
		on := f.date != "" && (date == "" || date >= f.date) // a flag without a date is only ever on by the flag
		switch {
		case has[f.enable]:
			on = true
		case has[f.disable]:
			on = false
		}
		f.set(&c, on)
	}
	return c
}

// RPCError turns err into the error that a JavaScript caller catches over
// Workers RPC with the behaviour c: see Compat.EnhancedErrorSerialization.
// The stack does not cross either way.
func RPCError(err error, c Compat) error {
	var je *driver.JSError
	if !errors.As(err, &je) {
		return err // a *driver.CrashError stays one: the caller sees its message
	}
	if c.EnhancedErrorSerialization {
		return &driver.JSError{Err: withoutStack(je.Err)}
	}
	e := je.Err
	switch e.Name {
	case "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError":
		return NewJSError(e.Name, e.Message)
	}
	name := e.Name
	if name == "" {
		name = "Error"
	}
	return NewJSError("Error", name+": "+e.Message)
}

// withoutStack copies e without its stacks, which the shim replaces with
// its own, and with at most abi.MaxErrorCauses causes.
func withoutStack(e *abi.Error) *abi.Error { return withoutStackAt(e, 0) }

func withoutStackAt(e *abi.Error, depth int) *abi.Error {
	out := &abi.Error{Name: e.Name, Message: e.Message, Code: e.Code}
	if out.Name == "" {
		out.Name = "Error"
	}
	if e.Cause != nil && depth < abi.MaxErrorCauses {
		out.Cause = withoutStackAt(e.Cause, depth+1)
	}
	return out
}
