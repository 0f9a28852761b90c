//go:build anyiogen_standalone

package anyiotest

import "testing"

// keepVisualization leaves text as it is: a -standalone helper does not
// know package check, so a visualization stays where check wrote it.
func keepVisualization(t *testing.T, err error, text string) string { return text }
