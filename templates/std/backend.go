// Package std is the template of the std backend: goroutines, the wall
// clock and the operating system's network. The generator merges its files
// into the generated package; every name here starts with "std".
package std

import (
	"runtime"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// stdBackend has no state: the Go runtime is the scheduler.
type stdBackend struct{}

func newStdBackend(*anyiort.RunConfig) (anyiort.Backend, error) { return stdBackend{}, nil }

func (stdBackend) Name() string                { return "std" }
func (stdBackend) Run(main func() error) error { return main() }
func (stdBackend) Now() time.Time              { return time.Now() }
func (stdBackend) Yield()                      { runtime.Gosched() }
func (stdBackend) Go(_ string, fn func())      { go fn() }
func (stdBackend) NewWaiter() anyiort.Waiter   { return make(stdWaiter, 1) }
func (stdBackend) AfterFunc(d time.Duration, f func()) anyiort.Timer {
	return time.AfterFunc(d, f)
}
