package anyiort

import (
	"context"
	"net"
	"net/netip"
	"time"
)

// Backend is the contract a backend implements. The portable primitives of a
// generated package (cancel scopes, task groups, streams, happy eyeballs) are
// written once against it; a backend only says how to keep time, run tasks,
// block and wake them, and, through the optional [Network], reach a network.
type Backend interface {
	// Name is the name a user selects the backend by, such as "std".
	Name() string
	// Run runs main as the first task of a new run and returns main's error.
	// A simulated backend also returns an error when the run cannot go on.
	Run(main func() error) error
	Clock
	Tasks
}

// Clock is a backend's notion of time.
type Clock interface {
	// Now is the current time on the backend's clock.
	Now() time.Time
	// AfterFunc calls f once d has passed on the backend's clock. f must not
	// block: on a simulated backend it runs inside the scheduler.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop prevents the call and reports whether it did so before f ran.
	Stop() bool
}

// Tasks is how a backend runs and blocks concurrent tasks.
type Tasks interface {
	// Go starts fn as a new task. name labels it in diagnostics; it is empty
	// when the caller gave none (unless the backend is a TaskNamer).
	Go(name string, fn func())
	// NewWaiter returns a waiter on which the calling task can block.
	NewWaiter() Waiter
	// Yield is a scheduling point that lets other runnable tasks run.
	Yield()
}

// Waiter is a binary semaphore owned by one task: the task blocks in Wait
// until another task (or a timer) calls Wake.
type Waiter interface {
	// Wait blocks until Wake is called, returning nil, or until ctx is done,
	// returning ctx.Err(). A Wake that came before Wait makes it return at
	// once. reason says what the task waits for, for diagnostics. Both may
	// have happened when Wait returns an error, so callers that hand values
	// over settle the outcome under their own lock.
	Wait(ctx context.Context, reason string) error
	// Wake ends the current or next Wait. It never blocks and is safe from
	// any task, timer or goroutine.
	Wake()
}

// Network is implemented by backends that can reach a TCP network.
type Network interface {
	// LookupHost resolves host to its addresses in the resolver's order. An
	// IP literal resolves to itself.
	LookupHost(ctx context.Context, host string) ([]netip.Addr, error)
	// DialTCP connects to remote from local (the zero Addr: any local
	// address). A cancelled ctx abandons the attempt and closes its socket.
	DialTCP(ctx context.Context, local netip.Addr, remote netip.AddrPort) (Conn, error)
	// ListenTCP listens on host and port: host "" is every address and
	// port 0 a free port.
	ListenTCP(ctx context.Context, host string, port int) (Listener, error)
}

// Conn is a connected TCP stream.
type Conn interface {
	// Read reads up to len(p) bytes; io.EOF once the peer sent EOF and all
	// data was read. A cancelled ctx ends it with ctx.Err().
	Read(ctx context.Context, p []byte) (int, error)
	// Write writes all of p or returns an error.
	Write(ctx context.Context, p []byte) (int, error)
	// CloseWrite sends EOF to the peer.
	CloseWrite() error
	// Close releases the connection; later calls return net.ErrClosed.
	Close() error
	// LocalAddr and RemoteAddr are *net.TCPAddr on every backend.
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
}

// Listener accepts TCP connections.
type Listener interface {
	// Accept waits for the next connection; a cancelled ctx ends it.
	Accept(ctx context.Context) (Conn, error)
	// Close stops listening; a pending Accept returns net.ErrClosed.
	Close() error
	// Addr is a *net.TCPAddr.
	Addr() net.Addr
}

// ForeignWatcher is implemented by backends that must learn of the
// cancellation of a context they do not control (one made by
// context.WithCancel, say) at a moment they choose. A simulated backend asks
// such contexts before it moves its clock, so that a cancellation by another
// task counts at once and the run stays deterministic. Portable code watches
// foreign contexts through it when the backend has it, and through
// context.AfterFunc otherwise.
type ForeignWatcher interface {
	// WatchForeign calls f once ctx is done, without locks held. stop
	// undoes it and reports whether it did so before f ran.
	WatchForeign(ctx context.Context, f func()) (stop func() bool)
}

// TaskNamer is implemented by backends that report tasks by name (a
// simulated one, in its deadlock and misuse reports). For them, portable
// code names a task the user left unnamed after its function, which costs
// more than starting the task and so is not done for other backends.
type TaskNamer interface {
	NamesTasks() bool
}
