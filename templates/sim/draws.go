package sim

import (
	"math/rand/v2"

	simpick "github.com/anyiogen/anyiogen/templates/sim/pick"
)

// simDraws is every draw a run makes from its seed. Each kind of draw has
// a PCG stream of the seed of its own, so one kind never shifts another:
// a test that adds a Buggify site keeps its schedule. Under a fuzzer
// (SimChoices) every draw takes the input's bytes first, in the order the
// run makes them, so the input decides the faults as well as the schedule.
type simDraws struct {
	seed       uint64                             // the run's seed
	input      *simInput                          // a fuzzer's bytes, or nil
	rng        *rand.Rand                         // the scheduler's choices
	userRng    *rand.Rand                         // seeds the generators of Rand
	buggyRng   *rand.Rand                         // Buggify's draws
	diskRng    *rand.Rand                         // the disks' faults and torn writes
	buggySites map[uintptr]bool                   // Buggify's sites enabled for the run
	sometimes  func(name string, cond bool)       // a test helper's, or nil
	assertions func(kind, name string, cond bool) // likewise
	policy     simpick.Policy                     // how the next task is picked
}

// The streams of a seed, one per kind of draw.
const (
	simStreamSched   = 0x616e79696f73696d
	simStreamRand    = 0x616e79696f72616e
	simStreamBuggify = 0x616e79696f627567
	simStreamNet     = 0x616e79696f6e6574
	simStreamDisk    = 0x616e79696f64736b
)

// simDrawsFrom makes the streams of seed, drawing from input first.
func simDrawsFrom(seed int64, input []byte) simDraws {
	d := simDraws{seed: uint64(seed), buggySites: make(map[uintptr]bool)}
	if len(input) > 0 {
		d.input = &simInput{data: input}
	}
	d.rng = d.stream(simStreamSched)
	d.userRng = d.stream(simStreamRand)
	d.buggyRng = d.stream(simStreamBuggify)
	d.diskRng = d.stream(simStreamDisk)
	return d
}

// stream is the seed's stream of one kind of draw.
func (d *simDraws) stream(kind uint64) *rand.Rand {
	pcg := rand.NewPCG(d.seed, kind)
	if d.input == nil {
		return rand.New(pcg)
	}
	return rand.New(simInputSource{d.input, pcg})
}

// NewRand implements anyiort.Randomness: each generator is seeded from the
// run's seed, on a stream apart from the scheduler's, so drawing numbers
// does not change the schedule.
func (b *simBackend) NewRand() *rand.Rand {
	b.mu.Lock()
	defer b.mu.Unlock()
	return rand.New(rand.NewPCG(b.userRng.Uint64(), b.userRng.Uint64()))
}

// simInput is a fuzzer's input, shared by every stream of a run: each draw
// takes its next bytes while they last.
type simInput struct{ data []byte }

// Byte takes the next byte, if one is left (none of a nil input).
func (in *simInput) Byte() (byte, bool) {
	if in == nil || len(in.data) == 0 {
		return 0, false
	}
	c := in.data[0]
	in.data = in.data[1:]
	return c, true
}

// simInputSource is a rand.Source that draws from the input while it
// lasts, eight bytes a number (fewer at its end), then from pcg.
type simInputSource struct {
	in  *simInput
	pcg *rand.PCG
}

func (s simInputSource) Uint64() uint64 {
	if len(s.in.data) == 0 {
		return s.pcg.Uint64()
	}
	var v uint64
	for range 8 {
		c, ok := s.in.Byte()
		if !ok {
			break
		}
		v = v<<8 | uint64(c)
	}
	return v
}
