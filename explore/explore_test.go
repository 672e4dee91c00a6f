package explore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

func withMutant(m mutant.Set) scheduler.Options {
	o := scheduler.DefaultOptions()
	o.Mutants = m
	return o
}

func TestStreamReplaysAWorld(t *testing.T) {
	tg := Adversarial(scheduler.DefaultOptions())
	s := NewStream(nil, 7)
	recs, err := tg.Run(s, nil)
	require.NoError(t, err)
	again, err := Replay(tg, s.Choices())
	require.NoError(t, err)
	assert.Equal(t, trace.Hash(recs), trace.Hash(again), "the choice stream is the world")

	other, _ := tg.Run(NewStream(nil, 8), nil)
	assert.NotEqual(t, trace.Hash(recs), trace.Hash(other), "another seed, another world")
}

func TestStreamFoldsAReplayedChoiceIntoANewBound(t *testing.T) {
	s := NewStream([]uint64{1 << 63, 1 << 63}, 0)
	assert.Equal(t, 5, s.Intn(10), "the middle of [0, 10)")
	assert.Equal(t, 2, s.Intn(4), "the same raw choice, the middle of [0, 4)")
	assert.Equal(t, 2, s.Pos())
}

func TestPCTStrataOrderTiesAndChangeAtTheChangePoints(t *testing.T) {
	r := splitmix(3)
	p := newPCT(&r, 3, 100)
	require.Len(t, p.changes, 2)
	require.LessOrEqual(t, p.changes[0], p.changes[1])
	before, between, after := p.tie(0), p.tie(p.changes[0]), p.tie(p.changes[1])
	if p.changes[0] > 0 {
		assert.Greater(t, before, between, "a change point lowers the keys: later events go first")
	}
	assert.Greater(t, between, after)
	assert.Equal(t, after, p.tie(p.changes[1]+5), "within a stratum one key: scheduling order")
}

// Every strategy finds an easy planted bug quickly, finds nothing wrong in
// the correct dispatcher, and is deterministic; its failing world replays.
func TestStrategiesFindAPlantedBugAndNothingElse(t *testing.T) {
	for _, s := range Strategies() {
		t.Run(s.Name, func(t *testing.T) {
			tg := Adversarial(withMutant(mutant.NoRetry))
			f := s.Search(tg, 1, 200)
			require.NotZero(t, f.Worlds, "NoRetry (G20) found within 200 worlds")
			assert.Equal(t, f.Worlds, s.Search(tg, 1, 200).Worlds, "the same seed makes the same search")
			if s.Name != "sweep" {
				recs, err := Replay(tg, f.Choices)
				assert.True(t, tg.Fails(recs, err), "the failing world replays from its choices")
			}
			assert.Zero(t, s.Search(Adversarial(scheduler.DefaultOptions()), 1, 200).Worlds,
				"the correct dispatcher passes 200 worlds")
		})
	}
}

func TestTimelineFeaturesArePairsOfEvents(t *testing.T) {
	recs := []trace.Record{
		{Seq: 1, Ev: trace.EvJobState, Job: "job-1", To: 6},
		{Seq: 2, Ev: trace.EvCallBegin, Job: "job-1", User: "u", Call: 1, Method: trace.JobTransferred, Lane: trace.LaneHigh},
		{Seq: 3, T: 5, Ev: trace.EvCallEnd, Call: 1, HR: 1},
	}
	var got []feature
	var at []int
	tl := newTimeline()
	tl.features(recs, func(f feature, i int) { got, at = append(got, f), append(at, i) })
	st := tok(trace.EvJobState, 0, 6)
	begin := tok(trace.EvCallBegin, trace.JobTransferred, uint32(trace.LaneHigh))
	end := tok(trace.EvCallEnd, trace.JobTransferred, tl.reason("S_FALSE")) // how it ended, interned
	assert.Equal(t, []feature{
		pair(0, 0, st, true),
		pair(1, 0, tok(trace.EvCallBegin, trace.JobTransferred, 0), true), // the user's first call, no other in flight
		pair(0, st, begin, true),
		pair(0, begin, end, false), // five seconds later
	}, got)
	assert.Equal(t, []int{0, 1, 1, 2}, at)
}

func TestSearchUntilStopsWhereAsked(t *testing.T) {
	tg := Adversarial(scheduler.DefaultOptions())
	for _, s := range Strategies() {
		f := s.SearchUntil(tg, 1, 100, func(w int) bool { return w == 7 })
		assert.Equal(t, Found{Ran: 7}, f, s.Name)
		assert.Equal(t, 20, s.Search(tg, 1, 20).Ran, "%s: the whole budget when nothing fails", s.Name)
	}
}

func TestChoicesFileRoundTripsAndNamesTheBadLine(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteChoices(&b, "aimed-cmdline", []uint64{0, 1 << 63, ^uint64(0)}))
	name, got, err := ReadChoices(strings.NewReader(b.String()))
	require.NoError(t, err)
	assert.Equal(t, "aimed-cmdline", name)
	assert.Equal(t, []uint64{0, 1 << 63, ^uint64(0)}, got)

	for in, want := range map[string]string{
		"":                                    "empty",
		"hello\n":                             "line 1",
		"# bitsim choices v1 adversarial\nzz": "line 2: want one choice in hexadecimal",
		"# bitsim choices v1 adversarial\n# a comment\n\n10\n1g\n": "line 5",
	} {
		_, _, err := ReadChoices(strings.NewReader(in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want)
	}
}

func TestTargetNamedKnowsEveryName(t *testing.T) {
	for _, n := range TargetNames {
		tg, ok := TargetNamed(n, scheduler.DefaultOptions())
		require.True(t, ok, n)
		assert.Equal(t, n, tg.Name)
	}
	_, ok := TargetNamed("basics", scheduler.DefaultOptions())
	assert.False(t, ok)
	for _, n := range []string{"sweep", "pct-3", "pct-1", "mutate", "frontier"} {
		s, ok := StrategyNamed(n)
		require.True(t, ok, n)
		assert.Equal(t, n, s.Name)
	}
	_, ok = StrategyNamed("pct-0")
	assert.False(t, ok)
}

// TestSeedWorldsReplayWithBitsimRun: the world a Sweep runs for seed N
// writes N in its run.start and is, byte for byte, the world `bitsim run
// NAME --seed N` runs (the named scenario), so a seed a sweep or search
// found replays anywhere.
func TestSeedWorldsReplayWithBitsimRun(t *testing.T) {
	for _, name := range TargetNames {
		tg, ok := TargetNamed(name, scheduler.DefaultOptions())
		require.True(t, ok, name)
		sc, ok := scenarios.Lookup(name)
		require.True(t, ok, name)
		for _, seed := range []uint64{0, 7, 123456} {
			recs, err := tg.Run(sim.NewPRNG(seed), nil)
			require.NoError(t, err)
			want, err := sc.Run(seed)
			require.NoError(t, err)
			require.Equal(t, trace.EvRunStart, recs[0].Ev)
			assert.Equal(t, seed, recs[0].Seed, "%s seed %d: run.start", name, seed)
			assert.Equal(t, trace.Hash(want.Records), trace.Hash(recs), "%s seed %d: the same trace as bitsim run", name, seed)
		}
	}
}
