package scheduler_test

// The headline behaviours of the dispatcher, one test each, told as a
// story on the trace.

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

func completeIt(j callbackabi.Job) hr {
	j.Complete()
	return sOK
}

// An application that registers an hour after its job transferred still
// gets JobTransferred, and completes the job from it (G18).
func TestHeadlineLateRegistration(t *testing.T) {
	e := defaultEnv(t)
	app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
	job := newJob(t, app, 5*mb)
	mustOK(t, job.Resume())
	e.at(time.Hour, func() { mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt})) })
	recs := e.run()
	in := recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED)
	require.Len(t, in, 1)
	reg := recs.ev(trace.EvJobRegister)
	require.Len(t, reg, 1)
	assert.Equal(t, time.Hour, reg[0].T)
	assert.Empty(t, recs.ev(trace.EvNotifyOwed).where(func(r trace.Record) bool { return r.Seq < reg[0].Seq }),
		"nothing is owed while nobody listens")
	owed := recs.ev(trace.EvNotifyOwed)
	require.Len(t, owed, 1)
	assert.Greater(t, owed[0].Seq, reg[0].Seq)
	jt := recs.callsOf(job.Name(), trace.JobTransferred)
	require.Len(t, jt, 1)
	assert.Equal(t, time.Hour, jt[0].Begin.T)
	ack := recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_ACKNOWLEDGED)
	require.Len(t, ack, 1)
	assert.Greater(t, ack[0].Seq, jt[0].Begin.Seq)
	assert.Less(t, ack[0].Seq, jt[0].End.Seq, "completed from inside the callback")
}

// A JobTransferred that keeps failing is called again, after the retry
// delay each time, until it returns S_OK — and never after (G20).
func TestHeadlineRetryUntilSOK(t *testing.T) {
	e := defaultEnv(t)
	job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
	mustOK(t, job.SetMinimumRetryDelay(60))
	results := []hr{eFail, callbackabi.S_FALSE, callbackabi.E_OUTOFMEMORY, sOK}
	n := 0
	mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
		res := results[min(n, len(results)-1)]
		n++
		return res
	}}))
	mustOK(t, job.Resume())
	e.at(12*time.Hour, func() {}) // plenty of time for a wrong extra call
	recs := e.run()
	jt := recs.callsOf(job.Name(), trace.JobTransferred)
	require.Len(t, jt, 4, recs.dump())
	retries := recs.ev(trace.EvRetry)
	require.Len(t, retries, 3)
	for i, c := range jt {
		assert.Equal(t, results[i], c.End.HR)
		if i > 0 {
			assert.Equal(t, retries[i-1].At, c.Begin.T, "call %d at the scheduled retry", i)
			assert.Equal(t, 60*time.Second, c.Begin.T-jt[i-1].End.T)
		}
	}
	assert.Equal(t, int64(3), e.svc.Stats().Retries)
}

// The client crashes before its job transfers: BITS finds the pointer dead
// on its next call, a restarted client finds its job at initialization,
// registers again, and gets JobTransferred (G7, G23, G19).
func TestHeadlineCrashRestartReregister(t *testing.T) {
	e := defaultEnv(t)
	alice := e.svc.AddUser("alice", false)
	app := e.client("app-1", alice, scheduler.MTA)
	job := newJob(t, app, 50*mb) // transfers at 5.1 s
	mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
	mustOK(t, job.Resume())
	e.at(2*time.Second, app.Crash)
	var restarted *scheduler.Client
	e.at(time.Minute, func() {
		restarted = app.Restart()
		jobs, res := restarted.EnumJobs(false) // application initialization
		mustOK(t, res)
		require.Len(t, jobs, 1)
		mustOK(t, jobs[0].SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
	})
	recs := e.run()
	exits := recs.ev(trace.EvClientExit)
	require.Len(t, exits, 1, "Restart of a crashed process does not exit it twice")
	assert.Equal(t, "crash", exits[0].Reason)
	jt := recs.callsOf(job.Name(), trace.JobTransferred)
	require.Len(t, jt, 2, recs.dump())
	assert.Equal(t, "app-1", jt[0].Begin.Client)
	assert.Equal(t, trace.OutcomeDisconnected, jt[0].End.Outcome)
	un := recs.ev(trace.EvJobUnregister)
	require.NotEmpty(t, un)
	assert.Equal(t, "disconnected", un[0].Reason)
	assert.Equal(t, "app-1#2", jt[1].Begin.Client)
	assert.Equal(t, time.Minute, jt[1].Begin.T)
	assert.Equal(t, sOK, jt[1].End.HR)
	assert.NotEmpty(t, recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_ACKNOWLEDGED))
	assert.Equal(t, "app-1#2", restarted.Name())
}

