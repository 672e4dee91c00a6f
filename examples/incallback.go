package examples

import (
	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
)

// InCallback is design A: the callback does all the work, as the
// documentation's sample does. JobTransferred completes the job, JobError
// cancels it; there is no driver thread.
//
// Buggy: JobTransferred reports success whatever Complete answered. A
// failed rename (E_ACCESSDENIED, G41) leaves the job TRANSFERRED while the
// user is told it arrived (bug class 1).
//
// NoReregister is another bug, of class 5: a restarted process does not
// register its callback again on the downloads it finds in its ledger. BITS
// keeps no pointer across a restart (G7), so once the process that
// registered has crashed or its user logged off, nobody hears of the job
// again: it waits in TRANSFERRED or ERROR and never gets an outcome.
//
// Amnesiac is a bug of class 10: the application keeps its downloads in
// memory only, so a restarted process starts the download anew and the
// job of the first one is left behind, never completed nor cancelled,
// counting against the user's job limit.
//
// TakesAll is a bug of class 5 too: the application finds its downloads by
// enumerating its user's jobs and takes every one as its own — it
// registers its callback on each when it starts, and its cancel button
// cancels them all. Another application of the same user then no longer
// hears of its job (G8: the last registration wins), or sees it cancelled.
type InCallback struct {
	Buggy        bool
	NoReregister bool
	Amnesiac     bool
	TakesAll     bool
	disk         ledger
}

// NewInCallback returns the application for one world.
func NewInCallback(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &InCallback{Buggy: buggy} }
}

// NewInCallbackAmnesiac returns the application for one world, with the
// Amnesiac bug when buggy.
func NewInCallbackAmnesiac(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &InCallback{Amnesiac: buggy} }
}

// NewInCallbackRestart returns the application for one world, with the
// NoReregister bug when buggy.
func NewInCallbackRestart(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &InCallback{NoReregister: buggy} }
}

// NewInCallbackTakesAll returns the application for one world, with the
// TakesAll bug when buggy.
func NewInCallbackTakesAll(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &InCallback{TakesAll: buggy} }
}

// Main starts the download on the first start and registers again on the
// open downloads on every later one.
func (a *InCallback) Main(p *proc.Process) {
	if a.Amnesiac {
		a.disk = ledger{} // the bug: what it started died with the last process
	}
	cb := a.callback(p)
	if p.Generation() == 1 || a.Amnesiac {
		a.disk.start(p, callbackabi.NotifyFlagsDefault, cb)
		return
	}
	_, jobs := a.disk.open(p)
	if a.NoReregister {
		return // the bug: the registration died with the old process (G7)
	}
	if a.TakesAll {
		jobs, _ = p.Client().EnumJobs(false) // the bug: every job of the user is taken as ours
	}
	for i := range jobs {
		jobs[i].SetNotifyInterface(cb) // G7: a new process registers again
	}
}

func (a *InCallback) callback(p *proc.Process) *callback {
	return &callback{
		transferred: func(job callbackabi.Job) callbackabi.HRESULT {
			o := a.disk.byID(job)
			if o == nil || o.done {
				return callbackabi.S_OK // a repeated notification (G18, G19)
			}
			if a.Buggy {
				job.Complete()
				o.report(p, job, proc.Succeeded, "")
				return callbackabi.S_OK
			}
			finish(p, o, job)
			return callbackabi.S_OK
		},
		errored: func(job callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT {
			if o := a.disk.byID(job); o != nil && !o.done {
				fail(p, o, job)
			}
			return callbackabi.S_OK
		},
	}
}

// Actions is the user's cancel button.
func (a *InCallback) Actions() []bitsimtest.Action {
	return []bitsimtest.Action{{Name: "cancel", Do: a.cancel, Within: CancelWithin}}
}

func (a *InCallback) cancel(p *proc.Process) {
	if a.TakesAll {
		jobs, _ := p.Client().EnumJobs(false)
		for _, j := range jobs {
			j.Cancel() // the bug: cancels every job of the user
		}
	}
	a.disk.cancelAll(p)
}
