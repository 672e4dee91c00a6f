package examples

import (
	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
)

// WeakOwner is design D: the callback holds a weak reference to the
// application's download window, which shows the result and completes or
// cancels the job. The user may close the window while the download goes
// on (the application stays in the tray).
//
// Buggy: with the window gone the callback has nobody to tell and returns
// E_FAIL; BITS calls it again after the retry delay, and again, and again
// (G20: "only a few times" is what a client may ask for; bug class 2).
type WeakOwner struct {
	Buggy  bool
	disk   ledger
	window *window // the running process's window; nil once closed
	p      *proc.Process
}

// window is the in-process monitor the callback reports to.
type window struct{ open bool }

// NewWeakOwner returns the application for one world.
func NewWeakOwner(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &WeakOwner{Buggy: buggy} }
}

// Main opens the window and starts or resumes the download.
func (a *WeakOwner) Main(p *proc.Process) {
	a.p, a.window = p, &window{open: true}
	cb := &callback{transferred: a.transferred, errored: a.errored}
	if p.Generation() == 1 {
		job, _ := a.disk.start(p, callbackabi.NotifyFlagsDefault, cb)
		if job != nil {
			job.SetMinimumRetryDelay(60) // retry a failed notification after a minute (G20)
		}
		return
	}
	_, jobs := a.disk.open(p)
	for i := range jobs {
		jobs[i].SetNotifyInterface(cb)
	}
}

// owner is the weak reference: the window if it is still open.
func (a *WeakOwner) owner() *window {
	if a.window == nil || !a.window.open {
		return nil
	}
	return a.window
}

func (a *WeakOwner) transferred(job callbackabi.Job) callbackabi.HRESULT {
	o := a.disk.byID(job)
	if o == nil || o.done {
		return callbackabi.S_OK
	}
	if a.owner() == nil && a.Buggy {
		return callbackabi.E_FAIL // nobody to tell: "try again later"
	}
	finish(a.p, o, job) // the window shows it, or (fixed) the tray does
	return callbackabi.S_OK
}

func (a *WeakOwner) errored(job callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT {
	o := a.disk.byID(job)
	if o == nil || o.done {
		return callbackabi.S_OK
	}
	if a.owner() == nil && a.Buggy {
		return callbackabi.E_FAIL
	}
	fail(a.p, o, job)
	return callbackabi.S_OK
}

// Actions are the window's close box and the cancel button.
func (a *WeakOwner) Actions() []bitsimtest.Action {
	return []bitsimtest.Action{
		{Name: "close-window", Do: func(p *proc.Process) {
			if a.p == p && a.window != nil {
				a.window.open = false
			}
		}},
		{Name: "cancel", Do: a.disk.cancelAll, Within: CancelWithin},
	}
}
