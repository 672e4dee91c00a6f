package scheduler_test

// Unit tests of the notification dispatcher, one per documented rule of
// ../shared/reference/bits-semantics.md that the model implements. Every
// subtest names its rule id; outcomes are judged on the trace.

import (
	"strings"
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

// ---------------------------------------------------------------------------
// A. Registration, flags, defaults (G1–G10)

func TestRegistrationRules(t *testing.T) {
	t.Run("G1/defaults", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, mb)
		flags, res := job.GetNotifyFlags()
		mustOK(t, res)
		assert.Equal(t, fJT|fJE, flags, "GetNotifyFlags of a new job")
		cb, res := job.GetNotifyInterface()
		mustOK(t, res)
		assert.Nil(t, cb, "GetNotifyInterface of a new job")
		prog, params, res := job.GetNotifyCmdLine()
		mustOK(t, res)
		assert.Equal(t, "", prog)
		assert.Equal(t, "", params)
		recs := e.run()
		assert.Empty(t, recs.ev(trace.EvJobFlags), "defaults are not a SetNotifyFlags")
		assert.Empty(t, recs.ev(trace.EvJobRegister))
	})

	t.Run("G2/undefined-bits-E_NOTIMPL", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), mb)
		for _, f := range []callbackabi.NotifyFlags{0x40, 0x80, 0x100, 0x3F | 0x40, 0x80000000} {
			requireHR(t, callbackabi.E_NOTIMPL, job.SetNotifyFlags(f), "SetNotifyFlags("+f.String()+")")
		}
		flags, _ := job.GetNotifyFlags()
		assert.Equal(t, fJT|fJE, flags, "a rejected SetNotifyFlags changes nothing")
		mustOK(t, job.SetNotifyFlags(0x3F)) // every defined bit, BITS 10.1
		flags, _ = job.GetNotifyFlags()
		assert.Equal(t, callbackabi.NotifyFlags(0x3F), flags)
		recs := e.run()
		fl := recs.ev(trace.EvJobFlags)
		require.Len(t, fl, 1, "only the accepted SetNotifyFlags is recorded")
		assert.Equal(t, callbackabi.NotifyFlags(0x3F), fl[0].Flags)
	})

	t.Run("G2/ranges-flag-needs-BITS-10.1", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.Version = scheduler.Version{Major: 10, Minor: 0}
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), mb)
		requireHR(t, callbackabi.E_NOTIMPL, job.SetNotifyFlags(fJT|fFRT), "0x20 before BITS 10.1")
		mustOK(t, job.SetNotifyFlags(0x1F))
		requireHR(t, callbackabi.E_NOTIMPL, job.SetOnDemand(true), "on-demand before BITS 10.1")
		e.run()
	})

	t.Run("G3/disable-suppresses-everything", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		calls := 0
		count := func(callbackabi.Job) hr { calls++; return sOK }
		cb := &scenarios.Funcs{Transferred: count, Modification: count,
			Error:    func(callbackabi.Job, callbackabi.Error) hr { calls++; return sOK },
			FileDone: func(callbackabi.Job, callbackabi.File) hr { calls++; return sOK }}
		ok := newJob(t, app, 5*mb, 5*mb)
		bad := failingJob(t, app)
		for _, j := range []*scheduler.JobRef{ok, bad} {
			mustOK(t, j.SetNotifyFlags(fJT|fJE|fJM|fFT|fOff))
			mustOK(t, j.SetNotifyInterface(cb))
			mustOK(t, j.SetNotifyCmdLine(`C:\notify.exe`, "")) // ambiguity 6: DISABLE blocks it too
			fgResume(t, j)
		}
		recs := e.run()
		require.NotEmpty(t, recs.stateTo(ok.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED), "the job transferred")
		require.NotEmpty(t, recs.stateTo(bad.Name(), callbackabi.BG_JOB_STATE_ERROR), "the job failed")
		assert.Empty(t, recs.ev(trace.EvCallBegin), "no callback under DISABLE")
		assert.Empty(t, recs.ev(trace.EvCmdlineStart), "no command line under DISABLE")
		assert.Empty(t, recs.ev(trace.EvNotifyOwed), "nothing is owed under DISABLE")
		assert.Zero(t, calls)
	})

	t.Run("G3/lifting-disable-makes-JT-owed", func(t *testing.T) {
		// Ambiguity 3 (level-triggered): turning the flags back on while the
		// job sits in TRANSFERRED makes JobTransferred owed.
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyFlags(fJT|fOff))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		e.at(time.Minute, func() { mustOK(t, job.SetNotifyFlags(fJT)) })
		recs := e.run()
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1, recs.dump())
		assert.Equal(t, time.Minute, jt[0].Begin.T, "delivered when DISABLE is lifted, not before")
	})

	t.Run("G4/per-method-gating", func(t *testing.T) {
		type tc struct {
			name     string
			flags    callbackabi.NotifyFlags
			cb       func() *scenarios.Funcs
			fail     bool
			onDemand bool
			want     map[trace.Method]bool // methods that must (true) / must not (false) be called
		}
		all := func() *scenarios.Funcs {
			return &scenarios.Funcs{
				FileDone:   func(callbackabi.Job, callbackabi.File) hr { return sOK },
				RangesDone: func(callbackabi.Job, callbackabi.File, []callbackabi.FileRange) hr { return sOK },
			}
		}
		plain := func() *scenarios.Funcs { return &scenarios.Funcs{} } // IBackgroundCopyCallback only
		cb2 := func() *scenarios.Funcs {                               // Callback2 but not Callback3
			return &scenarios.Funcs{FileDone: func(callbackabi.Job, callbackabi.File) hr { return sOK }}
		}
		cases := []tc{
			{name: "JT-needs-0x01", flags: fJE, cb: all, want: map[trace.Method]bool{trace.JobTransferred: false}},
			{name: "JT-with-0x01", flags: fJT, cb: all, want: map[trace.Method]bool{trace.JobTransferred: true, trace.JobModification: false, trace.FileTransferred: false}},
			{name: "JE-needs-0x02", flags: fJT, cb: all, fail: true, want: map[trace.Method]bool{trace.JobError: false}},
			{name: "JE-with-0x02", flags: fJE, cb: all, fail: true, want: map[trace.Method]bool{trace.JobError: true}},
			{name: "JM-with-0x08", flags: fJT | fJM, cb: all, want: map[trace.Method]bool{trace.JobModification: true}},
			{name: "FT-with-0x10-and-Callback2", flags: fJT | fFT, cb: cb2, want: map[trace.Method]bool{trace.FileTransferred: true}},
			{name: "FT-needs-Callback2", flags: fJT | fFT, cb: plain, want: map[trace.Method]bool{trace.FileTransferred: false, trace.JobTransferred: true}},
			{name: "FRT-with-0x20-Callback3-on-demand", flags: fJT | fFRT, cb: all, onDemand: true, want: map[trace.Method]bool{trace.FileRangesTransferred: true}},
			{name: "FRT-needs-Callback3", flags: fJT | fFRT, cb: cb2, onDemand: true, want: map[trace.Method]bool{trace.FileRangesTransferred: false}},
			{name: "FRT-needs-on-demand-job", flags: fJT | fFRT, cb: all, want: map[trace.Method]bool{trace.FileRangesTransferred: false}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e := defaultEnv(t)
				app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
				var job *scheduler.JobRef
				if c.fail {
					job = failingJob(t, app)
				} else {
					job = newJob(t, app, 5*mb, 5*mb)
				}
				mustOK(t, job.SetNotifyFlags(c.flags))
				if c.onDemand {
					mustOK(t, job.SetOnDemand(true))
				}
				mustOK(t, job.SetNotifyInterface(c.cb()))
				mustOK(t, job.Resume())
				recs := e.run()
				for m, want := range c.want {
					n := len(recs.callsOf(job.Name(), m))
					if want {
						assert.NotZero(t, n, "%s must be called\n%s", m, recs.dump())
					} else {
						assert.Zero(t, n, "%s must not be called\n%s", m, recs.dump())
					}
				}
			})
		}
	})

	t.Run("G4/Callback2-by-type-assertion", func(t *testing.T) {
		// A Go callback without IUnknown is asked for Callback2 by a type
		// assertion.
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb, 5*mb)
		cb := &plainCallback2{}
		mustOK(t, job.SetNotifyFlags(fJT|fFT))
		mustOK(t, job.SetNotifyInterface(cb))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Len(t, recs.callsOf(job.Name(), trace.FileTransferred), 2)
		assert.Equal(t, 2, cb.ft)
	})

	t.Run("G6/setters-rejected-in-final-states", func(t *testing.T) {
		e := defaultEnv(t)
		alice := e.svc.AddUser("alice", false)
		root := e.svc.AddUser("root", true)
		app := e.client("app-1", alice, scheduler.MTA)
		rootApp := e.client("admin-tool", root, scheduler.MTA)
		acked := newJob(t, app, mb)
		cancelled := newJob(t, app, mb)
		res := acked.Complete()
		require.True(t, res.Succeeded(), "Complete: %v", res)
		mustOK(t, cancelled.Cancel())
		for _, j := range []*scheduler.JobRef{acked, cancelled} {
			inv := callbackabi.BG_E_INVALID_STATE
			for name, got := range map[string]hr{
				"SetNotifyFlags":                 j.SetNotifyFlags(fJT),
				"SetNotifyInterface(cb)":         j.SetNotifyInterface(&scenarios.Funcs{}),
				"SetNotifyInterface(nil)":        j.SetNotifyInterface(nil),
				"SetNotifyCmdLine":               j.SetNotifyCmdLine(`C:\n.exe`, ""),
				"SetNotifyCLSID":                 j.SetNotifyCLSID(callbackabi.IID_IBackgroundCopyCallback),
				"SetPriority":                    j.SetPriority(callbackabi.BG_JOB_PRIORITY_HIGH),
				"SetMinimumRetryDelay":           j.SetMinimumRetryDelay(60),
				"SetNoProgressTimeout":           j.SetNoProgressTimeout(60),
				"SetMinimumNotificationInterval": j.SetMinimumNotificationInterval(time.Second),
				"Suspend":                        j.Suspend(),
				"Resume":                         j.Resume(),
				"Cancel":                         j.Cancel(),
				"Complete":                       j.Complete(),
				"TakeOwnership":                  rootApp.Job(j).TakeOwnership(),
			} {
				requireHR(t, inv, got, j.Name()+" "+name)
			}
		}
		recs := e.run()
		for _, j := range []*scheduler.JobRef{acked, cancelled} {
			final := recs.seqOf(func(r trace.Record) bool { return r.Ev == trace.EvJobState && r.Job == j.Name() && r.To.Final() })
			require.Positive(t, final)
			for _, r := range recs.after(final).job(j.Name()) {
				if r.Seq == final+1 && r.Ev == trace.EvJobModified && r.Reason == "state" {
					continue // part of the state change itself (table 2.11)
				}
				t.Errorf("%s changed after its final state: %v %s", j.Name(), r.Ev, r.Reason)
			}
		}
	})

	t.Run("G7/dead-client-found-on-next-call", func(t *testing.T) {
		// G7, G23: the pointer dies with the process; BITS finds out on its
		// next call (call.end outcome disconnected), then clears it.
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		e.at(500*time.Millisecond, app.Crash) // before the job transfers (1.1 s)
		recs := e.run()
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1, recs.dump())
		c := jt[0]
		require.True(t, c.ended())
		assert.Equal(t, trace.OutcomeDisconnected, c.End.Outcome)
		assert.Equal(t, "app-1", c.Begin.Client)
		un := recs.ev(trace.EvJobUnregister).job(job.Name())
		require.Len(t, un, 1)
		assert.Equal(t, "disconnected", un[0].Reason)
		assert.Greater(t, un[0].Seq, c.End.Seq, "BITS clears the pointer after finding it dead")
		assert.Equal(t, int64(1), e.svc.Stats().Disconnects)
	})

	t.Run("G7/cleared-before-exit", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		e.at(500*time.Millisecond, func() {
			mustOK(t, job.SetNotifyInterface(nil))
			app.Exit()
		})
		recs := e.run()
		assert.Empty(t, recs.ev(trace.EvCallBegin), "no call to a cleared pointer")
		un := recs.ev(trace.EvJobUnregister)
		require.Len(t, un, 1)
		assert.Equal(t, "client", un[0].Reason)
	})

	t.Run("G8/last-writer-wins", func(t *testing.T) {
		e := defaultEnv(t)
		alice := e.svc.AddUser("alice", false)
		app1 := e.client("app-1", alice, scheduler.MTA)
		app2 := e.client("app-2", alice, scheduler.MTA)
		job := newJob(t, app1, 5*mb)
		n1, n2 := 0, 0
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { n1++; return sOK }}))
		mustOK(t, app2.Job(job).SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { n2++; return sOK }}))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Zero(t, n1)
		assert.Equal(t, 1, n2)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.Equal(t, "app-2", jt[0].Begin.Client)
		un := recs.ev(trace.EvJobUnregister)
		require.Len(t, un, 1)
		assert.Equal(t, "replaced", un[0].Reason)
	})

	t.Run("G9/CLSID-activation", func(t *testing.T) {
		e := defaultEnv(t)
		alice := e.svc.AddUser("alice", false)
		app := e.client("app-1", alice, scheduler.MTA)
		clsid := callbackabi.GUID{Data1: 0x12345678}
		made := 0
		e.svc.RegisterServer(clsid, "notify-server", alice, scheduler.MTA, func() callbackabi.Callback {
			made++
			return &scenarios.Funcs{Transferred: func(j callbackabi.Job) hr { return j.Complete() }}
		})
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyCLSID(clsid))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Equal(t, 1, made)
		start := recs.seqOf(func(r trace.Record) bool { return r.Ev == trace.EvClientStart && r.Client == "notify-server" })
		reg := recs.seqOf(func(r trace.Record) bool { return r.Ev == trace.EvJobRegister && r.Client == "notify-server" })
		require.Positive(t, start, "the server process starts")
		require.Greater(t, reg, start, "its object is registered after it starts")
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1, recs.dump())
		assert.Equal(t, "notify-server", jt[0].Begin.Client)
		assert.Equal(t, "alice", jt[0].Begin.User)
		assert.Equal(t, sOK, jt[0].End.HR)
		assert.NotEmpty(t, recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_ACKNOWLEDGED))
		assert.Equal(t, int64(1), e.svc.Stats().Activations)
	})

	t.Run("G9/object-before-CLSID", func(t *testing.T) {
		e := defaultEnv(t)
		alice := e.svc.AddUser("alice", false)
		app := e.client("app-1", alice, scheduler.MTA)
		clsid := callbackabi.GUID{Data1: 0x12345678}
		e.svc.RegisterServer(clsid, "notify-server", alice, scheduler.MTA, func() callbackabi.Callback { return &scenarios.Funcs{} })
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyCLSID(clsid))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		recs := e.run()
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.Equal(t, "app-1", jt[0].Begin.Client)
		assert.Empty(t, recs.where(func(r trace.Record) bool { return r.Ev == trace.EvClientStart && r.Client == "notify-server" }))
	})

	t.Run("G9/CLSID-after-object-disconnects", func(t *testing.T) {
		e := defaultEnv(t)
		alice := e.svc.AddUser("alice", false)
		app := e.client("app-1", alice, scheduler.MTA)
		clsid := callbackabi.GUID{Data1: 0x12345678}
		e.svc.RegisterServer(clsid, "notify-server", alice, scheduler.MTA, func() callbackabi.Callback { return &scenarios.Funcs{} })
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyCLSID(clsid))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		e.at(500*time.Millisecond, app.Crash)
		recs := e.run()
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 2, recs.dump())
		assert.Equal(t, "app-1", jt[0].Begin.Client)
		assert.Equal(t, trace.OutcomeDisconnected, jt[0].End.Outcome)
		assert.Equal(t, "notify-server", jt[1].Begin.Client)
		assert.Equal(t, sOK, jt[1].End.HR)
	})

	t.Run("G9/GUID_NULL-clears-and-version-gate", func(t *testing.T) {
		e := defaultEnv(t)
		alice := e.svc.AddUser("alice", false)
		app := e.client("app-1", alice, scheduler.MTA)
		clsid := callbackabi.GUID{Data1: 0x12345678}
		e.svc.RegisterServer(clsid, "notify-server", alice, scheduler.MTA, func() callbackabi.Callback { return &scenarios.Funcs{} })
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyCLSID(clsid))
		mustOK(t, job.SetNotifyCLSID(callbackabi.GUID{}))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Empty(t, recs.ev(trace.EvCallBegin), recs.dump())
		assert.Zero(t, e.svc.Stats().Activations)

		opts := scheduler.DefaultOptions()
		opts.Version = scheduler.Version{Major: 4, Minor: 0}
		e4 := newEnv(t, opts)
		j4 := newJob(t, e4.client("app-1", e4.svc.AddUser("alice", false), scheduler.MTA), mb)
		requireHR(t, callbackabi.E_NOTIMPL, j4.SetNotifyCLSID(clsid), "CLSID before BITS 5.0")
		e4.run()
	})

	t.Run("G10/admin-takeover", func(t *testing.T) {
		e := defaultEnv(t)
		alice := e.svc.AddUser("alice", false)
		bob := e.svc.AddUser("bob", false)
		root := e.svc.AddUser("root", true)
		app := e.client("app-1", alice, scheduler.MTA)
		bobApp := e.client("bob-app", bob, scheduler.MTA)
		rootApp := e.client("admin-tool", root, scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.SetNotifyCmdLine(`C:\notify.exe`, "/job"))
		requireHR(t, callbackabi.E_ACCESSDENIED, bobApp.Job(job).TakeOwnership(), "TakeOwnership by a non-administrator")
		id, _ := job.GetId()
		rj, res := rootApp.GetJob(id)
		mustOK(t, res)
		mustOK(t, rj.TakeOwnership())
		owner, _ := job.GetOwner()
		assert.Equal(t, "root", owner)
		prog, params, _ := job.GetNotifyCmdLine()
		assert.Equal(t, "", prog, "TakeOwnership removes the command line")
		assert.Equal(t, "", params)
		mustOK(t, job.Resume())
		recs := e.run()
		own := recs.ev(trace.EvJobOwner)
		require.Len(t, own, 1)
		assert.Equal(t, "root", own[0].User)
		cl := recs.ev(trace.EvJobCmdline)
		require.Len(t, cl, 2)
		assert.Equal(t, "", cl[1].User, "job.cmdline with an empty user: removed")
		assert.Greater(t, cl[1].Seq, own[0].Seq)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.Equal(t, "alice", jt[0].Begin.User, "callbacks still run as the registering user")
		assert.Equal(t, "app-1", jt[0].Begin.Client)
		assert.Empty(t, recs.ev(trace.EvCmdlineStart))
	})
}

