package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bitsim/bitsim/explore"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// maxSearchBudget bounds --budget: about four hours of the smallest worlds.
const maxSearchBudget = 100_000_000

// search is "bitsim search NAME": a search strategy of package explore
// runs worlds of a generator until one breaks a rule, and the failing
// world's trace and choice stream are kept; --replay runs a kept stream
// again.
func (a *app) search(args []string) int {
	c := newCommand("search", "NAME [--strategy S] [--budget N] [--seed N] [--out FILE] [--choices FILE] | --replay FILE [--out FILE]")
	strategy := c.flags.String("strategy", "pct-3", "the search `strategy`: sweep, pct-D (D change points plus one), mutate or frontier (docs/TESTING.md compares them)")
	budget := c.flags.Int("budget", 100_000, "run at most `N` worlds")
	seed := c.flags.Uint64("seed", 1, "the search's `seed` (the same seed makes the same search)")
	out := c.flags.String("out", "", "write the failing world's trace (format v1) to `FILE`")
	choicesOut := c.flags.String("choices", "", "write the failing world's choice stream to `FILE` (bitsim search --replay FILE runs it again)")
	replay := c.flags.String("replay", "", "run the world of the choices `FILE` instead of searching")
	pos, code, ok := a.parseOrFail(c, args)
	if !ok {
		return code
	}
	if *replay != "" {
		return a.replayChoices(c, pos, *replay, *out)
	}
	if len(pos) != 1 {
		return a.fail(c.name, "want one world name (%s), got %d arguments", strings.Join(explore.TargetNames, ", "), len(pos))
	}
	target, found := a.target(pos[0])
	if !found {
		return a.fail(c.name, "cannot search %s: want one of %s", quote(pos[0]), strings.Join(explore.TargetNames, ", "))
	}
	st, found := explore.StrategyNamed(*strategy)
	if !found {
		return a.fail(c.name, "unknown --strategy %s (want sweep, pct-1 … pct-10, mutate or frontier)", quote(*strategy))
	}
	if *budget < 1 || *budget > maxSearchBudget {
		return a.fail(c.name, "--budget %d: want 1 to %d", *budget, maxSearchBudget)
	}
	if *choicesOut != "" && st.Name == "sweep" {
		return a.fail(c.name, "--choices: the sweep's worlds are replayed by their seed (bitsim run NAME --seed N), not by a choice stream")
	}
	// Open the outputs first, so an unwritable path fails before the work.
	traceW, finishTrace, err := a.optionalOutput(*out)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	choicesW, finishChoices, err := a.optionalOutput(*choicesOut)
	if err != nil {
		finishTrace(false)
		return a.fail(c.name, "%v", err)
	}

	sigs, stopSignals := a.signals()
	defer stopSignals()
	var caught os.Signal // asked after each world: the search runs on this goroutine
	f := st.SearchUntil(target, *seed, *budget, func(int) bool {
		select {
		case caught = <-sigs:
		default:
		}
		return caught != nil
	})
	head := fmt.Sprintf("search %s --strategy %s --seed %d", target.Name, st.Name, *seed)
	if f.Worlds == 0 {
		finishTrace(false)
		finishChoices(false)
		if caught != nil {
			fmt.Fprintf(a.stdout, "%s: stopped by %v after %d worlds, none failing\n", head, caught, f.Ran)
			return exitCodeFor(caught)
		}
		fmt.Fprintf(a.stdout, "%s: %d worlds, none failing\n", head, f.Ran)
		return exitOK
	}
	fmt.Fprintf(a.stdout, "%s: world %d fails\n", head, f.Worlds)
	a.printViolations(f.Records)
	if st.Name == "sweep" {
		fmt.Fprintf(a.stdout, "  repro: bitsim run %s --seed %d --format text\n", target.Name, f.Seed)
	}
	if choicesW != nil {
		if err := explore.WriteChoices(choicesW, target.Name, f.Choices); err != nil || finishChoices(true) != nil {
			finishChoices(false)
			finishTrace(false)
			return a.fail(c.name, "writing --choices: %v", err)
		}
		fmt.Fprintf(a.stdout, "  choices: %s (bitsim search --replay %s)\n", *choicesOut, *choicesOut)
	}
	if traceW != nil {
		if err := trace.Encode(traceW, f.Records); err != nil || finishTrace(true) != nil {
			finishTrace(false)
			return a.fail(c.name, "writing --out: %v", err)
		}
		fmt.Fprintf(a.stdout, "  trace: %s (bitsim render %s)\n", *out, *out)
	}
	return exitFound
}

// replayChoices is "bitsim search --replay FILE": the world of a kept
// choice stream, judged again.
func (a *app) replayChoices(c *command, pos []string, path, out string) int {
	fh, err := os.Open(path)
	if err != nil {
		return a.fail(c.name, "--replay: %v", err)
	}
	name, choices, err := explore.ReadChoices(fh)
	fh.Close()
	if err != nil {
		return a.fail(c.name, "--replay %s: %v", path, err)
	}
	if len(pos) > 1 || len(pos) == 1 && pos[0] != name {
		return a.fail(c.name, "--replay %s holds a world of %s, not %s", path, quote(name), quote(strings.Join(pos, " ")))
	}
	target, found := a.target(name)
	if !found {
		return a.fail(c.name, "--replay %s: unknown world %s (want one of %s)", path, quote(name), strings.Join(explore.TargetNames, ", "))
	}
	traceW, finishTrace, err := a.optionalOutput(out)
	if err != nil {
		return a.fail(c.name, "%v", err)
	}
	recs, runErr := explore.Replay(target, choices)
	failed := target.Fails(recs, runErr)
	verdict := "passes"
	if failed {
		verdict = "fails"
	}
	fmt.Fprintf(a.stdout, "replay %s (%s, %d choices): the world %s\n", path, name, len(choices), verdict)
	if runErr != nil {
		fmt.Fprintf(a.stdout, "  %s\n", oneLine(runErr.Error()))
	}
	a.printViolations(recs)
	if traceW != nil {
		if err := trace.Encode(traceW, recs); err != nil || finishTrace(true) != nil {
			finishTrace(false)
			return a.fail(c.name, "writing --out: %v", err)
		}
		fmt.Fprintf(a.stdout, "  trace: %s (bitsim render %s)\n", out, out)
	}
	if failed {
		return exitFound
	}
	return exitOK
}

// target is the named world, judged by the CLI's checker.
func (a *app) target(name string) (explore.Target, bool) {
	t, ok := explore.TargetNamed(name, scheduler.DefaultOptions())
	t.Fails = func(recs []trace.Record, err error) bool { return err != nil || len(a.check(recs)) > 0 }
	return t, ok
}

// printViolations prints the first five violations of recs, one line each.
func (a *app) printViolations(recs []trace.Record) {
	vs := a.check(recs)
	for _, v := range vs[:min(len(vs), 5)] {
		fmt.Fprintf(a.stdout, "  %s\n", oneLine(v.String()))
	}
	if len(vs) > 5 {
		fmt.Fprintf(a.stdout, "  … and %d more\n", len(vs)-5)
	}
}

// optionalOutput is output for a flag that may be unset: no path, no
// writer (finish does nothing).
// Standard output is refused: it carries the summary.
func (a *app) optionalOutput(path string) (w io.Writer, finish func(keep bool) error, err error) {
	switch path {
	case "":
		return nil, func(bool) error { return nil }, nil
	case "-":
		return nil, nil, fmt.Errorf("cannot write to standard output (-): it carries the summary; name a file")
	}
	return a.output(path)
}
