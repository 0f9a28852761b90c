package core

import (
	"errors"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// withoutCancellations returns err with every cancellation removed: nil
// when err is only cancellations, err itself when it holds none, and
// otherwise what is left (one error alone, or several joined). It looks
// into errors.Join-style errors, which may mix a cancellation with a real
// failure, as an AnyIO exception group may mix Cancelled with another
// exception. ErrTimeout is never a cancellation here: it is a FailAfter's
// own failure.
func withoutCancellations(err error) error {
	rest, _ := stripCancellations(err)
	return rest
}

// stripCancellations is withoutCancellations that also reports whether it
// removed anything.
func stripCancellations(err error) (rest error, stripped bool) {
	multi, ok := err.(interface{ Unwrap() []error })
	if !ok {
		if isCancellationOnly(err) {
			return nil, true
		}
		return err, false
	}
	errs := multi.Unwrap()
	kept := make([]error, 0, len(errs))
	for _, e := range errs {
		r, s := stripCancellations(e)
		stripped = stripped || s
		if r != nil {
			kept = append(kept, r)
		}
	}
	switch {
	case !stripped:
		return err, false
	case len(kept) == 0:
		return nil, true
	case len(kept) == 1:
		return kept[0], true
	}
	return errors.Join(kept...), true
}

// isCancellationOnly reports whether err is a cancellation and nothing else.
func isCancellationOnly(err error) bool {
	if err == nil || errors.Is(err, anyiort.ErrTimeout) {
		return false
	}
	if _, ok := err.(interface{ Unwrap() []error }); ok {
		rest, _ := stripCancellations(err)
		return rest == nil
	}
	// A single-error wrapper around a join ("read: " + a join) is judged
	// by what it wraps.
	if inner := errors.Unwrap(err); inner != nil {
		if _, ok := inner.(interface{ Unwrap() []error }); ok {
			return isCancellationOnly(inner)
		}
	}
	return anyiort.IsCancellation(err)
}
