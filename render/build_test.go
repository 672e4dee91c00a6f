package render_test

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// tb builds a trace by hand: each method appends one record at the
// current virtual time with the next seq.
type tb struct {
	recs []trace.Record
	t    time.Duration
}

func (b *tb) at(t time.Duration) *tb { b.t = t; return b }

func (b *tb) add(r trace.Record) *tb {
	r.Seq = int64(len(b.recs) + 1)
	r.T = b.t
	b.recs = append(b.recs, r)
	return b
}

func (b *tb) start(scenario string, seed uint64) *tb {
	return b.add(trace.Record{Ev: trace.EvRunStart, Seed: seed, Scenario: scenario, Version: "bitsim/1"})
}

func (b *tb) config(capacity int64) *tb {
	return b.add(trace.Record{Ev: trace.EvRunConfig, Profile: "default", Bits: "10.1", Cap: capacity,
		Interval: 500 * time.Millisecond, Strict: true})
}

func (b *tb) client(name, user, apartment string) *tb {
	return b.add(trace.Record{Ev: trace.EvClientStart, Client: name, User: user, Apartment: apartment})
}

func (b *tb) clientExit(name, user, apartment, reason string) *tb {
	return b.add(trace.Record{Ev: trace.EvClientExit, Client: name, User: user, Apartment: apartment, Reason: reason})
}

func (b *tb) job(name, user string) *tb {
	return b.add(trace.Record{Ev: trace.EvJobCreate, Job: name, User: user})
}

func (b *tb) state(job string, from, to callbackabi.JobState) *tb {
	return b.add(trace.Record{Ev: trace.EvJobState, Job: job, From: from, To: to})
}

func (b *tb) register(job, client, user string) *tb {
	return b.add(trace.Record{Ev: trace.EvJobRegister, Job: job, Client: client, User: user})
}

func (b *tb) unregister(job, reason string) *tb {
	return b.add(trace.Record{Ev: trace.EvJobUnregister, Job: job, Reason: reason})
}

func (b *tb) owed(job string, m trace.Method) *tb {
	return b.add(trace.Record{Ev: trace.EvNotifyOwed, Job: job, Method: m, File: -1})
}

func (b *tb) wait(job, user string, m trace.Method) *tb {
	return b.add(trace.Record{Ev: trace.EvSlotWait, Job: job, User: user, Method: m, Lane: trace.LaneOf(m)})
}

func (b *tb) begin(call int64, job, user, client string, m trace.Method, parent int64) *tb {
	return b.add(trace.Record{Ev: trace.EvCallBegin, Call: call, Job: job, User: user, Client: client,
		Method: m, Lane: trace.LaneOf(m), Parent: parent})
}

func (b *tb) end(call int64, hr callbackabi.HRESULT) *tb {
	return b.add(trace.Record{Ev: trace.EvCallEnd, Call: call, HR: hr})
}

func (b *tb) gone(call int64) *tb {
	return b.add(trace.Record{Ev: trace.EvCallEnd, Call: call, Outcome: trace.OutcomeDisconnected})
}

func (b *tb) retry(job string, m trace.Method, at time.Duration) *tb {
	return b.add(trace.Record{Ev: trace.EvRetry, Job: job, Method: m, At: at})
}

func (b *tb) cmdStart(job string, run int64) *tb {
	return b.add(trace.Record{Ev: trace.EvCmdlineStart, Job: job, Run: run})
}

func (b *tb) cmdExit(job string, run, code int64) *tb {
	return b.add(trace.Record{Ev: trace.EvCmdlineExit, Job: job, Run: run, Code: code})
}

func (b *tb) endRun(reason string) *tb {
	return b.add(trace.Record{Ev: trace.EvRunEnd, Reason: reason})
}

const (
	sec = time.Second
	ms  = time.Millisecond
)

// simpleTrace is the example of docs/TRACE.md: one job, one JobTransferred.
func simpleTrace() []trace.Record {
	var b tb
	b.start("transfer-complete", 7).config(4).
		client("app-1", "alice", "MTA").
		job("job-1", "alice").
		register("job-1", "app-1", "alice").
		state("job-1", callbackabi.BG_JOB_STATE_SUSPENDED, callbackabi.BG_JOB_STATE_QUEUED).
		at(100*ms).state("job-1", callbackabi.BG_JOB_STATE_QUEUED, callbackabi.BG_JOB_STATE_TRANSFERRING).
		at(2*sec).state("job-1", callbackabi.BG_JOB_STATE_TRANSFERRING, callbackabi.BG_JOB_STATE_TRANSFERRED).
		owed("job-1", trace.JobTransferred).
		begin(1, "job-1", "alice", "app-1", trace.JobTransferred, 0).
		at(2*sec+30*ms).end(1, callbackabi.S_OK).
		endRun("idle")
	return b.recs
}

