package explore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scheduler"
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
	newTimeline().features(recs, func(f feature, i int) { got, at = append(got, f), append(at, i) })
	st := tok(trace.EvJobState, 0, 6)
	begin := tok(trace.EvCallBegin, trace.JobTransferred, uint32(trace.LaneHigh))
	end := tok(trace.EvCallEnd, trace.JobTransferred, 1) // S_FALSE
	assert.Equal(t, []feature{
		pair(0, 0, st, true),
		pair(1, 0, tok(trace.EvCallBegin, trace.JobTransferred, 0), true), // the user's first call, no other in flight
		pair(0, st, begin, true),
		pair(0, begin, end, false), // five seconds later
	}, got)
	assert.Equal(t, []int{0, 1, 1, 2}, at)
}
