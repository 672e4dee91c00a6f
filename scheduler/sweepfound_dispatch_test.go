package scheduler_test

// Regressions of the dispatcher bugs long sweeps of adversarial seeds
// found (issue 11: seeds 402, 392234, 574486, 580079, 696554, 1451969,
// 1496423 below 1.5 million; 2064397, 2613190, 4065586, 4131770 below 5
// million). Each test is the smallest world that states the rule;
// it runs once with the fixed dispatcher (the behaviour, and a clean
// catalogue) and once with the mutant that re-creates the bug (the
// catalogue names the broken rule), so each test is shown able to fail.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

const notifyExe = `C:\Program Files\App\notify.exe`

// rulesBroken returns the ids of the catalogue rules the trace breaks.
func rulesBroken(recs tr) []string {
	var ids []string
	for _, v := range catalogue.Check(recs) {
		ids = append(ids, v.Rule)
	}
	return ids
}

func withMutant(m mutant.Set) scheduler.Options {
	o := scheduler.DefaultOptions()
	o.Mutants = m
	return o
}

// G28 (S-SNC: when the callback and the command line both fail, BITS
// notifies again; seed 402): JobTransferred fails, the command line takes
// over (G26) and exits non-zero, then TakeOwnership removes the command
// line (G10, G30). The live registration is the channel left: it is called
// again when the program would have run again, and the job is notified.
func TestSweepFoundCallbackAgainAfterCommandLineRemoved(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		e := newEnv(t, opts)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		admin := e.client("admin-tool", e.svc.AddUser("root", true), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetMinimumRetryDelay(60))
		e.svc.SetProgram(notifyExe, func(scheduler.ProgramRun) (int, time.Duration) { return 1, time.Second })
		mustOK(t, job.SetNotifyCmdLine(notifyExe, ""))
		n := 0
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
			n++
			if n == 1 {
				return callbackabi.RPC_E_DISCONNECTED // returned, not a dead client: the pointer stays
			}
			return sOK
		}}))
		mustOK(t, job.Resume())
		e.at(30*time.Second, func() { mustOK(t, admin.Job(job).TakeOwnership()) })
		return e.run(), job
	}
	t.Run("fixed", func(t *testing.T) {
		recs, job := run(t, scheduler.DefaultOptions())
		ex := recs.ev(trace.EvCmdlineExit)
		require.Len(t, ex, 1, recs.dump())
		assert.Equal(t, int64(1), ex[0].Code)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 2, recs.dump())
		assert.Equal(t, ex[0].T+60*time.Second, jt[1].Begin.T, "again when the program would have run again (G28: after the minimum retry delay)")
		assert.Equal(t, sOK, jt[1].End.HR)
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, job := run(t, withMutant(mutant.CmdlineKeepsTakeover))
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 1)
		assert.Equal(t, []string{"G28"}, rulesBroken(recs))
	})
}

// G27 (a program that exits 0 settles the state entry; seeds 696554,
// 1451969): DISABLE is set while the program runs and cleared after it
// exited 0. The exit counted although nothing was owed at that moment, so
// re-enabling the flags does not run the program again in the same entry.
func TestSweepFoundProgramExitZeroWhileDisabled(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) tr {
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		e.svc.SetProgram(notifyExe, func(scheduler.ProgramRun) (int, time.Duration) { return 0, 10 * time.Second })
		mustOK(t, job.SetNotifyCmdLine(notifyExe, ""))
		mustOK(t, job.Resume())
		e.at(3*time.Second, func() { mustOK(t, job.SetNotifyFlags(fJT|fJE|fOff)) })
		e.at(20*time.Second, func() { mustOK(t, job.SetNotifyFlags(fJT|fJE)) })
		return e.run()
	}
	t.Run("fixed", func(t *testing.T) {
		recs := run(t, scheduler.DefaultOptions())
		require.Len(t, recs.ev(trace.EvCmdlineStart), 1, recs.dump())
		assert.Less(t, recs.ev(trace.EvCmdlineStart)[0].T, 3*time.Second, "the program was running when DISABLE came")
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs := run(t, withMutant(mutant.CmdlineOKForgotten))
		assert.Len(t, recs.ev(trace.EvCmdlineStart), 2)
		assert.Equal(t, []string{"G27"}, rulesBroken(recs))
	})
}

