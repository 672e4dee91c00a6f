package catalogue_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/trace"
)

// A Wine-like dispatcher (reference section 4: W-2, W-3, W-4): JobTransferred
// once, right after the transfer, its return value ignored; DISABLE not
// honoured; a late registration never notified. The catalogue names each
// broken promise.
func TestNaiveDispatcherFails(t *testing.T) {
	b := newTB()
	b.add(trace.Record{Ev: trace.EvRunConfig, Profile: "winecompat", Bits: "10.1", Cap: 0, Strict: true})
	b.client("app-1", "alice", "MTA")

	// job-1: JobTransferred returns E_FAIL and is never called again (W-3).
	b.create("job-1", "alice")
	b.reg("job-1", "app-1", "alice")
	b.transfer("job-1")
	b.begin(1, "job-1", "alice", "app-1", jt)
	failed := b.end(1, eFail)

	// job-2: flags JOB_TRANSFERRED|DISABLE, called anyway (W-4).
	b.create("job-2", "alice")
	disable := b.flags("job-2", 0x5)
	b.reg("job-2", "app-1", "alice")
	b.transfer("job-2")
	ignored := b.call(2, "job-2", "alice", "app-1", jt, sOK)

	// job-3: registered after it transferred, never notified (W-3).
	b.create("job-3", "alice")
	done := b.transfer("job-3")
	late := b.reg("job-3", "app-1", "alice")
	end := b.finish("idle")

	vs := catalogue.Check(b.recs)
	for _, v := range vs {
		t.Log(v)
	}
	require.Equal(t, []string{"G18", "G20", "G3"}, ruleIDs(vs))
	type proof struct {
		rule string
		seqs []int64
	}
	var got []proof
	for _, v := range vs {
		got = append(got, proof{v.Rule, v.Seqs})
	}
	// Sorted by first seq: the ignored failure comes first.
	assert.Equal(t, []proof{
		{"G20", []int64{failed, end}},
		{"G3", []int64{disable, ignored}},
		{"G18", []int64{done, late, end}},
	}, got)
}
