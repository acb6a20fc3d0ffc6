// Package doccheck holds the test that keeps the documentation's
// statements of limits and features true: README.md and every public
// package's documentation (what go doc shows) may say that godurable does
// not do something only through an entry of the table of limits in
// doccheck_test.go, whose check fails once the code does it; and each
// feature in the table of features must keep the names and conformance
// scenarios that show it exists. RATIONALE.md ("How do the docs' limits
// stay true?") explains the design. The package has no code of its own.
package doccheck
