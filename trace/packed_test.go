package trace_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// packOf is the packed form of r in l (the table of trace.Packed, read
// independently of the Log's expansion), or false for a kind that cannot
// be packed.
func packOf(l *trace.Log, r trace.Record) (trace.Packed, bool) {
	if !trace.Packable(r.Ev) {
		return trace.Packed{}, false
	}
	p := trace.Packed{T: r.T, Ev: r.Ev, Job: l.Name(r.Job), User: l.Name(r.User), Client: l.Name(r.Client),
		Method: r.Method, Lane: r.Lane}
	switch r.Ev {
	case trace.EvCallBegin:
		p.A, p.B = r.Call, r.Parent
	case trace.EvCallQueued, trace.EvCallUnqueued:
		p.A = r.Call
	case trace.EvCallEnd:
		p.A, p.B, p.Text = r.Call, int64(r.HR), l.Name(r.Outcome)
	case trace.EvJobState:
		p.A, p.B = int64(r.From), int64(r.To)
	case trace.EvJobProgress:
		p.A = r.Bytes
	case trace.EvJobModified, trace.EvNotifyDrop:
		p.Text = l.Name(r.Reason)
	case trace.EvFileDone, trace.EvNotifyOwed:
		p.A = r.File
	case trace.EvRetry:
		p.A = int64(r.At)
	}
	return p, true
}

// packedSample is a trace with every packable kind, each field of the
// table set, next to kinds that are appended whole.
func packedSample() []trace.Record {
	recs := append(sampleTrace(),
		trace.Record{Ev: trace.EvCallQueued, T: 5 * time.Second, Call: 9, Job: "job-2", User: "bob", Client: "app-2", Method: trace.JobModification, Lane: trace.LaneLow},
		trace.Record{Ev: trace.EvCallUnqueued, T: 5 * time.Second, Call: 9},
		trace.Record{Ev: trace.EvCallBegin, T: 6 * time.Second, Call: 10, Parent: 3, Job: "job-2", User: "bob", Client: "app-2", Method: trace.JobError, Lane: trace.LaneHigh},
		trace.Record{Ev: trace.EvCallEnd, T: 7 * time.Second, Call: 10, HR: callbackabi.RPC_E_SERVERFAULT, Outcome: trace.OutcomePanic},
		trace.Record{Ev: trace.EvCallEnd, T: 7 * time.Second, Call: 11, Outcome: trace.OutcomeDisconnected},
		trace.Record{Ev: trace.EvJobProgress, Job: "job-2", Bytes: 1 << 40},
		trace.Record{Ev: trace.EvJobModified, Job: "job-2", Reason: "progress"},
		trace.Record{Ev: trace.EvFileDone, Job: "job-2", File: 3},
		trace.Record{Ev: trace.EvNotifyOwed, Job: "job-2", Method: trace.FileTransferred, File: -1},
		trace.Record{Ev: trace.EvNotifyDrop, Job: "job-2", Method: trace.JobTransferred, Reason: "unregistered"},
		trace.Record{Ev: trace.EvSlotWait, Job: "job-2", User: "bob", Method: trace.JobModification, Lane: trace.LaneLow},
		trace.Record{Ev: trace.EvRetry, Job: "job-2", Method: trace.CmdLine, At: 90 * time.Second},
		trace.Record{Ev: trace.EvJobState, Job: "job-2", From: callbackabi.BG_JOB_STATE_TRANSFERRING, To: callbackabi.BG_JOB_STATE_ERROR},
		trace.Record{Ev: trace.EvRunEnd, T: 8 * time.Second, Reason: "idle"},
	)
	for i := range recs {
		recs[i].Seq = int64(i + 1)
	}
	return recs
}

// appendMixed appends recs to l, every packable one packed.
func appendMixed(l *trace.Log, recs []trace.Record) (packed int) {
	for _, r := range recs {
		if p, ok := packOf(l, r); ok {
			l.AppendPacked(p)
			packed++
		} else {
			l.Append(r)
		}
	}
	return packed
}

