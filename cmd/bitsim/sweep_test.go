package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

func TestSweepClean(t *testing.T) {
	r := cli(t, "", "sweep", "good", "--seeds", "0:20")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("got %+v", r)
	}
	if !strings.HasPrefix(r.stdout, "sweep good seeds 0:20 shard 1/1: 20 seeds, 0 failing\ndigest sha256:") {
		t.Errorf("stdout: %q", r.stdout)
	}
}

func TestSweepFailuresInSeedOrderWithRepro(t *testing.T) {
	r := cli(t, "", "sweep", "flaky", "--seeds", "0:20", "--parallel", "4")
	if r.code != exitFound {
		t.Fatalf("got %+v", r)
	}
	var seeds []string
	for _, m := range regexp.MustCompile(`FAIL seed (\d+):`).FindAllStringSubmatch(r.stdout, -1) {
		seeds = append(seeds, m[1])
	}
	if got := strings.Join(seeds, ","); got != "2,7,12,17" {
		t.Errorf("failing seeds %s, want 2,7,12,17", got)
	}
	for _, s := range seeds {
		if !strings.Contains(r.stdout, "  repro: bitsim run flaky --seed "+s+" --format text\n") {
			t.Errorf("no repro line for seed %s", s)
		}
	}
	if !strings.Contains(r.stdout, "  G31 seqs ") || !strings.Contains(r.stdout, "20 seeds, 4 failing") {
		t.Errorf("stdout: %s", r.stdout)
	}
}

func TestSweepDoesNotDependOnParallel(t *testing.T) {
	want := cli(t, "", "sweep", "flaky", "--seeds", "3:60", "--parallel", "1")
	for _, p := range []string{"2", "3", "16"} {
		got := cli(t, "", "sweep", "flaky", "--seeds", "3:60", "--parallel", p)
		if got != want {
			t.Errorf("--parallel %s changed the result:\n%s\nwant\n%s", p, got.stdout, want.stdout)
		}
	}
}

func TestSweepRunErrorsAndPanicsAreFailures(t *testing.T) {
	r := cli(t, "", "sweep", "broken", "--seeds", "0:6")
	if r.code != exitFound {
		t.Fatalf("got %+v", r)
	}
	if !strings.Contains(r.stdout, "FAIL seed 3:\n  error: limit: too many events\n") ||
		!strings.Contains(r.stdout, "FAIL seed 4:\n  error: panic: model bug\n") {
		t.Errorf("stdout: %s", r.stdout)
	}
}

// shardOf runs one shard with --out and returns its file.
func shardOf(t *testing.T, dir, name, seeds, sh string) (result, shardFile) {
	t.Helper()
	r := cli(t, "", "sweep", name, "--seeds", seeds, "--shard", sh, "--out", dir)
	var i, n uint64
	fmt.Sscanf(sh, "%d/%d", &i, &n)
	rng, err := parseSeeds(seeds)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, shardFileName(name, rng, shard{i, n}))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("shard file: %v (%+v)", err, r)
	}
	var f shardFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return r, f
}

func TestSweepShardsCoverTheRangeOnceAndMerge(t *testing.T) {
	dir := t.TempDir()
	whole := cli(t, "", "sweep", "flaky", "--seeds", "5:47")
	digest := regexp.MustCompile(`digest (sha256:[0-9a-f]{64})`).FindStringSubmatch(whole.stdout)
	if digest == nil {
		t.Fatalf("no digest in %q", whole.stdout)
	}
	seen := map[uint64]int{}
	var files []string
	for i := 1; i <= 4; i++ {
		sh := fmt.Sprintf("%d/4", i)
		r, f := shardOf(t, dir, "flaky", "5:47", sh)
		if !strings.Contains(r.stderr, "wrote ") {
			t.Errorf("shard %s: stderr %q", sh, r.stderr)
		}
		for k := range f.Ran {
			seed := f.First + k*f.Shards
			if seed%4 != uint64(i-1) || seed < 5 || seed >= 47 {
				t.Errorf("shard %s ran seed %d", sh, seed)
			}
			seen[seed]++
		}
		for _, fl := range f.Failures {
			if fl.Seed%5 != 2 || len(fl.Violations) == 0 || fl.Violations[0].Rule != "G31" {
				t.Errorf("shard %s: unexpected failure %+v", sh, fl)
			}
		}
		files = append(files, filepath.Join(dir, shardFileName("flaky", seedRange{5, 47}, shard{uint64(i), 4})))
	}
	for s := uint64(5); s < 47; s++ {
		if seen[s] != 1 {
			t.Errorf("seed %d ran %d times", s, seen[s])
		}
	}
	if len(seen) != 42 {
		t.Errorf("%d seeds ran, want 42", len(seen))
	}

	m := cli(t, "", append([]string{"sweep-merge"}, files...)...)
	if m.code != exitFound || m.stderr != "" {
		t.Fatalf("merge: %+v", m)
	}
	if !strings.Contains(m.stdout, "digest "+digest[1]) {
		t.Errorf("merged digest differs from the unsharded sweep's %s:\n%s", digest[1], m.stdout)
	}
	// The failures listed are those of the unsharded sweep, in seed order.
	failures := func(s string) string {
		var b strings.Builder
		for _, l := range strings.SplitAfter(s, "\n") {
			if strings.HasPrefix(l, "FAIL ") || strings.HasPrefix(l, "  ") {
				b.WriteString(l)
			}
		}
		return b.String()
	}
	if failures(whole.stdout) == "" {
		t.Fatal("the unsharded sweep found no failures")
	}
	if failures(m.stdout) != failures(whole.stdout) {
		t.Errorf("merged failures:\n%s\nwant\n%s", failures(m.stdout), failures(whole.stdout))
	}
	if !strings.Contains(m.stdout, "\nmerged flaky: seeds 5:47 from 4 files: 42 seeds, 8 failing\n") {
		t.Errorf("merge summary: %q", m.stdout)
	}
}

