package core

import anyiort "github.com/anyiogen/anyiogen/runtime"

// This file stands in for the glue that the generator writes from the spec:
// the backend registry, the backend names and the sentinels. It lets the
// template compile and is never emitted.

var backendRegistry = map[string]anyiort.NewBackend{}

var defaultBackend anyiort.Backend

// BackendStd stands in for the glue's constant.
const BackendStd = "std"

// The sentinels, as the glue re-exports them from the runtime.
var (
	ErrTimeout        = anyiort.ErrTimeout
	ErrEndOfStream    = anyiort.ErrEndOfStream
	ErrClosedResource = anyiort.ErrClosedResource
	ErrBrokenResource = anyiort.ErrBrokenResource
	ErrWouldBlock     = anyiort.ErrWouldBlock
	ErrBusyResource   = anyiort.ErrBusyResource
	ErrDeadlock       = anyiort.ErrDeadlock
	ErrHostCrashed    = anyiort.ErrHostCrashed
	ErrRunFinished    = anyiort.ErrRunFinished
	ErrIncompleteRead = anyiort.ErrIncompleteRead

	ErrDelimiterNotFound = anyiort.ErrDelimiterNotFound
)
