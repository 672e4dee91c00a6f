package coverage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/coverage"
	"github.com/bitsim/bitsim/scenarios"
)

// ciWorlds are the first seeds of each generator CI sweeps: a small part
// of CI's run, enough that everything expected shows up.
var ciWorlds = []struct {
	scenario string
	seeds    uint64
}{
	{"adversarial", 3000}, {"faults", 3000}, {"aimed-cmdline", 3000}, {"aimed-slots", 1000},
}

func tallyOf(t *testing.T, which ...string) *coverage.Tally {
	t.Helper()
	total := coverage.New()
	for _, w := range ciWorlds {
		if len(which) > 0 && !contains(which, w.scenario) {
			continue
		}
		s, ok := scenarios.Lookup(w.scenario)
		require.True(t, ok, w.scenario)
		for seed := range w.seeds {
			res, err := s.Run(seed)
			require.NoError(t, err)
			total.AddTrace(res.Records)
		}
	}
	return total
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Over the worlds CI sweeps, every expected item is reached: every event
// kind a service writes, every callback method, every way a call ends,
// every job state, every drop and unregister reason, every interaction the
// dispatcher has special code for. The report names what never was.
func TestGeneratorsReachEverything(t *testing.T) {
	total := tallyOf(t)
	var b strings.Builder
	require.NoError(t, total.Report(&b))
	t.Log("\n" + b.String())
	assert.Empty(t, total.Missing(coverage.Expected()), "never reached over CI's first worlds of each generator")
}

// The test can fail: the default adversarial worlds alone never call
// FileRangesTransferred (only on-demand jobs ask for it, and only fault
// and aimed-slots worlds have them), and the report says so.
func TestCoverageNamesWhatIsMissing(t *testing.T) {
	adv := tallyOf(t, "adversarial")
	missing := adv.Missing(coverage.Expected())
	assert.Contains(t, missing, coverage.Item{Group: "method", Name: "FileRangesTransferred"})
	var b strings.Builder
	require.NoError(t, adv.Report(&b))
	assert.Contains(t, b.String(), "never reached: ")
	assert.Contains(t, b.String(), "method FileRangesTransferred")
}

func TestTalliesAddUp(t *testing.T) {
	a, b := tallyOf(t, "aimed-slots"), tallyOf(t, "aimed-cmdline")
	sum := coverage.New()
	sum.Merge(a)
	sum.Merge(b)
	assert.Equal(t, a.Worlds+b.Worlds, sum.Worlds)
	for _, it := range coverage.Items() {
		assert.Equal(t, a.Count(it)+b.Count(it), sum.Count(it), it.String())
	}
}