// plainCallback2 is a Go callback without IUnknown that implements
// IBackgroundCopyCallback2.
type plainCallback2 struct{ ft int }

func (c *plainCallback2) JobTransferred(callbackabi.Job) hr                    { return sOK }
func (c *plainCallback2) JobError(callbackabi.Job, callbackabi.Error) hr       { return sOK }
func (c *plainCallback2) JobModification(callbackabi.Job, uint32) hr           { return sOK }
func (c *plainCallback2) FileTransferred(callbackabi.Job, callbackabi.File) hr { c.ft++; return sOK }

// ---------------------------------------------------------------------------
// B. Which job events produce which notification (G11–G17)

func TestTriggerRules(t *testing.T) {
	t.Run("G11/JT-on-entering-TRANSFERRED", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb, 5*mb)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		recs := e.run()
		in := recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED)
		require.Len(t, in, 1)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.Greater(t, jt[0].Begin.Seq, in[0].Seq)
		assert.Equal(t, in[0].T, jt[0].Begin.T, "delivered at once (slots free)")
		assert.Len(t, recs.ev(trace.EvFileDone).job(job.Name()), 2, "after every file")
	})

	t.Run("G11/upload-reply-JT-after-reply", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job, res := app.CreateJob("upload", callbackabi.BG_JOB_TYPE_UPLOAD_REPLY)
		mustOK(t, res)
		mustOK(t, job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/up", LocalName: `C:\up`, Size: 5 * mb}))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		recs := e.run()
		done := recs.ev(trace.EvFileDone).job(job.Name())
		require.Len(t, done, 1)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.GreaterOrEqual(t, jt[0].Begin.T-done[0].T, e.svc.Options().ReplyLatency, "JT only once the reply arrived")
	})

	t.Run("G12/JE-on-entering-ERROR", func(t *testing.T) {
		e := defaultEnv(t)
		job := failingJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA))
		var code hr
		var ctx callbackabi.ErrorContext
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Error: func(j callbackabi.Job, err callbackabi.Error) hr {
			ctx, code, _ = err.GetError()
			return sOK
		}}))
		mustOK(t, job.Resume())
		recs := e.run()
		in := recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_ERROR)
		require.Len(t, in, 1)
		je := recs.callsOf(job.Name(), trace.JobError)
		require.Len(t, je, 1)
		assert.Greater(t, je[0].Begin.Seq, in[0].Seq)
		assert.Equal(t, callbackabi.BG_E_HTTP_ERROR(404), code)
		assert.Equal(t, callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE, ctx)
	})

	t.Run("G12/transient-errors-never-JE", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job, _ := app.CreateJob("flaky", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		mustOK(t, job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/f", LocalName: `C:\f`, Size: 5 * mb,
			Failures: []scheduler.Failure{{HR: callbackabi.BG_E_HTTP_ERROR(503), Transient: true, Times: 3}}}))
		mustOK(t, job.SetMinimumRetryDelay(5))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Len(t, recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_TRANSIENT_ERROR), 3)
		assert.Empty(t, recs.callsOf(job.Name(), trace.JobError))
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 1)
	})

	t.Run("G12/no-progress-timeout-then-JE", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job, _ := app.CreateJob("stuck", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		mustOK(t, job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/f", LocalName: `C:\f`, Size: 5 * mb,
			Failures: []scheduler.Failure{{HR: callbackabi.BG_E_HTTP_ERROR(503), Transient: true, Times: 1000}}}))
		mustOK(t, job.SetMinimumRetryDelay(10))
		mustOK(t, job.SetNoProgressTimeout(60))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		recs := e.run()
		in := recs.where(func(r trace.Record) bool {
			return r.Ev == trace.EvJobState && r.Job == job.Name() && r.To == callbackabi.BG_JOB_STATE_ERROR
		})
		require.Len(t, in, 1, recs.dump())
		assert.GreaterOrEqual(t, in[0].T, 60*time.Second)
		je := recs.callsOf(job.Name(), trace.JobError)
		require.Len(t, je, 1)
		assert.Greater(t, je[0].Begin.Seq, in[0].Seq, "no JE while the error was transient")
	})

	t.Run("G13/no-JM-trigger-for-TRANSFERRED-or-ERROR", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		ok := newJob(t, app, 5*mb)
		bad := failingJob(t, app)
		for _, j := range []*scheduler.JobRef{ok, bad} {
			mustOK(t, j.SetNotifyFlags(fJT|fJE|fJM))
			mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{}))
			fgResume(t, j)
		}
		recs := e.run()
		checked := 0
		for i, r := range recs {
			if r.Ev != trace.EvJobState {
				continue
			}
			next := recs[i+1]
			jm := next.Ev == trace.EvJobModified && next.Job == r.Job && next.Reason == "state"
			if r.To == callbackabi.BG_JOB_STATE_TRANSFERRED || r.To == callbackabi.BG_JOB_STATE_ERROR {
				assert.False(t, jm, "JM trigger for %s → %s", r.Job, r.To)
				checked++
			} else {
				assert.True(t, jm, "no JM trigger for %s → %s", r.Job, r.To)
			}
		}
		assert.Equal(t, 2, checked)
		assert.NotEmpty(t, recs.callsOf(ok.Name(), trace.JobModification))
	})

	t.Run("G13/JM-triggers", func(t *testing.T) {
		// Files added, properties changed, state changed, bytes transferred:
		// each raises a JobModification, spaced so the throttle never merges them.
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job, _ := app.CreateJob("watched", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		mustOK(t, job.SetNotifyFlags(fJT|fJM))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		e.at(10*time.Second, func() {
			mustOK(t, job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/f", LocalName: `C:\f`, Size: 30 * mb}))
		})
		e.at(20*time.Second, func() { mustOK(t, job.SetDisplayName("renamed")) })
		e.at(30*time.Second, func() { mustOK(t, job.Resume()) })
		recs := e.run()
		reasons := map[string]bool{}
		for _, r := range recs.ev(trace.EvJobModified).job(job.Name()) {
			reasons[r.Reason] = true
		}
		for _, want := range []string{"file-added", "property", "state", "progress"} {
			assert.True(t, reasons[want], "trigger %q", want)
		}
		jm := recs.callsOf(job.Name(), trace.JobModification)
		for _, at := range []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second} {
			found := false
			for _, c := range jm {
				found = found || c.Begin.T == at
			}
			assert.True(t, found, "a JobModification at %v\n%s", at, recs.dump())
		}
		assert.Greater(t, len(jm), 4, "progress JMs too")
	})

	jmBegins := func(t *testing.T, opts scheduler.Options, interval time.Duration) []time.Duration {
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 20*mb)
		mustOK(t, job.SetNotifyFlags(fJT|fJM))
		if interval > 0 {
			mustOK(t, job.SetMinimumNotificationInterval(interval))
		}
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		recs := e.run()
		var at []time.Duration
		for _, c := range recs.callsOf(job.Name(), trace.JobModification) {
			at = append(at, c.Begin.T)
		}
		triggers := len(recs.ev(trace.EvJobModified).job(job.Name()))
		require.Greater(t, triggers, len(at), "more triggers than calls: coalesced")
		return at
	}
	fast := scheduler.DefaultOptions()
	fast.Chunk = 50 * time.Millisecond // a progress trigger every 50 ms

	t.Run("G14/JM-at-least-500ms-apart", func(t *testing.T) {
		at := jmBegins(t, fast, 0)
		require.Greater(t, len(at), 3)
		for i := 1; i < len(at); i++ {
			assert.GreaterOrEqual(t, at[i]-at[i-1], 500*time.Millisecond, "JM %d and %d", i-1, i)
		}
	})

	t.Run("G14/interval-property", func(t *testing.T) {
		at := jmBegins(t, fast, 700*time.Millisecond)
		require.Greater(t, len(at), 2)
		for i := 1; i < len(at); i++ {
			assert.GreaterOrEqual(t, at[i]-at[i-1], 700*time.Millisecond)
		}
	})

	t.Run("G14/no-interval-before-BITS-5", func(t *testing.T) {
		// The interval property is BITS 5.0: before it nothing throttles, so
		// the check above is not vacuous.
		opts := fast
		opts.Version = scheduler.Version{Major: 4, Minor: 0}
		at := jmBegins(t, opts, 0)
		near := false
		for i := 1; i < len(at); i++ {
			near = near || at[i]-at[i-1] < 500*time.Millisecond
		}
		assert.True(t, near, "JM closer than 500 ms without the interval: %v", at)
	})

	t.Run("G15/G33/FT-serialized-in-order-before-JT", func(t *testing.T) {
		e := defaultEnv(t)
		clock := e.svc.Clock()
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb, 5*mb, 5*mb)
		var names []string
		mustOK(t, job.SetNotifyFlags(fJT|fFT))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{FileDone: func(j callbackabi.Job, f callbackabi.File) hr {
			n, _ := f.GetRemoteName()
			names = append(names, n)
			clock.Sleep(2500 * time.Millisecond) // longer than one file's transfer
			return sOK
		}}))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Equal(t, []string{"http://h/f0", "http://h/f1", "http://h/f2"}, names, "FIFO")
		checkFTBeforeJT(t, recs, job.Name(), 3)
	})

	t.Run("G15/G21/G33/failing-FT-blocks-next-FT-and-JT", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb, 5*mb, 5*mb)
		mustOK(t, job.SetMinimumRetryDelay(5))
		var names []string
		failed := false
		mustOK(t, job.SetNotifyFlags(fJT|fFT))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{FileDone: func(j callbackabi.Job, f callbackabi.File) hr {
			n, _ := f.GetRemoteName()
			names = append(names, n)
			if n == "http://h/f1" && !failed {
				failed = true
				return eFail
			}
			return sOK
		}}))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Equal(t, []string{"http://h/f0", "http://h/f1", "http://h/f1", "http://h/f2"}, names)
		checkFTBeforeJT(t, recs, job.Name(), 4)
		ft := recs.callsOf(job.Name(), trace.FileTransferred)
		assert.GreaterOrEqual(t, ft[2].Begin.T-ft[1].End.T, 5*time.Second, "retried after the retry delay")
	})

	t.Run("G16/FRT-ranges-coalesced", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.Chunk = 100 * time.Millisecond // 1 MB per chunk
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 20*mb)
		mustOK(t, job.SetOnDemand(true))
		mustOK(t, job.SetNotifyFlags(fJT|fFRT))
		var got [][]callbackabi.FileRange
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{RangesDone: func(j callbackabi.Job, f callbackabi.File, r []callbackabi.FileRange) hr {
			got = append(got, append([]callbackabi.FileRange(nil), r...))
			return sOK
		}}))
		mustOK(t, job.Resume())
		recs := e.run()
		checkRanges(t, got, 20*mb, mb)
		frt := recs.callsOf(job.Name(), trace.FileRangesTransferred)
		require.Len(t, frt, len(got))
		for i := 1; i < len(frt); i++ {
			assert.GreaterOrEqual(t, frt[i].Begin.T-frt[i-1].Begin.T, 500*time.Millisecond, "throttled like JM (G14)")
			assert.Equal(t, trace.LaneLow, frt[i].Begin.Lane)
		}
	})

	t.Run("G16/FRT-ranges-partial-last-chunk", func(t *testing.T) {
		// The file's size is not a multiple of the chunk: the last range is
		// shorter and must not overlap the previous ones (S-FRT: BITS never
		// downloads a byte range twice).
		opts := scheduler.DefaultOptions()
		opts.Chunk = 100 * time.Millisecond
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 2_500_000)
		mustOK(t, job.SetOnDemand(true))
		mustOK(t, job.SetNotifyFlags(fJT|fFRT))
		var got [][]callbackabi.FileRange
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{RangesDone: func(j callbackabi.Job, f callbackabi.File, r []callbackabi.FileRange) hr {
			got = append(got, append([]callbackabi.FileRange(nil), r...))
			return sOK
		}}))
		mustOK(t, job.Resume())
		e.run()
		checkRanges(t, got, 2_500_000, 0)
	})

	t.Run("G17/cmdline-only-for-JT-and-JE", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		quiet := newJob(t, app, 5*mb)
		mustOK(t, quiet.SetNotifyFlags(fJM|fFT))
		mustOK(t, quiet.SetNotifyCmdLine(`C:\notify.exe`, "quiet"))
		fgResume(t, quiet)
		loud := newJob(t, app, 5*mb)
		mustOK(t, loud.SetNotifyFlags(fJT|fJM|fFT))
		mustOK(t, loud.SetNotifyCmdLine(`C:\notify.exe`, "loud"))
		fgResume(t, loud)
		recs := e.run()
		assert.Empty(t, recs.ev(trace.EvCmdlineStart).job(quiet.Name()), "JM/FT bits are ignored for the command line")
		st := recs.ev(trace.EvCmdlineStart).job(loud.Name())
		require.Len(t, st, 1)
		in := recs.stateTo(loud.Name(), callbackabi.BG_JOB_STATE_TRANSFERRED)
		require.Len(t, in, 1)
		assert.Greater(t, st[0].Seq, in[0].Seq, "only on the JT event, not on modifications")
	})
}

