package examples

import (
	"time"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
)

// InstallProgram is the notification program Installer registers with
// SetNotifyCmdLine; its parameter is the job's id.
const InstallProgram = `C:\Program Files\App\install.exe`

// Installer is design A with a notification program: while its process
// runs, the callback completes or cancels the job; for when it does not —
// the process crashed, the user logged off — the job also names a program,
// which BITS runs when the job is TRANSFERRED or in ERROR and the callback
// is not there or fails (G24–G26). The program completes or cancels the
// job in the same way and tells the application, which reports the
// outcome (at once if it runs, or when it next starts).
//
// Buggy (class 11, command line versus callback): the callback leaves the
// work to the program — JobTransferred and JobError only show "the update
// is being installed" and return S_OK. But a callback that succeeds means
// BITS never runs the program (G25): while the application runs, the job
// waits in TRANSFERRED or ERROR with nobody to complete or cancel it.
type Installer struct {
	Buggy bool
	disk  ledger
	p     *proc.Process // the running process (or the last one)
}

// NewInstaller returns the application for one world. It scripts the
// program's simulated run (the simulator never starts a real program).
func NewInstaller(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(w *bitsimtest.ClientWorld) bitsimtest.App {
		a := &Installer{Buggy: buggy}
		w.Service.SetProgram(InstallProgram, a.install)
		return a
	}
}

// Main starts the download on the first start; on every later one it
// reports what the program did meanwhile and registers again on the open
// downloads.
func (a *Installer) Main(p *proc.Process) {
	a.p = p
	cb := &callback{transferred: a.transferred, errored: a.errored}
	if p.Generation() == 1 {
		job, o := a.disk.start(p, callbackabi.NotifyFlagsDefault, cb)
		if job != nil {
			job.SetNotifyCmdLine(InstallProgram, o.id.String())
		}
		return
	}
	_, jobs := a.disk.open(p) // reports what the program did meanwhile
	for i := range jobs {
		jobs[i].SetNotifyInterface(cb) // G7
	}
}

func (a *Installer) transferred(job callbackabi.Job) callbackabi.HRESULT {
	o := a.disk.byID(job)
	if o == nil || o.done || a.Buggy {
		return callbackabi.S_OK // Buggy: "install.exe takes it from here" — it never runs (G25)
	}
	finish(a.p, o, job)
	return callbackabi.S_OK
}

func (a *Installer) errored(job callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT {
	o := a.disk.byID(job)
	if o == nil || o.done || a.Buggy {
		return callbackabi.S_OK
	}
	fail(a.p, o, job)
	return callbackabi.S_OK
}

// install is the program's run: complete or cancel the job BITS names,
// and tell the application. It runs for two seconds and exits 0.
func (a *Installer) install(run scheduler.ProgramRun) (int, time.Duration) {
	o := a.disk.byID(run.Job)
	if o == nil || o.done || o.heard {
		return 0, 2 * time.Second
	}
	switch st, _ := run.Job.GetState(); st {
	case callbackabi.BG_JOB_STATE_TRANSFERRED:
		o.hear(complete(run.Job))
	case callbackabi.BG_JOB_STATE_ERROR:
		o.hear(giveUp(run.Job))
	default:
		return 0, 2 * time.Second
	}
	if a.p != nil && a.p.Alive() {
		a.disk.reportHeard(a.p) // the program tells the running application
	}
	return 0, 2 * time.Second
}

// Actions is the user's cancel button.
func (a *Installer) Actions() []bitsimtest.Action {
	return []bitsimtest.Action{{Name: "cancel", Do: a.disk.cancelAll, Within: CancelWithin}}
}
