package bitsim_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
)

// The bug-finding benchmark (issue 11, item 2; docs/TESTING.md): each
// planted bug — a mutant of internal/mutant, the rare ones re-creating
// bugs that long sweeps found — is searched for with each strategy, and
// the table gives the median number of worlds and seconds to the first
// world whose trace the catalogue rejects. It is slow (minutes), so it
// runs only when asked:
//
//	go test -run TestBugFinding -bugfind -timeout 2h .
var (
	bugfind     = flag.Bool("bugfind", false, "run the bug-finding benchmark (slow) and print its table")
	bugfindOnly = flag.String("bugfind.only", "", "benchmark only the planted bugs whose name contains this")
	bugfindRuns = flag.Int("bugfind.runs", 3, "independent runs per cell; the table shows their median")
)

// plantedBugs are the mutants the benchmark plants, with a name.
var plantedBugs = []struct {
	name string
	set  mutant.Set
}{
	{"LanesSwapped (G32)", mutant.LanesSwapped},
	{"NoRetry (G20)", mutant.NoRetry},
	{"NoRearmLate (G18)", mutant.NoRearmLate},
	{"IgnoreDisable (G3)", mutant.IgnoreDisable},
	{"FTAfterJT (G15)", mutant.FTAfterJT},
	{"JMOnTransferred (G13)", mutant.JMOnTransferred},
	{"DeadClientSuccess (G7)", mutant.DeadClientSuccess},
	{"RetryAfterSuccess (G20)", mutant.RetryAfterSuccess},
	{"NoThrottle (G14)", mutant.NoThrottle},
	{"STAParallel (G34)", mutant.STAParallel},
	{"OwnerContext (G10)", mutant.OwnerContext},
	{"CmdlineNoDelay (G27)", mutant.CmdlineNoDelay},
	{"CapFive (G31)", mutant.CapFive},
	{"JMNoCoalesce (G14)", mutant.JMNoCoalesce},
	{"rare: CmdlineYields (G27)", mutant.CmdlineYields},
	{"rare: CmdlineOKForgotten (G27)", mutant.CmdlineOKForgotten},
	{"rare: StaleQueued (G18)", mutant.StaleQueued},
	{"rare: CmdlineKeepsTakeover (G28)", mutant.CmdlineKeepsTakeover},
	{"rare: FailWhileDisabledIgnored (G26)", mutant.FailWhileDisabledIgnored},
	{"FRTHighLane (G32)", mutant.FRTHighLane},
}

// A search budget per run; a bug not found within it counts as the budget.
// (SlowDelivery is left out: the catalogue alone does not see it, only the
// property's own prompt-delivery check does.)
const (
	sweepBudget = 1_000_000 // worlds; half the CI sweep's depth
	rapidBudget = 100_000
)

// found is one run's result: worlds until the first failure (0 = not found
// within the budget) and the time it took.
type found struct {
	worlds int
	took   time.Duration
}

// sweepFind is the seed sweep (`bitsim sweep`): seeds from start on, one
// swarm-drawn world each.
func sweepFind(set mutant.Set, start uint64) found {
	opts := scheduler.DefaultOptions()
	opts.Mutants = set
	t0 := time.Now()
	for k := 0; k < sweepBudget; k++ {
		res, err := scenarios.RunAdversarial("adversarial", start+uint64(k), opts)
		if err != nil || len(catalogue.Check(res.Records)) > 0 {
			return found{worlds: k + 1, took: time.Since(t0)}
		}
	}
	return found{took: time.Since(t0)}
}

// rapidFind is rapid over the same generator (the properties' strategy,
// untuned): rapid's draws instead of a seeded PRNG, with its bias towards
// small and boundary values.
func rapidFind(set mutant.Set, run int) found {
	opts := scheduler.DefaultOptions()
	opts.Mutants = set
	worlds, first := 0, 0
	t0 := time.Now()
	var took time.Duration
	rec := bitsimtest.NewRecorder(fmt.Sprintf("bugfind-%d-%d", set, run))
	defer os.RemoveAll(filepath.Join("testdata", "rapid", rec.Name()))
	prop := func(t *rapid.T) {
		worlds++
		if first != 0 {
			t.SkipNow() // shrinking: not part of the search
		}
		r := runWorld(t, opts, nil)
		if len(catalogue.Check(r.recs)) > 0 {
			first, took = worlds, time.Since(t0)
			t.Fatal("caught")
		}
	}
	for worlds < rapidBudget && first == 0 {
		rec.Run(func(tb rapid.TB) { rapid.Check(tb, prop) })
	}
	if first == 0 {
		took = time.Since(t0)
	}
	return found{worlds: first, took: took}
}

func median(xs []found) found {
	s := slices.Clone(xs)
	slices.SortFunc(s, func(a, b found) int {
		wa, wb := a.worlds, b.worlds
		if wa == 0 {
			wa = 1 << 62
		}
		if wb == 0 {
			wb = 1 << 62
		}
		return wa - wb
	})
	return s[len(s)/2]
}

func (f found) String(budget int) string {
	if f.worlds == 0 {
		return fmt.Sprintf("> %d (%.0f s)", budget, f.took.Seconds())
	}
	return fmt.Sprintf("%d (%.2f s)", f.worlds, f.took.Seconds())
}

func TestBugFinding(t *testing.T) {
	if !*bugfind {
		t.Skip("the bug-finding benchmark is slow; run it with -bugfind")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| planted bug | seed sweep: worlds (s) | rapid: worlds (s) |\n|---|---|---|\n")
	for _, p := range plantedBugs {
		if !strings.Contains(p.name, *bugfindOnly) {
			continue
		}
		var sw, ra []found
		for run := range *bugfindRuns {
			sw = append(sw, sweepFind(p.set, uint64(run)*100_000_000))
			ra = append(ra, rapidFind(p.set, run))
		}
		line := fmt.Sprintf("| %s | %s | %s |", p.name, median(sw).String(sweepBudget), median(ra).String(rapidBudget))
		t.Log(line)
		fmt.Fprintln(&b, line)
	}
	t.Logf("median of %d runs per cell, worlds to the first failing one:\n%s", *bugfindRuns, b.String())
}
