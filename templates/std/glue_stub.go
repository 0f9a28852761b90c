package std

import anyiort "github.com/anyiogen/anyiogen/runtime"

// This file stands in for the glue that the generator writes from the spec,
// whose backend registry is what uses the std backend. It is never emitted.

var _ anyiort.NewBackend = newStdBackend
