package explore

import (
	"fmt"
	"math/bits"

	"github.com/bitsim/bitsim/sim"
)

// Stream is a sim.Chooser that records every choice a world makes, so a
// world can be replayed, cut and mutated: the choice stream is the world.
// It answers from its prefix first (a value recorded with another bound
// is folded into the new one), then from its own generator.
//
// Intn and Tie draws share one sequence, in the order the world asks.
type Stream struct {
	prefix []uint64
	rec    []uint64
	rng    splitmix
	pct    *pct // PCT tie and latency strata, nil for plain draws
}

// NewStream returns a Stream that replays prefix (it is not modified) and
// then draws from a generator seeded with seed.
func NewStream(prefix []uint64, seed uint64) *Stream {
	return &Stream{prefix: prefix, rec: make([]uint64, 0, max(len(prefix), 256)), rng: splitmix(seed)}
}

var _ sim.Chooser = (*Stream)(nil)

// next is the raw value of the next choice: replayed or fresh.
func (s *Stream) next() (v uint64, replayed bool) {
	if i := len(s.rec); i < len(s.prefix) {
		return s.prefix[i], true
	}
	return s.rng.next(), false
}

// Intn implements sim.Chooser.
func (s *Stream) Intn(n int) int {
	if n < 1 {
		panic(fmt.Sprintf("explore: Intn(%d): n must be >= 1", n))
	}
	v, replayed := s.next()
	if !replayed && s.pct != nil {
		v = s.pct.latency(v, n, len(s.rec))
	}
	hi, _ := bits.Mul64(v, uint64(n)) // a fresh or replayed 64-bit value mapped into [0, n)
	s.rec = append(s.rec, v)
	return int(hi)
}

// Tie implements sim.Chooser.
func (s *Stream) Tie() uint32 {
	v, replayed := s.next()
	if !replayed && s.pct != nil {
		v = s.pct.tie(len(s.rec))
	}
	s.rec = append(s.rec, v)
	return uint32(v >> 32)
}

// Pos is the number of choices made so far: the position of the next one.
func (s *Stream) Pos() int { return len(s.rec) }

// Choices returns the choices made so far. Replaying them (NewStream(c,
// any seed)) remakes the same world. The slice is the Stream's own.
func (s *Stream) Choices() []uint64 { return s.rec }

// splitmix is a SplitMix64 generator: 64-bit arithmetic only, so the same
// seed draws the same values on every GOARCH.
type splitmix uint64

func (r *splitmix) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// intn draws from [0, n) for the strategies' own decisions.
func (r *splitmix) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}
