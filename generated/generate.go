// Package generated holds the reference output of anyiogen, kept in step with
// spec/ and templates/ by the go:generate lines below and checked by
// TestReferenceUpToDate:
//
//   - anyio: every primitive on both backends, the copy users import;
//   - anyiostd: the same generated with -backends std, which shows that such
//     a package has no trace of sim and lets the benchmarks check that sim
//     never slows std.
package generated

//go:generate go run ../cmd/anyiogen -o anyio -pkg anyio -testhelper
//go:generate go run ../cmd/anyiogen -o anyiostd -pkg anyiostd -backends std
