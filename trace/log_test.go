package trace_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/trace"
)

// appendAll appends recs with their Seq cleared, as a simulator would.
func appendAll(l *trace.Log, recs []trace.Record) {
	for _, r := range recs {
		r.Seq = 0
		l.Append(r)
	}
}

func TestLogNumbersRecords(t *testing.T) {
	var l trace.Log
	assert.Zero(t, l.Len())
	assert.Empty(t, l.Records())
	l.Append(trace.Record{Ev: trace.EvRunStart, Seq: 99})
	l.Append(trace.Record{Ev: trace.EvRunEnd, Reason: "idle"})
	require.Equal(t, 2, l.Len())
	recs := l.Records()
	assert.Equal(t, int64(1), recs[0].Seq, "Append ignores the Seq it is given")
	assert.Equal(t, int64(2), recs[1].Seq)
	assert.Equal(t, "idle", recs[1].Reason)
	assert.False(t, l.Overflow())
	assert.NoError(t, l.Err())

	// Records can't be grown into the Log's memory.
	_ = append(recs, trace.Record{Ev: trace.EvLimit})
	l.Append(trace.Record{Ev: trace.EvJobCreate})
	assert.Equal(t, trace.EvJobCreate, l.Records()[2].Ev)
}

func TestLogRecordsParse(t *testing.T) {
	var l trace.Log
	appendAll(&l, sampleTrace())
	assert.Equal(t, sampleTrace(), l.Records())
	_, err := trace.Parse(bytesReader(encode(t, l.Records())))
	require.NoError(t, err)
}

// Clear readies a Log for another run: no records, no Names, no observer,
// and the memory of the last run reused — a second run of the same size
// allocates nothing for its records or its Names.
func TestLogClear(t *testing.T) {
	var l trace.Log
	l.SetLimit(1000)
	observed := 0
	l.Observe(func(*trace.Record) { observed++ })
	run := func() {
		job, user := l.NewName("job-1"), l.Name("alice")
		for i := range 50 {
			l.Append(trace.Record{Ev: trace.EvUserLogon, User: "alice"})
			l.AppendFields(0, trace.EvCallBegin, job, user, user, 0, trace.JobModification, trace.LaneLow, int64(i+1), 0)
		}
		if n := len(l.Records()); n != 100 {
			t.Fatalf("%d records, want 100", n)
		}
	}
	run()
	require.Equal(t, 100, observed)
	l.Clear()
	assert.Zero(t, l.Len())
	assert.Empty(t, l.Records())
	assert.Equal(t, 1000, l.Limit(), "Clear keeps the limit")
	assert.Equal(t, trace.Name(1), l.Name("bob"), "the Names start again")
	assert.Equal(t, "", l.NameString(2), "the last run's Names are gone")
	l.Clear()
	allocs := testing.AllocsPerRun(10, func() {
		l.Clear()
		run()
	})
	assert.Zero(t, allocs, "a second run of the same size reuses the memory")
	assert.Equal(t, 100, observed, "Clear removes the observer")
	assert.Equal(t, "job-1", l.Records()[1].Job)
}

func TestLogResetKeepsCapacity(t *testing.T) {
	var l trace.Log
	l.SetLimit(100)
	appendAll(&l, sampleTrace())
	before := cap(l.Records())
	l.Reset()
	assert.Zero(t, l.Len())
	assert.Empty(t, l.Records())
	assert.Equal(t, 100, l.Limit(), "Reset keeps the limit")
	l.Append(trace.Record{Ev: trace.EvRunStart})
	assert.Equal(t, int64(1), l.Records()[0].Seq, "seq starts again at 1")
	r := trace.Record{Ev: trace.EvJobProgress, Job: "job-1"}
	allocs := testing.AllocsPerRun(20, func() {
		l.Reset()
		for range before {
			l.Append(r)
		}
	})
	assert.Zero(t, allocs, "Append into kept capacity does not allocate")
}

