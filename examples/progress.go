package examples

import (
	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
)

// ProgressBug is one of the bugs Progress can be built with.
type ProgressBug string

// Progress's bugs.
const (
	// ProgressFixed: no bug.
	ProgressFixed ProgressBug = ""
	// ProgressClosesChannel (class 6, the callback outlives its owner):
	// the driver closes its message channel when it is done, as Go code
	// closes a channel nobody will send on — but BITS may still call: the
	// job went to an administrator (G10) and its notifications still come
	// to the registration, or a JobModification follows the JobTransferred
	// (G32). The late callback sends on the closed channel and panics, the
	// Go form of a callback touching a torn-down object (G7, G23).
	ProgressClosesChannel ProgressBug = "closes-channel"
	// ProgressEndsTwice (class 4, repeated notifications not idempotent):
	// every message that says the job ended is acted on — the
	// JobModification of the state change as well as the JobTransferred
	// that follows it (G13, G32). The second Complete finds the job
	// ACKNOWLEDGED, fails with BG_E_INVALID_STATE, and the user is told
	// the download failed after being told it arrived.
	ProgressEndsTwice ProgressBug = "ends-twice"
	// ProgressCancelOnProgress (class 8, cancel driven by JobModification):
	// the cancel button only raises a flag that the progress callback
	// acts on, as if JobModification were a heartbeat. A job that waits —
	// QUEUED without a network, TRANSIENT_ERROR, a user logged off — moves
	// no bytes and raises none (G13, G14), so the cancel waits too.
	ProgressCancelOnProgress ProgressBug = "cancel-on-progress"
)

// Progress is design B with a progress bar, written as Go code would be:
// the callbacks (JobTransferred, JobError and JobModification, for the
// bar) put a message on a channel and set an event; the driver thread
// waits for the event or the user's cancel, drains the channel, and
// completes or cancels the job.
type Progress struct {
	Bug  ProgressBug
	disk ledger
	now  *progressInstance
}

// progressInstance is what one process of Progress holds in memory.
type progressInstance struct {
	p         *proc.Process
	notify    *proc.Event // set by the callbacks
	cancel    *proc.Event // set by the cancel button
	msgs      chan progressMsg
	done      bool                                   // the driver has finished: nobody reads msgs
	cancelled bool                                   // ProgressCancelOnProgress: the flag the cancel button raises
	jobs      map[callbackabi.GUID]*scheduler.JobRef // the jobs this process opened, by id
}

// progressMsg is what a callback tells the driver.
type progressMsg struct {
	id    callbackabi.GUID
	ended bool // the job is TRANSFERRED or in ERROR
}

// progressQueue is how many messages the channel holds: more than a world
// raises between two wakes of the driver (a full channel drops progress:
// the driver reads the job's state on every wake anyway).
const progressQueue = 256

// NewProgress returns the application for one world, with bug (or
// ProgressFixed).
func NewProgress(bug ProgressBug) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &Progress{Bug: bug} }
}

// instance returns p's instance, making it the first time p needs it (Main
// or the cancel button, whichever runs first: see instanceOf).
func (a *Progress) instance(p *proc.Process) *progressInstance {
	if a.now == nil || a.now.p != p {
		a.now = &progressInstance{p: p, notify: p.NewEvent(false, false), cancel: p.NewEvent(true, false),
			msgs: make(chan progressMsg, progressQueue), jobs: map[callbackabi.GUID]*scheduler.JobRef{}}
	}
	return a.now
}