// G27, G28 (both channels failed: the program runs again after the
// minimum retry delay; seeds 392234, 574486, 1496423): a job in ERROR with
// only a command line; while the program runs, an STA client registers and
// its JobError returns S_FALSE (retried as a callback, G20, G25). The
// program exits non-zero. The callback's retry is then stuck behind the
// client's STA thread, which another job's hung callback holds. The
// program still runs again, the minimum retry delay after its exit.
func TestSweepFoundProgramAgainWhileCallbackRetries(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		e := newEnv(t, opts)
		alice := e.svc.AddUser("alice", false)
		sta := e.client("app-1", alice, scheduler.STA)
		job := failingJob(t, sta) // ERROR at 0.1 s
		mustOK(t, job.SetMinimumRetryDelay(60))
		e.svc.SetProgram(notifyExe, func(r scheduler.ProgramRun) (int, time.Duration) {
			if r.Run == 1 {
				return 2, 10 * time.Second
			}
			return 0, time.Second
		})
		mustOK(t, job.SetNotifyCmdLine(notifyExe, ""))
		mustOK(t, job.Resume())
		e.at(5*time.Second, func() {
			mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Error: func(callbackabi.Job, callbackabi.Error) hr { return callbackabi.S_FALSE }}))
		})
		other := newJob(t, sta, 5*mb)
		fgResume(t, other)
		e.at(60*time.Second, func() { // late registration: its JobTransferred hangs on the STA thread
			mustOK(t, other.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { e.w.Park(); return sOK }}))
		})
		return e.run(), job
	}
	t.Run("fixed", func(t *testing.T) {
		recs, job := run(t, scheduler.DefaultOptions())
		st, ex := recs.ev(trace.EvCmdlineStart), recs.ev(trace.EvCmdlineExit)
		require.Len(t, st, 2, recs.dump())
		require.Len(t, ex, 2)
		assert.Equal(t, int64(2), ex[0].Code)
		assert.Equal(t, ex[0].T+60*time.Second, st[1].T, "G27: again after the minimum retry delay")
		assert.Equal(t, int64(0), ex[1].Code)
		je := recs.callsOf(job.Name(), trace.JobError)
		require.Len(t, je, 1, "the callback's retry waits for the STA thread")
		assert.Less(t, je[0].Begin.T, ex[0].T, "registered while the program ran")
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, _ := run(t, withMutant(mutant.CmdlineYields))
		assert.Len(t, recs.ev(trace.EvCmdlineStart), 1)
		assert.Equal(t, []string{"G27"}, rulesBroken(recs))
	})
}

// G18 with G31 (seed 580079): a JobError waits for a slot while every
// slot of alice is held (one hung call on her STA client, one dispatch
// queued behind it); the job's registration is cleared and a new one is
// made. The dispatch queued for the old registration is stale; the new
// registration's JobError is queued for a slot of its own (a second
// slot.wait), so the run cannot go idle as if nothing were owed to it.
func TestSweepFoundNewRegistrationQueuedBesideStaleDispatch(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		opts.Cap = 2
		e := newEnv(t, opts)
		alice := e.svc.AddUser("alice", false)
		sta := e.client("sta", alice, scheduler.STA)
		app2 := e.client("app-2", alice, scheduler.MTA)
		app3 := e.client("app-3", alice, scheduler.MTA)
		for range 2 { // both transfer at once; the first JobTransferred hangs, the second waits for the thread
			h := newJob(t, sta, 5*mb)
			mustOK(t, h.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { e.w.Park(); return sOK }}))
			fgResume(t, h)
		}
		job := failingJob(t, app2)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		e.at(2*time.Second, func() { mustOK(t, job.Resume()) }) // ERROR at 2.1 s: JobError waits for a slot
		e.at(4*time.Second, func() {
			mustOK(t, job.SetNotifyInterface(nil))
			// A flag write re-evaluates the job: with nobody to take it the
			// JobError is dropped (notify.drop settles the slot.wait), as
			// the dead client's discovery dropped it in seed 580079.
			mustOK(t, job.SetNotifyFlags(fJT|fJE))
		})
		e.at(5*time.Second, func() { mustOK(t, app3.Job(job).SetNotifyInterface(&scenarios.Funcs{})) })
		return e.run(), job
	}
	t.Run("fixed", func(t *testing.T) {
		recs, job := run(t, scheduler.DefaultOptions())
		waits := recs.ev(trace.EvSlotWait).job(job.Name())
		require.Len(t, waits, 2, recs.dump())
		assert.Equal(t, 5*time.Second, waits[1].T, "the new registration's JobError waits in the high lane")
		assert.Equal(t, trace.LaneHigh, waits[1].Lane)
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, job := run(t, withMutant(mutant.StaleQueued))
		assert.Len(t, recs.ev(trace.EvSlotWait).job(job.Name()), 1)
		assert.Equal(t, []string{"G18"}, rulesBroken(recs))
	})
}

