package sim

import (
	"fmt"
	"math/bits"
	"math/rand/v2"

	"pgregory.net/rapid"
)

// Chooser is the world's single stream of nondeterministic choices.
//
// Every decision that the model leaves open (the order of events at the same
// instant, latencies, fault timing, which of two allowed outcomes happens) is
// drawn from one Chooser, so a run is a pure function of its choice stream:
// a seed for NewPRNG, or rapid's draws for NewRapid.
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
	p := &prng{ties: seed}
	p.pcg.Seed(seed, prngSeq2)
	return p
}

type prng struct {
	pcg  rand.PCG
	ties uint64 // SplitMix64 state of the tie sequence
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

// rapidTieMax bounds NewRapid's tie keys: small keys keep draws cheap and
// make shrinking land on 0, i.e. FIFO order.
const rapidTieMax = 3

// rapidCacheMax is the largest n whose Intn generator is cached.
const rapidCacheMax = 256

// NewRapid returns a Chooser that draws every choice from t, so rapid
// generates, shrinks and replays the schedule together with the rest of the
// test case. Shrinking moves every choice toward 0: the smallest Intn values
// and tie key 0 (events at one instant fire in FIFO order).
func NewRapid(t *rapid.T) Chooser {
	if t == nil {
		panic("sim: NewRapid(nil)")
	}
	return &rapidChooser{t: t, tie: rapid.IntRange(0, rapidTieMax)}
}

type rapidChooser struct {
	t    *rapid.T
	gens []*rapid.Generator[int] // gens[n] draws from [0, n)
	tie  *rapid.Generator[int]
}

// choicePanic marks a panic raised by rapid inside a draw (its signals for
// invalid or exhausted data while shrinking, or a failed test). Code that
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

// marked re-raises a panic leaving a draw as a choicePanic.
func marked() {
	if p := recover(); p != nil {
		if _, ok := p.(choicePanic); ok {
			panic(p)
		}
		panic(choicePanic{p})
	}
}

func (r *rapidChooser) Intn(n int) int {
	if n < 1 {
		panic(fmt.Sprintf("sim: Intn(%d): n must be >= 1", n))
	}
	defer marked()
	if n == 1 {
		return 0 // nothing to choose: no draw, nothing to shrink
	}
	if n > rapidCacheMax {
		return rapid.IntRange(0, n-1).Draw(r.t, "choice")
	}
	if n >= len(r.gens) {
		gens := make([]*rapid.Generator[int], n+1)
		copy(gens, r.gens)
		r.gens = gens
	}
	g := r.gens[n]
	if g == nil {
		g = rapid.IntRange(0, n-1)
		r.gens[n] = g
	}
	return g.Draw(r.t, "choice")
}

func (r *rapidChooser) Tie() uint32 {
	defer marked()
	return uint32(r.tie.Draw(r.t, "tie"))
}
