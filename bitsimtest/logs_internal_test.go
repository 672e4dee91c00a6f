package bitsimtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/trace"
)

// TestGivenLogHoldsNothingOfItsCheck: a log given back to the pool for
// the next check keeps its buffers but nothing of the last world — no
// record, no name, no observer (which holds the world).
func TestGivenLogHoldsNothingOfItsCheck(t *testing.T) {
	log := new(trace.Log)
	log.Name("job-0")
	observed := 0
	log.Observe(func(*trace.Record) { observed++ })
	log.Append(trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "alice", Client: "app"})
	require.Equal(t, 1, observed)
	giveLog(log) // no test of this package runs in parallel: nobody takes it meanwhile
	require.Zero(t, log.Len())
	require.Empty(t, log.Records())
	require.Equal(t, trace.Name(1), log.Name("job-9"), "the last check's names are forgotten")
	log.Append(trace.Record{Ev: trace.EvJobCreate, Job: "job-2"})
	require.Equal(t, 1, observed, "the last check's observer is gone")
	log.Clear()

	got := takeLog()
	defer giveLog(got)
	require.Zero(t, got.Len(), "a taken log is empty")
}
