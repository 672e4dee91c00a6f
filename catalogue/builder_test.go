package catalogue_test

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// tb builds a trace by hand: it numbers records (seq 1, 2, 3 …), stamps
// them with the current virtual time and remembers each job's state so a
// job.state needs only its target.
type tb struct {
	recs  []trace.Record
	now   time.Duration
	state map[string]callbackabi.JobState
}

const (
	sOK    = callbackabi.S_OK
	sFalse = callbackabi.S_FALSE
	eFail  = callbackabi.E_FAIL

	queued       = callbackabi.BG_JOB_STATE_QUEUED
	connecting   = callbackabi.BG_JOB_STATE_CONNECTING
	transferring = callbackabi.BG_JOB_STATE_TRANSFERRING
	transferred  = callbackabi.BG_JOB_STATE_TRANSFERRED
	errorState   = callbackabi.BG_JOB_STATE_ERROR
	transient    = callbackabi.BG_JOB_STATE_TRANSIENT_ERROR
	acknowledged = callbackabi.BG_JOB_STATE_ACKNOWLEDGED
	cancelled    = callbackabi.BG_JOB_STATE_CANCELLED

	jt  = trace.JobTransferred
	je  = trace.JobError
	jm  = trace.JobModification
	ft  = trace.FileTransferred
	frt = trace.FileRangesTransferred
)

// newTB starts a trace: run.start, and run.config with cap 4, no
// JobModification interval, strict S_OK.
func newTB() *tb { return newTBWith(4, 0, true) }

// newTBWith starts a trace whose run.config has the given cap, interval
// and strict.
func newTBWith(capacity int64, interval time.Duration, strict bool) *tb {
	b := &tb{state: map[string]callbackabi.JobState{}}
	b.add(trace.Record{Ev: trace.EvRunStart, Seed: 1, Scenario: "test", Version: "bitsim/1"})
	b.config(capacity, interval, strict)
	return b
}

// withJob adds client app-1 (alice, MTA), job-1 created by alice and
// registered to app-1 by alice.
func (b *tb) withJob() *tb {
	b.client("app-1", "alice", "MTA")
	b.create("job-1", "alice")
	b.reg("job-1", "app-1", "alice")
	return b
}

// basic is newTB plus client app-1 (alice, MTA), job-1 created by alice
// and registered to app-1 by alice.
func basic() *tb { return newTB().withJob() }

func (b *tb) add(r trace.Record) int64 {
	r.Seq = int64(len(b.recs)) + 1
	r.T = b.now
	b.recs = append(b.recs, r)
	return r.Seq
}

// after advances the virtual time by d.
func (b *tb) after(d time.Duration) *tb { b.now += d; return b }

func (b *tb) config(capacity int64, interval time.Duration, strict bool) int64 {
	return b.add(trace.Record{Ev: trace.EvRunConfig, Profile: "default", Bits: "10.1", Cap: capacity, Interval: interval, Strict: strict})
}

func (b *tb) client(name, user, apt string) int64 {
	return b.add(trace.Record{Ev: trace.EvClientStart, Client: name, User: user, Apartment: apt})
}

func (b *tb) exit(name, user string) int64 {
	return b.add(trace.Record{Ev: trace.EvClientExit, Client: name, User: user, Reason: "crash"})
}

func (b *tb) create(job, user string) int64 {
	b.state[job] = callbackabi.BG_JOB_STATE_SUSPENDED
	return b.add(trace.Record{Ev: trace.EvJobCreate, Job: job, User: user})
}

// to moves job to state, with the job.modified{state} the dispatcher
// writes for every move but those into TRANSFERRED and ERROR (G13). It
// returns the job.state's seq.
func (b *tb) to(job string, state callbackabi.JobState) int64 {
	from := b.state[job]
	b.state[job] = state
	s := b.add(trace.Record{Ev: trace.EvJobState, Job: job, From: from, To: state})
	if state != transferred && state != errorState {
		b.add(trace.Record{Ev: trace.EvJobModified, Job: job, Reason: "state"})
	}
	return s
}

// transfer takes job from SUSPENDED through QUEUED, CONNECTING and
// TRANSFERRING to TRANSFERRED and returns the seq of the last move.
func (b *tb) transfer(job string) int64 {
	b.to(job, queued)
	b.to(job, connecting)
	b.to(job, transferring)
	b.after(time.Second)
	return b.to(job, transferred)
}

func (b *tb) flags(job string, f callbackabi.NotifyFlags) int64 {
	return b.add(trace.Record{Ev: trace.EvJobFlags, Job: job, Flags: f})
}

func (b *tb) reg(job, client, user string) int64 {
	return b.add(trace.Record{Ev: trace.EvJobRegister, Job: job, Client: client, User: user})
}

func (b *tb) unreg(job, reason string) int64 {
	return b.add(trace.Record{Ev: trace.EvJobUnregister, Job: job, Reason: reason})
}

