//go:build race

package grpchealth

// raceDetector is whether the test binary was built with -race, whose Go
// scheduler shuffles its run queues on purpose.
const raceDetector = true
