package bitsimtest

import (
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/sim/rapidsim"
	"github.com/bitsim/bitsim/trace"
)

// HarnessOptions tunes CheckCallback. The zero value is the strict
// default.
type HarnessOptions struct {
	// Options is the dispatcher to test against; nil means
	// scheduler.DefaultOptions().
	Options *scheduler.Options
	// Horizon bounds each world in virtual time (default 6 h).
	Horizon time.Duration
	// SlotBudget is the longest one invocation may hold its slot
	// (default 1 min of virtual time): a callback that blocks starves its
	// user's other applications (G31).
	SlotBudget time.Duration
	// Leave lists the non-final states a job may be left in at the end
	// (the leak policy; default none: every job must end ACKNOWLEDGED or
	// CANCELLED). For a callback that leaves an unrecoverable ERROR to an
	// administrator: []callbackabi.JobState{callbackabi.BG_JOB_STATE_ERROR}.
	Leave []callbackabi.JobState
	// AllowUnfinished allows every non-final state at the end.
	//
	// Deprecated: it also lets a job rest in TRANSFERRED, which hides bug
	// class 1 (transferred but never acknowledged); use Leave.
	AllowUnfinished bool
	// Waive switches single checks off, each with its reason (see
	// ClientOptions.Waive).
	Waive map[Kind]string
	// Invariant, if set, is the caller's own check of each world's trace.
	// recs is valid during the call only (the next world reuses its
	// memory): copy what you keep.
	Invariant func(recs []trace.Record) error
	// HangAfter is how long one world may take in real time before the
	// harness reports a callback that blocks outside virtual time (see
	// ClientOptions.HangAfter; default DefaultHangAfter, negative: no
	// limit).
	HangAfter time.Duration
}

// CheckCallback puts a client callback under attack: rapid generates
// worlds — users, STA and MTA clients that crash and restart, users who log
// off and on, late registrations, retries, the four-slot cap, network
// outages, command lines, administrator takeovers, download, upload and
// upload-reply jobs whose servers fail in every way the service models
// (scenarios.DrawServer, docs/WORLDS.md) — in which every job registers an object made by newCallback
// (again after each restart, as an application's initialization would),
// runs each world, and checks:
//
//   - the client contract: every job ends ACKNOWLEDGED or CANCELLED (or in
//     a state of Leave); no invocation holds its slot longer than
//     SlotBudget or never returns; JobModification, FileTransferred and
//     FileRangesTransferred return S_OK (G5), JobTransferred and JobError
//     fail at most three times per job (G20: "only a few times"); no
//     panic; no job, error or file argument used after the callback
//     returned (G35);
//   - every documented guarantee of the catalogue (a violation there is a
//     bitsim bug, reported as such);
//   - the caller's Invariant.
//
// Each problem found is of one Kind; a failure is shrunk by rapid to
// a short world and schedule that still shows that kind, saved as a fail
// file under testdata/rapid/, and reported on one screen: the check and its
// rule, the world as a story with virtual times, its trace (written to
// testdata/failures/NAME.jsonl for `bitsim render`), and the command that
// replays it. t is usually the test's *testing.T.
//
// CheckCallback tests a callback object in worlds whose jobs the harness
// creates and resumes; to test a whole client — its own threads, its
// user's actions, its reported outcomes — use CheckClient.
func CheckCallback(t rapid.TB, newCallback func(env *scenarios.Env) callbackabi.Callback, o HarnessOptions) {
	t.Helper()
	opts := scheduler.DefaultOptions()
	if o.Options != nil {
		opts = *o.Options
	}
	if o.Horizon <= 0 {
		o.Horizon = 6 * time.Hour
	}
	if o.SlotBudget <= 0 {
		o.SlotBudget = time.Minute
	}
	leave := o.Leave
	if o.AllowUnfinished {
		leave = unfinished
	}
	checkWaivers(o.Waive)
	var total scenarios.FaultCounts // over all worlds: -v shows it
	defer func() { t.Logf("bitsim: faults in the worlds: %v", total) }()
	log := takeLog() // one for every world, run after run: its memory is reused
	defer giveLog(log)
	checkWorlds(t, o.HangAfter, func(rt *rapid.T) ([]Problem, func(Kind) string) {
		w := sim.NewWorld(rapidsim.New(rt), sim.Limits{MaxTime: o.Horizon})
		sw := scenarios.DrawSwarm(w.Chooser())
		var faults scenarios.FaultCounts
		sw.Callback, sw.Fair, sw.Faults, sw.Counts = newCallback, true, true, &faults
		defer func() { total.Add(faults) }()
		res, err := scenarios.RunInLog(w, log, "harness", 0, opts, scenarios.Adversarial(sw))
		var ps []Problem
		if err != nil {
			ps = append(ps, Problem{Kind: KindWorldLimit, Msg: "the world ended early: " + err.Error()})
		}
		ps = append(ps, bitsimBugs(res.Records)...)
		ps = append(ps, contract(res, o.SlotBudget, leave)...)
		if o.Invariant != nil {
			if err := o.Invariant(res.Records); err != nil {
				ps = append(ps, Problem{Kind: KindInvariant, Msg: err.Error()})
			}
		}
		return waive(ps, o.Waive), func(Kind) string { return tellWorld(t.Name(), res.Records) }
	})
}

// contract is the client contract CheckCallback checks on one world: the
// callback's calls (callChecks) and the jobs left behind (jobsLeft).
func contract(res scenarios.Result, slotBudget time.Duration, leave []callbackabi.JobState) []Problem {
	return append(callChecks(res.Records, res.Stats, slotBudget, ""), jobsLeft(res.Records, nil, leave, true, 0)...)
}

// unfinished is every non-final state: what AllowUnfinished allows.
var unfinished = []callbackabi.JobState{
	callbackabi.BG_JOB_STATE_QUEUED, callbackabi.BG_JOB_STATE_CONNECTING, callbackabi.BG_JOB_STATE_TRANSFERRING,
	callbackabi.BG_JOB_STATE_SUSPENDED, callbackabi.BG_JOB_STATE_ERROR, callbackabi.BG_JOB_STATE_TRANSIENT_ERROR,
	callbackabi.BG_JOB_STATE_TRANSFERRED,
}

// logs keeps the trace logs of finished checks for the next check of the
// test binary. A log's buffers grow to the longest world of a check, and
// growing them again from nothing in every check — a few large
// allocations, cleared, faulted in page by page and handed back to the
// system — cost a 100-world CheckCallback about 40 % of its time here
// (docs/PERFORMANCE.md). The first check of a binary still grows its log.
var logs = sync.Pool{New: func() any { return new(trace.Log) }}

// takeLog returns an empty trace log for a check's worlds.
func takeLog() *trace.Log { return logs.Get().(*trace.Log) }

// giveLog hands log back when its check is over and nothing reads its
// records any more. Cleared first: the pool keeps its buffers, not the last
// world's records, names and observer (which holds that world).
func giveLog(log *trace.Log) {
	log.Clear()
	logs.Put(log)
}
