package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/trace"
)

// The fake checker (more than four calls in flight at once) is broken by
// some adversarial worlds: every strategy finds one, keeps its trace and
// choice stream, and the stream replays to the same verdict.
func TestSearchFindsKeepsAndReplays(t *testing.T) {
	for _, strategy := range []string{"sweep", "pct-3", "mutate", "frontier"} {
		t.Run(strategy, func(t *testing.T) {
			dir := t.TempDir()
			tr, ch := filepath.Join(dir, "fail.jsonl"), filepath.Join(dir, "fail.choices")
			args := []string{"search", "adversarial", "--strategy", strategy, "--budget", "5000", "--out", tr}
			if strategy != "sweep" {
				args = append(args, "--choices", ch)
			}
			r := cli(t, "", args...)
			require.Equal(t, exitFound, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, "search adversarial --strategy "+strategy+" --seed 1: world ")
			assert.Contains(t, r.stdout, "  G31: seq ", "the violation, one line")
			assert.Contains(t, r.stdout, "trace: "+tr)
			kept, err := os.ReadFile(tr)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(string(kept), `{"seq":1,`), "format v1")
			if strategy == "sweep" {
				assert.Contains(t, r.stdout, "repro: bitsim run adversarial --seed ")
				return
			}
			again := cli(t, "", "search", "--replay", ch)
			assert.Equal(t, exitFound, again.code)
			assert.Contains(t, again.stdout, "the world fails")
			assert.Equal(t, violationLines(r.stdout), violationLines(again.stdout), "the same violations")
		})
	}
}

func violationLines(out string) []string {
	var vs []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  G") {
			vs = append(vs, l)
		}
	}
	return vs
}

func TestSearchWithinBudgetFindsNothing(t *testing.T) {
	r := cliWith(t, func(a *app) { a.check = noViolations }, "search", "aimed-cmdline", "--budget", "50", "--seed", "3")
	assert.Equal(t, exitOK, r.code)
	assert.Equal(t, "search aimed-cmdline --strategy pct-3 --seed 3: 50 worlds, none failing\n", r.stdout)
}

func TestSearchBadUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.choices")
	require.NoError(t, os.WriteFile(bad, []byte("# bitsim choices v1 adversarial\n12\nnot-hex\n"), 0o644))
	good := filepath.Join(dir, "good.choices")
	require.NoError(t, os.WriteFile(good, []byte("# bitsim choices v1 adversarial\n12\n"), 0o644))
	other := filepath.Join(dir, "other.choices")
	require.NoError(t, os.WriteFile(other, []byte("# bitsim choices v1 basics\n12\n"), 0o644))
	for _, c := range []struct {
		args      []string
		fragments []string
	}{
		{[]string{"search"}, []string{"want one world name", "aimed-cmdline"}},
		{[]string{"search", "basics"}, []string{`cannot search "basics"`}},
		{[]string{"search", "adversarial", "--strategy", "dfs"}, []string{`unknown --strategy "dfs"`}},
		{[]string{"search", "adversarial", "--budget", "0"}, []string{"--budget 0: want 1 to"}},
		{[]string{"search", "adversarial", "--out", "-"}, []string{"standard output"}},
		{[]string{"search", "adversarial", "--strategy", "sweep", "--choices", filepath.Join(dir, "x")}, []string{"by their seed"}},
		{[]string{"search", "--replay", filepath.Join(dir, "missing")}, []string{"--replay", "no such file"}},
		{[]string{"search", "--replay", bad}, []string{"line 3", "hexadecimal"}},
		{[]string{"search", "--replay", other}, []string{`unknown world "basics"`}},
		{[]string{"search", "faults", "--replay", good}, []string{`holds a world of "adversarial", not "faults"`}},
	} {
		wantUsageError(t, cli(t, "", c.args...), "bitsim search: ", c.fragments...)
	}
}

func noViolations([]trace.Record) []catalogue.Violation { return nil }

// SIGINT stops a search after the world in flight: it says how many ran and
// exits 128+2.
func TestSearchStopsOnSignal(t *testing.T) {
	r := cliWith(t, func(a *app) {
		a.check = noViolations
		a.signals = func() (<-chan os.Signal, func()) {
			c := make(chan os.Signal, 1)
			c <- syscall.SIGINT
			return c, func() {}
		}
	}, "search", "adversarial", "--budget", "1000")
	assert.Equal(t, 130, r.code, r.stderr)
	assert.Equal(t, "search adversarial --strategy pct-3 --seed 1: stopped by interrupt after 1 worlds, none failing\n", r.stdout)
}
