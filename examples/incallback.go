package examples

import (
	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
)

// InCallbackBug is one of the bugs InCallback can be built with.
type InCallbackBug string

// InCallback's bugs.
const (
	// InCallbackFixed: no bug.
	InCallbackFixed InCallbackBug = ""
	// InCallbackFalseSuccess (class 1): JobTransferred reports success
	// whatever Complete answered. A failed rename (E_ACCESSDENIED, G41)
	// leaves the job TRANSFERRED while the user is told it arrived.
	InCallbackFalseSuccess InCallbackBug = "false-success"
	// InCallbackNoReregister (class 5): a restarted process does not
	// register its callback again on the downloads it finds in its ledger.
	// BITS keeps no pointer across a restart (G7), so once the process
	// that registered has crashed or its user logged off, nobody hears of
	// the job again: it waits in TRANSFERRED or ERROR and never gets an
	// outcome.
	InCallbackNoReregister InCallbackBug = "no-reregister"
	// InCallbackAmnesiac (class 10): the application keeps its downloads
	// in memory only, so a restarted process starts the download anew and
	// the job of the first one is left behind, never completed nor
	// cancelled, counting against the user's job limit.
	InCallbackAmnesiac InCallbackBug = "amnesiac"
	// InCallbackTakesAll (class 5 too): the application finds its
	// downloads by enumerating its user's jobs and takes every one as its
	// own — it registers its callback on each when it starts again, and
	// its cancel button cancels them all. Another application of the same
	// user then no longer hears of its job (G8: the last registration
	// wins), or sees it cancelled.
	InCallbackTakesAll InCallbackBug = "takes-all"
)

// InCallback is design A: the callback does all the work, as the
// documentation's sample does. JobTransferred completes the job, JobError
// cancels it; there is no driver thread.
type InCallback struct {
	Bug  InCallbackBug
	disk ledger
}

// inCallback returns the constructor of InCallback with bug if buggy, fixed
// otherwise.
func inCallback(bug InCallbackBug, buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	if !buggy {
		bug = InCallbackFixed
	}
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &InCallback{Bug: bug} }
}

// NewInCallback returns the application for one world, with the
// InCallbackFalseSuccess bug when buggy.
func NewInCallback(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return inCallback(InCallbackFalseSuccess, buggy)
}

// NewInCallbackAmnesiac returns the application for one world, with the
// InCallbackAmnesiac bug when buggy.
func NewInCallbackAmnesiac(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return inCallback(InCallbackAmnesiac, buggy)
}

// NewInCallbackRestart returns the application for one world, with the
// InCallbackNoReregister bug when buggy.
func NewInCallbackRestart(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return inCallback(InCallbackNoReregister, buggy)
}

// NewInCallbackTakesAll returns the application for one world, with the
// InCallbackTakesAll bug when buggy.
func NewInCallbackTakesAll(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return inCallback(InCallbackTakesAll, buggy)
}

// Main starts the download on the first start and registers again on the
// open downloads on every later one.
func (a *InCallback) Main(p *proc.Process) {
	if a.Bug == InCallbackAmnesiac {
		a.disk = ledger{} // the bug: what it started died with the last process
	}
	cb := a.callback(p)
	if p.Generation() == 1 || a.Bug == InCallbackAmnesiac {
		a.disk.start(p, callbackabi.NotifyFlagsDefault, cb)
		return
	}
	_, jobs := a.disk.open(p)
	if a.Bug == InCallbackNoReregister {
		return // the bug: the registration died with the old process (G7)
	}
	if a.Bug == InCallbackTakesAll {
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
			if a.Bug == InCallbackFalseSuccess {
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
	if a.Bug == InCallbackTakesAll {
		jobs, _ := p.Client().EnumJobs(false)
		for _, j := range jobs {
			j.Cancel() // the bug: cancels every job of the user
		}
	}
	a.disk.cancelAll(p)
}
