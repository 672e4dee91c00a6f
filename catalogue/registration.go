package catalogue

import (
	"github.com/bitsim/bitsim/trace"
)

// Registration and job life: G6, G7/G23, G8, G10, G42.

func judgeG6(b *base, w *world, r *trace.Record) {
	var setter string
	switch r.Ev {
	case trace.EvJobFlags:
		setter = "SetNotifyFlags (job.flags)"
	case trace.EvJobRegister:
		setter = "SetNotifyInterface (job.register)"
	case trace.EvJobCmdline:
		setter = "SetNotifyCmdLine (job.cmdline)"
	case trace.EvJobRetryDelay:
		setter = "SetMinimumRetryDelay (job.retrydelay)"
	case trace.EvJobOwner:
		setter = "TakeOwnership (job.owner)"
	case trace.EvJobUnregister:
		switch r.Reason {
		case "client", "replaced", "ownership":
			setter = "job.unregister{" + r.Reason + "}"
		default:
			return // BITS itself clearing the pointer ("final", "disconnected")
		}
	default:
		return
	}
	j := w.job(r.Job)
	if j.finalSeq != 0 {
		b.report([]int64{j.finalSeq, r.Seq}, "%s took effect on %s after it became final at seq %d: setters return BG_E_INVALID_STATE",
			setter, j.name, j.finalSeq)
	}
}

func judgeG42(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvJobState {
		return
	}
	j := w.job(r.Job)
	if j.finalSeq != 0 || r.From.Final() {
		b.report([]int64{j.finalSeq, r.Seq}, "%s moves from %s to %s: ACKNOWLEDGED and CANCELLED are final",
			j.name, r.From, r.To)
	}
}

func judgeG7(b *base, w *world, r *trace.Record) {
	switch r.Ev {
	case trace.EvCallBegin:
		j := w.job(r.Job)
		if j.discSeq != 0 && r.Client == j.discClient {
			b.report([]int64{j.discSeq, r.Seq}, "%s for %s went to %s after a call found it disconnected (seq %d) and before BITS cleared the pointer",
				what(r), j.name, r.Client, j.discSeq)
		}
	case trace.EvCallEnd:
		c, ok := w.open[r.Call]
		if ok && c.dead != 0 && !isDisconnected(r) {
			b.report([]int64{c.dead, c.seq, r.Seq}, "%s call %d for %s began after %s exited (seq %d) but ended with %s instead of outcome disconnected",
				c.method, c.id, c.job.name, c.client.name, c.dead, endText(r))
		}
	case trace.EvJobRegister, trace.EvJobUnregister:
		j := w.job(r.Job)
		if j.discSeq != 0 && !(r.Ev == trace.EvJobUnregister && r.Reason == "disconnected") {
			b.report([]int64{j.discSeq, r.Seq}, "a call for %s found %s disconnected (seq %d), but the next registration change is %s, not job.unregister{disconnected}",
				j.name, j.discClient, j.discSeq, regText(r))
		}
	case trace.EvRunEnd:
		if isLimit(r) {
			return
		}
		for _, j := range w.jobList {
			if j.discSeq != 0 {
				b.report([]int64{j.discSeq, r.Seq}, "a call for %s found %s disconnected (seq %d), but BITS never cleared the pointer (job.unregister{disconnected})",
					j.name, j.discClient, j.discSeq)
			}
		}
	}
}

func judgeG8(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCallBegin {
		return
	}
	j := w.job(r.Job)
	switch {
	case !j.reg.set && j.unregSeq != 0:
		b.report([]int64{j.unregSeq, r.Seq}, "%s for %s went to %s, but the job has no registration (job.unregister{%s} at seq %d)",
			what(r), j.name, r.Client, j.unregReason, j.unregSeq)
	case !j.reg.set:
		b.report([]int64{r.Seq}, "%s for %s went to %s, but nothing ever registered for the job", what(r), j.name, r.Client)
	case j.reg.client != r.Client:
		b.report([]int64{j.reg.seq, r.Seq}, "%s for %s went to %s, but the job is registered to %s (seq %d): last writer wins",
			what(r), j.name, r.Client, j.reg.client, j.reg.seq)
	}
}

func judgeG10(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCallBegin {
		return
	}
	j := w.job(r.Job)
	if j.reg.set && r.User != j.reg.user {
		b.report([]int64{j.reg.seq, r.Seq}, "%s for %s runs as %s, but %s registered the callback (seq %d); the job's owner is %s",
			what(r), j.name, r.User, j.reg.user, j.reg.seq, j.owner)
	}
}

func endText(r *trace.Record) string {
	switch r.Outcome {
	case "":
		return "hr " + r.HR.String()
	case trace.OutcomePanic:
		return "a panic (hr " + r.HR.String() + ")"
	}
	return "outcome " + r.Outcome
}

func regText(r *trace.Record) string {
	if r.Ev == trace.EvJobRegister {
		return "job.register to " + r.Client
	}
	return "job.unregister{" + r.Reason + "}"
}

// isLimit: the run was cut by a limit, so liveness is not judged.
func isLimit(r *trace.Record) bool { return r.Reason != "idle" && r.Reason != "deadline" }