func TestLogLimit(t *testing.T) {
	var l trace.Log
	l.SetLimit(3)
	for range 5 {
		l.Append(trace.Record{Ev: trace.EvJobProgress, Job: "j"})
	}
	assert.Equal(t, 3, l.Len())
	assert.Len(t, l.Records(), 3)
	assert.True(t, l.Overflow())
	assert.Equal(t, 2, l.Dropped())
	require.ErrorIs(t, l.Err(), trace.ErrLogFull)
	assert.EqualError(t, l.Err(), "trace: log record limit reached: kept 3, dropped 2 records")
	assert.Equal(t, int64(3), l.Records()[2].Seq)

	l.Reset()
	assert.False(t, l.Overflow())
	assert.NoError(t, l.Err())

	l.SetLimit(0)
	for range 10 {
		l.Append(trace.Record{Ev: trace.EvJobProgress})
	}
	assert.Equal(t, 10, l.Len())
	assert.False(t, l.Overflow())
	l.SetLimit(-5)
	assert.Equal(t, 0, l.Limit())
}

func TestLogHashOnly(t *testing.T) {
	var keep, hashed trace.Log
	hashed.SetMode(trace.HashOnly)
	assert.Equal(t, trace.HashOnly, hashed.Mode())
	appendAll(&keep, sampleTrace())
	appendAll(&hashed, sampleTrace())

	assert.Equal(t, trace.Hash(sampleTrace()), keep.Hash())
	assert.Equal(t, keep.Hash(), hashed.Hash(), "both modes give the same hash")
	assert.Equal(t, keep.Len(), hashed.Len())
	assert.Nil(t, hashed.Records())

	hashed.Reset()
	assert.Equal(t, trace.Hash(nil), hashed.Hash())
	assert.Equal(t, trace.HashOnly, hashed.Mode(), "Reset keeps the mode")

	// The limit applies in hash-only mode too, and the hash covers the
	// records accepted.
	hashed.SetLimit(4)
	appendAll(&hashed, sampleTrace())
	assert.Equal(t, trace.Hash(sampleTrace()[:4]), hashed.Hash())
	assert.True(t, hashed.Overflow())

	r := trace.Record{Ev: trace.EvCallBegin, Job: "job-1", User: "alice", Client: "app-1",
		Method: trace.JobTransferred, Lane: trace.LaneHigh}
	hashed.Reset()
	hashed.SetLimit(0)
	hashed.Append(r) // grow the line buffer once
	allocs := testing.AllocsPerRun(1000, func() { hashed.Append(r) })
	assert.Zero(t, allocs)
}

func TestLogCountOnly(t *testing.T) {
	var l trace.Log
	l.SetMode(trace.CountOnly)
	appendAll(&l, sampleTrace())
	assert.Equal(t, len(sampleTrace()), l.Len())
	assert.Empty(t, l.Records())
	assert.Panics(t, func() { l.Hash() }, "no hash to compare: fail loudly")
	l.SetLimit(3)
	l.Reset()
	appendAll(&l, sampleTrace())
	assert.Equal(t, 3, l.Len())
	assert.True(t, l.Overflow())
	r := trace.Record{Ev: trace.EvJobProgress, Job: "job-1"}
	assert.Zero(t, testing.AllocsPerRun(1000, func() { l.Append(r) }))
}

func TestLogSetModeNeedsAnEmptyLog(t *testing.T) {
	var l trace.Log
	assert.Equal(t, trace.KeepRecords, l.Mode(), "the zero Log keeps records")
	l.SetMode(trace.KeepRecords) // no change: fine
	l.Append(trace.Record{Ev: trace.EvRunStart})
	assert.Panics(t, func() { l.SetMode(trace.HashOnly) })
	l.SetMode(trace.KeepRecords) // no change: still fine
	l.Reset()
	assert.NotPanics(t, func() { l.SetMode(trace.HashOnly) })
	assert.NotPanics(t, func() { l.SetMode(trace.CountOnly) })
	assert.Panics(t, func() { l.SetMode(trace.LogMode(9)) })
	assert.Equal(t, "LogMode(9)", trace.LogMode(9).String())
	assert.Equal(t, "HashOnly", trace.HashOnly.String())
}
