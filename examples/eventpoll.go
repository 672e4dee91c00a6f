package examples

import (
	"time"

	"github.com/bitsim/bitsim/bitsimtest"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
)

// PollFirst and PollMax bound how often EventPoll's driver reads the job's
// state when no notification woke it: after PollFirst, then twice as long
// each time, up to PollMax (an updater's back-off).
const (
	PollFirst = time.Second
	PollMax   = 30 * time.Second
)

// EventPoll is design C, an updater: as SignalWait, but the driver also
// wakes on a timer (every second at first, backing off to every 30 s) and
// reads the job's state itself, so a lost or late notification only costs
// latency.
//
// Buggy: it asks BITS for JobTransferred only and its poll looks for
// TRANSFERRED only: a job that goes to ERROR (a 404, a no-progress
// timeout) is never noticed, never cancelled and never gets an outcome
// (bug classes 3 and 9).
type EventPoll struct {
	Buggy bool
	disk  ledger
	now   *instance
}

// NewEventPoll returns the application for one world.
func NewEventPoll(buggy bool) func(*bitsimtest.ClientWorld) bitsimtest.App {
	return func(*bitsimtest.ClientWorld) bitsimtest.App { return &EventPoll{Buggy: buggy} }
}

// Main starts or resumes the download and drives it to its outcome.
func (a *EventPoll) Main(p *proc.Process) {
	in := instanceOf(&a.now, p)
	signal := func(callbackabi.Job) callbackabi.HRESULT { in.notify.Set(); return callbackabi.S_OK }
	cb := &callback{transferred: signal, errored: func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT { return signal(j) }}
	flags := callbackabi.NotifyFlagsDefault
	if a.Buggy {
		flags = callbackabi.BG_NOTIFY_JOB_TRANSFERRED
	}
	if p.Generation() == 1 {
		a.disk.start(p, flags, cb)
	} else {
		_, jobs := a.disk.open(p)
		for _, j := range jobs {
			j.SetNotifyInterface(cb)
		}
	}
	poll := PollFirst
	for {
		ops, jobs := a.disk.open(p)
		if len(ops) == 0 {
			return
		}
		switch p.WaitAny(poll, in.notify, in.cancel) {
		case proc.WaitObject0: // a notification: look now, and soon again
			poll = PollFirst
		case proc.WaitObject0 + 1:
			a.disk.cancelAll(p)
			return
		default:
			poll = min(2*poll, PollMax)
		}
		for i, o := range ops {
			job := jobs[i]
			switch st, _ := job.GetState(); {
			case st == callbackabi.BG_JOB_STATE_TRANSFERRED:
				finish(p, o, job)
			case st == callbackabi.BG_JOB_STATE_ERROR && !a.Buggy:
				fail(p, o, job)
			}
		}
	}
}

// Actions is the user's cancel button.
func (a *EventPoll) Actions() []bitsimtest.Action {
	return []bitsimtest.Action{{Name: "cancel", Within: CancelWithin, Do: func(p *proc.Process) {
		instanceOf(&a.now, p).cancel.Set()
	}}}
}