// checkFTBeforeJT: n FileTransferred calls that never overlap, all ended
// before the job's JobTransferred begins (G15, G33).
func checkFTBeforeJT(t *testing.T, recs tr, job string, n int) {
	t.Helper()
	ft := recs.callsOf(job, trace.FileTransferred)
	require.Len(t, ft, n, recs.dump())
	for i := 1; i < len(ft); i++ {
		assert.Greater(t, ft[i].Begin.Seq, ft[i-1].End.Seq, "FT %d overlaps FT %d", i, i-1)
	}
	jt := recs.callsOf(job, trace.JobTransferred)
	require.Len(t, jt, 1)
	assert.Greater(t, jt[0].Begin.Seq, ft[n-1].End.Seq, "JT after every FT")
	assert.Greater(t, jt[0].Begin.T, ft[0].Begin.T)
}

// checkRanges: the ranges of all FRT calls tile [0, size) in order with no
// overlap, and (when chunk > 0) at least one call coalesced several chunks.
func checkRanges(t *testing.T, got [][]callbackabi.FileRange, size, chunk uint64) {
	t.Helper()
	require.NotEmpty(t, got, "FileRangesTransferred was called")
	next := uint64(0)
	coalesced := false
	chunks := 0
	for _, call := range got {
		require.NotEmpty(t, call)
		for _, r := range call {
			assert.Equal(t, next, r.InitialOffset, "ranges %v", got)
			next = r.InitialOffset + r.Length
			if chunk > 0 {
				coalesced = coalesced || r.Length > chunk
				chunks += int(r.Length / chunk)
			}
		}
	}
	assert.Equal(t, size, next, "ranges cover the file: %v", got)
	if chunk > 0 {
		assert.True(t, coalesced, "some call coalesced several chunks: %v", got)
		assert.Less(t, len(got), chunks, "fewer calls than chunks")
	}
}

