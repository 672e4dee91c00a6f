package bitsim_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/explore"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
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
	bugfindOnly = flag.String("bugfind.only", "", "benchmark only the planted bugs whose name contains this (!this: whose name does not)")
	bugfindRuns = flag.Int("bugfind.runs", 3, "independent runs per cell; the table shows their median")
	bugfindCols = flag.String("bugfind.columns", "", "measure only the columns whose name contains this (sweep, rapid, pct-3, mutate, frontier, fuzzer, aimed-cmdline, aimed-slots)")
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
	{"rare: UnregisterQuiet (G28)", mutant.UnregisterQuiet},
	{"FRTHighLane (G32)", mutant.FRTHighLane},
	{"rare: StaleJEBeforeFT (G15)", mutant.StaleJEBeforeFT},
	{"rare: StaleEntryQueued (G18)", mutant.StaleEntryQueued},
	{"rare: QueuedLowOnly (G32)", mutant.QueuedLowOnly},
	{"NetworkBackIgnored (G44)", mutant.NetworkBackIgnored},
}

// A search budget per run, in worlds; a bug not found within it counts as
// the budget. (SlowDelivery is left out: the catalogue alone does not see
// it, only the property's own prompt-delivery check does.)
var (
	searchBudget = flag.Int("bugfind.budget", 300_000, "worlds per search before a cell says not found")
	rapidBudget  = 100_000
	bugfindFuzz  = flag.Duration("bugfind.fuzz", 0, "also measure the native fuzzer (go test -fuzz FuzzAdversarialWorld) for up to this long per bug")
)

// found is one run's result: worlds until the first failure (0 = not found
// within the budget) and the time it took.
type found struct {
	worlds int
	took   time.Duration
}

// column is one way of searching: a strategy of package explore over a
// target, or rapid, or the native fuzzer.
type column struct {
	name string
	find func(set mutant.Set, run int) found
}

func exploreColumn(s explore.Strategy, target func(scheduler.Options) explore.Target) column {
	name := s.Name
	if tg := target(scheduler.DefaultOptions()); tg.Name != "adversarial" {
		name += " on " + tg.Name
	}
	return column{name: name, find: func(set mutant.Set, run int) found {
		opts := scheduler.DefaultOptions()
		opts.Mutants = set
		t0 := time.Now()
		f := s.Search(target(opts), uint64(run)*100_000_000, *searchBudget)
		return found{worlds: f.Worlds, took: time.Since(t0)}
	}}
}

func aimed(a scenarios.Aim) func(scheduler.Options) explore.Target {
	return func(o scheduler.Options) explore.Target { return explore.Aimed(a, o) }
}

func columns() []column {
	cs := []column{}
	for _, s := range explore.Strategies() {
		cs = append(cs, exploreColumn(s, explore.Adversarial))
		if s.Name == "sweep" {
			cs = append(cs, column{name: "rapid", find: rapidFind})
		}
	}
	if *bugfindFuzz > 0 {
		cs = append(cs, column{name: "native fuzzer", find: fuzzFind})
	}
	for _, s := range explore.Strategies() {
		cs = append(cs, exploreColumn(s, aimed(scenarios.AimCmdline)))
	}
	for _, s := range explore.Strategies()[:2] {
		cs = append(cs, exploreColumn(s, aimed(scenarios.AimSlots)))
	}
	return cs
}

// portfolio is what CI runs for every planted bug (TestEveryPlantedBugIsFound):
// searches tried in turn, cheapest first, each with its own budget, until
// one finds the bug. The budgets are what the bug-finding table shows the
// searches need, with room to spare.
var portfolio = []struct {
	strategy explore.Strategy
	target   func(scheduler.Options) explore.Target
	budget   int
}{
	{explore.Sweep, explore.Adversarial, 2_000},
	{explore.Sweep, aimed(scenarios.AimSlots), 2_000},
	{explore.PCT(3), aimed(scenarios.AimCmdline), 60_000},
	{explore.Mutate, aimed(scenarios.AimCmdline), 90_000},
	{explore.Frontier, aimed(scenarios.AimSlots), 60_000},
	{explore.PCT(3), aimed(scenarios.AimSlots), 10_000},
}

