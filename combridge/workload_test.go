package combridge_test

import (
	"sync"

	"github.com/bitsim/bitsim/callbackabi"
)

// The differential workload: the same jobs run on a real BITS through the
// bridge (TestRecordWorkload, Windows or Wine) and in the simulator
// (TestWorkloadDifferential), each recorded as a trace; the traces,
// normalized, must agree. The jobs are created in this order (job-1 …
// job-5 in both traces), then run one at a time: a job is resumed only
// when the one before it rests (TRANSFERRED, ERROR or ACKNOWLEDGED), so
// the order of events does not hang on the scheduler's choices.
var workload = []workJob{
	{name: "ok", flags: jtje, reg: regBefore, complete: true},                                       // JobTransferred, S_OK, Complete
	{name: "fails-once", flags: jtje, reg: regBefore, failFirst: true},                              // JobTransferred E_FAIL, then S_OK
	{name: "404", flags: jtje, reg: regBefore, missing: true},                                       // the file is not there: ERROR
	{name: "late", flags: jtje, reg: regAfter},                                                      // registered once TRANSFERRED
	{name: "disabled", flags: jtje | callbackabi.BG_NOTIFY_DISABLE, reg: regBefore, complete: true}, // DISABLE set
}

// workloadSTA is the workload's STA client: one job, registered from a
// single-threaded apartment, completed from inside JobTransferred.
var workloadSTA = workJob{name: "sta", flags: jtje, reg: regBefore, complete: true}

const jtje = callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_ERROR

type regWhen int

const (
	regBefore regWhen = iota // SetNotifyInterface before Resume
	regAfter                 // SetNotifyInterface once the job is TRANSFERRED
)

type workJob struct {
	name      string
	flags     callbackabi.NotifyFlags
	reg       regWhen
	missing   bool // the URL answers 404
	complete  bool // JobTransferred completes the job
	failFirst bool // JobTransferred answers E_FAIL the first time, S_OK after
}

// workCallback is the workload's callback, the same type in both runs:
// JobTransferred answers E_FAIL the first time if failFirst, completes the
// job if complete, and answers S_OK; JobError and JobModification answer
// S_OK and leave the job as it is.
type workCallback struct {
	job  workJob
	mu   sync.Mutex
	n    int
	done chan struct{} // closed at the first JobTransferred
	once sync.Once
}

func newWorkCallback(j workJob) *workCallback {
	return &workCallback{job: j, done: make(chan struct{})}
}

func (c *workCallback) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	defer c.once.Do(func() { close(c.done) })
	c.mu.Lock()
	c.n++
	first := c.n == 1
	c.mu.Unlock()
	if first && c.job.failFirst {
		return callbackabi.E_FAIL
	}
	if c.job.complete {
		job.Complete()
	}
	return callbackabi.S_OK
}

func (c *workCallback) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}

func (c *workCallback) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}
