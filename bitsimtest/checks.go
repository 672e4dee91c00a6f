package bitsimtest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// Kind names one of the harness's built-in checks: the kind of a failure.
// A failure report leads with the check that failed, and shrinking keeps that kind: a
// world that fails another way while rapid shrinks does not replace it.
// Every check but KindBitsimBug can be waived with a reason
// (ClientOptions.Waive).
type Kind string

// The checks, in the order a report lists them.
const (
	// KindBitsimBug: a documented guarantee of the catalogue broke. That is
	// a bug in bitsim, not in the client; it cannot be waived.
	KindBitsimBug Kind = "bitsim-bug"
	// KindWorldLimit: the world hit a run limit (events, nesting depth)
	// before it ended: a reentrant storm or a busy loop of the client.
	KindWorldLimit Kind = "world-limit"
	// KindPanic: a callback panicked (contained as RPC_E_SERVERFAULT), or
	// the application's code panicked on one of its own threads (Main, a
	// thread of Process.Go, a user action): that crashes its process, as
	// an unhandled exception ends a Windows process, and the world goes on.
	KindPanic Kind = "panic"
	// KindArgumentKept: a job, error or file a callback received was used
	// after the callback returned (G35).
	KindArgumentKept Kind = "argument-kept"
	// KindNeverReturned: a callback never returned; it held one of its
	// user's four slots to the end (G31).
	KindNeverReturned Kind = "never-returned"
	// KindSlotBudget: a callback held its slot longer than the budget,
	// starving its user's other applications (G31).
	KindSlotBudget Kind = "slot-budget"
	// KindNotSOK: JobModification, FileTransferred or
	// FileRangesTransferred returned something other than S_OK (G5).
	KindNotSOK Kind = "not-s-ok"
	// KindRetryStorm: JobTransferred or JobError failed a fourth time for
	// one job (G20: BITS calls again, "only a few times" is fine).
	KindRetryStorm Kind = "retry-storm"
	// KindForeignJob: the application registered its callback on, reported
	// the outcome of, or completed, cancelled or suspended a job another
	// application of its user created (EventNeighbour) — enumerating the
	// user's jobs and taking them all as its own. The last registration
	// wins (G8): the other application no longer hears of its job.
	KindForeignJob Kind = "foreign-job"
	// KindFalseSuccess: the application reported success for a job that
	// was not ACKNOWLEDGED with all its files (G41: Complete can fail, or
	// complete only part of a job).
	KindFalseSuccess Kind = "false-success"
	// KindOutcomeTwice: the application reported a second outcome for one
	// operation (a repeated notification, G18–G20, handled twice).
	KindOutcomeTwice Kind = "outcome-twice"
	// KindSlowResponse: after a user action that sets a response bound
	// (Action.Within), an operation open at that moment did not reach its
	// outcome within the bound.
	KindSlowResponse Kind = "slow-response"
	// KindOutcomeMissing: an operation the application started (a job it
	// created) never got an outcome: the application hangs, or lost it.
	KindOutcomeMissing Kind = "outcome-missing"
	// KindJobLeft: a job was left behind in a non-final state
	// (ACKNOWLEDGED and CANCELLED are final) that the leak policy does not
	// allow (ClientOptions.Leave; HarnessOptions.AllowUnfinished).
	KindJobLeft Kind = "job-left"
	// KindInvariant: the application's own Invariant, or the test's, failed.
	KindInvariant Kind = "invariant"
)

// checkOrder is the order of reports: the more specific first.
var checkOrder = []Kind{
	KindBitsimBug, KindWorldLimit, KindPanic, KindArgumentKept, KindNeverReturned, KindSlotBudget,
	KindNotSOK, KindRetryStorm, KindForeignJob, KindFalseSuccess, KindOutcomeTwice, KindSlowResponse,
	KindOutcomeMissing, KindJobLeft, KindInvariant,
}

// Checks returns every check, in the order a report lists them.
func Kinds() []Kind { return slices.Clone(checkOrder) }

// Problem is one thing a check found in one world.
type Problem struct {
	Kind Kind
	Rule string        // the rule id it rests on ("G20"), or ""
	Seq  int64         // the trace record that shows it, 0 if none
	T    time.Duration // its virtual time
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(string(p.Kind))
	if p.Rule != "" {
		b.WriteString(" (" + p.Rule + ")")
	}
	b.WriteString(": ")
	if p.Seq > 0 {
		fmt.Fprintf(&b, "seq %d at %v: ", p.Seq, p.T)
	}
	b.WriteString(p.Msg)
	return b.String()
}