// A trace appended packed is the same trace, in every mode: the same
// Records, the same hash, the same records observed.
func TestPackedRecordsAreTheSameTrace(t *testing.T) {
	want := packedSample()
	var whole, mixed trace.Log
	var seen []trace.Record
	mixed.Observe(func(r *trace.Record) { seen = append(seen, *r) })
	appendAll(&whole, want)
	require.Greater(t, appendMixed(&mixed, want), 12, "every packable kind is in the sample")
	assert.Equal(t, want, whole.Records())
	assert.Equal(t, want, mixed.Records())
	assert.Equal(t, want, seen, "the observer sees the expanded records")
	assert.Equal(t, trace.Hash(want), mixed.Hash())

	var hashed trace.Log
	hashed.SetMode(trace.HashOnly)
	appendMixed(&hashed, want)
	assert.Equal(t, trace.Hash(want), hashed.Hash(), "HashOnly hashes the expanded records")
	assert.Equal(t, len(want), hashed.Len())

	// Records expands what was appended since the last call, and a slice
	// it returned earlier stays as it was.
	var inc trace.Log
	appendMixed(&inc, want[:5])
	first := inc.Records()
	appendMixed(&inc, want[5:])
	assert.Equal(t, want[:5], first)
	assert.Equal(t, want, inc.Records())
}

func TestPackedNamesAndMisuse(t *testing.T) {
	var l trace.Log
	assert.Equal(t, trace.Name(0), l.Name(""))
	a := l.Name("job-1")
	assert.Equal(t, a, l.Name("job-1"), "a name is interned once")
	assert.NotEqual(t, a, l.Name("job-2"))
	assert.Equal(t, "job-1", l.NameString(a))
	assert.Equal(t, "", l.NameString(999), "a Name never given out reads as empty")

	l.AppendPacked(trace.Packed{Ev: trace.EvJobProgress, Job: a, A: 7})
	l.Reset()
	assert.Equal(t, a, l.Name("job-1"), "Reset keeps the names")
	assert.PanicsWithValue(t, "trace: packed record: job.create cannot be packed",
		func() { l.AppendPacked(trace.Packed{Ev: trace.EvJobCreate, Job: a}) })
	assert.PanicsWithValue(t, "trace: packed record: a Name this Log never gave out",
		func() { l.AppendPacked(trace.Packed{Ev: trace.EvJobProgress, Job: 999}) })
	assert.Zero(t, l.Len(), "a refused record is not counted")

	l.SetLimit(1)
	l.AppendPacked(trace.Packed{Ev: trace.EvJobProgress, Job: a, A: 1})
	l.AppendPacked(trace.Packed{Ev: trace.EvJobProgress, Job: a, A: 2})
	assert.Equal(t, 1, l.Dropped(), "the limit holds for packed records")
	assert.Equal(t, int64(1), l.Records()[0].Bytes)
}

// A packed append costs no allocation once the log has grown, in every
// mode.
func TestAppendPackedDoesNotAllocate(t *testing.T) {
	for _, m := range []trace.LogMode{trace.KeepRecords, trace.HashOnly, trace.CountOnly} {
		var l trace.Log
		l.SetMode(m)
		p := trace.Packed{Ev: trace.EvJobModified, Job: l.Name("job-1"), Text: l.Name("progress")}
		for range 100 {
			l.AppendPacked(p)
		}
		l.Reset()
		allocs := testing.AllocsPerRun(50, func() { l.AppendPacked(p) })
		assert.Zero(t, allocs, "mode %v", m)
	}
}

func TestNewName(t *testing.T) {
	var l trace.Log
	a := l.NewName("job-1")
	b := l.NewName("job-1")
	assert.NotEqual(t, a, b, "NewName does not look the string up")
	assert.NotEqual(t, a, l.Name("job-1"))
	assert.Equal(t, "job-1", l.NameString(b))
	assert.Equal(t, trace.Name(0), l.NewName(""))
	l.AppendPacked(trace.Packed{Ev: trace.EvFileDone, Job: b, A: 2})
	assert.Equal(t, "job-1", l.Records()[0].Job)
}
