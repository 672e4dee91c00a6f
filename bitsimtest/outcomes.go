package bitsimtest

import (
	"fmt"
	"slices"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// outcomeRules is what outcomeChecks needs besides the trace.
type outcomeRules struct {
	// op reports whether a job is one of the application's operations.
	op func(job string) bool
	// within is the response bound of each user action, by name (0: none).
	within map[string]time.Duration
	// grace: at a horizon cut, an operation's missing outcome is judged
	// only if the application ran for grace since its job entered its last
	// state (jobWatch.hadChance).
	grace time.Duration
}

// outcomeChecks checks the outcomes the application reported (trace
// events app.outcome) against what happened to its jobs:
//
//   - "succeeded" only for a job that is ACKNOWLEDGED at that moment
//     (KindFalseSuccess; a partial completion is caught live, see
//     clientRun.observe);
//   - at most one outcome per operation (KindOutcomeTwice);
//   - after a user action with a bound, every operation open at that moment
//     reaches its outcome within the bound, unless the process the user
//     acted on ends first (KindSlowResponse);
//   - every operation gets an outcome by the end of the world
//     (KindOutcomeMissing) — in particular every job the application
//     leaves ERROR or CANCELLED gets "failed" or "cancelled", since
//     "succeeded" for it is a false success.
//
// A world cut at its horizon is not the end of the application: a bound
// that had not passed at the cut is not judged, nor an operation whose job
// was still moving or whose application has not run for the grace since
// the job entered its last state (jobWatch.hadChance).
func outcomeChecks(recs []trace.Record, rules outcomeRules) []Problem {
	type opState struct {
		first trace.Record // the first outcome; Seq 0 if none yet
	}
	type deadline struct {
		job    string
		action trace.Record
		by     time.Duration
	}
	var (
		out   []Problem
		ops   []string
		st    = map[string]*opState{}
		dues  []deadline
		watch = newJobWatch() // watch.last: the last record read
	)
	late := func(d deadline, got string) Problem {
		return Problem{Kind: KindSlowResponse, Seq: d.action.Seq, T: d.action.T,
			Msg: fmt.Sprintf("after the user's %q at %v, %s had no outcome within %v (by %v): %s",
				d.action.Reason, d.action.T, d.job, d.by-d.action.T, d.by, got)}
	}
	for i := range recs {
		r := &recs[i]
		// Deadlines that passed before this record, with no outcome yet.
		kept := dues[:0]
		for _, d := range dues {
			if r.T > d.by {
				if o := st[d.job]; o.first.Seq == 0 {
					out = append(out, late(d, "it had none at "+r.T.String()))
					continue
				}
			}
			kept = append(kept, d)
		}
		dues = kept
		watch.see(r)
		switch r.Ev {
		case trace.EvJobCreate:
			if rules.op(r.Job) {
				ops = append(ops, r.Job)
				st[r.Job] = &opState{}
			}
		case trace.EvClientExit:
			// The process the user acted on is gone: the action died with
			// it, and nobody is left to respond within the bound.
			kept := dues[:0]
			for _, d := range dues {
				if d.action.Client != r.Client {
					kept = append(kept, d)
				}
			}
			dues = kept
		case trace.EvUserAction:
			b := rules.within[r.Reason]
			if b <= 0 {
				continue
			}
			for _, j := range ops {
				if st[j].first.Seq == 0 {
					dues = append(dues, deadline{job: j, action: *r, by: r.T + b})
				}
			}
		case trace.EvAppOutcome:
			o, ok := st[r.Job]
			if !ok {
				out = append(out, Problem{Kind: KindInvariant, Seq: r.Seq, T: r.T,
					Msg: fmt.Sprintf("the application reported %q for %s, which it did not create", r.Outcome, r.Job)})
				continue
			}
			if o.first.Seq != 0 {
				out = append(out, Problem{Kind: KindOutcomeTwice, Rule: "G18-G20", Seq: r.Seq, T: r.T,
					Msg: fmt.Sprintf("%s: a second outcome %q (the first, %q, was reported at %v): a repeated notification handled twice?",
						r.Job, r.Outcome, o.first.Outcome, o.first.T)})
				continue
			}
			o.first = *r
			if r.Outcome == "succeeded" && watch.state[r.Job] != callbackabi.BG_JOB_STATE_ACKNOWLEDGED {
				out = append(out, Problem{Kind: KindFalseSuccess, Rule: "G41", Seq: r.Seq, T: r.T,
					Msg: fmt.Sprintf("%s reported %q while the job was %s, not ACKNOWLEDGED (Complete not called, or it failed)",
						r.Job, r.Outcome, watch.state[r.Job])})
			}
		}
	}
	for _, d := range dues {
		if o := st[d.job]; o.first.Seq == 0 {
			if watch.cut() {
				continue // the bound had not passed when the world was cut
			}
			out = append(out, late(d, "it never got one"))
		} else if o.first.T > d.by {
			out = append(out, late(d, "it came at "+o.first.T.String()))
		}
	}
	for _, j := range ops {
		if st[j].first.Seq != 0 || !watch.hadChance(j, rules.grace) {
			continue
		}
		end := watch.last
		out = append(out, Problem{Kind: KindOutcomeMissing, Seq: end.Seq, T: end.T,
			Msg: fmt.Sprintf("%s (%s at the end, %v) never got an outcome: the application waits forever or lost it", j, watch.state[j], end.T)})
	}
	return slices.Clip(out)
}
