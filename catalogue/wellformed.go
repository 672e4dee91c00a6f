package catalogue

import (
	"time"

	"github.com/bitsim/bitsim/trace"
)

// T1: the trace itself is well formed (TRACE.md). A malformed trace cannot
// prove or disprove a G rule, so T1 violations come first when reading a
// report.
func judgeT1(b *base, w *world, r *trace.Record) {
	if p := w.prev(); p == nil {
		if r.Seq != 1 {
			b.report([]int64{r.Seq}, "the first record has seq %d, not 1", r.Seq)
		}
	} else {
		if r.Seq != p.Seq+1 {
			b.report([]int64{p.Seq, r.Seq}, "seq goes from %d to %d: seqs are 1, 2, 3 … without gaps", p.Seq, r.Seq)
		}
		if r.T < p.T {
			b.report([]int64{p.Seq, r.Seq}, "t goes back from %v to %v", time.Duration(p.T), time.Duration(r.T))
		}
	}
	if w.runEnd != 0 && w.i == w.runEndAt+1 {
		b.report([]int64{w.runEnd, r.Seq}, "%s after run.end: run.end is the last record", r.Ev)
	}
	switch r.Ev {
	case trace.EvCallBegin:
		if r.Call <= 0 {
			b.report([]int64{r.Seq}, "call.begin with call id %d: ids are positive (parent 0 means none)", r.Call)
		}
		if ct, seen := w.calls.get(r.Call); seen {
			b.report([]int64{ct.begin, r.Seq}, "call id %d is used again (first call.begin at seq %d)", r.Call, ct.begin)
		}
		if !isCallbackMethod(r.Method) {
			b.report([]int64{r.Seq}, "call %d has method %q, not a callback method", r.Call, r.Method)
		}
		if r.Parent == r.Call && r.Call != 0 {
			b.report([]int64{r.Seq}, "call %d is its own parent", r.Call)
		}
	case trace.EvCallEnd:
		if _, ok := w.open[r.Call]; !ok {
			ct, seen := w.calls.get(r.Call)
			switch {
			case seen && ct.end != 0:
				b.report([]int64{ct.begin, ct.end, r.Seq}, "call %d ends again (it ended at seq %d)", r.Call, ct.end)
			case !seen:
				b.report([]int64{r.Seq}, "call.end for call %d, which never began", r.Call)
			}
		}
		switch r.Outcome {
		case "", trace.OutcomeDisconnected, trace.OutcomePanic:
		default:
			b.report([]int64{r.Seq}, "call %d ends with unknown outcome %q", r.Call, r.Outcome)
		}
	case trace.EvJobState:
		j := w.job(r.Job)
		if j.known && r.From != j.state {
			b.report([]int64{j.stateSeq, r.Seq}, "%s moves from %s, but it is %s", j.name, r.From, stateText(j))
		}
	}
}

// T2: the trace is complete (TRACE.md): it begins with run.start, ends
// with run.end, and names no job before that job's job.create. A trace cut
// short (a crashed recorder, a file truncated after a call.begin) cannot
// be judged for liveness — nothing is owed at a run.end that never came —
// so it must not pass as "no violations".
type t2 struct {
	base
	created  map[string]bool // job.create seen
	reported map[string]bool // a job used uncreated, reported once
}

func newT2(id string) checker {
	return &t2{base: base{id: id}, created: map[string]bool{}, reported: map[string]bool{}}
}

func (c *t2) observe(w *world, r *trace.Record) {
	if w.i == 0 && r.Ev != trace.EvRunStart {
		c.report([]int64{r.Seq}, "the trace begins with %s, not run.start: its beginning is missing", r.Ev)
	}
	switch {
	case r.Ev == trace.EvJobCreate:
		c.created[r.Job] = true
	case r.Job != "" && !c.created[r.Job] && !c.reported[r.Job]:
		c.reported[r.Job] = true
		c.report([]int64{r.Seq}, "%s names %s before any job.create for it", r.Ev, r.Job)
	}
}

// finish judges the last record: a trace that stops anywhere but at
// run.end was cut short.
func (c *t2) finish(w *world) {
	if r := &w.prevRec; w.i > 0 && r.Ev != trace.EvRunEnd && w.runEnd == 0 {
		c.report([]int64{r.Seq}, "the trace ends at seq %d (%s) without run.end: it was cut short, and what it still owed cannot be judged", r.Seq, r.Ev)
	}
}
