package trace_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/trace"
)

// appendNarrow appends recs to l: each record of a job alone, of a call
// taking a slot or of a call's end through AppendJob, AppendCall or
// AppendEnd, other packable ones packed, the rest whole. It returns how
// many went through the narrow appenders.
func appendNarrow(l *trace.Log, recs []trace.Record) (narrow int) {
	for _, r := range recs {
		p, ok := packOf(l, r)
		switch {
		case !ok:
			l.Append(r)
			continue
		case r.Ev == trace.EvJobState || r.Ev == trace.EvJobProgress || r.Ev == trace.EvJobModified || r.Ev == trace.EvFileDone:
			l.AppendJob(p.T, p.Ev, p.Job, p.Text, p.A, p.B)
		case r.Ev == trace.EvCallBegin || r.Ev == trace.EvCallQueued || r.Ev == trace.EvSlotWait:
			l.AppendCall(p.T, p.Ev, p.Job, p.User, p.Client, p.Method, p.Lane, p.A, p.B)
		case r.Ev == trace.EvCallEnd || r.Ev == trace.EvCallUnqueued:
			l.AppendEnd(p.T, p.Ev, p.Text, p.A, p.B)
		default:
			l.AppendPacked(p)
			continue
		}
		narrow++
	}
	return narrow
}

// AppendJob, AppendCall and AppendEnd write the record AppendFields
// would, on their fast path (a log that keeps records) and off it (an
// observer, another mode, the limit, a log with no names yet, growth):
// the same Records, hash and records observed.
func TestNarrowAppendsAreTheSameTrace(t *testing.T) {
	want := packedSample()

	var kept trace.Log
	require.GreaterOrEqual(t, appendNarrow(&kept, want), 10, "every narrow kind is in the sample")
	assert.Equal(t, want, kept.Records())

	var observed trace.Log
	var seen []trace.Record
	observed.Observe(func(r *trace.Record) { seen = append(seen, *r) })
	appendNarrow(&observed, want)
	assert.Equal(t, want, observed.Records())
	assert.Equal(t, want, seen, "an observer sees every record")

	var hashed trace.Log
	hashed.SetMode(trace.HashOnly)
	appendNarrow(&hashed, want)
	assert.Equal(t, trace.Hash(want), hashed.Hash())

	// A log that kept records, then hashes: the room left in its slice
	// must not take records past the hash.
	var switched trace.Log
	appendNarrow(&switched, want)
	switched.Reset()
	switched.SetMode(trace.HashOnly)
	appendNarrow(&switched, want)
	assert.Equal(t, trace.Hash(want), switched.Hash())

	var counted trace.Log
	counted.SetMode(trace.CountOnly)
	appendNarrow(&counted, want)
	assert.Equal(t, len(want), counted.Len())
	assert.Empty(t, counted.Records(), "CountOnly keeps none")

	for limit := 1; limit <= len(want); limit += 3 {
		var l trace.Log
		l.SetLimit(limit)
		appendNarrow(&l, want)
		assert.Equal(t, want[:limit], l.Records(), "limit %d", limit)
		assert.Equal(t, len(want)-limit, l.Dropped(), "limit %d", limit)
	}

	// The gate follows the log's settings: an observer removed, a limit
	// lifted, a Clear — the records stay right across each change.
	var l trace.Log
	var n int
	l.Observe(func(*trace.Record) { n++ })
	appendNarrow(&l, want[:8])
	l.Observe(nil)
	appendNarrow(&l, want[8:])
	assert.Equal(t, 8, n, "no record is observed after Observe(nil)")
	assert.Equal(t, want, l.Records())
	l.Reset()
	l.SetLimit(3)
	appendNarrow(&l, want)
	l.SetLimit(0)
	l.Clear()
	appendNarrow(&l, want)
	assert.Equal(t, want, l.Records(), "after Clear, no limit")
}

