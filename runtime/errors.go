package anyiort

import (
	"context"
	"errors"
)

// The sentinels of the portable API. Generated packages re-export them, so
// errors.Is holds across every copy.
var (
	// ErrEndOfStream: the peer finished sending and everything sent was read.
	ErrEndOfStream = errors.New("anyio: end of stream")
	// ErrClosedResource: the handle used was itself closed.
	ErrClosedResource = errors.New("anyio: use of a closed resource")
	// ErrBrokenResource: the other side is gone, so the operation cannot succeed.
	ErrBrokenResource = errors.New("anyio: broken resource")
	// ErrWouldBlock: a nowait operation could not complete at once.
	ErrWouldBlock = errors.New("anyio: operation would block")
	// ErrBusyResource: another task is already doing the same operation on
	// the resource (receiving on a stream, accepting on a listener).
	ErrBusyResource = errors.New("anyio: another task is already using this resource for the same operation")
	// ErrDeadlock: on a simulated backend, every task is blocked and no timer
	// is pending.
	ErrDeadlock = errors.New("anyio: deadlock: every task is blocked and no timer is pending")
	// ErrRunFinished: FromThread was called after its run had ended.
	ErrRunFinished = errors.New("anyio: the run has finished")
	// ErrIncompleteRead: the stream ended before the bytes asked for came.
	ErrIncompleteRead = errors.New("anyio: the stream ended before the bytes asked for were received")
	// ErrHostCrashed: on a simulated backend, the host that RunHost ran
	// crashed.
	ErrHostCrashed = errors.New("anyio: the host crashed")
	// ErrDelimiterNotFound: the delimiter was not within the bytes allowed.
	ErrDelimiterNotFound = errors.New("anyio: delimiter not found")
	// ErrTimeout is FailAfter's timeout. It also matches
	// context.DeadlineExceeded and reports Timeout() true, like the context
	// package's own deadline error, so net-style timeout checks accept it.
	ErrTimeout error = timeoutError{}
)

type timeoutError struct{}

func (timeoutError) Error() string   { return "anyio: timed out" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// Is lets errors.Is(ErrTimeout, context.DeadlineExceeded) hold.
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// IsCancellation reports whether err is a cancellation: an error for which
// errors.Is(err, context.Canceled) or errors.Is(err, context.DeadlineExceeded)
// holds.
func IsCancellation(err error) bool {
	return err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}
