package scheduler_test

// Misbehaving callbacks are contained: a panic is a failure outcome, a
// callback that never returns holds its slot visibly, and a callback may
// change its own job from inside.

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

func TestMisbehavingPanic(t *testing.T) {
	for _, apt := range []scheduler.Apartment{scheduler.MTA, scheduler.STA} {
		t.Run(apt.String(), func(t *testing.T) {
			e := defaultEnv(t)
			job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), apt), 5*mb)
			mustOK(t, job.SetMinimumRetryDelay(5))
			mustOK(t, job.SetNotifyFlags(fJT|fJM))
			jt := 0
			mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{
				Transferred: func(callbackabi.Job) hr {
					jt++
					if jt == 1 {
						panic("boom")
					}
					return sOK
				},
				Modification: func(callbackabi.Job) hr { panic(errors.New("bad JM")) },
			}))
			mustOK(t, job.Resume())
			recs := e.run()
			assert.Equal(t, "idle", recs[len(recs)-1].Reason)
			calls := recs.callsOf(job.Name(), trace.JobTransferred)
			require.Len(t, calls, 2, "a panic is a failure: JT is called again (G20)\n%s", recs.dump())
			assert.Equal(t, callbackabi.RPC_E_SERVERFAULT, calls[0].End.HR)
			assert.Equal(t, trace.OutcomePanic, calls[0].End.Outcome)
			assert.Equal(t, sOK, calls[1].End.HR)
			assert.Equal(t, "", calls[1].End.Outcome)
			jm := recs.callsOf(job.Name(), trace.JobModification)
			require.NotEmpty(t, jm)
			for _, c := range jm {
				assert.Equal(t, trace.OutcomePanic, c.End.Outcome)
			}
			retries := recs.ev(trace.EvRetry)
			require.Len(t, retries, 1, "JM panics are not retried (G22)")
			assert.Equal(t, trace.JobTransferred, retries[0].Method)
			assert.Equal(t, int64(1+len(jm)), e.svc.Stats().Panics)
			// The first panic is told with its call, value and site.
			assert.Regexp(t, `^JobModification\(`+regexp.QuoteMeta(job.Name())+`\) at [0-9.]+m?s: bad JM, in scheduler_test\.TestMisbehavingPanic\.func[0-9.]+ \(misbehave_dispatch_test\.go:[0-9]+\)$`,
				e.svc.Stats().FirstPanic)
		})
	}
}