// G26 (seeds 2064397, 2613190, 4065586, 4131770): JobTransferred is in
// flight when DISABLE is set, and then fails. The failure still hands the
// state entry to the command line: when the flags allow the notification
// again, the program runs, and the registration that failed is not called
// again.
func TestSweepFoundFailureWhileDisabledHandsOver(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		e.svc.SetProgram(notifyExe, func(scheduler.ProgramRun) (int, time.Duration) { return 0, time.Second })
		mustOK(t, job.SetNotifyCmdLine(notifyExe, ""))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
			e.svc.Clock().Sleep(10 * time.Second)
			return eFail
		}}))
		mustOK(t, job.Resume()) // TRANSFERRED at 1.1 s
		e.at(5*time.Second, func() { mustOK(t, job.SetNotifyFlags(fJT|fJE|fOff)) })
		e.at(30*time.Second, func() { mustOK(t, job.SetNotifyFlags(fJT|fJE)) })
		return e.run(), job
	}
	t.Run("fixed", func(t *testing.T) {
		recs, job := run(t, scheduler.DefaultOptions())
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1, recs.dump())
		assert.Equal(t, eFail, jt[0].End.HR)
		st := recs.ev(trace.EvCmdlineStart)
		require.Len(t, st, 1)
		assert.Equal(t, 30*time.Second, st[0].T, "the command line takes over once the flags allow it")
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, job := run(t, withMutant(mutant.FailWhileDisabledIgnored))
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 2)
		assert.Equal(t, []string{"G26"}, rulesBroken(recs))
	})
}

// G25, G28 (aimed-cmdline seeds 138283, 193177; the 5,000,000 default
// adversarial seeds never showed it): the program exited 0 for a JobError,
// then a late registration is owed it again (G18) and waits for the one
// slot, which a hung call holds. The registration is cleared before its
// call: the interface is gone, so the command line is the channel left and
// runs at once — the run must not end idle with the JobError owed.
func TestAimedFoundCommandLineAfterRegistrationCleared(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		opts.Cap = 1
		e := newEnv(t, opts)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		e.svc.SetProgram(notifyExe, func(scheduler.ProgramRun) (int, time.Duration) { return 0, time.Second })
		h := newJob(t, app, 5*mb)
		mustOK(t, h.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { e.w.Park(); return sOK }}))
		fgResume(t, h) // its JobTransferred hangs and holds alice's one slot
		job := failingJob(t, app)
		mustOK(t, job.SetNotifyCmdLine(notifyExe, ""))
		e.at(time.Second, func() { mustOK(t, job.Resume()) })                                 // ERROR at 1.1 s: the program runs and exits 0
		e.at(5*time.Second, func() { mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{})) }) // owed again, waits for the slot
		e.at(6*time.Second, func() { mustOK(t, job.SetNotifyInterface(nil)) })
		return e.run(), job
	}
	t.Run("fixed", func(t *testing.T) {
		recs, job := run(t, scheduler.DefaultOptions())
		st := recs.ev(trace.EvCmdlineStart).job(job.Name())
		require.Len(t, st, 2, recs.dump())
		assert.Equal(t, 6*time.Second, st[1].T, "the command line takes the JobError once the interface is gone")
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, job := run(t, withMutant(mutant.UnregisterQuiet))
		assert.Len(t, recs.ev(trace.EvCmdlineStart).job(job.Name()), 1)
		assert.Equal(t, []string{"G28"}, rulesBroken(recs))
	})
}