// ---------------------------------------------------------------------------
// C. Delivery guarantees and return values (G18–G23)

func TestDeliveryRules(t *testing.T) {
	t.Run("G18/late-registration", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		ok := newJob(t, app, 5*mb)
		bad := failingJob(t, app)
		fgResume(t, ok)
		fgResume(t, bad)
		e.at(30*time.Second, func() {
			mustOK(t, ok.SetNotifyInterface(&scenarios.Funcs{}))
			mustOK(t, bad.SetNotifyInterface(&scenarios.Funcs{}))
		})
		recs := e.run()
		for _, c := range []struct {
			job string
			m   trace.Method
			st  callbackabi.JobState
		}{{ok.Name(), trace.JobTransferred, callbackabi.BG_JOB_STATE_TRANSFERRED}, {bad.Name(), trace.JobError, callbackabi.BG_JOB_STATE_ERROR}} {
			in := recs.stateTo(c.job, c.st)
			require.Len(t, in, 1)
			assert.Less(t, in[0].T, 30*time.Second, "the event happened before registration")
			calls := recs.callsOf(c.job, c.m)
			require.Len(t, calls, 1, "%s still gets %s\n%s", c.job, c.m, recs.dump())
			assert.Equal(t, 30*time.Second, calls[0].Begin.T)
		}
		assert.Equal(t, int64(2), e.svc.Stats().LateRegistrations)
	})

	t.Run("G19/re-notification-after-pointer-replaced", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{})) // S_OK, leaves the job TRANSFERRED
		mustOK(t, job.Resume())
		e.at(time.Minute, func() {
			app2 := app.Restart()
			mustOK(t, app2.Job(job).SetNotifyInterface(&scenarios.Funcs{}))
		})
		recs := e.run()
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 2, recs.dump())
		assert.Equal(t, "app-1", jt[0].Begin.Client)
		assert.Equal(t, "app-1#2", jt[1].Begin.Client)
		assert.Equal(t, time.Minute, jt[1].Begin.T)
	})

	t.Run("G19/no-repeat-without-new-pointer", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{}))
		mustOK(t, job.Resume())
		e.at(12*time.Hour, func() {}) // keep the world alive long after
		recs := e.run()
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 1, "S_OK settles JT for this registration")
		assert.Empty(t, recs.ev(trace.EvRetry))
	})

	retryRun := func(t *testing.T, opts scheduler.Options, results ...hr) (tr, *scheduler.JobRef) {
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		mustOK(t, job.SetMinimumRetryDelay(5))
		n := 0
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
			n++
			if n <= len(results) {
				return results[n-1]
			}
			return sOK
		}}))
		mustOK(t, job.Resume())
		return e.run(), job
	}

	t.Run("G20/retry-until-S_OK", func(t *testing.T) {
		recs, job := retryRun(t, scheduler.DefaultOptions(), eFail, callbackabi.E_UNEXPECTED)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 3, recs.dump())
		for i := 1; i < 3; i++ {
			assert.GreaterOrEqual(t, jt[i].Begin.T-jt[i-1].End.T, 5*time.Second, "retry after the retry delay")
		}
		assert.Equal(t, sOK, jt[2].End.HR)
		assert.Len(t, recs.ev(trace.EvRetry), 2)
	})

	t.Run("G20/S_FALSE-is-not-S_OK", func(t *testing.T) {
		recs, job := retryRun(t, scheduler.DefaultOptions(), callbackabi.S_FALSE)
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 2, "StrictSOK: S_FALSE is retried")
	})

	t.Run("G20/S_FALSE-success-when-not-strict", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.StrictSOK = false
		recs, job := retryRun(t, opts, callbackabi.S_FALSE)
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 1, "ambiguity 1: S_FALSE counts as success")
		recs, job = retryRun(t, opts, eFail)
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 2, "failures are still retried")
	})

	t.Run("G20/CallbackRetryDelay-option", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.CallbackRetryDelay = 2 * time.Second
		recs, job := retryRun(t, opts, eFail)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 2)
		assert.Equal(t, 2*time.Second, jt[1].Begin.T-jt[0].End.T)
	})

	t.Run("G20/JE-retried", func(t *testing.T) {
		e := defaultEnv(t)
		job := failingJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA))
		mustOK(t, job.SetMinimumRetryDelay(5))
		n := 0
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Error: func(callbackabi.Job, callbackabi.Error) hr {
			n++
			if n == 1 {
				return eFail
			}
			return sOK
		}}))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Len(t, recs.callsOf(job.Name(), trace.JobError), 2)
	})

	t.Run("G21/FT-retried-only-on-failure", func(t *testing.T) {
		for _, c := range []struct {
			res   hr
			calls int
		}{{callbackabi.S_FALSE, 2}, {eFail, 3}} {
			e := defaultEnv(t)
			job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb, 5*mb)
			mustOK(t, job.SetMinimumRetryDelay(5))
			first := true
			mustOK(t, job.SetNotifyFlags(fJT|fFT))
			mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{FileDone: func(callbackabi.Job, callbackabi.File) hr {
				if first {
					first = false
					return c.res
				}
				return sOK
			}}))
			mustOK(t, job.Resume())
			recs := e.run()
			assert.Len(t, recs.callsOf(job.Name(), trace.FileTransferred), c.calls, "FT returning %v", c.res)
			assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 1)
		}
	})

	t.Run("G22/JM-and-FRT-not-retried", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.Chunk = 100 * time.Millisecond
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 10*mb)
		mustOK(t, job.SetOnDemand(true))
		mustOK(t, job.SetNotifyFlags(fJT|fJM|fFRT))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{
			Modification: func(callbackabi.Job) hr { return eFail },
			RangesDone:   func(callbackabi.Job, callbackabi.File, []callbackabi.FileRange) hr { return eFail },
		}))
		mustOK(t, job.Resume())
		recs := e.run()
		require.NotEmpty(t, recs.callsOf(job.Name(), trace.JobModification))
		require.NotEmpty(t, recs.callsOf(job.Name(), trace.FileRangesTransferred))
		for _, c := range append(recs.callsOf(job.Name(), trace.JobModification), recs.callsOf(job.Name(), trace.FileRangesTransferred)...) {
			assert.Equal(t, eFail, c.End.HR)
		}
		assert.Empty(t, recs.ev(trace.EvRetry), "no retry of JM/FRT")
		assert.LessOrEqual(t, len(recs.callsOf(job.Name(), trace.JobModification)), len(recs.ev(trace.EvJobModified).job(job.Name())))
	})

	t.Run("G22/every-JM-has-a-new-trigger", func(t *testing.T) {
		// A JobModification is never repeated: each call has a job.modified
		// since the previous one began. On a busy STA a call starts later
		// than its launch; the triggers in between are reported by it.
		for _, guarded := range []bool{false, true} {
			recs, _, _ := staRun(t, scheduler.STA, guarded)
			var since int64 = -1 // -1: no JM call yet
			calls := 0
			for _, r := range recs {
				switch {
				case r.Ev == trace.EvJobModified:
					if since <= 0 {
						since = r.Seq
					}
				case r.Ev == trace.EvCallBegin && r.Method == trace.JobModification:
					calls++
					assert.Positive(t, since, "JM call %d (guard %v) without a trigger since the previous JM began", r.Call, guarded)
					since = 0
				}
			}
			assert.Greater(t, calls, 3)
		}
	})

	t.Run("G23/crash-during-a-call", func(t *testing.T) {
		e := defaultEnv(t)
		clock := e.svc.Clock()
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		var afterCrash hr
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
			clock.Sleep(time.Minute)
			_, afterCrash = j.GetState()
			return sOK
		}}))
		mustOK(t, job.Resume())
		e.at(10*time.Second, app.Crash)
		recs := e.run()
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.Equal(t, trace.OutcomeDisconnected, jt[0].End.Outcome)
		assert.Equal(t, 10*time.Second, jt[0].End.T, "the slot is freed when the process dies")
		un := recs.ev(trace.EvJobUnregister)
		require.Len(t, un, 1)
		assert.Equal(t, "disconnected", un[0].Reason)
		assert.Equal(t, callbackabi.RPC_E_DISCONNECTED, afterCrash, "a dead process cannot call")
		assert.Len(t, recs.ev(trace.EvCallEnd), 1, "one call.end per call")
	})
}