func TestMisbehavingNeverReturns(t *testing.T) {
	e := defaultEnv(t)
	alice := e.svc.AddUser("alice", false)
	bob := e.svc.AddUser("bob", false)
	appA := e.client("app-a", alice, scheduler.MTA)
	appB := e.client("app-b", alice, scheduler.MTA)
	appC := e.client("app-c", bob, scheduler.MTA)
	for i := 0; i < 4; i++ {
		j := newJob(t, appA, 5*mb)
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
			e.w.Park() // never returns
			return sOK
		}}))
		fgResume(t, j)
	}
	victim := newJob(t, appB, 5*mb)
	mustOK(t, victim.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
	other := newJob(t, appC, 5*mb)
	mustOK(t, other.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
	e.at(30*time.Second, func() { // once the four hang
		fgResume(t, victim)
		fgResume(t, other)
	})
	e.at(6*time.Hour, func() {}) // the world goes on; the hung calls stay hung
	recs := e.run()
	open := 0
	for _, c := range recs.calls() {
		if !c.ended() {
			open++
			assert.Equal(t, "alice", c.Begin.User)
			assert.Equal(t, "app-a", c.Begin.Client)
		}
	}
	assert.Equal(t, 4, open, "four calls begun and never ended\n%s", recs.dump())
	assert.Equal(t, 4, alice.Busy(), "the hung calls hold alice's slots until the end")
	assert.Zero(t, bob.Busy())
	wait := recs.ev(trace.EvSlotWait).job(victim.Name())
	require.Len(t, wait, 1)
	assert.Empty(t, recs.callsOf(victim.Name(), trace.JobTransferred), "starved for the whole run")
	oc := recs.callsOf(other.Name(), trace.JobTransferred)
	require.Len(t, oc, 1)
	assert.True(t, oc[0].ended())
	assert.Equal(t, trace.EvRunEnd, recs[len(recs)-1].Ev)
	assert.GreaterOrEqual(t, recs[len(recs)-1].T, 6*time.Hour)
}

// A crash frees the slots of the process's hung calls (G23): they end as
// disconnected and the starved application is served.
func TestMisbehavingNeverReturnsThenCrash(t *testing.T) {
	e := defaultEnv(t)
	alice := e.svc.AddUser("alice", false)
	appA := e.client("app-a", alice, scheduler.MTA)
	appB := e.client("app-b", alice, scheduler.MTA)
	for i := 0; i < 4; i++ {
		j := newJob(t, appA, 5*mb)
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
			e.w.Park()
			return sOK
		}}))
		fgResume(t, j)
	}
	victim := newJob(t, appB, 5*mb)
	mustOK(t, victim.SetNotifyInterface(&scenarios.Funcs{Transferred: completeIt}))
	e.at(30*time.Second, func() { fgResume(t, victim) })
	e.at(time.Hour, appA.Crash)
	recs := e.run()
	for _, c := range recs.calls() {
		require.True(t, c.ended(), "%s", c)
		if c.Begin.Client == "app-a" {
			assert.Equal(t, trace.OutcomeDisconnected, c.End.Outcome)
			assert.Equal(t, time.Hour, c.End.T)
		}
	}
	vc := recs.callsOf(victim.Name(), trace.JobTransferred)
	require.Len(t, vc, 1)
	assert.Equal(t, time.Hour, vc[0].Begin.T)
	assert.Zero(t, alice.Busy())
}

