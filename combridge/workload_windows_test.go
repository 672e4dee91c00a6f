//go:build windows

package combridge_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/combridge"
	"github.com/bitsim/bitsim/trace"
)

// traceDir returns where the recorded traces go, and skips without it:
// TestUnderWine sets BITSIM_TRACE_DIR and judges the files on Linux.
func traceDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BITSIM_TRACE_DIR")
	if dir == "" {
		t.Skip("BITSIM_TRACE_DIR is not set: no trace to record (TestUnderWine sets it under Wine)")
	}
	return dir
}

// writeTrace writes recs to dir/name.
func writeTrace(t *testing.T, dir, name string, recs []trace.Record) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, name))
	require.NoError(t, err)
	require.NoError(t, trace.Encode(f, recs))
	require.NoError(t, f.Close())
}

// restAt waits until the job rests: TRANSFERRED, ERROR or ACKNOWLEDGED.
// Nothing signals that a job nobody is notified about went TRANSFERRED or
// ERROR, so it reads the state on a ticker (each read is recorded), with a
// hang guard.
func restAt(t *testing.T, job *combridge.Job) callbackabi.JobState {
	t.Helper()
	guard := time.After(2 * time.Minute)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		st, hr := job.GetState()
		require.Equal(t, callbackabi.S_OK, hr)
		switch st {
		case callbackabi.BG_JOB_STATE_TRANSFERRED, callbackabi.BG_JOB_STATE_ERROR, callbackabi.BG_JOB_STATE_ACKNOWLEDGED:
			return st
		}
		select {
		case <-guard:
			t.Fatalf("the job is still %v after 2 minutes", st)
		case <-tick.C:
		}
	}
}

// calledOrNot waits for the callback's first JobTransferred, or, for a job
// a BITS that honours BG_NOTIFY_DISABLE never notifies, a while for it.
func calledOrNot(cb *workCallback, d time.Duration) {
	select {
	case <-cb.done:
	case <-time.After(d):
	}
}

// TestRecordWorkload runs the differential workload (workload_test.go) on
// this machine's BITS through a recording bridge and writes the trace to
// BITSIM_TRACE_DIR/workload.jsonl; TestUnderWine compares it with the
// simulator's.
func TestRecordWorkload(t *testing.T) {
	realBITS(t)
	dir := traceDir(t)
	base := serve(t, payload, nil)
	m := connect(t)
	rec := m.Record(combridge.RecordOptions{Scenario: "workload", Poll: 20 * time.Millisecond})
	jobs := make([]*combridge.Job, len(workload))
	cbs := make([]*workCallback, len(workload))
	for i, w := range workload {
		url := base + "/payload.bin"
		if w.missing {
			url = base + "/missing.bin"
		}
		jobs[i], _, _ = newJob(t, m, "bitsim workload "+w.name, url)
		require.Equal(t, callbackabi.S_OK, jobs[i].SetNotifyFlags(w.flags))
		cbs[i] = newWorkCallback(w)
	}
	for i, w := range workload {
		if w.reg == regBefore {
			require.Equal(t, callbackabi.S_OK, jobs[i].SetNotifyInterface(cbs[i]))
		}
		require.Equal(t, callbackabi.S_OK, jobs[i].Resume())
		st := restAt(t, jobs[i])
		if w.reg == regAfter {
			require.Equal(t, callbackabi.S_OK, jobs[i].SetNotifyInterface(cbs[i]))
		}
		if w.reg == regBefore && st != callbackabi.BG_JOB_STATE_ERROR {
			calledOrNot(cbs[i], 30*time.Second)
			restAt(t, jobs[i])
		}
	}
	recs := rec.End()
	writeTrace(t, dir, "workload.jsonl", recs)
	require.Equal(t, "idle", recs[len(recs)-1].Reason, "every job rests and no call is in flight")
}

// TestRecordWorkloadSTA is the workload's STA client: its own apartment,
// its own recording (BITSIM_TRACE_DIR/workload-sta.jsonl).
func TestRecordWorkloadSTA(t *testing.T) {
	realBITS(t)
	dir := traceDir(t)
	base := serve(t, payload, nil)
	type result struct {
		recs []trace.Record
		err  error
	}
	res := make(chan result, 1)
	go func() { // ConnectIn locks this goroutine's thread into the STA
		var r result
		defer func() { res <- r }()
		m, err := combridge.ConnectIn(callbackabi.STA)
		if err != nil {
			r.err = err
			return
		}
		defer m.Close()
		rec := m.Record(combridge.RecordOptions{Scenario: "workload-sta", Poll: 20 * time.Millisecond})
		job, _, err := m.CreateJob("bitsim workload sta", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		if err != nil {
			r.err = err
			return
		}
		defer job.Release()
		local := filepath.Join(os.TempDir(), "bitsim-workload-sta.bin")
		defer os.Remove(local)
		cb := newWorkCallback(workloadSTA)
		for _, hr := range []callbackabi.HRESULT{
			job.AddFile(base+"/payload.bin", local),
			job.SetNotifyFlags(workloadSTA.flags),
			job.SetNotifyInterface(cb),
			job.Resume(),
		} {
			if hr.Failed() {
				r.err = &combridge.HRESULTError{Op: "setting the STA job up", HR: hr}
				return
			}
		}
		if r.err = pumpUntil(m, cb.done); r.err != nil {
			return
		}
		r.recs = rec.End()
	}()
	r := <-res
	require.NoError(t, r.err)
	writeTrace(t, dir, "workload-sta.jsonl", r.recs)
	require.Equal(t, "idle", r.recs[len(r.recs)-1].Reason)
}

// TestMain writes the trace of the whole suite's shared connection
// (every test but the workload's) to BITSIM_TRACE_DIR/integration.jsonl.
func TestMain(m *testing.M) {
	code := m.Run()
	if dir := os.Getenv("BITSIM_TRACE_DIR"); dir != "" && shared.rec != nil {
		f, err := os.Create(filepath.Join(dir, "integration.jsonl"))
		if err == nil {
			err = trace.Encode(f, shared.rec.End())
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			os.Stderr.WriteString("writing the suite's trace: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