// ---------------------------------------------------------------------------
// D. Command line (G24–G30)

func TestCmdLineRules(t *testing.T) {
	const prog = `C:\Program Files\App\notify.exe`

	t.Run("G24/launch-on-TRANSFERRED-and-ERROR", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		var runs []scheduler.ProgramRun
		e.svc.SetProgram(prog, func(r scheduler.ProgramRun) (int, time.Duration) {
			runs = append(runs, r)
			return 0, time.Second
		})
		ok := newJob(t, app, 5*mb)
		bad := failingJob(t, app)
		for _, j := range []*scheduler.JobRef{ok, bad} {
			mustOK(t, j.SetNotifyCmdLine(prog, "/job "+j.Name()))
			fgResume(t, j)
		}
		recs := e.run()
		require.Len(t, runs, 2)
		for _, r := range runs {
			assert.Equal(t, prog, r.Program)
			assert.Equal(t, "/job "+r.Job.Name(), r.Parameters)
			assert.Equal(t, int64(1), r.Run)
		}
		for _, c := range []struct {
			j  *scheduler.JobRef
			st callbackabi.JobState
		}{{ok, callbackabi.BG_JOB_STATE_TRANSFERRED}, {bad, callbackabi.BG_JOB_STATE_ERROR}} {
			st := recs.ev(trace.EvCmdlineStart).job(c.j.Name())
			require.Len(t, st, 1)
			assert.Greater(t, st[0].Seq, recs.stateTo(c.j.Name(), c.st)[0].Seq)
			ex := recs.ev(trace.EvCmdlineExit).job(c.j.Name())
			require.Len(t, ex, 1)
			assert.Equal(t, int64(0), ex[0].Code)
			assert.Equal(t, time.Second, ex[0].T-st[0].T)
		}
		for _, r := range recs.ev(trace.EvJobCmdline) {
			assert.Equal(t, "alice", r.User, "registered in alice's context")
		}
	})

	cmdRun := func(t *testing.T, cb *scenarios.Funcs, crash bool) (tr, *scheduler.JobRef) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetMinimumRetryDelay(30))
		mustOK(t, job.SetNotifyCmdLine(prog, ""))
		mustOK(t, job.SetNotifyInterface(cb))
		mustOK(t, job.Resume())
		if crash {
			e.at(500*time.Millisecond, app.Crash)
		}
		return e.run(), job
	}

	t.Run("G25/callback-success-no-cmdline", func(t *testing.T) {
		recs, job := cmdRun(t, &scenarios.Funcs{}, false)
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 1)
		assert.Empty(t, recs.ev(trace.EvCmdlineStart))
	})

	t.Run("G25/S_FALSE-is-success-for-cmdline", func(t *testing.T) {
		// S_FALSE is a success code: it does not hand over to the command
		// line (G25, ambiguity 1: cmdlineTrigger = FAILED(hr) || invalid),
		// even though StrictSOK retries it (G20).
		n := 0
		recs, job := cmdRun(t, &scenarios.Funcs{Transferred: func(callbackabi.Job) hr {
			n++
			if n == 1 {
				return callbackabi.S_FALSE
			}
			return sOK
		}}, false)
		assert.Empty(t, recs.ev(trace.EvCmdlineStart), recs.dump())
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 2)
	})

	t.Run("G25/invalid-pointer-runs-cmdline", func(t *testing.T) {
		recs, job := cmdRun(t, &scenarios.Funcs{}, true)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1)
		assert.Equal(t, trace.OutcomeDisconnected, jt[0].End.Outcome)
		st := recs.ev(trace.EvCmdlineStart)
		require.Len(t, st, 1)
		assert.Greater(t, st[0].Seq, jt[0].End.Seq)
	})

	t.Run("G26/failing-JT-hands-over-to-cmdline", func(t *testing.T) {
		recs, job := cmdRun(t, &scenarios.Funcs{Transferred: func(callbackabi.Job) hr { return eFail }}, false)
		jt := recs.callsOf(job.Name(), trace.JobTransferred)
		require.Len(t, jt, 1, "JT is not called again")
		st := recs.ev(trace.EvCmdlineStart)
		require.Len(t, st, 1)
		assert.Greater(t, st[0].Seq, jt[0].End.Seq)
	})

	t.Run("G27/G28/cmdline-retried-after-minimum-retry-delay", func(t *testing.T) {
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		job := newJob(t, app, 5*mb)
		mustOK(t, job.SetMinimumRetryDelay(30))
		e.svc.SetProgram(prog, func(r scheduler.ProgramRun) (int, time.Duration) {
			if r.Run < 3 {
				return 1, 2 * time.Second
			}
			return 0, 2 * time.Second
		})
		mustOK(t, job.SetNotifyCmdLine(prog, ""))
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(callbackabi.Job) hr { return eFail }}))
		mustOK(t, job.Resume())
		recs := e.run()
		st, ex := recs.ev(trace.EvCmdlineStart), recs.ev(trace.EvCmdlineExit)
		require.Len(t, st, 3, recs.dump())
		require.Len(t, ex, 3)
		for i := 1; i < 3; i++ {
			assert.Equal(t, int64(1), ex[i-1].Code)
			assert.GreaterOrEqual(t, st[i].T-ex[i-1].T, 30*time.Second, "relaunch after the minimum retry delay")
		}
		assert.Equal(t, int64(0), ex[2].Code)
		assert.Len(t, recs.callsOf(job.Name(), trace.JobTransferred), 1)
	})

	t.Run("G27/program-completes-job-no-relaunch", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		e.svc.SetProgram(prog, func(r scheduler.ProgramRun) (int, time.Duration) {
			mustOK(t, r.Job.Complete())
			return 1, time.Second
		})
		mustOK(t, job.SetNotifyCmdLine(prog, ""))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Len(t, recs.ev(trace.EvCmdlineStart), 1)
		assert.NotEmpty(t, recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_ACKNOWLEDGED))
	})

	t.Run("G27/BITS-1.5-runs-once", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.Version = scheduler.Version{Major: 1, Minor: 5}
		e := newEnv(t, opts)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		e.svc.SetProgram(prog, func(scheduler.ProgramRun) (int, time.Duration) { return 1, time.Second })
		mustOK(t, job.SetNotifyCmdLine(prog, ""))
		mustOK(t, job.Resume())
		recs := e.run()
		assert.Len(t, recs.ev(trace.EvCmdlineStart), 1)
	})

	t.Run("G29/cmdline-registered-after-the-event", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		mustOK(t, job.Resume())
		e.at(time.Minute, func() { mustOK(t, job.SetNotifyCmdLine(prog, "")) })
		recs := e.run()
		st := recs.ev(trace.EvCmdlineStart)
		require.Len(t, st, 1)
		assert.Equal(t, time.Minute, st[0].T)
	})

	t.Run("G30/limits", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), mb)
		long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes
		mustOK(t, job.SetNotifyCmdLine(long(260), long(4000)))
		requireHR(t, callbackabi.BG_E_STRING_TOO_LONG, job.SetNotifyCmdLine(long(261), ""), "program over MAX_PATH")
		requireHR(t, callbackabi.BG_E_STRING_TOO_LONG, job.SetNotifyCmdLine(prog, long(4001)), "parameters over 4000")
		requireHR(t, callbackabi.E_INVALIDARG, job.SetNotifyCmdLine("", "/x"), "NULL program with parameters")
		p, _, _ := job.GetNotifyCmdLine()
		assert.Equal(t, long(260), p, "rejected calls change nothing")
		mustOK(t, job.SetNotifyCmdLine("", ""))
		p, q, _ := job.GetNotifyCmdLine()
		assert.Equal(t, "", p)
		assert.Equal(t, "", q)
		recs := e.run()
		cl := recs.ev(trace.EvJobCmdline)
		require.Len(t, cl, 2)
		assert.Equal(t, "alice", cl[0].User)
		assert.Equal(t, "", cl[1].User, "removed")

		opts := scheduler.DefaultOptions()
		opts.Version = scheduler.Version{Major: 1, Minor: 2}
		e1 := newEnv(t, opts)
		j1 := newJob(t, e1.client("app-1", e1.svc.AddUser("alice", false), scheduler.MTA), mb)
		requireHR(t, callbackabi.E_NOTIMPL, j1.SetNotifyCmdLine(prog, ""), "command line before BITS 1.5")
		e1.run()
	})
}