// Four of alice's callbacks block for an hour: her other application's
// JobTransferred waits for a slot; bob's, in his own slots, does not (G31).
func TestHeadlineFourBlockedCallbacks(t *testing.T) {
	e := defaultEnv(t)
	clock := e.svc.Clock()
	alice := e.svc.AddUser("alice", false)
	bob := e.svc.AddUser("bob", false)
	appA := e.client("app-a", alice, scheduler.MTA)
	appB := e.client("app-b", alice, scheduler.MTA)
	appC := e.client("app-c", bob, scheduler.MTA)
	for i := 0; i < 4; i++ {
		j := newJob(t, appA, 5*mb)
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
			clock.Sleep(time.Hour)
			return completeIt(j)
		}}))
		fgResume(t, j)
	}
	var victim, other *scheduler.JobRef
	e.at(30*time.Second, func() {
		victim = newJob(t, appB, 5*mb)
		mustOK(t, victim.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
		fgResume(t, victim)
		other = newJob(t, appC, 5*mb)
		mustOK(t, other.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
		fgResume(t, other)
	})
	recs := e.run()
	assert.Equal(t, 4, recs.maxInFlight()["alice"])
	vin := recs.stateTo(victim.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED)
	require.Len(t, vin, 1)
	wait := recs.ev(trace.EvSlotWait).job(victim.Name())
	require.Len(t, wait, 1, recs.dump())
	assert.Equal(t, "alice", wait[0].User)
	assert.Equal(t, vin[0].T, wait[0].T)
	vjt := recs.callsOf(victim.Name(), trace.JobTransferred)
	require.Len(t, vjt, 1)
	firstFree := recs.calls()[0].End.T
	assert.GreaterOrEqual(t, firstFree, time.Hour)
	assert.Equal(t, firstFree, vjt[0].Begin.T, "starved until a blocking call returned")
	ojt := recs.callsOf(other.Name(), trace.JobTransferred)
	require.Len(t, ojt, 1)
	oin := recs.stateTo(other.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED)
	assert.Equal(t, oin[0].T, ojt[0].Begin.T, "bob is not affected")
	assert.Empty(t, recs.ev(trace.EvSlotWait).job(other.Name()))
}

// A JobModification waiting in the low lane is overtaken by a JobTransferred
// queued later in the high lane, and arrives after it (G32).
func TestHeadlineModificationOvertaken(t *testing.T) {
	recs, job := overtakeRun(t)
	jt := recs.callsOf(job, trace.JobTransferred)
	require.Len(t, jt, 1)
	assert.Equal(t, 20*time.Second, jt[0].Begin.T, "JT takes the first freed slot")
	var late []call
	for _, c := range recs.callsOf(job, trace.JobModification) {
		if c.Begin.Seq > jt[0].Begin.Seq {
			late = append(late, c)
		}
	}
	require.NotEmpty(t, late, "a JM arrives after JT\n%s", recs.dump())
	// JT returns at once, so its slot goes to the waiting JM at 20 s.
	assert.Equal(t, 20*time.Second, late[0].Begin.T, "the waiting JM gets the slot JT frees")
	assert.Greater(t, late[0].Begin.Seq, jt[0].End.Seq)
	in := recs.stateTo(job, callbackabi.BG_JOB_STATE_TRANSFERRED)
	require.Len(t, in, 1)
	assert.Less(t, in[0].T, 20*time.Second)
}

// An STA client's JobModification makes a COM call (GetProgress) and is
// re-entered by the next JobModification on the same thread; the seed's
// InterlockedCompareExchange guard drops the nested ones (G34).
func TestHeadlineSTANestedJobModification(t *testing.T) {
	run := func(t *testing.T, guarded bool) (tr, int, int) {
		e := defaultEnv(t)
		clock := e.svc.Clock()
		app := e.client("app-sta", e.svc.AddUser("alice", false), scheduler.STA)
		var pending atomic.Int32 // m_PendingJobModificationCount
		entered, processed := 0, 0
		cb := &scenarios.Funcs{Transferred: completeIt, Modification: func(j callbackabi.Job) hr {
			entered++
			if guarded && !pending.CompareAndSwap(0, 1) {
				return sOK // already processing: ignore this notification
			}
			clock.Sleep(1500 * time.Millisecond)
			_, res := j.GetProgress() // pumps: may deliver a nested call
			mustOK(t, res)
			clock.Sleep(500 * time.Millisecond)
			processed++
			if guarded {
				pending.Store(0)
			}
			return sOK
		}}
		job := newJob(t, app, 60*mb)
		mustOK(t, job.SetNotifyFlags(fJT|fJM))
		mustOK(t, job.SetNotifyInterface(cb))
		fgResume(t, job)
		recs := e.run()
		assert.Equal(t, entered, len(recs.callsOf(job.Name(), trace.JobModification)))
		return recs, entered, processed
	}
	t.Run("without-guard", func(t *testing.T) {
		recs, entered, processed := run(t, false)
		assert.Equal(t, entered, processed, "every nested call is processed")
		nested := recs.where(func(r trace.Record) bool { return r.Ev == trace.EvCallBegin && r.Parent != 0 })
		require.NotEmpty(t, nested)
		assert.Equal(t, int64(len(nested)), countNested(recs))
	})
	t.Run("with-guard", func(t *testing.T) {
		recs, entered, processed := run(t, true)
		assert.Less(t, processed, entered, "nested calls were dropped by the guard")
		nested := recs.where(func(r trace.Record) bool {
			return r.Ev == trace.EvCallBegin && r.Parent != 0 && r.Method == trace.JobModification
		})
		require.NotEmpty(t, nested)
		assert.Equal(t, entered-processed, len(nested), "exactly the nested JMs are dropped")
	})
}

func countNested(recs tr) int64 {
	n := int64(0)
	for _, c := range recs.calls() {
		if c.Begin.Parent != 0 {
			n++
		}
	}
	return n
}

// A failing JobTransferred hands over to the notification program; the
// program fails and is relaunched after the job's minimum retry delay
// until it completes the job (G25–G28).
func TestHeadlineCmdLineFallbackAndRetry(t *testing.T) {
	const prog = `C:\Program Files\App\notify.exe`
	e := defaultEnv(t)
	job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
	mustOK(t, job.SetMinimumRetryDelay(120))
	e.svc.SetProgram(prog, func(r scheduler.ProgramRun) (int, time.Duration) {
		if r.Run < 3 {
			return 2, 10 * time.Second
		}
		mustOK(t, r.Job.Complete())
		return 0, 10 * time.Second
	})
	mustOK(t, job.SetNotifyCmdLine(prog, "/complete"))
	mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { return callbackabi.E_ACCESSDENIED }}))
	mustOK(t, job.Resume())
	recs := e.run()
	jt := recs.callsOf(job.Name(), trace.JobTransferred)
	require.Len(t, jt, 1, "the callback is not called again (G26)")
	st, ex := recs.ev(trace.EvCmdlineStart), recs.ev(trace.EvCmdlineExit)
	require.Len(t, st, 3, recs.dump())
	require.Len(t, ex, 3)
	assert.Equal(t, jt[0].End.T, st[0].T, "the program runs at once after the failure")
	for i := range st {
		assert.Equal(t, int64(i+1), st[i].Run)
		if i > 0 {
			assert.Equal(t, 120*time.Second, st[i].T-ex[i-1].T, "relaunched after the minimum retry delay")
		}
	}
	assert.Equal(t, []int64{2, 2, 0}, []int64{ex[0].Code, ex[1].Code, ex[2].Code})
	ack := recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_ACKNOWLEDGED)
	require.Len(t, ack, 1)
	assert.Less(t, ack[0].Seq, ex[2].Seq)
}