// Main starts or resumes the download and drives it to its outcome.
func (a *Progress) Main(p *proc.Process) {
	in := a.instance(p)
	cb := &callback{
		transferred: func(job callbackabi.Job) callbackabi.HRESULT { return a.post(in, job, true) },
		errored:     func(job callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT { return a.post(in, job, true) },
		modified:    func(job callbackabi.Job) callbackabi.HRESULT { return a.progress(in, job) },
	}
	flags := callbackabi.NotifyFlagsDefault | callbackabi.BG_NOTIFY_JOB_MODIFICATION
	if p.Generation() == 1 {
		a.disk.start(p, flags, cb)
	}
	ops, jobs := a.disk.open(p)
	for i, o := range ops {
		in.jobs[o.id] = jobs[i]
		if p.Generation() > 1 {
			jobs[i].SetNotifyInterface(cb) // G7
		}
	}
	defer a.finish(in)
	for {
		ops, jobs := a.disk.open(p)
		if len(ops) == 0 {
			return
		}
		var r proc.WaitResult
		if a.Bug == ProgressCancelOnProgress {
			r = in.notify.Wait(proc.Infinite) // the cancel comes through progress
		} else {
			r = p.WaitAny(proc.Infinite, in.notify, in.cancel)
		}
		if r == proc.WaitObject0+1 || (in.cancelled && a.Bug == ProgressCancelOnProgress) {
			a.disk.cancelAll(p)
			return
		}
		a.drain(p, in)
		if a.Bug == ProgressEndsTwice {
			continue // it acts on messages only
		}
		for i, o := range ops {
			settle(p, o, jobs[i]) // the job's state decides, whatever the messages said
		}
	}
}

// finish ends the driver: nobody reads the channel any more.
func (a *Progress) finish(in *progressInstance) {
	in.done = true
	if a.Bug == ProgressClosesChannel {
		close(in.msgs) // the bug: a callback may still come and send
	}
}

// post is JobTransferred's and JobError's: tell the driver.
func (a *Progress) post(in *progressInstance, job callbackabi.Job, ended bool) callbackabi.HRESULT {
	id, hr := job.GetId()
	if hr.Failed() {
		return callbackabi.S_OK
	}
	if in.done && a.Bug != ProgressClosesChannel {
		return callbackabi.S_OK // the driver has finished: nobody to tell
	}
	select {
	case in.msgs <- progressMsg{id: id, ended: ended}:
	default: // full: the driver reads the state when it wakes
	}
	in.notify.Set()
	return callbackabi.S_OK
}

// progress is JobModification's: move the bar, and tell the driver if the
// job ended (a JobModification also reports a change of state, G13).
func (a *Progress) progress(in *progressInstance, job callbackabi.Job) callbackabi.HRESULT {
	job.GetProgress() // what the bar shows
	if a.Bug == ProgressCancelOnProgress && in.cancelled {
		in.notify.Set() // the driver cancels when it wakes
		return callbackabi.S_OK
	}
	st, _ := job.GetState()
	return a.post(in, job, st == callbackabi.BG_JOB_STATE_TRANSFERRED || st == callbackabi.BG_JOB_STATE_ERROR)
}

// drain reads every message waiting on the channel.
func (a *Progress) drain(p *proc.Process, in *progressInstance) {
	for {
		select {
		case m := <-in.msgs:
			if m.ended && a.Bug == ProgressEndsTwice {
				a.ended(p, in, m.id)
			}
		default:
			return
		}
	}
}

// ended is ProgressEndsTwice's handling of a message that the job ended:
// complete or cancel it and tell the user, without asking whether that
// was done already (its ledger records the outcome, but nothing here
// reads it).
func (a *Progress) ended(p *proc.Process, in *progressInstance, id callbackabi.GUID) {
	job := in.jobs[id]
	if job == nil {
		return
	}
	for _, o := range a.disk.ops {
		if o.id == id {
			o.done = true
		}
	}
	if st, _ := job.GetState(); st == callbackabi.BG_JOB_STATE_ERROR {
		job.Cancel()
		p.Report(job, proc.Failed, "the download failed")
		return
	}
	switch hr := job.Complete(); hr {
	case callbackabi.S_OK, callbackabi.BG_S_UNABLE_TO_DELETE_FILES:
		p.Report(job, proc.Succeeded, "")
	default:
		p.Report(job, proc.Failed, "Complete failed: "+hr.String())
	}
}

// Actions is the user's cancel button.
func (a *Progress) Actions() []bitsimtest.Action {
	return []bitsimtest.Action{{Name: "cancel", Within: CancelWithin, Do: func(p *proc.Process) {
		in := a.instance(p)
		if a.Bug == ProgressCancelOnProgress {
			in.cancelled = true // read by the next JobModification
			return
		}
		in.cancel.Set()
	}}}
}
