//go:build !anyiogen_standalone

package anyiotest

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/check"
)

// keepVisualization moves the linearizability visualization a failed
// check wrote (err is, or wraps, a check.Result) beside the run's trace,
// and rewrites text to name its new place.
func keepVisualization(t *testing.T, err error, text string) string {
	var res check.Result
	if !errors.As(err, &res) || res.Visualization == "" {
		return text
	}
	path, perr := artifactPath(t, ".linearizability.html")
	if perr != nil || os.Rename(res.Visualization, path) != nil {
		return text
	}
	return strings.ReplaceAll(text, res.Visualization, path)
}
