package explore

import (
	"slices"
	"strconv"

	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Target is the space a strategy searches: one kind of world, and what
// counts as a failing one.
type Target struct {
	Name string
	// Run runs one world whose every choice c makes and returns its
	// trace, or an error when the world could not run to its end. When
	// observe is not nil, Run calls it with every record as it is written
	// (the strategies note how far into the choice stream each record
	// came). The trace may be valid only until the next Run of the same
	// Target (the Targets of this package reuse one log's memory, world
	// after world): a caller that keeps it clones it. A Target runs one
	// world at a time.
	Run func(c sim.Chooser, observe func(*trace.Record)) ([]trace.Record, error)
	// Fails judges a world.
	Fails func(recs []trace.Record, err error) bool
}

// Found is what a search found: the first failing world, or nothing
// within the budget.
type Found struct {
	// Worlds is how many worlds ran, the failing one included; 0 when
	// none failed within the budget.
	Worlds int
	// Choices is the failing world's choice stream: Replay remakes it.
	Choices []uint64
	// Seed is the failing world's seed when the strategy is the seed
	// sweep (`bitsim run NAME --seed` replays it), else 0.
	Seed uint64
	// Records is the failing world's trace.
	Records []trace.Record
	// Ran is how many worlds ran: Worlds when one failed, else the whole
	// budget, or fewer when the search was stopped.
	Ran int
}

// Replay runs the world of a choice stream again and returns its trace
// (a copy of its own).
func Replay(t Target, choices []uint64) ([]trace.Record, error) {
	recs, err := t.Run(NewStream(choices, 0), nil)
	return slices.Clone(recs), err
}

// Strategy is one way of choosing the next world to run.
type Strategy struct {
	Name string
	// Doc says in a sentence how it chooses.
	Doc    string
	search func(t Target, seed uint64, budget int, stop func(int) bool) Found
}

// Search runs at most budget worlds of t, chosen by the strategy from
// seed, and returns the first that fails. The same seed makes the same
// search.
func (s Strategy) Search(t Target, seed uint64, budget int) Found {
	return s.search(t, seed, budget, nil)
}

// SearchUntil is Search that asks stop after every world, with the number
// of worlds run so far, whether to stop early (an interrupted command, a
// time limit); the worlds run until then are the same as Search's.
func (s Strategy) SearchUntil(t Target, seed uint64, budget int, stop func(worlds int) bool) Found {
	return s.search(t, seed, budget, stop)
}

// stopped reports whether the search stops after w worlds.
func stopped(stop func(int) bool, w int) bool { return stop != nil && stop(w) }

// StrategyNamed returns the strategy of Strategies named name ("sweep",
// "pct-3", "mutate", "frontier"); "pct-D" gives PCT(D) for any depth D
// from 1 to 10.
func StrategyNamed(name string) (Strategy, bool) {
	for _, s := range Strategies() {
		if s.Name == name {
			return s, true
		}
	}
	for d := 1; d <= 10; d++ {
		if name == "pct-"+strconv.Itoa(d) {
			return PCT(d), true
		}
	}
	return Strategy{}, false
}

// Strategies returns every strategy, in the order the bug-finding table
// lists them.
func Strategies() []Strategy {
	return []Strategy{Sweep, PCT(3), Mutate, Frontier}
}

// Sweep is the seed sweep of `bitsim sweep`: world k is the one of seed
// seed+k (sim.NewPRNG), so a failure is replayed by its seed.
var Sweep = Strategy{
	Name: "sweep",
	Doc:  "seed after seed, each world drawn afresh (bitsim sweep)",
	search: func(t Target, seed uint64, budget int, stop func(int) bool) Found {
		for k := range budget {
			recs, err := t.Run(sim.NewPRNG(seed+uint64(k)), nil)
			if t.Fails(recs, err) {
				return Found{Worlds: k + 1, Seed: seed + uint64(k), Records: slices.Clone(recs), Ran: k + 1}
			}
			if stopped(stop, k+1) {
				return Found{Ran: k + 1}
			}
		}
		return Found{Ran: budget}
	},
}

// PCT returns the PCT-style strategy of depth d (pct.go): each world cuts
// its choice stream at d−1 random change points into strata with one
// same-instant order and one latency bias each.
func PCT(d int) Strategy {
	return Strategy{
		Name: "pct-" + strconv.Itoa(d),
		Doc:  "priority change points: d−1 random points where the order of same-instant events and the bias of latencies change",
		search: func(t Target, seed uint64, budget int, stop func(int) bool) Found {
			r := splitmix(seed)
			k := 2000 // choices a world makes, learned from the last world
			for w := range budget {
				s := NewStream(nil, r.next())
				s.pct = newPCT(&r, d, k)
				recs, err := t.Run(s, nil)
				if t.Fails(recs, err) {
					return Found{Worlds: w + 1, Choices: slices.Clone(s.Choices()), Records: slices.Clone(recs), Ran: w + 1}
				}
				k = max(s.Pos(), 1)
				if stopped(stop, w+1) {
					return Found{Ran: w + 1}
				}
			}
			return Found{Ran: budget}
		},
	}
}

// run runs one world of s, noting the choice position of every record.
func run(t Target, s *Stream) (recs []trace.Record, pos []int, failed bool) {
	recs, err := t.Run(s, func(*trace.Record) { pos = append(pos, s.Pos()) })
	if pad := len(recs) - len(pos); pad > 0 { // records written before Run could observe
		pos = append(make([]int, pad), pos...)
	}
	return recs, pos, t.Fails(recs, err)
}

// Mutate is feedback-guided mutation of choice streams (P's "Fest"): it
// keeps the streams whose world showed a timeline pair no earlier world
// did (timeline.go), and runs mutants of them — a few choices redrawn, or
// the stream cut and its tail drawn afresh — one world in four fresh.
var Mutate = Strategy{
	Name: "mutate",
	Doc:  "keep the choice streams whose timeline (per job and per user: which event followed which) is new; run their mutants",
	search: func(t Target, seed uint64, budget int, stop func(int) bool) Found {
		r := splitmix(seed)
		tl := newTimeline()
		seen := map[feature]bool{}
		var corpus [][]uint64
		for w := range budget {
			var prefix []uint64
			if len(corpus) > 0 && r.intn(4) != 0 {
				prefix = mutate(&r, corpus[r.intn(len(corpus))])
			}
			s := NewStream(prefix, r.next())
			recs, _, failed := run(t, s)
			if failed {
				return Found{Worlds: w + 1, Choices: slices.Clone(s.Choices()), Records: slices.Clone(recs), Ran: w + 1}
			}
			novel := false
			tl.features(recs, func(f feature, _ int) {
				if !seen[f] {
					seen[f], novel = true, true
				}
			})
			if novel {
				corpus = append(corpus, slices.Clone(s.Choices()))
			}
			if stopped(stop, w+1) {
				return Found{Ran: w + 1}
			}
		}
		return Found{Ran: budget}
	},
}

// mutate returns a mutant of the stream c: one to four choices redrawn,
// or c cut at a random point (its tail is drawn afresh), or both.
func mutate(r *splitmix, c []uint64) []uint64 {
	if len(c) == 0 {
		return nil
	}
	op := r.intn(3)
	m := slices.Clone(c)
	if op != 1 {
		for range 1 + r.intn(4) {
			m[r.intn(len(m))] = r.next()
		}
	}
	if op != 0 {
		m = m[:r.intn(len(m))]
	}
	return m
}

// Frontier branches from the frontier (Antithesis' "sometimes"
// conditions): when a world first shows a timeline pair, the choices made
// up to the record where it showed are a prefix that reaches that rare
// situation; the strategy replays the prefix and draws the rest afresh
// branches times. Two rare situations in a row then cost the sum of
// their rarities, not the product. Newest prefixes go first; one world in
// four is fresh.
var Frontier = Strategy{
	Name: "frontier",
	Doc:  "when a world first reaches a situation (a new timeline pair), replay its choices up to there and draw the rest afresh, many times",
	search: func(t Target, seed uint64, budget int, stop func(int) bool) Found {
		const branches, maxFrontier = 16, 4096
		type branch struct {
			prefix []uint64
			left   int
		}
		r := splitmix(seed)
		tl := newTimeline()
		seen := map[feature]bool{}
		var frontier []branch
		for w := range budget {
			var prefix []uint64
			if n := len(frontier); n > 0 && r.intn(4) != 0 {
				b := &frontier[n-1]
				prefix = b.prefix
				if b.left--; b.left == 0 {
					frontier = frontier[:n-1]
				}
			}
			s := NewStream(prefix, r.next())
			recs, pos, failed := run(t, s)
			if failed {
				return Found{Worlds: w + 1, Choices: slices.Clone(s.Choices()), Records: slices.Clone(recs), Ran: w + 1}
			}
			choices := s.Choices()
			tl.features(recs, func(f feature, at int) {
				if seen[f] {
					return
				}
				seen[f] = true
				if p := pos[at]; p > len(prefix) && len(frontier) < maxFrontier {
					frontier = append(frontier, branch{prefix: slices.Clone(choices[:p]), left: branches})
				}
			})
			if stopped(stop, w+1) {
				return Found{Ran: w + 1}
			}
		}
		return Found{Ran: budget}
	},
}
