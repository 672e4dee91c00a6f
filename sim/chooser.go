package sim

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// Chooser is the world's single stream of nondeterministic choices.
//
// Every decision that the model leaves open (the order of events at the same
// instant, latencies, fault timing, which of two allowed outcomes happens) is
// drawn from one Chooser, so a run is a pure function of its choice stream:
// a seed for NewPRNG, or a property-testing library's draws
// (rapidsim.New, in the test-only package sim/rapidsim).
type Chooser interface {
	// Intn returns a choice in [0, n). n must be >= 1.
	Intn(n int) int
	// Tie returns the tie-break key of an event being scheduled: among events
	// at the same instant and of the same class, the lower key fires first
	// (equal keys fire in scheduling order).
	Tie() uint32
}

// prngSeq2 is the fixed PCG stream selector; the user's seed picks the state.
const prngSeq2 = 0x9e3779b97f4a7c15

// NewPRNG returns a Chooser seeded with seed: Intn draws from a PCG
// generator (math/rand/v2), Tie from a SplitMix64 sequence of its own (one
// addition and two multiplications: a tie is drawn for every event
// scheduled, so it is the kernel's most frequent choice). It uses no global
// state, and its choices are identical on every GOARCH: they are computed
// with 64-bit arithmetic only.
func NewPRNG(seed uint64) Chooser {
	p := &prng{ties: seed, seed: seed}
	p.pcg.Seed(seed, prngSeq2)
	return p
}

// SeedOf returns the seed c was made from, when c is a NewPRNG Chooser: a
// world that is handed a Chooser can still write its seed into its trace.
func SeedOf(c Chooser) (seed uint64, ok bool) {
	if p, ok := c.(*prng); ok {
		return p.seed, true
	}
	return 0, false
}

type prng struct {
	pcg  rand.PCG
	ties uint64 // SplitMix64 state of the tie sequence
	seed uint64 // NewPRNG's argument (SeedOf)
}

func (p *prng) Intn(n int) int {
	if n < 1 {
		panic(fmt.Sprintf("sim: Intn(%d): n must be >= 1", n))
	}
	// Lemire's nearly divisionless method, unbiased.
	bound := uint64(n)
	hi, lo := bits.Mul64(p.pcg.Uint64(), bound)
	if lo < bound {
		thresh := -bound % bound
		for lo < thresh {
			hi, lo = bits.Mul64(p.pcg.Uint64(), bound)
		}
	}
	return int(hi)
}

func (p *prng) Tie() uint32 {
	p.ties += 0x9e3779b97f4a7c15
	z := p.ties
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return uint32((z ^ z>>31) >> 32)
}

// choicePanic marks a panic raised by the choice stream inside a draw
// (rapid's signals for invalid or exhausted data while shrinking, or a
// failed test; see MarkChoicePanics). Code that
// contains panics — the scheduler turns a callback's panic into
// RPC_E_SERVERFAULT — must let these through (IsChoicePanic), and the
// kernel hands rapid its own value back (Unwrap) so rapid recognises it.
type choicePanic struct{ v any }

// IsChoicePanic reports whether r is a panic raised by the choice stream
// itself; a recover that contains panics must re-panic it.
func IsChoicePanic(r any) bool {
	_, ok := r.(choicePanic)
	return ok
}

// Unwrap returns the original value of a choice-stream panic, and any
// other value unchanged.
func Unwrap(r any) any {
	if c, ok := r.(choicePanic); ok {
		return c.v
	}
	return r
}

// MarkChoicePanics re-raises a panic leaving a choice draw as a choice-stream
// panic (see IsChoicePanic). A Chooser whose draws can panic by design (a
// property-testing library's signals, as sim/rapidsim's) defers it directly
// at the top of Intn and Tie:
//
//	func (c *myChooser) Intn(n int) int {
//		defer sim.MarkChoicePanics()
//		...
//	}
//
// It must be the deferred function itself (recover works only there).
func MarkChoicePanics() {
	if p := recover(); p != nil {
		if _, ok := p.(choicePanic); ok {
			panic(p)
		}
		panic(choicePanic{p})
	}
}
