package catalogue

import (
	"slices"

	"github.com/bitsim/bitsim/trace"
)

// A kindIndex lists, for each kind of record, the positions (in a
// Checker's cs) of the checkers that look at records of that kind, in
// order. Most rules judge one or two kinds — a call.begin, the run.end —
// and return at once for the rest, while most records of a run are
// progress, modifications and call ends: calling every rule for every
// record cost a harness world about 12 % of its time (docs/PERFORMANCE.md).
// A rule's kinds are its ruleDef.on; TestKindIndexJudgesAlike holds them
// to what its judge does.
type kindIndex [256][]int32

// allKinds is the index of every rule, in catalogue order (NewChecker):
// built once, shared by every Checker.
var allKinds = indexKinds(rules)

// indexKinds returns the index of the checkers of rs, in that order.
func indexKinds(rs []Rule) *kindIndex {
	var x kindIndex
	for ev := range x {
		for i, r := range rs {
			if r.on == nil || slices.Contains(r.on, trace.Ev(ev)) {
				x[ev] = append(x[ev], int32(i))
			}
		}
	}
	return &x
}