func TestSweepMergeFindsGapsAndOverlaps(t *testing.T) {
	dir := t.TempDir()
	path := func(seeds string, i, n uint64) string {
		rng, _ := parseSeeds(seeds)
		return filepath.Join(dir, shardFileName("good", rng, shard{i, n}))
	}
	shardOf(t, dir, "good", "0:10", "1/2")
	shardOf(t, dir, "good", "0:10", "2/2")
	shardOf(t, dir, "good", "10:20", "1/1")
	shardOf(t, dir, "good", "15:30", "1/1")
	shardOf(t, dir, "good", "40:50", "1/1")
	shardOf(t, dir, "good", "0:10", "1/3")
	shardOf(t, dir, "flaky", "20:30", "1/1")

	ok := cli(t, "", "sweep-merge", path("0:10", 1, 2), path("0:10", 2, 2), path("10:20", 1, 1))
	if ok.code != exitOK || !strings.Contains(ok.stdout, "seeds 0:10,10:20 from 3 files: 20 seeds, 0 failing") {
		t.Errorf("adjacent ranges: %+v", ok)
	}
	whole := cli(t, "", "sweep", "good", "--seeds", "0:20")
	if d := strings.SplitAfter(whole.stdout, "digest ")[1]; !strings.Contains(ok.stdout, d) {
		t.Errorf("merged digest of 0:10 + 10:20 differs from a sweep of 0:20")
	}

	cases := []struct {
		files []string
		want  string
	}{
		{[]string{path("0:10", 1, 2)}, "gap: 1 of 2 shards of 0:10 missing: 2/2"},
		{[]string{path("0:10", 1, 2), path("0:10", 1, 2), path("0:10", 2, 2)}, "overlap: shard 1/2 of 0:10 appears twice"},
		{[]string{path("10:20", 1, 1), path("15:30", 1, 1)}, "overlap: seed ranges 10:20 and 15:30 overlap"},
		{[]string{path("10:20", 1, 1), path("40:50", 1, 1)}, "gap: seeds 20:40 are in no file"},
		{[]string{path("0:10", 1, 2), path("0:10", 1, 3), path("0:10", 2, 2)}, "shards of one range must use the same n"},
	}
	for _, c := range cases {
		r := cli(t, "", append([]string{"sweep-merge"}, c.files...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stdout, "digest") {
			t.Errorf("%s: got %+v", c.want, r)
		}
	}

	wantUsageError(t, cli(t, "", "sweep-merge", path("10:20", 1, 1), filepath.Join(dir, shardFileName("flaky", seedRange{20, 30}, shard{1, 1}))),
		"bitsim sweep-merge: ", "merge one scenario at a time")
	wantUsageError(t, cli(t, "", "sweep-merge"), "bitsim sweep-merge: ", "want one or more shard files")
	wantUsageError(t, cli(t, "", "sweep-merge", filepath.Join(dir, "none.json")), "bitsim sweep-merge: ", "none.json")

	// A file that lies about its seeds is rejected, not merged.
	b, _ := os.ReadFile(path("10:20", 1, 1))
	var f shardFile
	json.Unmarshal(b, &f)
	f.Hashes = f.Hashes[1:]
	bad := filepath.Join(dir, "bad.json")
	b, _ = json.Marshal(f)
	os.WriteFile(bad, b, 0o644)
	wantUsageError(t, cli(t, "", "sweep-merge", bad), "bitsim sweep-merge: ", "9 hashes for 10 seeds")
	os.WriteFile(bad, []byte("{]"), 0o644)
	wantUsageError(t, cli(t, "", "sweep-merge", bad), "bitsim sweep-merge: ", "not a shard file")
	os.WriteFile(bad, []byte(`{"format":"other"}`), 0o644)
	wantUsageError(t, cli(t, "", "sweep-merge", bad), "bitsim sweep-merge: ", `format "other"`)
}

func TestSweepErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "good"}, "--seeds A:B is required"},
		{[]string{"sweep", "--seeds", "0:5"}, "want one scenario name"},
		{[]string{"sweep", "nope", "--seeds", "0:5"}, `unknown scenario "nope"`},
		{[]string{"sweep", "good", "--seeds", "5:5"}, "A must be less than B"},
		{[]string{"sweep", "good", "--seeds", "9:3"}, "A must be less than B"},
		{[]string{"sweep", "good", "--seeds", "a:b"}, "decimal numbers"},
		{[]string{"sweep", "good", "--seeds", "1:2:3"}, "decimal numbers"},
		{[]string{"sweep", "good", "--seeds", "100"}, "want A:B"},
		{[]string{"sweep", "good", "--seeds", "-1:5"}, "decimal numbers"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--shard", "0/3"}, "want 1 <= i <= n"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--shard", "4/3"}, "want 1 <= i <= n"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--shard", "1/0"}, "want 1 <= i <= n"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--shard", "2"}, "want i/n"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--shard", " 1/2"}, "decimal numbers"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--parallel", "0"}, "--parallel 0"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--parallel", "many"}, "-parallel"},
		{[]string{"sweep", "good", "--seeds", "0:18446744073709551615"}, "at most 10000000 per run"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--out", file}, "cannot write --out"},
		{[]string{"sweep", "good", "--seeds", "0:5", "--out", filepath.Join(file, "sub")}, "cannot write --out"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			r := cli(t, "", c.args...)
			wantUsageError(t, r, "bitsim sweep: ", c.want)
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
		})
	}
}