// G31, G32 (aimed-slots seed 311450; fault seed 16143): a freed slot
// goes to the high lane first, and the trace must show when a call took
// its slot. Two JobModifications take both of alice's slots at one instant
// and a third waits in the low lane. The first returns at once and the
// freed slot goes to the waiting one, while nothing waits in the high
// lane; the second has not begun yet, and its callback registers a job
// that is already TRANSFERRED, so a JobTransferred becomes owed and waits
// in the high lane. The low-lane call took its slot before that wait, but
// begins after it: without `call.queued` the trace showed a low-lane call
// taking a slot while the high lane waited, and the catalogue reported G32.
func TestAimedFoundLowLaneSlotTakenBeforeHighLaneWait(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef, *scheduler.JobRef) {
		opts.Cap = 2
		e := newEnv(t, opts)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		done := newJob(t, app, 5*mb)
		mustOK(t, done.Resume()) // TRANSFERRED at 1.1 s, nobody registered yet
		jm := func(f func()) callbackabi.Callback {
			return &scenarios.Funcs{Modification: func(callbackabi.Job) hr { f(); return sOK }}
		}
		a, b, x := newJob(t, app, mb), newJob(t, app, mb), newJob(t, app, mb)
		mustOK(t, a.SetNotifyInterface(jm(func() {})))
		mustOK(t, b.SetNotifyInterface(jm(func() {
			if e.w.Now() == 5*time.Second {
				mustOK(t, done.SetNotifyInterface(&scenarios.Funcs{}))
				e.svc.Clock().Sleep(time.Second) // holds its slot past the instant
			}
		})))
		mustOK(t, x.SetNotifyInterface(jm(func() {})))
		for _, j := range []*scheduler.JobRef{a, b, x} {
			mustOK(t, j.SetNotifyFlags(fJT|fJE|fJM))
		}
		e.at(5*time.Second, func() { // a and b take both slots; x waits in the low lane
			for _, j := range []*scheduler.JobRef{a, b, x} {
				mustOK(t, j.SetDescription("changed"))
			}
		})
		return e.run(), done, x
	}
	recs, done, x := run(t, scheduler.DefaultOptions())
	queued := recs.ev(trace.EvCallQueued).job(x.Name())
	require.NotEmpty(t, queued, recs.dump())
	waits := recs.ev(trace.EvSlotWait).job(done.Name())
	require.NotEmpty(t, waits, recs.dump())
	assert.Less(t, queued[0].Seq, waits[0].Seq, "the JobModification took its slot before the JobTransferred waited")
	assert.Equal(t, trace.LaneLow, queued[0].Lane)
	assert.Empty(t, rulesBroken(recs))

	// The same trace without call.queued hides when the slot was taken,
	// and the catalogue rejects it: the event is what makes G32 exact.
	var hidden tr
	for _, r := range recs {
		if r.Ev != trace.EvCallQueued && r.Ev != trace.EvCallUnqueued {
			r.Seq = int64(len(hidden) + 1)
			hidden = append(hidden, r)
		}
	}
	assert.Equal(t, []string{"G32"}, rulesBroken(hidden))
}