// Every planted bug — the common mutants and the rare re-creations of what
// long sweeps found — is found by CI's portfolio (issue 11: "every planted
// bug is found in CI"). It takes two to four minutes here, most of it on
// the rarest bugs, which run several searches of the portfolio in full
// before one finds them.
func TestEveryPlantedBugIsFound(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the portfolio runs up to 224,000 worlds per planted bug")
	}
	for _, p := range plantedBugs {
		t.Run(p.name, func(t *testing.T) {
			opts := scheduler.DefaultOptions()
			opts.Mutants = p.set
			for _, s := range portfolio {
				tg := s.target(opts)
				if f := s.strategy.Search(tg, 0, s.budget); f.Worlds > 0 {
					t.Logf("found by %s on %s in %d worlds", s.strategy.Name, tg.Name, f.Worlds)
					// The planted bug must be the cause: the correct
					// dispatcher passes the same world.
					good := s.target(scheduler.DefaultOptions())
					var recs []trace.Record
					var err error
					if s.strategy.Name == "sweep" {
						recs, err = good.Run(sim.NewPRNG(f.Seed), nil)
					} else {
						recs, err = explore.Replay(good, f.Choices)
					}
					if good.Fails(recs, err) {
						t.Errorf("the world %s found fails without the planted bug too — a bug of the dispatcher or the catalogue: %v",
							s.strategy.Name, catalogue.Check(recs))
					}
					return
				}
			}
			t.Errorf("no search of the portfolio found %s", p.name)
		})
	}
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
	name := fmt.Sprintf("bugfind-%d-%d", set, run)
	defer os.RemoveAll(filepath.Join("testdata", "rapid", name))
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
		rec := bitsimtest.NewRecorder(name) // a fresh TB each round: rapid refuses one that failed
		rec.Run(func(tb rapid.TB) { rapid.Check(tb, prop) })
		if rec.Failed() && first == 0 {
			// The world itself failed (runWorld: it ended with a limit
			// error) before the catalogue judged it: the bug broke it.
			first, took = worlds, time.Since(t0)
		}
	}
	if first == 0 {
		took = time.Since(t0)
	}
	return found{worlds: first, took: took}
}

// fuzzFind runs the native fuzz target with the bug planted (its
// -bugfind.mutant flag) in a child `go test -fuzz`, and reads the number
// of executions from the fuzzer's last status line.
func fuzzFind(set mutant.Set, _ int) found {
	dir, err := os.MkdirTemp("", "bugfind-fuzz")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	crashers := filepath.Join("testdata", "fuzz", "FuzzAdversarialWorld")
	before, _ := os.ReadDir(crashers)
	cmd := exec.Command("go", "test", "-run", "^$", "-fuzz", "^FuzzAdversarialWorld$", "-fuzztime", bugfindFuzz.String(),
		".", "-test.fuzzcachedir", dir, "-bugfind.mutant", fmt.Sprint(uint32(set)))
	out, err := cmd.CombinedOutput()
	after, _ := os.ReadDir(crashers)
	for _, e := range after { // the planted bug's crasher is not a regression of the real dispatcher
		if !slices.ContainsFunc(before, func(b os.DirEntry) bool { return b.Name() == e.Name() }) {
			os.Remove(filepath.Join(crashers, e.Name()))
		}
	}
	took := time.Since(t0)
	execs := 0
	for _, m := range execsRE.FindAllSubmatch(out, -1) {
		execs, _ = strconv.Atoi(string(m[1]))
	}
	if err == nil || !strings.Contains(string(out), "--- FAIL") {
		return found{took: took}
	}
	// The failing input is the last executed: count it, at least one.
	return found{worlds: max(execs, 1), took: took}
}

var execsRE = regexp.MustCompile(`execs: (\d+)`)

// bugfindMutant plants a bug in FuzzAdversarialWorld (fuzzFind's child).
var bugfindMutant = flag.Uint("bugfind.mutant", 0, "plant this mutant.Set in FuzzAdversarialWorld (the bug-finding benchmark's fuzzer column)")

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
	cs := slices.DeleteFunc(columns(), func(c column) bool { return !strings.Contains(c.name, *bugfindCols) })
	var b strings.Builder
	b.WriteString("| planted bug |")
	for _, c := range cs {
		b.WriteString(" " + c.name + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(cs)) + "\n")
	for _, p := range plantedBugs {
		if only, not := strings.CutPrefix(*bugfindOnly, "!"); strings.Contains(p.name, only) == not {
			continue
		}
		line := "| " + p.name + " |"
		for _, c := range cs {
			var rs []found
			for run := range *bugfindRuns {
				rs = append(rs, c.find(p.set, run))
			}
			budget := *searchBudget
			if c.name == "rapid" {
				budget = rapidBudget
			}
			if m := median(rs); c.name == "native fuzzer" && m.worlds == 0 {
				line += fmt.Sprintf(" not in %v |", *bugfindFuzz) // its budget is time
			} else {
				line += " " + m.String(budget) + " |"
			}
		}
		t.Log(line)
		fmt.Fprintln(&b, line)
	}
	t.Logf("median of %d runs per cell, worlds to the first failing one:\n%s", *bugfindRuns, b.String())
}
