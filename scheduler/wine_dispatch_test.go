package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// wineWorkload is one workload run under both profiles:
//
//	job-1: transfers unregistered; a callback registers a minute later (G18)
//	job-2: its JobTransferred fails once, then returns S_OK (G20)
//	job-3: flags JOB_TRANSFERRED|DISABLE with a callback registered (G3)
func wineWorkload(t *testing.T, opts scheduler.Options) (tr, [3]string) {
	e := newEnv(t, opts)
	app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
	late := newJob(t, app, 5*mb)
	mustOK(t, late.Resume())
	e.at(time.Minute, func() { mustOK(t, late.SetNotifyInterface(&scenarios.Funcs{})) })

	retry := newJob(t, app, 5*mb)
	mustOK(t, retry.SetMinimumRetryDelay(5))
	n := 0
	mustOK(t, retry.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
		n++
		if n == 1 {
			return eFail
		}
		return sOK
	}}))
	mustOK(t, retry.Resume())

	off := newJob(t, app, 5*mb)
	mustOK(t, off.SetNotifyFlags(fJT|fOff))
	mustOK(t, off.SetNotifyInterface(&scenarios.Funcs{}))
	mustOK(t, off.Resume())

	recs := e.run()
	return recs, [3]string{late.Name(), retry.Name(), off.Name()}
}

func TestWineCompatBreaksG18G20G3(t *testing.T) {
	rules := []string{"G18", "G20", "G3"}

	t.Run("default-profile-keeps-them", func(t *testing.T) {
		recs, jobs := wineWorkload(t, scheduler.DefaultOptions())
		assert.Empty(t, catalogue.CheckRules(recs, rules...))
		// The same on the trace directly.
		assert.Len(t, recs.callsOf(jobs[0], trace.JobTransferred), 1, "late registration notified (G18)")
		assert.Len(t, recs.callsOf(jobs[1], trace.JobTransferred), 2, "failed JT retried (G20)")
		assert.Empty(t, recs.callsOf(jobs[2], trace.JobTransferred), "DISABLE honoured (G3)")
	})

	t.Run("winecompat-breaks-each", func(t *testing.T) {
		recs, jobs := wineWorkload(t, scheduler.WineCompatOptions())
		require.Equal(t, "winecompat", recs.ev(trace.EvRunConfig)[0].Profile)
		vs := catalogue.CheckRules(recs, rules...)
		for i, id := range rules {
			found := false
			for _, v := range vs {
				found = found || (v.Rule == id && strings.Contains(v.Msg, jobs[i]))
			}
			assert.True(t, found, "%s is broken for %s under WineCompat; violations: %v", id, jobs[i], vs)
		}
		// The same on the trace directly (W-2, W-3, W-4).
		assert.Empty(t, recs.callsOf(jobs[0], trace.JobTransferred), "no late notification")
		jt := recs.callsOf(jobs[1], trace.JobTransferred)
		require.Len(t, jt, 1, "no retry")
		assert.Equal(t, eFail, jt[0].End.HR)
		assert.Len(t, recs.callsOf(jobs[2], trace.JobTransferred), 1, "DISABLE ignored")
	})
}

// TestWineCompatDispatchOnly: Wine dispatches JobTransferred only (W-2),
// rejects 0x20 (W-4) and has no command line (W-6).
func TestWineCompatDispatchOnly(t *testing.T) {
	e := newEnv(t, scheduler.WineCompatOptions())
	app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
	ok := newJob(t, app, 5*mb, 5*mb)
	bad := failingJob(t, app)
	requireHR(t, callbackabi.E_NOTIMPL, ok.SetNotifyFlags(fJT|fFRT), "0x20 under Wine")
	requireHR(t, callbackabi.E_NOTIMPL, ok.SetNotifyCmdLine(`C:\n.exe`, ""), "command line under Wine")
	for _, j := range []*scheduler.JobRef{ok, bad} {
		mustOK(t, j.SetNotifyFlags(fJT|fJE|fJM|fFT))
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{FileDone: func(callbackabi.Job, callbackabi.File) hr { return sOK }}))
		mustOK(t, j.Resume())
	}
	recs := e.run()
	require.NotEmpty(t, recs.stateTo(bad.Name(), callbackabi.BG_JOB_STATE_ERROR))
	calls := recs.calls()
	require.Len(t, calls, 1, recs.dump())
	assert.Equal(t, trace.JobTransferred, calls[0].Begin.Method)
	assert.Equal(t, ok.Name(), calls[0].Begin.Job)
}
