package scenarios

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
)

// Shared shapes of the small worlds the scenarios build.

const mb = 1_000_000

func fileSpec(name string, size uint64) scheduler.FileSpec {
	return scheduler.FileSpec{RemoteURL: "http://updates.example/" + name, LocalName: `C:\data\` + name, Size: size}
}

// completeOnTransfer is the seed's JobTransferred: Complete the job, return S_OK.
func completeOnTransfer(job callbackabi.Job) callbackabi.HRESULT {
	job.Complete()
	return callbackabi.S_OK
}

func must(hr callbackabi.HRESULT) {
	if hr.Failed() {
		panic("scenario setup: " + hr.String())
	}
}

func newJob(c *scheduler.Client, display string, files ...scheduler.FileSpec) *scheduler.JobRef {
	j, hr := c.CreateJob(display, callbackabi.BG_JOB_TYPE_DOWNLOAD)
	must(hr)
	for _, f := range files {
		must(j.AddFileSpec(f))
	}
	return j
}

// jmFlags asks for JobModification besides the defaults.
const jmFlags = callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_ERROR | callbackabi.BG_NOTIFY_JOB_MODIFICATION

// startForeground makes j FOREGROUND (it transfers at once, G47), sets its
// notify flags (0 keeps the defaults), registers cb and resumes it.
func startForeground(j *scheduler.JobRef, flags callbackabi.NotifyFlags, cb callbackabi.Callback) {
	must(j.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND))
	if flags != 0 {
		must(j.SetNotifyFlags(flags))
	}
	must(j.SetNotifyInterface(cb))
	must(j.Resume())
}

// holdSlots starts n small FOREGROUND jobs on c whose JobTransferred spends
// d before completing the job: n of c's user's slots stay busy for d (G31).
func holdSlots(e *Env, c *scheduler.Client, n int, d time.Duration) {
	clock := e.Clock
	hold := &Funcs{Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
		clock.Sleep(d)
		j.Complete()
		return callbackabi.S_OK
	}}
	for i := 0; i < n; i++ {
		startForeground(newJob(c, "holder", fileSpec("part.bin", 100_000)), 0, hold)
	}
}

func init() {
	register(Scenario{
		Name:    "transfer-complete",
		Summary: "a job transfers, JobTransferred arrives on the high lane, the callback completes the job",
		Teaches: "The ordinary life of a job: SUSPENDED → QUEUED → CONNECTING → TRANSFERRING → TRANSFERRED. " +
			"Entering TRANSFERRED raises JobTransferred (G11) and no JobModification (G13); the callback calls Complete " +
			"and returns S_OK, so BITS does not call again (G20) and the job is ACKNOWLEDGED (G41).",
		Rules: []string{"G11", "G13", "G20", "G41"},
		Run: func(seed uint64) (Result, error) {
			return Run("transfer-complete", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				job := newJob(app, "nightly update", fileSpec("a.cab", 3*mb), fileSpec("b.cab", 2*mb))
				must(job.SetNotifyInterface(&Funcs{Transferred: completeOnTransfer}))
				must(job.Resume())
			})
		},
	})

	register(Scenario{
		Name:    "late-registration",
		Summary: "the client registers after the job transferred and still gets JobTransferred",
		Teaches: "BITS guarantees at least one call even when the registration comes after the event (G18): the job " +
			"is TRANSFERRED at about 1 s with nobody listening; at 60 s the client registers and JobTransferred " +
			"is owed at once.",
		Rules: []string{"G18", "G11"},
		Run: func(seed uint64) (Result, error) {
			return Run("late-registration", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				job := newJob(app, "late", fileSpec("report.pdf", 5*mb))
				must(job.Resume())
				e.At(60*time.Second, func() {
					must(job.SetNotifyInterface(&Funcs{Transferred: completeOnTransfer}))
				})
			})
		},
	})

	register(Scenario{
		Name:    "retry-until-s-ok",
		Summary: "JobTransferred returns E_FAIL, E_FAIL, S_FALSE, then S_OK: BITS calls until S_OK",
		Teaches: "JobTransferred and JobError are called again while they return anything but S_OK (G20) — S_FALSE " +
			"too, under the literal reading (StrictSOK). The delay between calls is the job's minimum retry delay " +
			"here (SetMinimumRetryDelay(10), G45): watch retry.scheduled and the spacing of the four calls.",
		Rules: []string{"G20", "G45"},
		Run: func(seed uint64) (Result, error) {
			return Run("retry-until-s-ok", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				job := newJob(app, "stubborn", fileSpec("setup.exe", 2*mb))
				must(job.SetMinimumRetryDelay(10))
				answers := []callbackabi.HRESULT{callbackabi.E_FAIL, callbackabi.E_FAIL, callbackabi.S_FALSE, callbackabi.S_OK}
				n := 0
				must(job.SetNotifyInterface(&Funcs{Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
					hr := answers[min(n, len(answers)-1)]
					n++
					if hr == callbackabi.S_OK {
						j.Complete()
					}
					return hr
				}}))
				must(job.Resume())
			})
		},
	})

	register(Scenario{
		Name:    "client-restart",
		Summary: "the client crashes inside JobTransferred, restarts, registers again and is notified again",
		Teaches: "A callback pointer is only valid while its process lives (G7). The client crashes while its " +
			"JobTransferred is still running: BITS sees the call fail (outcome disconnected) and clears the pointer " +
			"(G23). The notification stays owed; when the restarted process calls SetNotifyInterface on its " +
			"existing job, JobTransferred comes again (G19).",
		Rules: []string{"G7", "G19", "G23"},
		Run: func(seed uint64) (Result, error) {
			return Run("client-restart", seed, scheduler.DefaultOptions(), func(e *Env) {
				alice := e.Svc.AddUser("alice", false)
				app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
				job := newJob(app, "crashy", fileSpec("video.mp4", 4*mb))
				clock := e.Clock
				must(job.SetNotifyInterface(&Funcs{Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
					clock.Sleep(30 * time.Second) // slow work; the process dies meanwhile
					j.Complete()
					return callbackabi.S_OK
				}}))
				must(job.Resume())
				e.At(10*time.Second, app.Crash)
				e.At(20*time.Second, func() {
					again := app.Restart()
					must(again.Job(job).SetNotifyInterface(&Funcs{Transferred: completeOnTransfer}))
				})
			})
		},
	})
}
