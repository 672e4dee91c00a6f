package examples

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
)

// CancelWithin is how soon after the user presses cancel every example
// application must have reported the outcome of its open downloads.
const CancelWithin = time.Second

// op is one download the application started.
type op struct {
	id   callbackabi.GUID
	ref  *scheduler.JobRef // the job as the process that created it saw it
	done bool              // its outcome was reported

	// What another program (Installer's notification program) did with
	// the job, for the application to report.
	heard     bool
	heardOut  proc.Outcome
	heardNote string
}

// hear records an outcome another program reached for o.
func (o *op) hear(out proc.Outcome, note string) {
	o.heard, o.heardOut, o.heardNote = true, out, note
}

// reportHeard reports the outcomes other programs reached.
func (l *ledger) reportHeard(p *proc.Process) {
	for _, o := range l.ops {
		if o.heard && !o.done {
			o.report(p, nil, o.heardOut, o.heardNote)
		}
	}
}

// ledger is what an application keeps on disk: its operations, across
// restarts of its process. (A process's memory dies with it; the ledger
// does not.)
type ledger struct {
	ops []*op
}

// start creates one download job with the given notify flags and callback
// and records it.
func (l *ledger) start(p *proc.Process, flags callbackabi.NotifyFlags, cb callbackabi.Callback) (*scheduler.JobRef, *op) {
	job, hr := p.Client().CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	if hr.Failed() {
		return nil, nil
	}
	id, _ := job.GetId()
	o := &op{id: id, ref: job}
	l.ops = append(l.ops, o)
	job.AddFile("https://updates.example/package.cab", `C:\ProgramData\app\package.cab`)
	job.AddFile("https://updates.example/package.sig", `C:\ProgramData\app\package.sig`)
	job.SetNoProgressTimeout(300) // a server that never recovers: ERROR after 5 minutes (G45)
	job.SetNotifyFlags(flags)
	job.SetNotifyInterface(cb)
	job.Resume()
	return job, o
}

// open reports the outcomes other programs reached (reportHeard), and
// returns the operations without an outcome and, for each, the job as
// this process sees it. An operation whose job BITS no longer gives
// this user (G42: a final job is gone; an administrator took it over,
// G10) is over for the application: open reports it failed.
func (l *ledger) open(p *proc.Process) (ops []*op, jobs []*scheduler.JobRef) {
	l.reportHeard(p)
	for _, o := range l.ops {
		if o.done {
			continue
		}
		job, hr := p.Client().GetJob(o.id)
		if hr.Failed() {
			o.report(p, nil, proc.Failed, "BITS no longer gives us the job: "+hr.String())
			continue
		}
		ops, jobs = append(ops, o), append(jobs, job)
	}
	return ops, jobs
}

// byID finds the operation of a job.
func (l *ledger) byID(job callbackabi.Job) *op {
	id, hr := job.GetId()
	if hr.Failed() {
		return nil
	}
	for _, o := range l.ops {
		if o.id == id {
			return o
		}
	}
	return nil
}

// report reports o's outcome once.
func (o *op) report(p *proc.Process, job callbackabi.Job, out proc.Outcome, note string) {
	if o == nil || o.done {
		return
	}
	o.done = true
	if job == nil { // BITS no longer has it (G42): name it all the same
		job = p.Client().Job(o.ref)
	}
	p.Report(job, out, note)
}

// finish ends a job that reached TRANSFERRED: Complete, and a success only
// if Complete made every file available; otherwise cancel it and report the
// failure (G41: a failed rename leaves the job TRANSFERRED).
func finish(p *proc.Process, o *op, job callbackabi.Job) {
	out, note := complete(job)
	o.report(p, job, out, note)
}

// complete completes a TRANSFERRED job, or cancels it if Complete failed,
// and returns the operation's outcome.
func complete(job callbackabi.Job) (proc.Outcome, string) {
	switch hr := job.Complete(); hr {
	case callbackabi.S_OK, callbackabi.BG_S_UNABLE_TO_DELETE_FILES:
		return proc.Succeeded, ""
	case callbackabi.BG_S_PARTIAL_COMPLETE:
		return proc.Failed, "only part of the files arrived"
	default:
		job.Cancel()
		return proc.Failed, "Complete failed: " + hr.String()
	}
}

// fail ends a job that reached ERROR: cancel it and report the failure.
func fail(p *proc.Process, o *op, job callbackabi.Job) {
	out, note := giveUp(job)
	o.report(p, job, out, note)
}

// giveUp cancels a job in ERROR and returns the operation's outcome.
func giveUp(job callbackabi.Job) (proc.Outcome, string) {
	job.Cancel()
	return proc.Failed, "the download failed"
}

// cancelAll is the cancel button: cancel every open download and report it.
func (l *ledger) cancelAll(p *proc.Process) {
	ops, jobs := l.open(p)
	for i, o := range ops {
		jobs[i].Cancel()
		o.report(p, jobs[i], proc.Cancelled, "")
	}
}

// callback is a COM object with the three methods of
// IBackgroundCopyCallback, each a func of the application.
type callback struct {
	callbackabi.RefCount
	transferred func(job callbackabi.Job) callbackabi.HRESULT
	errored     func(job callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT
	modified    func(job callbackabi.Job) callbackabi.HRESULT // nil: S_OK
}

func (c *callback) QueryInterface(iid callbackabi.GUID) (any, callbackabi.HRESULT) {
	return callbackabi.QueryInterfaceFor(c, iid, callbackabi.IID_IBackgroundCopyCallback)
}

func (c *callback) JobTransferred(job callbackabi.Job) callbackabi.HRESULT { return c.transferred(job) }

func (c *callback) JobError(job callbackabi.Job, e callbackabi.Error) callbackabi.HRESULT {
	return c.errored(job, e)
}

func (c *callback) JobModification(job callbackabi.Job, _ uint32) callbackabi.HRESULT {
	if c.modified == nil {
		return callbackabi.S_OK
	}
	return c.modified(job)
}