// BG_NOTIFY_DISABLE: one of alice's two identical jobs is disabled; it
// gets no callback and no program, the other gets both channels' worth
// (G3, ambiguity 6).
func TestHeadlineDisable(t *testing.T) {
	const prog = `C:\notify.exe`
	e := defaultEnv(t)
	app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
	var on, off *scheduler.JobRef
	for i, flags := range []callbackabi.NotifyFlags{fJT | fJE | fJM | fFT, fJT | fJE | fJM | fFT | fOff} {
		j := newJob(t, app, 5*mb, 5*mb)
		mustOK(t, j.SetNotifyFlags(flags))
		mustOK(t, j.SetNotifyCmdLine(prog, ""))
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{
			Transferred: func(callbackabi.Job) hr { return eFail }, // hands over to the program
			FileDone:    func(callbackabi.Job, callbackabi.File) hr { return sOK },
		}))
		fgResume(t, j)
		if i == 0 {
			on = j
		} else {
			off = j
		}
	}
	recs := e.run()
	for _, m := range []trace.Method{trace.JobTransferred, trace.JobModification, trace.FileTransferred} {
		assert.NotEmpty(t, recs.callsOf(on.Name(), m), "%s for the enabled job", m)
	}
	assert.Len(t, recs.ev(trace.EvCmdlineStart).job(on.Name()), 1)
	assert.NotEmpty(t, recs.stateTo(off.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED))
	assert.Empty(t, recs.ev(trace.EvCallBegin).job(off.Name()))
	assert.Empty(t, recs.ev(trace.EvCmdlineStart).job(off.Name()))
}

