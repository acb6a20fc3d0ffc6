// Package generated is what code written by wasmbuild calls. It is not for
// code written by hand: its API follows the generator, and changes with it.
package generated
