package catalogue_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// stream judges recs as the CLI does: through one record variable that is
// overwritten after every Add, so a checker that kept a pointer to a
// record would judge garbage.
func stream(c *catalogue.Checker, recs []trace.Record) []catalogue.Violation {
	var buf trace.Record
	for i := range recs {
		buf = recs[i]
		c.Add(&buf)
		buf = trace.Record{Seq: -7, Job: "garbage", Call: 99, Ev: trace.EvRunEnd}
	}
	return c.Finish()
}

// On any trace at all, streaming and batch judge alike.
func TestCheckerMatchesCheckOnAnyTrace(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		recs := anyTrace(t)
		require.Equal(t, catalogue.Check(recs), stream(catalogue.NewChecker(), recs))
		ids := rapid.SliceOfN(rapid.SampledFrom([]string{"T1", "T2", "G13", "G34", "G33", "G99"}), 0, 3).Draw(t, "ids")
		require.Equal(t, catalogue.CheckRules(recs, ids...), stream(catalogue.NewRuleChecker(ids...), recs))
	})
}

// On real runs of the adversarial and faults scenarios, whole, cut short
// and with a record missing, a trace read record by record from its JSONL
// with trace.Reader is judged exactly as the batch Check judges it.
func TestCheckerMatchesCheckOnScenarioTraces(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	violations := 0
	for _, name := range []string{"adversarial", "faults"} {
		s, ok := scenarios.Lookup(name)
		require.True(t, ok, name)
		for seed := range uint64(seeds) {
			res, err := s.Run(seed)
			require.NoError(t, err)
			whole := res.Records
			require.Greater(t, len(whole), 10)
			cut := whole[:len(whole)/2]
			gap := append(append([]trace.Record(nil), whole[:len(whole)/3]...), whole[len(whole)/3+1:]...)
			for _, recs := range [][]trace.Record{whole, cut, gap} {
				want := catalogue.Check(recs)
				violations += len(want)
				var file bytes.Buffer
				require.NoError(t, trace.Encode(&file, recs))
				rd := trace.NewReader(&file)
				c := catalogue.NewChecker()
				for {
					rec, err := rd.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						// A gap is refused by the strict Reader; judge it from memory.
						c = nil
						break
					}
					c.Add(&rec)
				}
				if c == nil {
					assert.Equal(t, want, stream(catalogue.NewChecker(), recs), "%s seed %d", name, seed)
					continue
				}
				assert.Equal(t, len(recs), c.Records())
				assert.Equal(t, want, c.Finish(), "%s seed %d (%d records)", name, seed, len(recs))
			}
		}
	}
	assert.Positive(t, violations, "the cut and gapped traces must break something, or the comparison proves little")
}

func TestCheckerMisusePanics(t *testing.T) {
	c := catalogue.NewChecker()
	c.Add(&trace.Record{Seq: 1, Ev: trace.EvRunStart})
	c.Add(&trace.Record{Seq: 2, Ev: trace.EvRunEnd, Reason: "idle"})
	assert.Empty(t, c.Finish())
	assert.PanicsWithValue(t, "catalogue: Checker.Add after Finish", func() { c.Add(&trace.Record{Seq: 3}) })
	assert.PanicsWithValue(t, "catalogue: Checker.Finish called twice", func() { c.Finish() })
}