func TestMisbehavingCallsIntoOwnJob(t *testing.T) {
	type result struct {
		recs tr
		job  string
		svc  *scheduler.Service
	}
	run := func(t *testing.T, fail bool, cb func(app *scheduler.Client) *scenarios.Funcs) result {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		var job *scheduler.JobRef
		if fail {
			job = failingJob(t, app)
		} else {
			job = newJob(t, app, 5*mb)
		}
		mustOK(t, job.SetMinimumRetryDelay(5))
		mustOK(t, job.SetNotifyInterface(cb(app)))
		mustOK(t, job.Resume())
		return result{e.run(), job.Name(), e.svc}
	}

	t.Run("Complete-inside-JT", func(t *testing.T) {
		var res hr
		r := run(t, false, func(*scheduler.Client) *scenarios.Funcs {
			return &scenarios.Funcs{Transferred: func(j callbackabi.Job) hr { res = j.Complete(); return eFail }}
		})
		mustOK(t, res)
		jt := r.recs.callsOf(r.job, trace.JobTransferred)
		require.Len(t, jt, 1, "the job left TRANSFERRED: nothing is owed any more (ambiguity 4)")
		ack := r.recs.stateTo(r.job, callbackabi.BG_JOB_STATE_ACKNOWLEDGED)
		require.Len(t, ack, 1)
		assert.True(t, jt[0].Begin.Seq < ack[0].Seq && ack[0].Seq < jt[0].End.Seq)
		un := r.recs.ev(trace.EvJobUnregister)
		require.Len(t, un, 1)
		assert.Equal(t, "final", un[0].Reason)
		assert.Empty(t, r.recs.ev(trace.EvRetry))
	})

	t.Run("Cancel-inside-JE", func(t *testing.T) {
		var res hr
		r := run(t, true, func(*scheduler.Client) *scenarios.Funcs {
			return &scenarios.Funcs{Error: func(j callbackabi.Job, _ callbackabi.Error) hr { res = j.Cancel(); return eFail }}
		})
		mustOK(t, res)
		assert.Len(t, r.recs.callsOf(r.job, trace.JobError), 1)
		assert.Len(t, r.recs.stateTo(r.job, callbackabi.BG_JOB_STATE_CANCELLED), 1)
		assert.Empty(t, r.recs.ev(trace.EvRetry))
	})

	t.Run("SetNotifyInterface(nil)-inside-JT", func(t *testing.T) {
		r := run(t, false, func(*scheduler.Client) *scenarios.Funcs {
			return &scenarios.Funcs{Transferred: func(j callbackabi.Job) hr { mustOK(t, j.SetNotifyInterface(nil)); return eFail }}
		})
		assert.Len(t, r.recs.callsOf(r.job, trace.JobTransferred), 1, "nobody to retry to")
		un := r.recs.ev(trace.EvJobUnregister)
		require.Len(t, un, 1)
		assert.Equal(t, "client", un[0].Reason)
		drop := r.recs.ev(trace.EvNotifyDrop)
		require.Len(t, drop, 1)
		assert.Equal(t, "unregistered", drop[0].Reason)
		assert.Empty(t, r.recs.ev(trace.EvRetry))
	})

	t.Run("SetNotifyInterface(other)-inside-JT", func(t *testing.T) {
		other := 0
		r := run(t, false, func(*scheduler.Client) *scenarios.Funcs {
			return &scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
				mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { other++; return sOK }}))
				return eFail
			}}
		})
		assert.Equal(t, 1, other)
		jt := r.recs.callsOf(r.job, trace.JobTransferred)
		require.Len(t, jt, 2, "the new registration gets JT (G8, G19), the old is not retried")
		assert.Greater(t, jt[1].Begin.Seq, jt[0].End.Seq, "after the first call returned")
		un := r.recs.ev(trace.EvJobUnregister)
		require.Len(t, un, 1)
		assert.Equal(t, "replaced", un[0].Reason)
		assert.Empty(t, r.recs.ev(trace.EvRetry))
	})

	t.Run("SetNotifyFlags-inside-JT", func(t *testing.T) {
		for _, flags := range []callbackabi.NotifyFlags{fJT | fOff, fJE} {
			r := run(t, false, func(*scheduler.Client) *scenarios.Funcs {
				return &scenarios.Funcs{Transferred: func(j callbackabi.Job) hr { mustOK(t, j.SetNotifyFlags(flags)); return eFail }}
			})
			assert.Len(t, r.recs.callsOf(r.job, trace.JobTransferred), 1, "flags %v: JT no longer wanted", flags)
			assert.Empty(t, r.recs.ev(trace.EvRetry))
			fl := r.recs.ev(trace.EvJobFlags)
			require.Len(t, fl, 1)
			assert.Equal(t, flags, fl[0].Flags)
		}
	})

	t.Run("client-crashes-itself-inside-JT", func(t *testing.T) {
		var after hr
		r := run(t, false, func(app *scheduler.Client) *scenarios.Funcs {
			return &scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
				app.Crash()
				_, after = j.GetState()
				return sOK // never reaches BITS: the process is gone
			}}
		})
		assert.Equal(t, callbackabi.RPC_E_DISCONNECTED, after, "a dead process cannot call")
		jt := r.recs.callsOf(r.job, trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.Equal(t, trace.OutcomeDisconnected, jt[0].End.Outcome)
		assert.Len(t, r.recs.ev(trace.EvCallEnd), 1, "one call.end")
		exit := r.recs.ev(trace.EvClientExit)
		require.Len(t, exit, 1)
		assert.True(t, jt[0].Begin.Seq < exit[0].Seq && exit[0].Seq < jt[0].End.Seq)
		un := r.recs.ev(trace.EvJobUnregister)
		require.Len(t, un, 1)
		assert.Equal(t, "disconnected", un[0].Reason)
		assert.Equal(t, int64(1), r.svc.Stats().Disconnects)
	})
}

