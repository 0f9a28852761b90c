package anyiotest

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// The -anyio.* flags. Every copy of this package registers them under the
// same names unless another copy in the binary already did, and reads them
// through the flag package, so copies share one set.
func init() {
	define := func(name, value, usage string) {
		if flag.Lookup(name) == nil {
			flag.String(name, value, usage)
		}
	}
	define("anyio.seed", "", "Seeds runs only this sim seed")
	define("anyio.shard", "", "I/N: Seeds runs only the seeds s with s%N == I, so that a CI matrix can split a long sweep")
	define("anyio.sched", "random", "the sim scheduler: random, or pct:D for PCT of depth D")
	define("anyio.assertions", "", "strict: a Seeds sweep also fails for each Reachable no run reached and each Sometimes no run executed, of the names any sweep of the test binary met")
	if flag.Lookup("anyio.checkdeterminism") == nil {
		flag.Bool("anyio.checkdeterminism", false, "Seeds runs each seed twice and fails at the first event where the two runs differ")
	}
}

// flagValue is the flag's value as given, or "" when no copy defined it.
func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// sweepFlags are the flags that shape a Seeds sweep.
type sweepFlags struct {
	seed        int64 // -1: every seed
	shard, of   int64 // run seeds with seed%of == shard; of 1 when not sharding
	sched       string
	determinism bool
	strict      bool // -anyio.assertions=strict
}

// readSweepFlags parses the flags, or says which one is wrong and why.
func readSweepFlags() (sweepFlags, error) {
	f := sweepFlags{seed: -1, of: 1, sched: flagValue("anyio.sched")}
	if s := flagValue("anyio.seed"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return f, fmt.Errorf("-anyio.seed=%s: want a seed, a whole number of at least 0", s)
		}
		f.seed = n
	}
	if s := flagValue("anyio.shard"); s != "" {
		i, n, ok := strings.Cut(s, "/")
		shard, err1 := strconv.ParseInt(i, 10, 64)
		of, err2 := strconv.ParseInt(n, 10, 64)
		if !ok || err1 != nil || err2 != nil || of < 1 || shard < 0 || shard >= of {
			return f, fmt.Errorf("-anyio.shard=%s: want I/N with 0 <= I < N, such as 0/4", s)
		}
		f.shard, f.of = shard, of
	}
	if f.sched == "" {
		f.sched = "random"
	}
	f.determinism = flagValue("anyio.checkdeterminism") == "true"
	switch s := flagValue("anyio.assertions"); s {
	case "", "strict":
		f.strict = s == "strict"
	default:
		return f, fmt.Errorf("-anyio.assertions=%s: want strict, or nothing", s)
	}
	return f, nil
}
