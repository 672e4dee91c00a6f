package trace_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/trace"
)

// run.start's observed key is optional: written only when set, so a
// simulator's trace keeps its bytes, and read back when present.
func TestRunStartObserved(t *testing.T) {
	plain := trace.Record{Seq: 1, Ev: trace.EvRunStart, Seed: 7, Scenario: "s", Version: "bitsim/1"}
	require.Equal(t, `{"seq":1,"t":0,"ev":"run.start","seed":7,"scenario":"s","version":"bitsim/1"}`+"\n",
		string(trace.AppendJSON(nil, &plain)))

	obs := plain
	obs.Observed = "job.create job.state call.begin call.end"
	line := trace.AppendJSON(nil, &obs)
	require.Equal(t, `{"seq":1,"t":0,"ev":"run.start","seed":7,"scenario":"s","version":"bitsim/1","observed":"job.create job.state call.begin call.end"}`+"\n", string(line))
	recs, err := trace.Parse(bytes.NewReader(line))
	require.NoError(t, err)
	require.Equal(t, []trace.Record{obs}, recs)

	_, err = trace.Parse(strings.NewReader(`{"seq":1,"t":0,"ev":"run.start","seed":7,"scenario":"s","version":"bitsim/1","observed":3}`))
	require.ErrorContains(t, err, `key "observed"`, "observed must be a string")
}
