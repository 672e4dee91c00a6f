package bitsimtest

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// neighbourClient is the process name of EventNeighbour's application. Its
// calls and its process's lifetime are not the application's: callChecks
// skips the one, jobWatch's alive clock the other.
const neighbourClient = "neighbour"

// neighbour is EventNeighbour's application: another program of the same
// user, started once, that downloads one job of its own and completes it
// (or cancels it) from its callback after a pause, as a well-behaved
// design-A client would. It watches that nobody else acts on its job.
type neighbour struct {
	r      *clientRun
	jobs   map[string]bool // its jobs, by trace name
	making bool            // it is creating a job: the next job.create is its own
	acting bool            // it is completing or cancelling its job: the state change is its own
	pause  time.Duration   // how long its callbacks take (0–20 s: slots of the user it holds, G31)
}

// start starts the neighbour's process, unless its user is logged off.
func (n *neighbour) start() {
	if !n.r.user.LoggedOn() {
		return
	}
	n.r.cov.Events[string(EventNeighbour)]++
	proc.Start(n.r.svc, neighbourClient, n.r.user, scheduler.MTA, n.main)
}

func (n *neighbour) main(p *proc.Process) {
	n.making = true
	job, hr := p.Client().CreateJob("sync", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	n.making = false
	if hr.Failed() {
		return
	}
	own := func(do func() callbackabi.HRESULT) callbackabi.HRESULT {
		p.Sleep(n.pause)
		n.acting = true
		do()
		n.acting = false
		return callbackabi.S_OK
	}
	job.AddFile("https://sync.example/data.bin", `C:\Users\user-1\sync\data.bin`)
	job.SetNotifyInterface(&scenarios.Funcs{
		Transferred: func(j callbackabi.Job) callbackabi.HRESULT { return own(j.Complete) },
		Error:       func(j callbackabi.Job, _ callbackabi.Error) callbackabi.HRESULT { return own(j.Cancel) },
	})
	job.Resume()
}

// observe sees every record: it names the neighbour's jobs as they are
// created, and reports another client acting on them (KindForeignJob).
// It reports whether rec is the creation of one of its jobs.
func (n *neighbour) observe(rec *trace.Record) (created bool) {
	if n == nil {
		return false
	}
	switch rec.Ev {
	case trace.EvJobCreate:
		if n.making {
			n.jobs[rec.Job] = true
			return true
		}
	case trace.EvJobRegister:
		if n.jobs[rec.Job] && rec.Client != neighbourClient {
			n.foreign(rec, fmt.Sprintf("%s registered its callback on %s, a job another application of %s created: the last registration wins (G8), and that application no longer hears of its job",
				rec.Client, rec.Job, rec.User))
		}
	case trace.EvAppOutcome:
		if n.jobs[rec.Job] {
			n.foreign(rec, fmt.Sprintf("%s reported the outcome of %s, a job another application created", rec.Client, rec.Job))
		}
	case trace.EvJobState:
		switch rec.To {
		case callbackabi.BG_JOB_STATE_ACKNOWLEDGED, callbackabi.BG_JOB_STATE_CANCELLED, callbackabi.BG_JOB_STATE_SUSPENDED:
			if n.jobs[rec.Job] && !n.acting {
				n.foreign(rec, fmt.Sprintf("%s, a job another application created, went %s → %s, and that application did not do it", rec.Job, rec.From, rec.To))
			}
		}
	}
	return false
}

func (n *neighbour) foreign(rec *trace.Record, msg string) {
	n.r.live = append(n.r.live, Problem{Kind: KindForeignJob, Rule: "G8", Seq: rec.Seq, T: rec.T, Msg: msg})
}
