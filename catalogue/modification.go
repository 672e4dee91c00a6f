package catalogue

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// JobModification: G13, G14, G22.

func judgeG13(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvJobModified || r.Reason != "state" {
		return
	}
	p := w.prev()
	if p == nil || p.Ev != trace.EvJobState || p.Job != r.Job {
		b.report([]int64{r.Seq}, "job.modified{state} for %s does not directly follow a job.state of %s", r.Job, r.Job)
		return
	}
	if p.To == callbackabi.BG_JOB_STATE_TRANSFERRED || p.To == callbackabi.BG_JOB_STATE_ERROR {
		b.report([]int64{p.Seq, r.Seq}, "job.modified{state} for %s was raised by its move from %s into %s: that transition is reported only by %s",
			r.Job, p.From, p.To, owedMethods[stateMethod(p.To)])
	}
}

func judgeG14(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCallBegin || w.cfg.interval <= 0 {
		return
	}
	li := 0
	switch r.Method {
	case trace.JobModification:
	case trace.FileRangesTransferred:
		li = 1
	default:
		return
	}
	j := w.job(r.Job)
	if j.lowSeq[li] == 0 {
		return
	}
	if gap := r.T - j.lowT[li]; gap < w.cfg.interval {
		b.report([]int64{j.lowSeq[li], r.Seq}, "%s calls for %s began %v apart (seq %d, %d); the minimum notification interval is %v",
			r.Method, j.name, time.Duration(gap), j.lowSeq[li], r.Seq, w.cfg.interval)
	}
}

func judgeG22(b *base, w *world, r *trace.Record) {
	if r.Ev != trace.EvCallBegin || r.Method != trace.JobModification {
		return
	}
	j := w.job(r.Job)
	if j.jms+1 <= j.mods {
		return
	}
	if j.lowSeq[0] != 0 {
		b.report([]int64{j.lowSeq[0], r.Seq}, "%s is JobModification call #%d for %s, but the job has only %d job.modified triggers: a retry (previous call at seq %d) or a call without a trigger",
			what(r), j.jms+1, j.name, j.mods, j.lowSeq[0])
		return
	}
	b.report([]int64{r.Seq}, "%s for %s has no job.modified before it: a JobModification without a trigger", what(r), j.name)
}
