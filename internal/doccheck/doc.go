// Package doccheck holds the tests that keep the documentation true to
// the code, and has no code of its own:
//
//   - TestLimits: README.md and every public package's documentation (what
//     go doc shows) may say that godurable does not do something only
//     through an entry of the table of limits, whose check fails once the
//     code does it.
//   - TestFeatures: each feature in the table of features keeps the
//     exported names and conformance scenarios that show it exists.
//   - TestPackageDocs: each public package has its documentation in doc.go.
//   - TestRationaleContents: RATIONALE.md's contents list its headings,
//     and README's links to it resolve.
//
// RATIONALE.md ("How do the docs' limits stay true?") explains the design.
package doccheck