// G15, G33 (S-FT: "The FileTransferred callbacks are dispatched before the
// JobTransferred and JobError callbacks"; aimed-slots seeds 6065, 1329,
// 2072, aimed-cmdline seed 249529): a JobError takes its slot and waits
// for the STA thread the application holds. The job is suspended (the
// JobError is no longer owed) and resumed: file 0 arrives, its
// FileTransferred queues for the thread behind the old JobError, and file
// 1 fails, so the job is in ERROR again. When the thread is free, the old
// JobError call must not begin ahead of the FileTransferred owed since.
func TestAimedFoundStaleJobErrorWaitsForFileTransferred(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		e := newEnv(t, opts)
		ui := e.client("ui", e.svc.AddUser("alice", false), scheduler.STA)
		ui.HoldSTA()
		job, res := ui.CreateJob("two files", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		mustOK(t, res)
		for i := range 2 {
			mustOK(t, job.AddFileSpec(scheduler.FileSpec{RemoteURL: fmt.Sprintf("http://h/f%d", i), LocalName: fmt.Sprintf(`C:\f%d`, i),
				Size: mb, Failures: []scheduler.Failure{{AtByte: uint64(i) * mb / 2, HR: callbackabi.BG_E_HTTP_ERROR(404)}}}))
		}
		mustOK(t, job.SetNotifyFlags(fJT|fJE|fFT))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{FileDone: func(callbackabi.Job, callbackabi.File) hr { return sOK }}))
		fgResume(t, job)                                       // ERROR at connect: the JobError queues for the thread
		e.at(time.Second, func() { mustOK(t, job.Suspend()) }) // the JobError is no longer owed
		e.at(2*time.Second, func() { mustOK(t, job.Resume()) })
		e.at(30*time.Second, ui.ReleaseSTA)
		return e.run(), job
	}
	t.Run("fixed", func(t *testing.T) {
		recs, job := run(t, scheduler.DefaultOptions())
		calls := recs.ev(trace.EvCallBegin).job(job.Name())
		require.Len(t, calls, 2, recs.dump())
		assert.Equal(t, trace.FileTransferred, calls[0].Method, "the file first")
		assert.Equal(t, trace.JobError, calls[1].Method)
		assert.Equal(t, 30*time.Second, calls[1].T)
		assert.Len(t, recs.ev(trace.EvCallUnqueued).where(func(r trace.Record) bool { return r.Call < calls[0].Call }), 1,
			"the old JobError gives back its slot")
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, job := run(t, withMutant(mutant.StaleJEBeforeFT))
		calls := recs.ev(trace.EvCallBegin).job(job.Name())
		require.NotEmpty(t, calls, recs.dump())
		assert.Equal(t, trace.JobError, calls[0].Method)
		assert.Equal(t, []string{"G15"}, rulesBroken(recs))
	})
}

// G18 (found by the bug-finding portfolio: mutate on aimed-cmdline): a
// JobTransferred retry waits for alice's one slot, which a hung call
// holds; the job is suspended (the JobTransferred is dropped, reason
// state) and resumed, and is TRANSFERRED again at once. The dispatch
// queued in the earlier entry must not stand in for the new entry's: the
// new one is queued and its wait written, so the trace shows what holds
// the notification back.
func TestPortfolioFoundNewEntryQueuedBesideStaleDispatch(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef) {
		opts.Cap = 1
		e := newEnv(t, opts)
		alice := e.svc.AddUser("alice", false)
		h := newJob(t, e.client("app-2", alice, scheduler.MTA), 5*mb) // another process of alice's holds the slot
		mustOK(t, h.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { e.w.Park(); return sOK }}))
		job := newJob(t, e.client("app-1", alice, scheduler.MTA), mb)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { return callbackabi.S_FALSE }}))
		mustOK(t, job.SetMinimumRetryDelay(5))
		mustOK(t, job.Resume())                        // TRANSFERRED at 1.1 s: its JobTransferred returns S_FALSE, the retry is due at 6.1 s
		e.at(2*time.Second, func() { fgResume(t, h) }) // its JobTransferred hangs and holds the slot
		e.at(40*time.Second, func() { mustOK(t, job.Suspend()) })
		e.at(50*time.Second, func() { mustOK(t, job.Resume()) })
		return e.run(), job
	}
	t.Run("fixed", func(t *testing.T) {
		recs, job := run(t, scheduler.DefaultOptions())
		waits := recs.ev(trace.EvSlotWait).job(job.Name())
		require.Len(t, waits, 2, recs.dump())
		assert.Equal(t, 50100*time.Millisecond, waits[1].T, "the new entry's JobTransferred waits for the slot")
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, job := run(t, withMutant(mutant.StaleEntryQueued))
		assert.Len(t, recs.ev(trace.EvSlotWait).job(job.Name()), 1)
		assert.Equal(t, []string{"G18"}, rulesBroken(recs))
	})
}

