package explore

import (
	"math/bits"
	"slices"
)

// pct holds the priority change points of one PCT-style world (Burckhardt
// et al., "A Randomized Scheduler with Probabilistic Guarantees of Finding
// Bugs", ASPLOS 2010; Coyote's and shuttle's PCT schedulers). PCT runs the
// enabled thread of highest priority and, at d−1 change points drawn at
// random among the run's k steps, lowers the running thread's priority:
// a bug that needs d ordering constraints is hit with probability at
// least 1/(n·k^(d−1)).
//
// A bitsim world has no threads to pick among, only same-instant events
// whose order the tie keys set, and latencies the choice stream draws.
// So the change points cut the run's choices into d strata:
//   - within a stratum every tie key is the same, so same-instant events
//     fire in the order they were scheduled (the deterministic schedule
//     PCT runs between its change points);
//   - each stratum's keys are lower than the previous one's, so an event
//     scheduled after a change point goes before every same-instant event
//     scheduled before it (the change point "lowers the priority" of what
//     was pending);
//   - each stratum draws its latencies and counts with a bias of its own:
//     uniform, towards the small end, or towards the large end (a callback
//     that returns at once, or one that holds its slot for long), so the
//     interleavings of slow and fast actors change at the change points too.
type pct struct {
	changes []int // choice positions where a new stratum starts, ascending
	biases  []int // per stratum: 0 uniform, 1 small, 2 large
}

// newPCT draws d−1 change points among the first k choices and a bias
// for each of the d strata.
func newPCT(r *splitmix, d, k int) *pct {
	p := &pct{biases: make([]int, d)}
	for range d - 1 {
		p.changes = append(p.changes, r.intn(max(k, 1)))
	}
	slices.Sort(p.changes)
	for i := range p.biases {
		p.biases[i] = r.intn(3)
	}
	return p
}

// stratum is the index of the stratum the choice at pos falls in.
func (p *pct) stratum(pos int) int {
	s := 0
	for s < len(p.changes) && p.changes[s] <= pos {
		s++
	}
	return s
}

// tie is the raw choice of a tie key at pos: the same for a whole stratum,
// lower in every later one (Tie uses the high 32 bits).
func (p *pct) tie(pos int) uint64 {
	return uint64(len(p.changes)-p.stratum(pos)+1) << 60
}

// latency biases a fresh raw choice v at pos by its stratum's bias.
func (p *pct) latency(v uint64, _ int, pos int) uint64 {
	hi, _ := bits.Mul64(v, v)
	switch p.biases[p.stratum(pos)] {
	case 1:
		return hi // u² leans towards 0
	case 2:
		return ^hi // 1−u² leans towards the top
	}
	return v
}