// ---------------------------------------------------------------------------
// E. Concurrency, threads, ordering (G31–G35)

func TestConcurrencyRules(t *testing.T) {
	capRun := func(t *testing.T, capacity int) (tr, *scheduler.Service) {
		opts := scheduler.DefaultOptions()
		opts.Cap = capacity
		e := newEnv(t, opts)
		clock := e.svc.Clock()
		alice := e.svc.AddUser("alice", false)
		bob := e.svc.AddUser("bob", false)
		a1 := e.client("app-a", alice, scheduler.MTA)
		a2 := e.client("app-b", alice, scheduler.MTA)
		b1 := e.client("app-c", bob, scheduler.MTA)
		slow := &scenarios.Funcs{Transferred: func(j callbackabi.Job) hr { clock.Sleep(10 * time.Minute); return sOK }}
		for i := 0; i < 6; i++ {
			c := a1
			if i%2 == 1 {
				c = a2
			}
			j := newJob(t, c, 5*mb)
			mustOK(t, j.SetNotifyInterface(slow))
			fgResume(t, j)
		}
		j := newJob(t, b1, 5*mb)
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{}))
		fgResume(t, j)
		return e.run(), e.svc
	}

	t.Run("G31/four-slots-per-user", func(t *testing.T) {
		recs, svc := capRun(t, 4)
		peak := recs.maxInFlight()
		assert.Equal(t, 4, peak["alice"], "alice: at most 4 in flight, and the cap was reached")
		assert.Equal(t, 1, peak["bob"])
		waits := recs.ev(trace.EvSlotWait)
		require.Len(t, waits, 2, recs.dump())
		for _, w := range waits {
			assert.Equal(t, "alice", w.User)
		}
		assert.Equal(t, int64(2), svc.Stats().SlotWaits)
		bob := recs.where(func(r trace.Record) bool { return r.Ev == trace.EvCallBegin && r.User == "bob" })
		require.Len(t, bob, 1)
		assert.Less(t, bob[0].T, 10*time.Second, "bob's slots are his own")
		for _, c := range recs.calls() {
			assert.True(t, c.ended())
		}
	})

	t.Run("G31/cap-option", func(t *testing.T) {
		recs, _ := capRun(t, 2)
		assert.Equal(t, 2, recs.maxInFlight()["alice"])
		recs, _ = capRun(t, 0) // no cap
		assert.Equal(t, 6, recs.maxInFlight()["alice"])
		assert.Empty(t, recs.ev(trace.EvSlotWait))
	})

	t.Run("G32/high-lane-before-low-lane", func(t *testing.T) {
		recs, job := overtakeRun(t)
		jm := recs.callsOf(job, trace.JobModification)
		jt := recs.callsOf(job, trace.JobTransferred)
		require.Len(t, jt, 1)
		require.NotEmpty(t, jm)
		last := jm[len(jm)-1]
		assert.Equal(t, trace.LaneLow, last.Begin.Lane)
		assert.Equal(t, trace.LaneHigh, jt[0].Begin.Lane)
		assert.Greater(t, last.Begin.Seq, jt[0].Begin.Seq, "JT overtakes the waiting JM\n%s", recs.dump())
	})

	t.Run("G34/STA-nested-JM", func(t *testing.T) {
		for _, guarded := range []bool{false, true} {
			recs, maxDepth, nested := staRun(t, scheduler.STA, guarded)
			// Any pending notification may be nested (a JT too); at
			// least one JobModification must be.
			var jm []call
			for _, c := range nested {
				if c.Begin.Method == trace.JobModification {
					jm = append(jm, c)
				}
			}
			require.NotEmpty(t, jm, "a JM was delivered nested in another (guard %v)\n%s", guarded, recs.dump())
			if guarded {
				assert.Equal(t, 1, maxDepth, "the guard drops re-entrant calls")
				for _, c := range jm {
					assert.Equal(t, c.Begin.T, c.End.T, "a guarded nested JM returns at once")
				}
			} else {
				assert.GreaterOrEqual(t, maxDepth, 2, "without the guard the callback is re-entered")
			}
		}
	})

	t.Run("G34/MTA-never-nested", func(t *testing.T) {
		// MTA calls run on threads of their own: they may overlap, but
		// never nest.
		recs, _, nested := staRun(t, scheduler.MTA, false)
		assert.Empty(t, nested)
		assert.NotEmpty(t, recs.callsOf("job-1", trace.JobModification))
	})

	t.Run("G35/arguments-invalid-after-return", func(t *testing.T) {
		e := defaultEnv(t)
		job := newJob(t, e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA), 5*mb)
		var kept callbackabi.Job
		mustOK(t, job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
			kept = j
			_, res := j.GetState()
			mustOK(t, res) // valid while the call runs
			return sOK
		}}))
		mustOK(t, job.Resume())
		var st, cp hr
		e.at(time.Minute, func() {
			_, st = kept.GetState()
			cp = kept.Complete()
		})
		recs := e.run()
		assert.Equal(t, callbackabi.E_UNEXPECTED, st)
		assert.Equal(t, callbackabi.E_UNEXPECTED, cp)
		assert.Equal(t, int64(2), e.svc.Stats().ArgumentMisuse)
		assert.Empty(t, recs.stateTo(job.Name(), callbackabi.BG_JOB_STATE_ACKNOWLEDGED), "a stale argument changes nothing")
	})

	t.Run("G35/stale-argument-in-a-later-callback", func(t *testing.T) {
		// The stale argument is used from inside the next callback, while
		// another call (which may reuse the first call's memory) is live.
		e := defaultEnv(t)
		app := e.client("app-1", e.svc.AddUser("alice", false), scheduler.MTA)
		first := newJob(t, app, 5*mb)
		second := newJob(t, app, 5*mb)
		var kept callbackabi.Job
		var name string
		var res, cp hr
		mustOK(t, first.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr { kept = j; return sOK }}))
		mustOK(t, second.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
			name, res = kept.GetDisplayName()
			cp = kept.Complete()
			return sOK
		}}))
		mustOK(t, first.Resume())
		e.at(time.Minute, func() { mustOK(t, second.Resume()) })
		recs := e.run()
		require.Len(t, recs.callsOf(second.Name(), trace.JobTransferred), 1)
		assert.Equal(t, callbackabi.E_UNEXPECTED, res, "stale argument answered %q", name)
		assert.Equal(t, callbackabi.E_UNEXPECTED, cp)
		assert.Empty(t, recs.ev(trace.EvJobState).where(func(r trace.Record) bool { return r.To == callbackabi.BG_JOB_STATE_ACKNOWLEDGED }),
			"a stale argument completed a job")
		assert.Equal(t, int64(2), e.svc.Stats().ArgumentMisuse)
	})
}