// G32 (aimed-slots seeds 295996, 315229, 497093): the trace shows the
// slots in the order the pump gave them, high lane first. On an STA
// client, P holds alice's first slot until 6 s and A and B wait for the
// thread with the other two; two JobTransferreds (h1, h2) wait in the high
// lane and a JobModification (x) in the low lane. At 6 s the slots free
// one at a time as the thread runs P, A and h1, and each goes to the next
// waiting dispatch: h1, h2, then x. B then runs before h2 and x, and its
// callback makes a third JobTransferred owed, which finds the slots full.
// h2 and x took their slots in that order but have not begun: both get
// call.queued, h2's first. Writing only x's (the mutant) showed a
// low-lane call taking a slot while h2 still waited in the high lane.
func TestAimedFoundHighLaneSlotShownBeforeLowLane(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options) (tr, *scheduler.JobRef, *scheduler.JobRef) {
		opts.Cap = 3
		e := newEnv(t, opts)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.STA)
		done, h1, h2 := newJob(t, app, mb), newJob(t, app, mb), newJob(t, app, mb)
		for _, j := range []*scheduler.JobRef{done, h1, h2} {
			fgResume(t, j) // TRANSFERRED before 5 s, nobody registered yet
		}
		jm := func(f func()) callbackabi.Callback {
			return &scenarios.Funcs{Modification: func(callbackabi.Job) hr {
				if e.w.Now() >= 5*time.Second {
					f()
				}
				return sOK
			}}
		}
		p, a, b, x := newJob(t, app, mb), newJob(t, app, mb), newJob(t, app, mb), newJob(t, app, mb)
		mustOK(t, p.SetNotifyInterface(jm(func() { e.svc.Clock().Sleep(time.Second) })))
		mustOK(t, a.SetNotifyInterface(jm(func() {})))
		mustOK(t, b.SetNotifyInterface(jm(func() { mustOK(t, done.SetNotifyInterface(&scenarios.Funcs{})) })))
		mustOK(t, x.SetNotifyInterface(jm(func() {})))
		for _, j := range []*scheduler.JobRef{p, a, b, x} {
			mustOK(t, j.SetNotifyFlags(fJT|fJE|fJM))
		}
		e.at(5*time.Second, func() {
			for _, j := range []*scheduler.JobRef{p, a, b} { // take the three slots
				mustOK(t, j.SetDescription("changed"))
			}
			mustOK(t, h1.SetNotifyInterface(&scenarios.Funcs{})) // the high lane waits
			mustOK(t, h2.SetNotifyInterface(&scenarios.Funcs{}))
			mustOK(t, x.SetDescription("changed")) // the low lane waits
		})
		return e.run(), h2, x
	}
	t.Run("fixed", func(t *testing.T) {
		recs, h2, x := run(t, scheduler.DefaultOptions())
		hq := recs.ev(trace.EvCallQueued).job(h2.Name())
		xq := recs.ev(trace.EvCallQueued).job(x.Name())
		require.Len(t, hq, 1, recs.dump())
		require.Len(t, xq, 1, recs.dump())
		assert.Less(t, hq[0].Seq, xq[0].Seq, "h2's JobTransferred took its slot before x's JobModification")
		assert.Equal(t, 6*time.Second, xq[0].T)
		assert.Empty(t, rulesBroken(recs))
	})
	t.Run("mutant", func(t *testing.T) {
		recs, h2, _ := run(t, withMutant(mutant.QueuedLowOnly))
		assert.Empty(t, recs.ev(trace.EvCallQueued).job(h2.Name()))
		assert.Equal(t, []string{"G32"}, rulesBroken(recs))
	})
}
