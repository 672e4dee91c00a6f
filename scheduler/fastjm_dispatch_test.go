package scheduler_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// TestFastJMIsTheGeneralPath: runJM, a JobModification's call written out
// in one frame, writes the trace that runCall's general path (recBegin,
// invoke, returned, endCall) writes — over worlds of all four generators,
// whose JobModifications go to MTA and STA clients, nested and not, that
// return, fail, panic, block, crash and re-register meanwhile.
func TestFastJMIsTheGeneralPath(t *testing.T) {
	seeds := uint64(1500)
	if testing.Short() {
		seeds = 300
	}
	jm := 0
	for _, name := range []string{"adversarial", "faults", "aimed-cmdline", "aimed-slots"} {
		sc, ok := scenarios.Lookup(name)
		require.True(t, ok, name)
		for seed := uint64(0); seed < seeds; seed++ {
			var fast, general trace.Log
			scheduler.SetFastJM(true)
			_, errFast := sc.RunWith(&fast, seed)
			was := scheduler.SetFastJM(false)
			_, errGeneral := sc.RunWith(&general, seed)
			scheduler.SetFastJM(was)
			require.Equal(t, errGeneral, errFast, "%s seed %d", name, seed)
			if fast.Hash() != general.Hash() {
				a, b := fast.Records(), general.Records()
				for i := range min(len(a), len(b)) {
					require.Equal(t, b[i], a[i], "%s seed %d: first difference, record %d", name, seed, i+1)
				}
				require.Equal(t, len(b), len(a), "%s seed %d", name, seed)
			}
			for _, r := range fast.Records() {
				if r.Ev == trace.EvCallBegin && r.Method == trace.JobModification {
					jm++
				}
			}
		}
	}
	require.Greater(t, jm, 1000, "the worlds made JobModification calls")
}
