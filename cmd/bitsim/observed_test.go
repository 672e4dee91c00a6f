package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A trace recorded by combridge under Wine's real BITS (docs/MODEL.md
// section 7): check judges it by the rules an observed trace can decide,
// reports each broken one with its rule, and names the rules it skipped.
func TestCheckObservedTrace(t *testing.T) {
	r := cli(t, "", "check", "../../combridge/testdata/wine-workload.jsonl")
	require.Equal(t, exitFound, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "G3 seqs 17,42: JobTransferred")
	assert.Contains(t, r.stdout, "G20 seqs 30,45: JobTransferred to app-1 for job-2 did not succeed")
	assert.Contains(t, r.stdout, "G18 seqs 31,33,45: job-3 is ERROR")
	assert.Contains(t, r.stdout, "G18 seqs 36,37,45: job-4 is TRANSFERRED")
	assert.Contains(t, r.stdout, "an observed trace: 17 rules not judged, its recorder cannot see what they need: G7 (needs client.exit), G10 (needs job.owner), G13 (needs job.modified)")
	assert.Contains(t, r.stdout, "wine-workload.jsonl: 45 records, 4 violations")

	// Its STA companion breaks nothing it can decide.
	r = cli(t, "", "check", "../../combridge/testdata/wine-workload-sta.jsonl")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "rules not judged")
	assert.Contains(t, r.stdout, "no violations")
}