// After a callback panics (a failure, G20), its client is back where it
// was before the call: the next call the application's code pumps on the
// STA thread nests under nothing (parent 0, G34), not under the call that
// panicked.
func TestPanicLeavesTheSTAAsBefore(t *testing.T) {
	e := defaultEnv(t)
	app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.STA)
	first := newJob(t, app, 1*mb)
	second := newJob(t, app, 20*mb)
	for _, j := range []*scheduler.JobRef{first, second} {
		mustOK(t, j.SetNotifyFlags(fJT))
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{Transferred: func(job callbackabi.Job) hr {
			if job.(*scheduler.JobRef).Name() == first.Name() {
				panic("boom")
			}
			return job.Complete()
		}}))
		mustOK(t, j.Resume())
	}
	app.HoldSTA()
	e.w.Go(app.STAThread(), func() {
		for app.STAQueued() == 0 {
			e.svc.Clock().Sleep(100 * time.Millisecond)
		}
		app.PumpSTA() // the first JT: it panics
		for app.STAQueued() == 0 {
			e.svc.Clock().Sleep(100 * time.Millisecond)
		}
		app.PumpSTA() // the second
		app.ReleaseSTA()
	})
	recs := e.run()
	one := recs.callsOf(first.Name(), trace.JobTransferred)
	two := recs.callsOf(second.Name(), trace.JobTransferred)
	require.NotEmpty(t, one, recs.dump())
	require.NotEmpty(t, two, recs.dump())
	assert.Equal(t, trace.OutcomePanic, one[0].End.Outcome)
	assert.Zero(t, two[0].Begin.Parent, "pumped by the application's code, not inside the call that panicked\n%s", recs.dump())
}

// Only the callback's own panics are contained. One raised around it, by
// the service's code on the callback's thread — here the trace's observer,
// refusing the call.begin the service writes as the call starts — is not
// the callback's: it leaves Run with its own value, not RPC_E_SERVERFAULT.
func TestPanicAroundTheCallbackIsNotContained(t *testing.T) {
	for _, apt := range []scheduler.Apartment{scheduler.MTA, scheduler.STA} {
		t.Run(apt.String(), func(t *testing.T) {
			e := defaultEnv(t)
			job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), apt), 1*mb)
			mustOK(t, job.SetNotifyFlags(fJT))
			called := false
			mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { called = true; return sOK }}))
			mustOK(t, job.Resume())
			refused := errors.New("observer refuses call.begin")
			e.log.Observe(func(r *trace.Record) {
				if r.Ev == trace.EvCallBegin {
					panic(refused)
				}
			})
			e.ran = true
			var got any
			func() {
				defer func() { got = recover() }()
				_ = e.svc.Run()
			}()
			require.Equal(t, refused, got)
			assert.False(t, called, "the callback never ran")
			assert.Zero(t, e.svc.Stats().Panics, "not counted as the callback's")
		})
	}
}

// G34: application code that pumps the STA thread from inside a callback
// (a modal loop in the JobModification handler) delivers the waiting call
// — here the job's next JobModification — nested under the call that
// runs: its parent is that call. Both paths of a JobModification's call (runJM
// and the general one) set the client's running call.
func TestPumpInsideACallbackNestsUnderIt(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(map[bool]string{true: "runJM", false: "general"}[fast], func(t *testing.T) {
			was := scheduler.SetFastJM(fast)
			defer scheduler.SetFastJM(was)
			e := defaultEnv(t)
			clock := e.svc.Clock()
			app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.STA)
			job := newJob(t, app, 6*mb)
			mustOK(t, job.SetNotifyFlags(fJM))
			pumped := false
			mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Modification: func(callbackabi.Job) hr {
				if pumped {
					return sOK
				}
				pumped = true
				for app.STAQueued() == 0 {
					clock.Sleep(100 * time.Millisecond)
				}
				app.PumpSTA()
				return sOK
			}}))
			mustOK(t, job.Resume())
			recs := e.run()
			jm := recs.callsOf(job.Name(), trace.JobModification)
			require.GreaterOrEqual(t, len(jm), 2, recs.dump())
			assert.Zero(t, jm[0].Begin.Parent)
			assert.Equal(t, jm[0].Begin.Call, jm[1].Begin.Parent, "nested under the JobModification that pumped\n%s", recs.dump())
			for _, c := range jm[2:] {
				assert.Zero(t, c.Begin.Parent, "after the call, the client runs none\n%s", recs.dump())
			}
		})
	}
}