func TestSweepProgressOnlyOnATerminal(t *testing.T) {
	plain := cli(t, "", "sweep", "flaky", "--seeds", "0:40", "--parallel", "3")
	if plain.stderr != "" {
		t.Errorf("progress without a terminal: %q", plain.stderr)
	}
	clock := time.Unix(0, 0)
	tty := cliWith(t, func(a *app) {
		a.stderrTTY = true
		a.now = func() time.Time { clock = clock.Add(30 * time.Millisecond); return clock }
	}, "sweep", "flaky", "--seeds", "0:40", "--parallel", "3")
	if tty.stdout != plain.stdout || tty.code != plain.code {
		t.Errorf("the progress bar changed the results")
	}
	if !strings.Contains(tty.stderr, "\r\x1b[Kflaky [") || !regexp.MustCompile(`\] 40/40 seeds, 8 failing, [0-9.]+ seeds/s, [0-9.]+m?s elapsed, ETA 0s\n$`).MatchString(tty.stderr) {
		t.Errorf("stderr: %q", tty.stderr)
	}
	// Redraws are throttled: fewer than one per seed.
	if n := strings.Count(tty.stderr, "\r\x1b[K"+"flaky"); n >= 40 || n < 2 {
		t.Errorf("%d redraws for 40 seeds", n)
	}
}

func TestShardFileName(t *testing.T) {
	if got := shardFileName("four-slot-starvation", seedRange{0, 1000}, shard{2, 8}); got != "sweep-four-slot-starvation-0-1000-shard-2-of-8.json" {
		t.Error(got)
	}
	if got := shardFileName("../x y", seedRange{1, 2}, shard{1, 1}); got != "sweep-.._x_y-1-2-shard-1-of-1.json" {
		t.Error(got)
	}
}

// --coverage adds the coverage report after the summary and digest, which
// stay as they were.
func TestSweepCoverage(t *testing.T) {
	plain := cli(t, "", "sweep", "good", "--seeds", "0:20")
	with := cli(t, "", "sweep", "good", "--seeds", "0:20", "--coverage")
	if with.code != exitOK || !strings.HasPrefix(with.stdout, plain.stdout) {
		t.Fatalf("exit %d; the summary and digest must come first, unchanged:\n%s", with.code, with.stdout)
	}
	rest := strings.TrimPrefix(with.stdout, plain.stdout)
	for _, want := range []string{"coverage over 20 worlds", "method     JobTransferred=20 JobError=0", "never reached: event client.exit"} {
		if !strings.Contains(rest, want) {
			t.Errorf("the report lacks %q:\n%s", want, rest)
		}
	}
}

// A sweep runs a generator's seeds in one reused log a worker
// (Scenario.InLog): its traces are exactly those of `bitsim run NAME
// --seed N`, which the failures' repro lines replay.
func TestSweepRunsTheScenariosTraces(t *testing.T) {
	for _, name := range []string{"adversarial", "faults", "aimed-cmdline", "aimed-slots"} {
		s, ok := scenarios.Lookup(name)
		if !ok {
			t.Fatalf("no scenario %s", name)
		}
		run := seedRunner(s)
		for seed := range uint64(8) {
			want, err := runOne(s, seed)
			if err != nil {
				t.Fatal(err)
			}
			got, err := run(seed)
			if err != nil {
				t.Fatal(err)
			}
			if trace.Hash(got) != trace.Hash(want) || len(got) != len(want) {
				t.Errorf("%s seed %d: the sweep's trace (%d records) is not the scenario's (%d)", name, seed, len(got), len(want))
			}
		}
	}
}
