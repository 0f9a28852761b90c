package core

// Unbounded is the size of what has no limit: a memory object stream's
// buffer, a CapacityLimiter's tokens.
const Unbounded = -1