// overtakeRun: four of alice's slots are held by callbacks ending at 20 s,
// 30 s, 40 s and 50 s; meanwhile job "watched" raises JobModification
// (queued in the low lane) and then transfers (JT queued in the high lane
// later). The first freed slot goes to JT (G32).
func overtakeRun(t *testing.T) (tr, string) {
	e := defaultEnv(t)
	clock := e.svc.Clock()
	alice := e.svc.AddUser("alice", false)
	busy := e.client("app-busy", alice, scheduler.MTA)
	app := e.client("app-1", alice, scheduler.MTA)
	for i := 0; i < 4; i++ {
		hold := time.Duration(20+10*i)*time.Second - 1100*time.Millisecond
		j := newJob(t, busy, 5*mb)
		mustOK(t, j.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) hr {
			clock.Sleep(hold)
			return j.Complete()
		}}))
		fgResume(t, j)
	}
	var watched *scheduler.JobRef
	e.at(2*time.Second, func() {
		watched = newJob(t, app, 30*mb)
		mustOK(t, watched.SetNotifyFlags(fJT|fJE|fJM))
		mustOK(t, watched.SetNotifyInterface(&scenarios.Funcs{}))
		fgResume(t, watched)
	})
	recs := e.run()
	waits := recs.ev(trace.EvSlotWait).job(watched.Name())
	jmWait := waits.seqOf(func(r trace.Record) bool { return r.Method == trace.JobModification })
	jtWait := waits.seqOf(func(r trace.Record) bool { return r.Method == trace.JobTransferred })
	require.Positive(t, jmWait, recs.dump())
	require.Greater(t, jtWait, jmWait, "JM waited first")
	return recs, watched.Name()
}

