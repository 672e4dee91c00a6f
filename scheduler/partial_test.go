package scheduler_test

// Bytes written before a failure in the middle of a chunk (issue 14,
// statetable_test.go style). Source: "IBackgroundCopyCallback3::
// FileRangesTransferred method (bits10_1.h)", Remarks: "The ranges
// returned in this method may not match the ranges you requested. This is
// because BITS will not download the same byte range twice, and because
// BITS can report when part of a range is downloaded." So the bytes before
// the failure are progress (G50) and a range FileRangesTransferred
// reports (G16); the retry goes on from there and never reports them
// again.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

func TestPartialChunkBeforeFailure(t *testing.T) {
	const size = 25 * stMB // chunks of 10 MB (10 MB/s, 1 s)
	cells := []struct {
		name      string
		at        uint64 // Failure.AtByte
		transient bool
		state     abi.JobState // after the failure
		progress  []int64      // job.progress bytes up to the failure
	}{
		{name: "G16/transient-mid-chunk", at: 12_500_000, transient: true, state: sTransient,
			progress: []int64{10 * stMB, 12_500_000}},
		{name: "G16/fatal-mid-chunk", at: 12_500_000, state: sError,
			progress: []int64{10 * stMB, 12_500_000}},
		{name: "G16/fatal-in-first-chunk", at: 3 * stMB, state: sError,
			progress: []int64{3 * stMB}},
		{name: "G16/fatal-at-chunk-boundary", at: 10 * stMB, state: sError,
			progress: []int64{10 * stMB}}, // nothing moved after the chunk: no second record
	}
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			f := s.file(size)
			f.Failures = []scheduler.Failure{{AtByte: c.at, HR: abi.BG_E_CONNECTION_CLOSED, Transient: c.transient}}
			j := s.newJob(tDownload, f)
			require.Equal(t, abi.S_OK, j.SetOnDemand(true))
			require.Equal(t, abi.S_OK, j.SetNotifyFlags(abi.BG_NOTIFY_JOB_TRANSFERRED|abi.BG_NOTIFY_JOB_ERROR|abi.BG_NOTIFY_FILE_RANGES_TRANSFERRED))
			var got []abi.FileRange
			require.Equal(t, abi.S_OK, j.SetNotifyInterface(&scenarios.Funcs{RangesDone: func(_ abi.Job, _ abi.File, r []abi.FileRange) abi.HRESULT {
				got = append(got, r...)
				return abi.S_OK
			}}))
			require.Equal(t, abi.S_OK, j.Resume())
			s.advance(10 * time.Second) // the failure, and the ranges before it delivered (G14: 500 ms)
			s.requireState(j, c.state, "after the failure")
			var progress []int64
			for _, r := range s.log.Records() {
				if r.Ev == trace.EvJobProgress && r.Job == j.Name() {
					progress = append(progress, r.Bytes)
				}
			}
			require.Equal(t, c.progress, progress, "job.progress up to the failure")
			p, _ := j.GetProgress()
			require.Equal(t, c.at, p.BytesTransferred, "GetProgress counts the bytes before the failure")
			requireContiguous(t, got, c.at)
			if !c.transient {
				return
			}
			s.advance(10 * time.Minute) // the retry (G45) goes on from c.at
			s.requireState(j, sTransferred, "after the retry")
			requireContiguous(t, got, size)
		})
	}
}

// requireContiguous checks that ranges cover [0, end) in order, no byte
// twice ("BITS will not download the same byte range twice").
func requireContiguous(t *testing.T, ranges []abi.FileRange, end uint64) {
	t.Helper()
	next := uint64(0)
	for _, r := range ranges {
		require.Equal(t, next, r.InitialOffset, "ranges %v", ranges)
		next += r.Length
	}
	require.Equal(t, end, next, "ranges %v", ranges)
}
