// Package anyiort is the runtime shared by every package that anyiogen
// generates.
//
// Two libraries that each vendor a generated copy of the portable API still
// interoperate, because what must be identical lives here and nowhere else:
// the error sentinels (so errors.Is works across copies), the key under which
// a backend travels in a context.Context (so a context made by one copy's Run
// drives the other copy's primitives), and the contract a backend implements
// (so either copy's primitives can run on either copy's backend).
//
// The package imports only the standard library and is kept small on purpose:
// everything that can differ between copies belongs in the generated code.
// Its name is not "runtime" so that generated files can import it beside the
// standard library's runtime package without renaming.
package anyiort

// Version1 is referenced by every generated package. A generated package
// compiled against a runtime that no longer provides this contract fails to
// build with an error naming this constant, rather than misbehaving.
const Version1 = 1

// Version2 adds task identity (Task, TaskInfo, Run), ErrRunFinished,
// ErrIncompleteRead, ErrDelimiterNotFound and the optional backend
// contracts TaskStarter, TaskTracker, OneAtATime, QuiescenceWaiter,
// Randomness, Threads, UDPNetwork and Buggifier. Every package generated
// since references it.
const Version2 = 2

// Version3 adds ErrHostCrashed, SharedClock, for a simulated run inside a
// testing/synctest bubble, and the stall watch (RegisterStall, WatchStalls) through which a
// test helper outside the bubble reports a run blocked where the bubble
// cannot see. Every package generated since references it.
const Version3 = 3

// Version4 adds ErrIO, ErrNoSpace, the optional backend contracts
// FileSystem (with its File), Signals (with its SignalSource),
// UnixNetwork, Processes (with ProcessConfig, Proc and Pipe) and
// AssertionRecorder, AssertionsKey, and the registry of bubbles that host
// a simulated run (BubbleID, RegisterBubbleRun, InSimulatedBubble), and
// what hosts goroutines a run did not start (Adopter, SetBubbleWait,
// BubbleWait, HoldOneProcessor, NoteRunAdopted, LastRunAdopted,
// GoroutineID, GoroutineIDIsCheap). Every package generated since
// references it.
const Version4 = 4
