package anyiort

// RunOption configures a run; the generated package's Run applies each.
type RunOption func(*RunConfig)

// RunConfig is what the options of one Run set.
type RunConfig struct {
	// Backend is the selected backend's name; empty means the default.
	Backend string
	// ForRun is true when the backend is built for a Run, false for the
	// backend of the contexts that no Run made: a backend may keep per-run
	// books (its tasks, for WaitAllTasksBlocked) only in the former.
	ForRun bool
	values map[any]any
}

// Set records a backend-specific setting under key.
func (c *RunConfig) Set(key, value any) {
	if c.values == nil {
		c.values = make(map[any]any)
	}
	c.values[key] = value
}

// Value returns the setting recorded under key, or nil.
func (c *RunConfig) Value(key any) any { return c.values[key] }

// NewBackend is how a generated package builds a backend for a run.
type NewBackend func(cfg *RunConfig) (Backend, error)
