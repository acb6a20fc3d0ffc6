package main

// What the classes expose over RPC: Sandbox keeps the defaults and hides
// Internal; Plain lists its exposed set, String included.

// String makes Sandbox a fmt.Stringer, whose method is not exposed.
func (s *Sandbox) String() string { return "sandbox " + s.state.ID }

// Internal is kept off RPC by durableobject.Hide.
func (s *Sandbox) Internal() string { return "internal" }

// CallInternal shows that Go code in the module calls a hidden method.
func (s *Sandbox) CallInternal() string { return s.Internal() }

// String is exposed: Plain's durableobject.Expose lists it.
func (p *Plain) String() string { return "plain" }

// Close makes Plain an io.Closer; Expose does not list it.
func (p *Plain) Close() error { return nil }

// Unlisted is an RPC method that Expose does not list.
func (p *Plain) Unlisted() string { return "unlisted" }