func TestNarrowAppendMisuse(t *testing.T) {
	var l trace.Log
	job, user, client := l.Name("job-1"), l.Name("alice"), l.Name("app")
	// Room in the log, so that each misuse meets the fast path's tests,
	// not only the slow path's.
	for range 10 {
		l.AppendJob(0, trace.EvJobProgress, job, 0, 1, 0)
	}
	l.Reset()
	assert.PanicsWithValue(t, "trace: AppendJob: call.begin is not a packed record of a job alone",
		func() { l.AppendJob(0, trace.EvCallBegin, job, 0, 0, 0) })
	assert.PanicsWithValue(t, "trace: AppendCall: job.progress is not a packed record of a call taking a slot",
		func() { l.AppendCall(0, trace.EvJobProgress, job, user, client, 0, 0, 0, 0) })
	assert.PanicsWithValue(t, "trace: AppendEnd: job.create is not a packed record of a call's end",
		func() { l.AppendEnd(0, trace.EvJobCreate, 0, 0, 0) })
	assert.PanicsWithValue(t, "trace: packed record: a Name this Log never gave out",
		func() { l.AppendJob(0, trace.EvJobProgress, 99, 0, 0, 0) })
	assert.PanicsWithValue(t, "trace: packed record: a Name this Log never gave out",
		func() { l.AppendCall(0, trace.EvCallBegin, job, user, 99, 0, 0, 0, 0) })
	assert.PanicsWithValue(t, "trace: packed record: a Name this Log never gave out",
		func() { l.AppendEnd(0, trace.EvCallEnd, 99, 0, 0) })
	assert.Zero(t, l.Len(), "a refused record is not counted")
}

// The narrow appenders allocate nothing once the log has grown, in every
// mode.
func TestNarrowAppendsDoNotAllocate(t *testing.T) {
	for _, m := range []trace.LogMode{trace.KeepRecords, trace.HashOnly, trace.CountOnly} {
		var l trace.Log
		l.SetMode(m)
		job, text := l.Name("job-1"), l.Name("progress")
		for range 100 {
			l.AppendJob(0, trace.EvJobModified, job, text, 0, 0)
			l.AppendCall(0, trace.EvCallBegin, job, job, job, trace.JobModification, trace.LaneLow, 1, 0)
			l.AppendEnd(0, trace.EvCallEnd, 0, 1, 0)
		}
		l.Reset()
		allocs := testing.AllocsPerRun(50, func() {
			l.AppendJob(0, trace.EvJobModified, job, text, 0, 0)
			l.AppendCall(0, trace.EvCallBegin, job, job, job, trace.JobModification, trace.LaneLow, 1, 0)
			l.AppendEnd(0, trace.EvCallEnd, 0, 1, 0)
		})
		assert.Zero(t, allocs, "mode %v", m)
	}
}

// AppendProgress writes what two AppendJob calls write — job.progress,
// then job.modified — in every mode, and at a limit that falls between
// the two records or before them.
func TestAppendProgressIsTwoAppendJobs(t *testing.T) {
	type setup func(l *trace.Log)
	setups := map[string]setup{
		"kept":     func(*trace.Log) {},
		"observed": func(l *trace.Log) { l.Observe(func(*trace.Record) {}) },
		"hashed":   func(l *trace.Log) { l.SetMode(trace.HashOnly) },
		"counted":  func(l *trace.Log) { l.SetMode(trace.CountOnly) },
	}
	for name, set := range setups {
		for limit := 0; limit <= 8; limit++ {
			var one, two trace.Log
			for _, l := range []*trace.Log{&one, &two} {
				set(l)
				l.SetLimit(limit)
				l.AppendJob(0, trace.EvJobState, l.Name("job-1"), 0, 1, 2) // odd: the pairs straddle a limit
			}
			for i := int64(1); i <= 4; i++ {
				one.AppendProgress(time.Duration(i), one.Name("job-1"), i<<20, one.Name("progress"))
				two.AppendJob(time.Duration(i), trace.EvJobProgress, two.Name("job-1"), 0, i<<20, 0)
				two.AppendJob(time.Duration(i), trace.EvJobModified, two.Name("job-1"), two.Name("progress"), 0, 0)
			}
			assert.Equal(t, two.Len(), one.Len(), "%s, limit %d", name, limit)
			assert.Equal(t, two.Dropped(), one.Dropped(), "%s, limit %d", name, limit)
			assert.Equal(t, two.Records(), one.Records(), "%s, limit %d", name, limit)
			if one.Mode() != trace.CountOnly {
				assert.Equal(t, two.Hash(), one.Hash(), "%s, limit %d", name, limit)
			}
		}
	}
	var l trace.Log
	job := l.Name("job-1")
	for range 200 {
		l.AppendProgress(0, job, 1, 0) // room: the misuse meets the fast path, the appends below no growth
	}
	l.Reset()
	assert.PanicsWithValue(t, "trace: packed record: a Name this Log never gave out",
		func() { l.AppendProgress(0, job, 1, 99) })
	assert.Zero(t, l.Len())
	assert.Zero(t, testing.AllocsPerRun(50, func() { l.AppendProgress(0, job, 1, 0) }))
}
