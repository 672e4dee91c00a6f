package catalogue

import (
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// Delivery of JobTransferred, JobError and FileTransferred: G11, G12,
// G15/G33, G18, G19, G20, G21.

// stateText is "TRANSFERRED (since seq 7)".
func stateText(j *jobW) string {
	if !j.known {
		return "in an unknown state (no job.create or job.state)"
	}
	return j.state.String() + seqRef(j.stateSeq)
}

func judgeStateOnly(b *base, w *world, r *trace.Record, m trace.Method) {
	if r.Ev != trace.EvCallBegin || r.Method != m {
		return
	}
	j := w.job(r.Job)
	want := triggerState(owedIndex(m))
	if j.known && j.state == want {
		return
	}
	extra := ""
	if j.state == callbackabi.BG_JOB_STATE_TRANSIENT_ERROR && j.known {
		extra = ": transient errors never produce JobError"
	}
	b.report([]int64{j.stateSeq, r.Seq}, "%s for %s began while the job is %s, not %s%s",
		what(r), j.name, stateText(j), want, extra)
}

func judgeG11(b *base, w *world, r *trace.Record) { judgeStateOnly(b, w, r, trace.JobTransferred) }

func judgeG12(b *base, w *world, r *trace.Record) { judgeStateOnly(b, w, r, trace.JobError) }

func judgeG15(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCallBegin {
		return
	}
	j := w.job(r.Job)
	switch r.Method {
	case trace.FileTransferred:
		var other *callW
		for _, c := range j.open.calls {
			if c.method == trace.FileTransferred && c.id != r.Call && (other == nil || c.seq < other.seq) {
				other = c
			}
		}
		if other != nil {
			b.report([]int64{other.seq, r.Seq}, "%s for %s began while FileTransferred call %d is in flight: FileTransferred is serialized per job",
				what(r), j.name, other.id)
		}
	case trace.JobTransferred, trace.JobError:
		if len(j.ftQ) > 0 {
			b.report([]int64{j.ftQ[0], r.Seq}, "%s for %s began while FileTransferred owed since seq %d is unsettled (%d in all): every FileTransferred precedes JobTransferred and JobError (G33)",
				what(r), j.name, j.ftQ[0], len(j.ftQ))
		}
	}
}

// hung reports whether the job's registration may be unable to take a
// call of method m now for a reason liveness excuses:
//   - a call of the job is in flight, or holds a slot while it waits for
//     an STA thread (call.queued): a hung callback; a dispatcher may
//     serialize a job's calls;
//   - a call to the registered client is in flight, or application code
//     holds its STA thread (sta.hold): its one thread is busy (G34);
//   - the registering user's slots are all held (G31), by calls in flight
//     or queued for an STA thread (call.queued), and a dispatch of the job
//     waits for one (an unsettled slot.wait: the method's own, or a
//     FileTransferred that JT/JE wait behind, G33): a dispatch that found
//     the slots full says so, so full slots alone excuse nothing.
func (w *world) hung(j *jobW, _ trace.Method) bool {
	if j.open.len() > 0 || j.queued > 0 {
		return true
	}
	if c, ok := w.clients[j.reg.client]; ok && (c.open.len() > 0 || c.held) {
		return true // a call in flight, or an STA thread its application holds (sta.hold)
	}
	u, ok := w.users[j.reg.user]
	if !ok {
		return false
	}
	return w.cfg.cap > 0 && int64(u.open.len()+u.queued) >= w.cfg.cap && w.waitsFor(j, u)
}

// owedToReg reports whether JobTransferred (k 0) / JobError (k 1) is still
// owed to the job's registration: the job is in the state, its flags allow
// the method, the registration is live, no call to it has succeeded in
// this state entry, the command line has not taken over (ambiguities 3,
// 4, 5) and no FileTransferred owed holds it back (G33: that is G21's
// business). A registration that cannot take a call now (hung) is excused.
func (w *world) owedToReg(j *jobW, k int) bool {
	n := &j.n[k]
	return j.known && j.state == triggerState(k) && j.allows(owedMethods[k]) && w.liveReg(j) &&
		n.looseSucc == 0 && n.relieved == 0 && len(j.ftQ) == 0 && !w.hung(j, owedMethods[k])
}

func judgeG18(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvRunEnd || r.Reason != "idle" {
		return
	}
	for _, j := range w.jobList {
		for k, m := range owedMethods {
			if w.owedToReg(j, k) && j.n[k].firstCall == 0 {
				b.report([]int64{j.stateSeq, j.reg.seq, r.Seq}, "%s is %s and registered to %s by %s (seq %d), yet the run ended idle without a %s call to it",
					j.name, stateText(j), j.reg.client, j.reg.user, j.reg.seq, m)
			}
		}
	}
}

func judgeG19(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvRunEnd || r.Reason != "idle" {
		return
	}
	for _, j := range w.jobList {
		for k, m := range owedMethods {
			n := &j.n[k]
			if w.owedToReg(j, k) && n.firstCall == 0 && n.prevSucc != 0 {
				b.report([]int64{n.prevSucc, j.reg.seq, r.Seq}, "%s got %s (success at seq %d), then was registered again to %s (seq %d) while still %s, but the new registration was never notified",
					j.name, m, n.prevSucc, j.reg.client, j.reg.seq, j.state)
			}
		}
	}
}

func judgeG20(b *base, w *world, r *trace.Record) {
	switch r.Ev {
	case trace.EvCallBegin:
		k := owedIndex(r.Method)
		if k < 0 {
			return
		}
		j := w.job(r.Job)
		n := &j.n[k]
		if n.succ != 0 && j.reg.set && r.Client == j.reg.client {
			b.report([]int64{n.succ, r.Seq}, "%s for %s after a call to the same registration already succeeded at seq %d in this %s entry",
				what(r), j.name, n.succ, j.state)
		}
	case trace.EvRunEnd:
		if isLimit(r) {
			return
		}
		for _, j := range w.jobList {
			for k, m := range owedMethods {
				n := &j.n[k]
				switch {
				case r.Reason == "idle" && w.owedToReg(j, k) && n.firstCall != 0:
					last := n.lastFail
					if last == 0 {
						last = n.firstCall
					}
					b.report([]int64{last, r.Seq}, "%s to %s for %s did not succeed (last failure at seq %d) and the run ended idle with it still owed: BITS calls again until S_OK",
						m, j.reg.client, j.name, last)
				case n.pending != 0 && !w.retriesUnseen && n.relieved == 0 && j.reg.set && j.state == triggerState(k) && j.allows(m):
					b.report([]int64{n.pending, r.Seq}, "%s to %s for %s failed at seq %d and nothing followed: no retry.scheduled, no new call, no cmdline.start",
						m, j.reg.client, j.name, n.pending)
				}
			}
		}
	}
}

func judgeG21(b *base, w *world, r *trace.Record) {
	switch r.Ev {
	case trace.EvCallBegin:
		if r.Method != trace.FileTransferred {
			return
		}
		j := w.job(r.Job)
		if j.ftBegins+1 > j.ftOwed+j.ftFails {
			b.report([]int64{j.ftLastOK, r.Seq}, "%s for %s is the job's FileTransferred call #%d, but only %d were owed and %d calls failed: a settled FileTransferred was called again",
				what(r), j.name, j.ftBegins+1, j.ftOwed, j.ftFails)
		}
	case trace.EvRunEnd:
		if r.Reason != "idle" {
			return
		}
		for _, j := range w.jobList {
			if len(j.ftQ) > 0 && j.allows(trace.FileTransferred) && w.liveReg(j) && !w.hung(j, trace.FileTransferred) {
				b.report([]int64{j.ftQ[0], r.Seq}, "FileTransferred for %s owed since seq %d was never settled and the run ended idle: BITS calls again until it succeeds",
					j.name, j.ftQ[0])
			}
		}
	}
}

// waitsFor reports whether a dispatch of j waits for a slot of u.
func (w *world) waitsFor(j *jobW, u *userW) bool {
	for _, e := range j.waits {
		if e.user == u {
			return true
		}
	}
	return false
}
