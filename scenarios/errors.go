package scenarios

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
)

// seedJobError is the seed page's CNotifyInterface::JobError, in Go: on
// BG_E_INSUFFICIENT_RANGE_SUPPORT for content of known size up to 2 GB,
// switch the job to FOREGROUND and resume it (G48); otherwise handle it as
// a real error.
func seedJobError(job callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT {
	_, code, _ := e.GetError()
	isError := true
	if code == callbackabi.BG_E_INSUFFICIENT_RANGE_SUPPORT {
		if f, hr := e.GetFile(); hr == callbackabi.S_OK {
			p, _ := f.GetProgress()
			switch {
			case p.BytesTotal == callbackabi.BG_SIZE_UNKNOWN: // dynamic content: a real error
			case p.BytesTotal > callbackabi.TwoGB: // BITS uses 2 GB ranges: foreground will not help
			default:
				job.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND)
				job.Resume()
				isError = false
			}
		}
	}
	if isError {
		job.GetDisplayName()
		e.GetErrorDescription(0x409)
	}
	return callbackabi.S_OK
}

func init() {
	register(Scenario{
		Name:    "range-support-error",
		Summary: "the seed's JobError: no range support, FOREGROUND + Resume recovers a ≤ 2 GB file but not a 3 GB one",
		Teaches: "A server without Content-Range support fails a background download with " +
			"BG_E_INSUFFICIENT_RANGE_SUPPORT (G48). The seed's JobError switches a job of known size up to 2 GB " +
			"to FOREGROUND and resumes it: it transfers in one request and JobTransferred follows. For the 3 GB " +
			"file BITS would use 2 GB ranges anyway, so the callback leaves it in ERROR.",
		Rules: []string{"G48", "G12", "G49", "G38"},
		Run: func(seed uint64) (Result, error) {
			return Run("range-support-error", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				cb := &Funcs{Transferred: completeOnTransfer, Error: seedJobError}
				small := fileSpec("image.iso", 100*mb)
				small.NoRanges = true
				big := fileSpec("huge.vhd", 3_000_000_000)
				big.NoRanges = true
				for _, f := range []scheduler.FileSpec{small, big} {
					j := newJob(app, f.LocalName, f)
					must(j.SetNotifyInterface(cb))
					must(j.Resume())
				}
			})
		},
	})

	register(Scenario{
		Name:    "cmdline-fallback",
		Summary: "JobTransferred fails, the notification program runs, exits 1, runs again after the retry delay",
		Teaches: "With both a callback and a command line registered, BITS runs the program only when the callback " +
			"fails (G25), and then does not call that callback method again (G26). The simulated program (never a " +
			"real process) exits 1: while the job is not completed or cancelled BITS launches it again after the " +
			"job's minimum retry delay (G27). The second run completes the job and exits 0.",
		Rules: []string{"G24", "G25", "G26", "G27"},
		Run: func(seed uint64) (Result, error) {
			return Run("cmdline-fallback", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				job := newJob(app, "with program", fileSpec("patch.msp", 3*mb))
				must(job.SetMinimumRetryDelay(30))
				must(job.SetNotifyCmdLine(`C:\Program Files\App\notify.exe`, "notify.exe /job done"))
				e.Svc.SetProgram(`C:\Program Files\App\notify.exe`, func(run scheduler.ProgramRun) (int, time.Duration) {
					if run.Run == 1 {
						return 1, 2 * time.Second
					}
					run.Job.Complete()
					return 0, 2 * time.Second
				})
				must(job.SetNotifyInterface(&Funcs{Transferred: func(callbackabi.Job) callbackabi.HRESULT { return callbackabi.E_FAIL }}))
				must(job.Resume())
			})
		},
	})

	register(Scenario{
		Name:    "notify-disable",
		Summary: "BG_NOTIFY_DISABLE silences everything; clearing it makes the owed JobTransferred arrive",
		Teaches: "With BG_NOTIFY_DISABLE set, BITS ignores every other flag (G3): the job transfers and nothing is " +
			"called, nor is the command line run (ambiguity 6). At 120 s the client sets the flags to " +
			"JOB_TRANSFERRED|JOB_ERROR: JobTransferred is owed again, level-triggered, and arrives.",
		Rules: []string{"G3", "G18"},
		Run: func(seed uint64) (Result, error) {
			return Run("notify-disable", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				job := newJob(app, "quiet", fileSpec("log.zip", 2*mb))
				must(job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_ERROR | callbackabi.BG_NOTIFY_DISABLE))
				must(job.SetNotifyCmdLine(`C:\tools\never.exe`, ""))
				must(job.SetNotifyInterface(&Funcs{Transferred: completeOnTransfer}))
				must(job.Resume())
				e.At(120*time.Second, func() {
					must(job.SetNotifyFlags(callbackabi.NotifyFlagsDefault))
				})
			})
		},
	})

	register(Scenario{
		Name:    "admin-takeover",
		Summary: "an administrator takes ownership; callbacks still run as the user who registered",
		Teaches: "TakeOwnership makes the administrator the owner and removes the command line (G10), but the " +
			"notification callbacks are still made in the context of the user who called SetNotifyInterface: " +
			"the call.begin user stays alice and her slots are the ones used (G31).",
		Rules: []string{"G10", "G31"},
		Run: func(seed uint64) (Result, error) {
			return Run("admin-takeover", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				root := e.Svc.AddUser("admin", true)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				tool := e.Svc.StartClient("mgmt-console", root, scheduler.MTA)
				job := newJob(app, "handed over", fileSpec("backup.tar", 8*mb))
				must(job.SetNotifyCmdLine(`C:\app\onDone.exe`, ""))
				must(job.SetNotifyInterface(&Funcs{Transferred: completeOnTransfer}))
				e.At(5*time.Second, func() {
					must(tool.Job(job).TakeOwnership())
					must(job.Resume())
				})
			})
		},
	})

	register(Scenario{
		Name:    "transient-to-error",
		Summary: "transient failures retried every 5 s until the no-progress timeout turns them into ERROR and JobError",
		Teaches: "A transient error (503) puts the job in TRANSIENT_ERROR, never JobError (G12); BITS retries after " +
			"the minimum retry delay, raised to 5 s when set lower (G45). With no progress for the no-progress " +
			"timeout (60 s here) the job moves to ERROR (G46) and JobError is delivered; GetError then works (G49).",
		Rules: []string{"G12", "G43", "G45", "G46", "G49"},
		Run: func(seed uint64) (Result, error) {
			return Run("transient-to-error", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				f := fileSpec("flaky.bin", 4*mb)
				fail := scheduler.HTTPError(503)
				fail.Transient, fail.Times = true, 1000
				f.Failures = []scheduler.Failure{fail}
				job := newJob(app, "flaky", f)
				must(job.SetMinimumRetryDelay(1)) // clamped up to 5 s (G45)
				must(job.SetNoProgressTimeout(60))
				must(job.SetNotifyInterface(&Funcs{Error: func(j callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT {
					j.Cancel()
					return callbackabi.S_OK
				}}))
				must(job.Resume())
			})
		},
	})

	register(Scenario{
		Name:    "network-outage",
		Summary: "the network goes away mid-transfer and comes back: no JobError, no retry delay, every TRANSIENT_ERROR job requeued",
		Teaches: "At 2 s the machine loses the network: the transferring job goes to TRANSIENT_ERROR with " +
			"BG_E_NETWORK_DISCONNECTED (G44), and no JobError comes, since the error is transient (G12). BITS does " +
			"not retry it on the minimum retry delay's schedule (600 s by default) but when the network is back, at 20 s. The " +
			"other job, FOREGROUND so that it runs beside the first (G47), has been in TRANSIENT_ERROR since its server " +
			"answered 503, waiting for its retry delay (60 s): the " +
			"network's return requeues it too, whatever its error (G44). Both transfer and the callback completes them.",
		Rules: []string{"G44", "G12", "G45", "G11"},
		Run: func(seed uint64) (Result, error) {
			return Run("network-outage", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				cb := &Funcs{Transferred: completeOnTransfer}
				big := newJob(app, "big", fileSpec("big.iso", 40*mb))
				f := fileSpec("small.bin", mb)
				busy := scheduler.HTTPError(503)
				busy.Transient, busy.Times = true, 1
				f.Failures = []scheduler.Failure{busy}
				small := newJob(app, "busy server", f)
				must(small.SetMinimumRetryDelay(60))
				must(small.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND)) // runs beside the other (G47)
				for _, j := range []*scheduler.JobRef{big, small} {
					must(j.SetNotifyInterface(cb))
					must(j.Resume())
				}
				e.At(2*time.Second, func() { e.Svc.SetNetwork(false) })
				e.At(20*time.Second, func() { e.Svc.SetNetwork(true) })
			})
		},
	})

	register(Scenario{
		Name:    "wine-compat",
		Summary: "the same kind of workload under Wine's qmgr dispatcher: JobTransferred once, no retry, DISABLE ignored",
		Teaches: "Wine reimplements BITS with one worker thread that calls JobTransferred once, synchronously, " +
			"ignores its result and never re-notifies (bits-semantics.md section 4). Run `bitsim check` on this " +
			"trace: it breaks G20 (no retry after E_FAIL), G3 (a call despite DISABLE) and G18 (a late " +
			"registration is never notified).",
		Rules: []string{"G3", "G18", "G20"},
		Run: func(seed uint64) (Result, error) {
			return Run("wine-compat", seed, scheduler.WineCompatOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				failing := newJob(app, "fails once", fileSpec("a.bin", 2*mb))
				must(failing.SetNotifyInterface(&Funcs{Transferred: func(callbackabi.Job) callbackabi.HRESULT { return callbackabi.E_FAIL }}))
				must(failing.Resume())
				disabled := newJob(app, "disabled", fileSpec("b.bin", 2*mb))
				must(disabled.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_DISABLE))
				must(disabled.SetNotifyInterface(&Funcs{Transferred: completeOnTransfer}))
				must(disabled.Resume())
				late := newJob(app, "late", fileSpec("c.bin", 2*mb))
				must(late.Resume())
				e.At(60*time.Second, func() {
					must(late.SetNotifyInterface(&Funcs{Transferred: completeOnTransfer}))
				})
			})
		},
	})
}