// An administrator takes ownership of alice's job mid-transfer. The
// command line is gone; JobTransferred still runs as alice, in alice's
// slots: root's four blocked callbacks do not delay it (G10, G31).
func TestHeadlineAdministratorTakeover(t *testing.T) {
	e := defaultEnv(t)
	clock := e.svc.Clock()
	alice := e.svc.AddUser("alice", false)
	root := e.svc.AddUser("root", true)
	app := e.client("app-1", alice, scheduler.MTA)
	admin := e.client("admin-tool", root, scheduler.MTA)
	for i := 0; i < 4; i++ { // root's own slots are all blocked
		j := newJob(t, admin, 5*mb)
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
			clock.Sleep(time.Hour)
			return completeIt(j)
		}}))
		fgResume(t, j)
	}
	job := newJob(t, app, 50*mb)
	mustOK(t, job.SetNotifyCmdLine(`C:\notify.exe`, ""))
	mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
	fgResume(t, job)
	e.at(2*time.Second, func() {
		all, res := admin.EnumJobs(true)
		mustOK(t, res)
		for _, j := range all {
			if j.Name() == job.Name() {
				mustOK(t, j.TakeOwnership())
			}
		}
	})
	recs := e.run()
	own := recs.ev(trace.EvJobOwner).job(job.Name())
	require.Len(t, own, 1)
	assert.Equal(t, 2*time.Second, own[0].T)
	jt := recs.callsOf(job.Name(), trace.JobTransferred)
	require.Len(t, jt, 1)
	assert.Greater(t, jt[0].Begin.Seq, own[0].Seq)
	assert.Equal(t, "alice", jt[0].Begin.User)
	in := recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED)
	require.Len(t, in, 1)
	assert.Equal(t, in[0].T, jt[0].Begin.T, "not held up by root's four blocked callbacks")
	assert.Empty(t, recs.ev(trace.EvSlotWait).job(job.Name()))
	assert.Empty(t, recs.ev(trace.EvCmdlineStart))
	assert.Equal(t, 4, recs.maxInFlight()["root"])
}

// The same workload twice gives byte-identical traces: nesting, slot waits,
// retries and command lines included (DESIGN.md: deterministic by
// construction).
func TestDispatchDeterministic(t *testing.T) {
	runs := []func(t *testing.T) tr{
		func(t *testing.T) tr { recs, _ := overtakeRun(t); return recs },
		func(t *testing.T) tr { recs, _, _ := staRun(t, scheduler.STA, false); return recs },
		func(t *testing.T) tr { recs, _ := wineWorkload(t, scheduler.DefaultOptions()); return recs },
		func(t *testing.T) tr { recs, _ := wineWorkload(t, scheduler.WineCompatOptions()); return recs },
	}
	for i, run := range runs {
		a, b := run(t), run(t)
		assert.Greater(t, len(a), 20)
		assert.Equal(t, trace.Hash(a), trace.Hash(b), "workload %d", i)
	}
}
