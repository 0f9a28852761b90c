// Package generated holds the reference output of anyiogen, kept in step with
// spec/ and templates/ by the go:generate line below and checked by
// TestReferenceUpToDate.
package generated

//go:generate go run ../cmd/anyiogen -o anyio -pkg anyio
