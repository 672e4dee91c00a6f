package examples

import (
	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
)

// SignalWait is design B, an installer: the callbacks only set an event;
// the driver thread that started the download waits for it (and for the
// user's cancel), then completes or cancels the job.
//
// Buggy: the driver waits on the notification event alone and looks at the
// cancel button only when it wakes, so a cancel during a long download (a
// server that keeps failing, the network gone, the user logged off) takes
// effect only when the job ends (bug class 3).
type SignalWait struct {
	Buggy bool
	// STA runs the application in a single-threaded apartment (use
	// bitsimtest.ClientOptions{Apartment: scheduler.STA}); the driver then
	// waits with Pump so that the callbacks can reach its thread.
	STA bool
	// NoPump is the STA version's bug: the driver waits without pumping.
	NoPump bool
	disk   ledger
	now    *instance // the running process's objects
}

// instance is what one process of the application holds in memory.
type instance struct {
	p      *proc.Process
	notify *proc.Event // set by the callbacks
	cancel *proc.Event // set by the cancel button
}

// instanceOf returns p's instance, kept in *now, making it the first time
// p needs it — Main or the cancel button, whichever runs first: the user
// may press cancel as the process starts, before its main thread has run a
// line, and that cancel must not be lost.
func instanceOf(now **instance, p *proc.Process) *instance {
	if *now == nil || (*now).p != p {
		*now = &instance{p: p, notify: p.NewEvent(false, false), cancel: p.NewEvent(true, false)}
	}
	return *now
}

// NewSignalWait returns the application for one world.
func NewSignalWait(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &SignalWait{Buggy: buggy} }
}

// Main starts or resumes the download and drives it to its outcome.
func (a *SignalWait) Main(p *proc.Process) {
	in := instanceOf(&a.now, p)
	cb := &callback{
		transferred: func(callbackabi.Job) callbackabi.HRESULT { in.notify.Set(); return callbackabi.S_OK },
		errored:     func(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT { in.notify.Set(); return callbackabi.S_OK },
	}
	if p.Generation() == 1 {
		a.disk.start(p, callbackabi.NotifyFlagsDefault, cb)
	} else {
		_, jobs := a.disk.open(p)
		for _, j := range jobs {
			j.SetNotifyInterface(cb) // G7, and G18: a TRANSFERRED or ERROR job notifies the new registration
		}
	}
	for {
		ops, jobs := a.disk.open(p)
		if len(ops) == 0 {
			return
		}
		switch a.wait(in) {
		case 1: // the user cancelled
			a.disk.cancelAll(p)
			return
		}
		if a.Buggy && in.cancel.Wait(0) == proc.WaitObject0 {
			a.disk.cancelAll(p) // noticed only now
			return
		}
		for i, o := range ops {
			settle(p, o, jobs[i])
		}
	}
}

// wait blocks until a notification (0) or the user's cancel (1).
func (a *SignalWait) wait(in *instance) proc.WaitResult {
	switch {
	case a.NoPump:
		return in.p.WaitAny(proc.Infinite, in.notify, in.cancel) // does not pump: no callback can arrive (class 7)
	case a.STA:
		return in.p.Pump(proc.Infinite, in.notify, in.cancel)
	case a.Buggy:
		return in.notify.Wait(proc.Infinite)
	}
	return in.p.WaitAny(proc.Infinite, in.notify, in.cancel)
}

// settle ends a job that is done, one way or the other.
func settle(p *proc.Process, o *op, job *scheduler.JobRef) {
	switch st, _ := job.GetState(); st {
	case callbackabi.BG_JOB_STATE_TRANSFERRED:
		finish(p, o, job)
	case callbackabi.BG_JOB_STATE_ERROR:
		fail(p, o, job)
	}
}

// Actions is the user's cancel button.
func (a *SignalWait) Actions() []bitsimtest.Action {
	return []bitsimtest.Action{{Name: "cancel", Within: CancelWithin, Do: func(p *proc.Process) {
		instanceOf(&a.now, p).cancel.Set()
	}}}
}
