// Package rapidsim is the test-only half of sim's choice stream: a
// sim.Chooser that draws every choice from a rapid.T, so rapid generates,
// shrinks and replays a world's schedule together with the rest of the test
// case.
//
// It lives apart from sim so that a program importing sim (or bitsim, or
// scheduler) links neither testing nor pgregory.net/rapid: only tests and
// test harnesses (bitsimtest) import rapidsim.
//
//	rapid.Check(t, func(rt *rapid.T) {
//		w := sim.NewWorld(rapidsim.New(rt), sim.Limits{MaxTime: time.Hour})
//		...
//	})
//
// rapid signals invalid or exhausted data and failed tests by panicking
// inside a draw; every draw marks such a panic (sim.MarkChoicePanics) so code
// that contains panics lets it through (sim.IsChoicePanic) and the kernel
// hands rapid its own value back (sim.Unwrap).
package rapidsim

import (
	"fmt"

	"github.com/bitsim/bitsim/sim"
	"pgregory.net/rapid"
)

// tieMax bounds New's tie keys: small keys keep draws cheap and make
// shrinking land on 0, i.e. FIFO order.
const tieMax = 3

// cacheMax is the largest n whose Intn generator is cached.
const cacheMax = 256

// New returns a sim.Chooser that draws every choice from t. Shrinking moves
// every choice toward 0: the smallest Intn values and tie key 0 (events at
// one instant fire in FIFO order). It panics if t is nil.
func New(t *rapid.T) sim.Chooser {
	if t == nil {
		panic("rapidsim: New(nil)")
	}
	return &chooser{t: t, tie: rapid.IntRange(0, tieMax)}
}

type chooser struct {
	t    *rapid.T
	gens []*rapid.Generator[int] // gens[n] draws from [0, n)
	tie  *rapid.Generator[int]
}

func (r *chooser) Intn(n int) int {
	if n < 1 {
		panic(fmt.Sprintf("sim: Intn(%d): n must be >= 1", n))
	}
	defer sim.MarkChoicePanics()
	if n == 1 {
		return 0 // nothing to choose: no draw, nothing to shrink
	}
	if n > cacheMax {
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

func (r *chooser) Tie() uint32 {
	defer sim.MarkChoicePanics()
	return uint32(r.tie.Draw(r.t, "tie"))
}