// sortProblems orders ps by checkOrder, then by seq; stable otherwise.
func sortProblems(ps []Problem) {
	rank := func(c Kind) int { return slices.Index(checkOrder, c) }
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if d := rank(a.Kind) - rank(b.Kind); d != 0 {
			return d
		}
		return int(a.Seq - b.Seq)
	})
}

// bitsimBugs turns the catalogue's violations into problems.
func bitsimBugs(recs []trace.Record) []Problem {
	var out []Problem
	for _, v := range catalogue.Check(recs) {
		p := Problem{Kind: KindBitsimBug, Rule: v.Rule, Msg: "a documented guarantee broke (a bug in bitsim, please report it): " + v.String()}
		if len(v.Seqs) > 0 {
			p.Seq = v.Seqs[0]
		}
		out = append(out, p)
	}
	return out
}

// callChecks checks every callback invocation of a world against the
// client contract: panics and kept arguments (from the service's stats),
// slot budget and never-returned calls (G31), S_OK from the methods that
// must return it (G5), and at most three failures of JobTransferred and
// JobError per job (G20). A call still running when the world ends idle
// never returns; one still running when the world is cut at its horizon
// is reported only once it has held its slot past the budget (it may
// simply have begun a moment before the cut).
func callChecks(recs []trace.Record, st scheduler.Stats, slotBudget time.Duration, skip string) []Problem {
	var out []Problem
	if n := st.Panics; n > 0 {
		out = append(out, Problem{Kind: KindPanic, Msg: fmt.Sprintf("the callback panicked %d time(s) (contained as RPC_E_SERVERFAULT); the first: %s", n, st.FirstPanic)})
	}
	if n := st.ArgumentMisuse; n > 0 {
		out = append(out, Problem{Kind: KindArgumentKept, Rule: "G35", Msg: fmt.Sprintf("a job, error or file argument was used %d time(s) after the callback returned", n)})
	}
	begins := map[int64]*trace.Record{} // calls in flight (the records stay in recs)
	fails := map[string]int{}
	end := time.Duration(0)
	cut := false
	for i := range recs {
		r := &recs[i] // not a copy: a Record is 328 bytes
		end = r.T
		cut = cutShort(r)
		switch r.Ev {
		case trace.EvCallBegin:
			if skip != "" && r.Client == skip {
				continue // the harness's own application (EventNeighbour)
			}
			begins[r.Call] = r
		case trace.EvCallEnd:
			b, ok := begins[r.Call]
			if !ok {
				continue
			}
			delete(begins, r.Call)
			if d := r.T - b.T; d > slotBudget {
				out = append(out, Problem{Kind: KindSlotBudget, Rule: "G31", Seq: b.Seq, T: b.T,
					Msg: fmt.Sprintf("%s for %s held a slot of %s for %v (budget %v)", b.Method, b.Job, b.User, d, slotBudget)})
			}
			if r.Outcome != "" {
				continue // disconnected (the client was gone) or a panic (counted above)
			}
			switch b.Method {
			case trace.JobTransferred, trace.JobError:
				if r.HR != callbackabi.S_OK {
					if fails[b.Job]++; fails[b.Job] == 4 {
						out = append(out, Problem{Kind: KindRetryStorm, Rule: "G20", Seq: r.Seq, T: r.T,
							Msg: fmt.Sprintf("%s for %s did not return S_OK for the fourth time (G20: only a few times)", b.Method, b.Job)})
					}
				}
			default:
				if r.HR != callbackabi.S_OK {
					out = append(out, Problem{Kind: KindNotSOK, Rule: "G5", Seq: r.Seq, T: r.T,
						Msg: fmt.Sprintf("%s for %s returned %s, not S_OK (G5)", b.Method, b.Job, r.HR)})
				}
			}
		}
	}
	open := make([]*trace.Record, 0, len(begins))
	for _, b := range begins {
		open = append(open, b)
	}
	slices.SortFunc(open, func(a, b *trace.Record) int { return int(a.Seq - b.Seq) })
	for _, b := range open {
		if cut {
			if end-b.T > slotBudget {
				out = append(out, Problem{Kind: KindNeverReturned, Rule: "G31", Seq: b.Seq, T: b.T,
					Msg: fmt.Sprintf("%s for %s had not returned when the world was cut at %v (it held a slot of %s from %v, past the budget %v)",
						b.Method, b.Job, end, b.User, b.T, slotBudget)})
			}
			continue
		}
		out = append(out, Problem{Kind: KindNeverReturned, Rule: "G31", Seq: b.Seq, T: b.T,
			Msg: fmt.Sprintf("%s for %s never returned (it held a slot of %s from %v to the end at %v)", b.Method, b.Job, b.User, b.T, end)})
	}
	return out
}

