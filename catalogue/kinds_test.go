package catalogue_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// The kind index (a rule is called only for the kinds of record it looks
// at) judges exactly as calling every rule for every record: on any trace
// at all, on the clean and broken traces of every rule's cases (each
// breaks its rule), and on real runs of the simulator with each of its
// mutants planted. A kind missing from a rule's list loses a violation
// here (TestKindIndexCatchesAMissingKind).
func TestKindIndexJudgesAlike(t *testing.T) {
	every := func(recs []trace.Record) []catalogue.Violation {
		c := catalogue.NewCheckerEveryRecord()
		for i := range recs {
			c.Add(&recs[i])
		}
		return c.Finish()
	}
	rapid.Check(t, func(t *rapid.T) {
		recs := anyTrace(t)
		require.Equal(t, every(recs), catalogue.Check(recs))
	})

	broken := map[string]int{}
	for _, c := range ruleCases() {
		clean := c.clean()
		require.Equal(t, every(clean), catalogue.Check(clean), "%s/%s clean", c.rule, c.name)
		recs, _ := c.broken()
		want := every(recs)
		require.Equal(t, want, catalogue.Check(recs), "%s/%s broken", c.rule, c.name)
		for _, v := range want {
			broken[v.Rule]++
		}
	}
	// Every mutant, in the fault worlds and the worlds aimed at the command
	// line, seeds 0–2 (some mutants' storms run a world to ten million
	// records — FTAfterJT in the slot-aimed worlds, or in fault world 3 —
	// too slow for a unit test).
	for m := mutant.Set(1); m <= mutant.QueuedLowOnly; m <<= 1 {
		opts := scheduler.DefaultOptions()
		opts.Mutants = m
		for seed := range uint64(3) {
			var runs []scenarios.Result
			if res, _, err := scenarios.RunFaults(seed, opts); err == nil {
				runs = append(runs, res)
			}
			if res, err := scenarios.RunAimed(scenarios.AimCmdline, seed, opts); err == nil {
				runs = append(runs, res)
			}
			for _, res := range runs {
				recs := res.Records
				want := every(recs)
				require.Equal(t, want, catalogue.Check(recs), "mutant %d, seed %d", m, seed)
				for _, v := range want {
					broken[v.Rule]++
				}
			}
		}
	}
	// The comparison proves something only where rules were broken.
	assert.Len(t, broken, len(catalogue.All()), "every rule broken somewhere: %v", broken)
}