func (b *tb) owner(job, user string) int64 {
	return b.add(trace.Record{Ev: trace.EvJobOwner, Job: job, User: user})
}

func (b *tb) begin(call int64, job, user, client string, m trace.Method) int64 {
	return b.nested(call, job, user, client, m, 0)
}

func (b *tb) nested(call int64, job, user, client string, m trace.Method, parent int64) int64 {
	return b.add(trace.Record{Ev: trace.EvCallBegin, Call: call, Job: job, User: user, Client: client,
		Method: m, Lane: trace.LaneOf(m), Parent: parent})
}

// queued is a call.queued: the call took a slot and waits for its STA
// thread.
func (b *tb) queued(call int64, job, user, client string, m trace.Method) int64 {
	return b.add(trace.Record{Ev: trace.EvCallQueued, Call: call, Job: job, User: user, Client: client,
		Method: m, Lane: trace.LaneOf(m)})
}

func (b *tb) unqueued(call int64) int64 {
	return b.add(trace.Record{Ev: trace.EvCallUnqueued, Call: call})
}

func (b *tb) hold(client string) int64 {
	return b.add(trace.Record{Ev: trace.EvSTAHold, Client: client})
}

func (b *tb) release(client string) int64 {
	return b.add(trace.Record{Ev: trace.EvSTARelease, Client: client})
}

func (b *tb) end(call int64, hr callbackabi.HRESULT) int64 {
	return b.add(trace.Record{Ev: trace.EvCallEnd, Call: call, HR: hr})
}

func (b *tb) disconnected(call int64) int64 {
	return b.add(trace.Record{Ev: trace.EvCallEnd, Call: call, Outcome: trace.OutcomeDisconnected})
}

// call is a call.begin immediately followed by its call.end; it returns
// the begin's seq.
func (b *tb) call(call int64, job, user, client string, m trace.Method, hr callbackabi.HRESULT) int64 {
	s := b.begin(call, job, user, client, m)
	b.end(call, hr)
	return s
}

func (b *tb) modified(job, reason string) int64 {
	return b.add(trace.Record{Ev: trace.EvJobModified, Job: job, Reason: reason})
}

func (b *tb) owed(job string, m trace.Method, file int64) int64 {
	return b.add(trace.Record{Ev: trace.EvNotifyOwed, Job: job, Method: m, File: file})
}

func (b *tb) drop(job string, m trace.Method, reason string) int64 {
	return b.add(trace.Record{Ev: trace.EvNotifyDrop, Job: job, Method: m, Reason: reason})
}

func (b *tb) wait(job, user string, m trace.Method) int64 {
	return b.add(trace.Record{Ev: trace.EvSlotWait, Job: job, User: user, Method: m, Lane: trace.LaneOf(m)})
}

func (b *tb) retry(job string, m trace.Method, in time.Duration) int64 {
	return b.add(trace.Record{Ev: trace.EvRetry, Job: job, Method: m, At: b.now + in})
}

func (b *tb) cmdline(job, user string) int64 {
	return b.add(trace.Record{Ev: trace.EvJobCmdline, Job: job, User: user})
}

func (b *tb) cmdStart(job string, run int64) int64 {
	return b.add(trace.Record{Ev: trace.EvCmdlineStart, Job: job, Run: run})
}

func (b *tb) cmdExit(job string, run, code int64) int64 {
	return b.add(trace.Record{Ev: trace.EvCmdlineExit, Job: job, Run: run, Code: code})
}

func (b *tb) retryDelay(job string, d time.Duration) int64 {
	return b.add(trace.Record{Ev: trace.EvJobRetryDelay, Job: job, Delay: d})
}

// network writes network.up or network.down.
func (b *tb) network(up bool) int64 {
	if up {
		return b.add(trace.Record{Ev: trace.EvNetworkUp})
	}
	return b.add(trace.Record{Ev: trace.EvNetworkDown})
}

// lost queues job-1 and loses the network, which puts it in
// TRANSIENT_ERROR; it returns the seqs of network.down and of that move.
func (b *tb) lost() (down, transientSeq int64) {
	b.to("job-1", queued)
	down = b.network(false)
	return down, b.to("job-1", transient)
}

// outage takes job-1 from TRANSFERRING through a network outage of a
// second: network.down, TRANSIENT_ERROR, network.up, QUEUED.
func (b *tb) outage() *tb {
	b.to("job-1", queued)
	b.to("job-1", connecting)
	b.to("job-1", transferring)
	b.network(false)
	b.to("job-1", transient)
	b.after(time.Second)
	b.network(true)
	b.to("job-1", queued)
	return b
}

// finish writes run.end with reason.
func (b *tb) finish(reason string) int64 {
	return b.add(trace.Record{Ev: trace.EvRunEnd, Reason: reason})
}

// idle ends the run with reason idle and returns the trace.
func (b *tb) idle() []trace.Record {
	b.finish("idle")
	return b.recs
}