// jobsLeft reports the jobs of mine (nil: every job) that the trace leaves
// in a non-final state not in leave. A world that ends idle judges every
// such job. A world cut at its horizon judges only the jobs waiting for the
// client (not moving), and only those whose client had its chance:
//
//   - with byCallback (CheckCallback, whose client is only its callback
//     object), a job waiting in TRANSFERRED or ERROR once a JobTransferred
//     or JobError call for it ran the callback and returned in that state —
//     before that the callback never had its chance (its user was logged
//     off past the horizon, say, and the call found the client gone);
//   - otherwise (CheckClient: an application may poll and need no
//     callback), a job that waited while a process of its creator ran for
//     grace in all (jobWatch.hadChance).
func jobsLeft(recs []trace.Record, mine func(job string) bool, leave []callbackabi.JobState, byCallback bool, grace time.Duration) []Problem {
	w := newJobWatch()
	answered := map[string]bool{} // a JT/JE call returned since the job entered its state
	callJob := map[int64]string{} // JT/JE calls in flight → their job
	var jobs []string
	for i := range recs {
		r := &recs[i]
		w.see(r)
		switch r.Ev {
		case trace.EvJobCreate:
			if mine == nil || mine(r.Job) {
				jobs = append(jobs, r.Job)
			}
		case trace.EvJobState:
			answered[r.Job] = false
		case trace.EvCallBegin:
			if r.Method == trace.JobTransferred || r.Method == trace.JobError {
				callJob[r.Call] = r.Job
			}
		case trace.EvCallEnd:
			if j, ok := callJob[r.Call]; ok {
				// A call that found the client gone never ran the callback.
				answered[j] = answered[j] || r.Outcome != trace.OutcomeDisconnected
				delete(callJob, r.Call)
			}
		}
	}
	var out []Problem
	cut, last := w.cut(), w.last
	for _, j := range jobs {
		st := w.state[j]
		if st.Final() || slices.Contains(leave, st) || cut && moving(st) {
			continue
		}
		if cut && (byCallback && !answered[j] || !byCallback && !w.hadChance(j, grace)) {
			continue
		}
		out = append(out, Problem{Kind: KindJobLeft, Rule: leftRule(st), Seq: last.Seq, T: last.T,
			Msg: fmt.Sprintf("%s ended %s: every job must end ACKNOWLEDGED or CANCELLED%s", j, st, leftWhy(st))})
	}
	return out
}

// moving reports whether a job in state st is still BITS's to move on
// (queued, connecting, transferring, or waiting to retry): a world that
// reaches its horizon with such a job was cut short, which is not the
// client leaving the job behind. A job that waits for the client —
// TRANSFERRED (Complete), ERROR (Resume, Complete or Cancel), SUSPENDED
// (Resume) — is left behind, horizon or not. (A horizon shorter than the
// faults of the worlds — a ten-minute world whose user stays logged off
// for ten minutes — reported such a job as left.)
func moving(st callbackabi.JobState) bool {
	switch st {
	case callbackabi.BG_JOB_STATE_QUEUED, callbackabi.BG_JOB_STATE_CONNECTING, callbackabi.BG_JOB_STATE_TRANSFERRING,
		callbackabi.BG_JOB_STATE_TRANSIENT_ERROR:
		return true
	}
	return false
}

func leftRule(st callbackabi.JobState) string {
	switch st {
	case callbackabi.BG_JOB_STATE_TRANSFERRED:
		return "G41"
	case callbackabi.BG_JOB_STATE_ERROR:
		return "G12"
	}
	return ""
}

func leftWhy(st callbackabi.JobState) string {
	switch st {
	case callbackabi.BG_JOB_STATE_TRANSFERRED:
		return " (nobody called Complete, or Complete failed and nobody tried again)"
	case callbackabi.BG_JOB_STATE_ERROR:
		return " (an ERROR job waits forever for Resume, Complete or Cancel)"
	}
	return ""
}