// staRun: one client of apartment apt whose JobModification sleeps (no
// pumping), calls GetProgress (an outgoing COM call that pumps on an STA)
// and sleeps again; guarded uses the seed's InterlockedCompareExchange
// guard. It returns the trace, the deepest simultaneous processing seen by
// the callback, and the calls nested in another (parent != 0).
func staRun(t *testing.T, apt scheduler.Apartment, guarded bool) (tr, int, []call) {
	e := defaultEnv(t)
	clock := e.svc.Clock()
	app := e.client("app-1", e.svc.AddUser("alice", false), apt)
	var pending atomic.Int32 // m_PendingJobModificationCount
	depth, maxDepth := 0, 0
	cb := &scenarios.Funcs{Modification: func(j callbackabi.Job) hr {
		if guarded && !pending.CompareAndSwap(0, 1) {
			return sOK // already processing a JobModification: ignore this one
		}
		depth++
		maxDepth = max(maxDepth, depth)
		clock.Sleep(1500 * time.Millisecond)
		j.GetProgress()
		clock.Sleep(500 * time.Millisecond)
		depth--
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
	var nested []call
	open := map[int64]bool{}
	for _, r := range recs {
		switch r.Ev {
		case trace.EvCallBegin:
			if r.Parent != 0 {
				assert.True(t, open[r.Parent], "parent %d is still running when %d begins", r.Parent, r.Call)
			}
			open[r.Call] = true
		case trace.EvCallEnd:
			delete(open, r.Call)
		}
	}
	for _, c := range recs.calls() {
		if c.Begin.Parent != 0 {
			nested = append(nested, c)
		}
	}
	return recs, maxDepth, nested
}