// busyTrace shows most of what a timeline draws: two applications of alice
// hold all four of her slots while bob's job goes through (G31), a
// JobTransferred waits and wins the freed slot over a JobModification
// (G32), a retry after E_FAIL (G20), STA nesting (G34), a client crash
// found by a call (G7, G23), late registration (G18) and the command line
// taking over (G26, G27).
func busyTrace() []trace.Record {
	const (
		qd = callbackabi.BG_JOB_STATE_QUEUED
		tr = callbackabi.BG_JOB_STATE_TRANSFERRING
		td = callbackabi.BG_JOB_STATE_TRANSFERRED
		su = callbackabi.BG_JOB_STATE_SUSPENDED
		er = callbackabi.BG_JOB_STATE_ERROR
		ak = callbackabi.BG_JOB_STATE_ACKNOWLEDGED
	)
	var b tb
	b.start("four-slot-starvation", 42).config(4).
		client("app-1", "alice", "STA").
		client("app-2", "alice", "MTA").
		client("app-3", "bob", "MTA")
	for _, j := range []string{"job-1", "job-2", "job-3", "job-4", "job-5"} {
		b.job(j, "alice").register(j, map[string]string{"job-1": "app-1", "job-2": "app-1", "job-3": "app-2", "job-4": "app-2", "job-5": "app-2"}[j], "alice").
			state(j, su, qd)
	}
	b.job("job-b", "bob").register("job-b", "app-3", "bob").state("job-b", su, qd)
	b.job("job-c", "bob").state("job-c", su, qd)
	b.at(200 * ms)
	for _, j := range []string{"job-1", "job-2", "job-3", "job-4", "job-5", "job-b", "job-c"} {
		b.state(j, qd, tr)
	}
	// Four JobModification calls fill alice's slots; app-1 is an STA and
	// its second call nests in the first.
	b.at(300*ms).begin(1, "job-1", "alice", "app-1", trace.JobModification, 0).
		at(350*ms).begin(2, "job-2", "alice", "app-1", trace.JobModification, 1).
		at(400*ms).begin(3, "job-3", "alice", "app-2", trace.JobModification, 0).
		begin(4, "job-4", "alice", "app-2", trace.JobModification, 0).
		at(1*sec).state("job-5", tr, td).owed("job-5", trace.JobTransferred).
		wait("job-5", "alice", trace.JobTransferred).
		at(1200*ms).wait("job-3", "alice", trace.JobModification).
		// bob is not starved by alice.
		at(1500*ms).state("job-b", tr, td).owed("job-b", trace.JobTransferred).
		begin(5, "job-b", "bob", "app-3", trace.JobTransferred, 0).
		at(1600*ms).end(5, callbackabi.E_FAIL).
		retry("job-b", trace.JobTransferred, 6600*ms).
		at(2*sec).end(2, callbackabi.S_OK).
		begin(6, "job-5", "alice", "app-2", trace.JobTransferred, 0).
		at(2100*ms).end(1, callbackabi.S_OK).
		begin(7, "job-3", "alice", "app-2", trace.JobModification, 0).
		at(2200*ms).end(6, callbackabi.S_OK).
		at(2500*ms).end(7, callbackabi.S_OK).
		at(3*sec).end(3, callbackabi.S_OK).
		end(4, callbackabi.S_OK).
		state("job-5", td, ak).
		// app-2 crashes; BITS finds out on the next call.
		at(3500*ms).clientExit("app-2", "alice", "MTA", "crash").
		at(4*sec).state("job-4", tr, td).owed("job-4", trace.JobTransferred).
		begin(8, "job-4", "alice", "app-2", trace.JobTransferred, 0).
		gone(8).
		unregister("job-4", "disconnected").
		// Late registration: job-c transferred before anyone listened.
		at(5*sec).state("job-c", tr, td).
		at(5500*ms).register("job-c", "app-3", "bob").owed("job-c", trace.JobTransferred).
		begin(9, "job-c", "bob", "app-3", trace.JobTransferred, 0).
		at(5600*ms).end(9, callbackabi.S_OK).
		at(6600*ms).begin(10, "job-b", "bob", "app-3", trace.JobTransferred, 0).
		at(6700*ms).end(10, callbackabi.S_OK).
		// job-2 fails; JobError fails and the command line takes over.
		at(7*sec).add(trace.Record{Ev: trace.EvJobCmdline, Job: "job-2", User: "alice"}).
		state("job-2", tr, er).owed("job-2", trace.JobError).
		begin(11, "job-2", "alice", "app-1", trace.JobError, 0).
		at(7100*ms).end(11, callbackabi.E_FAIL).
		add(trace.Record{Ev: trace.EvNotifyDrop, Job: "job-2", Method: trace.JobError, Reason: "cmdline"}).
		cmdStart("job-2", 1).
		at(7400*ms).cmdExit("job-2", 1, 1).
		retry("job-2", trace.CmdLine, 12400*ms).
		at(12400*ms).cmdStart("job-2", 2).
		at(12500*ms).cmdExit("job-2", 2, 0).
		endRun("idle")
	return b.recs
}
