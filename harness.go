package bitsim

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
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
	// AllowUnfinished drops the contract that every job ends ACKNOWLEDGED
	// or CANCELLED (for callbacks that leave, say, an unrecoverable ERROR
	// to someone else).
	AllowUnfinished bool
	// Invariant, if set, is the caller's own check of each world's trace.
	Invariant func(recs []trace.Record) error
}

// CheckCallback puts a client callback under attack: rapid generates
// worlds — users, STA and MTA clients that crash and restart, late
// registrations, retries, the four-slot cap, network outages, failures
// including the range-support error, command lines, administrator
// takeovers — in which every job registers an object made by newCallback
// (again after each restart, as an application's initialization would),
// runs each world, and checks:
//
//   - the client contract: every job ends ACKNOWLEDGED or CANCELLED (unless
//     AllowUnfinished); no invocation holds its slot longer than
//     SlotBudget or never returns; JobModification, FileTransferred and
//     FileRangesTransferred return S_OK (G5), JobTransferred and JobError
//     fail at most three times per job (G20: "only a few times"); no
//     panic; no job, error or file argument used after the callback
//     returned (G35);
//   - every documented guarantee of the catalogue (a violation there is a
//     bitsim bug, reported as such);
//   - the caller's Invariant.
//
// A failure is shrunk by rapid to a short world and schedule, saved as a
// fail file under testdata/rapid/ with the command that replays it, and its
// trace is written to testdata/failures/NAME.jsonl for `bitsim render`.
// t is usually the test's *testing.T.
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
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	rapid.Check(t, func(rt *rapid.T) {
		w := sim.NewWorld(sim.NewRapid(rt), sim.Limits{MaxTime: o.Horizon})
		sw := scenarios.DrawSwarm(w.Chooser())
		sw.Callback, sw.Fair = newCallback, true
		res, err := scenarios.RunIn(w, "harness", 0, opts, scenarios.Adversarial(sw))
		var problems []string
		if err != nil {
			problems = append(problems, "the world ended early: "+err.Error())
		}
		problems = append(problems, contract(res, o)...)
		for _, v := range catalogue.Check(res.Records) {
			problems = append(problems, "bitsim bug, a documented guarantee broke: "+v.String())
		}
		if o.Invariant != nil {
			if err := o.Invariant(res.Records); err != nil {
				problems = append(problems, "invariant: "+err.Error())
			}
		}
		if len(problems) == 0 {
			return
		}
		msg := strings.Join(problems[:min(len(problems), 8)], "\n")
		if path, err := saveTrace(name, res.Records); err == nil {
			msg += "\ntrace: " + path + " (bitsim render " + path + ")"
		}
		rt.Fatalf("%d problem(s):\n%s", len(problems), msg)
	})
}

// contract checks the client contract on one world's trace.
func contract(res scenarios.Result, o HarnessOptions) []string {
	var out []string
	if n := res.Stats.Panics; n > 0 {
		out = append(out, fmt.Sprintf("the callback panicked %d time(s) (contained as RPC_E_SERVERFAULT)", n))
	}
	if n := res.Stats.ArgumentMisuse; n > 0 {
		out = append(out, fmt.Sprintf("G35: a job, error or file argument was used %d time(s) after the callback returned", n))
	}
	begins := map[int64]trace.Record{}
	fails := map[string]int{}
	state := map[string]callbackabi.JobState{}
	var jobs []string
	end := time.Duration(0)
	for _, r := range res.Records {
		end = r.T
		switch r.Ev {
		case trace.EvJobCreate:
			jobs = append(jobs, r.Job)
			state[r.Job] = callbackabi.BG_JOB_STATE_SUSPENDED
		case trace.EvJobState:
			state[r.Job] = r.To
		case trace.EvCallBegin:
			begins[r.Call] = r
		case trace.EvCallEnd:
			b, ok := begins[r.Call]
			if !ok {
				continue
			}
			delete(begins, r.Call)
			if d := r.T - b.T; d > o.SlotBudget {
				out = append(out, fmt.Sprintf("seq %d: %s for %s held a slot of %s for %v (budget %v, G31)", b.Seq, b.Method, b.Job, b.User, d, o.SlotBudget))
			}
			if r.Outcome != "" {
				continue // disconnected (the world crashed the client) or a panic (counted above)
			}
			switch b.Method {
			case trace.JobTransferred, trace.JobError:
				if r.HR != callbackabi.S_OK {
					if fails[b.Job]++; fails[b.Job] == 4 {
						out = append(out, fmt.Sprintf("seq %d: %s for %s did not return S_OK for the fourth time (G20: only a few times)", r.Seq, b.Method, b.Job))
					}
				}
			default:
				if r.HR != callbackabi.S_OK {
					out = append(out, fmt.Sprintf("seq %d: %s for %s returned %s, not S_OK (G5)", r.Seq, b.Method, b.Job, r.HR))
				}
			}
		}
	}
	open := make([]trace.Record, 0, len(begins))
	for _, b := range begins {
		open = append(open, b)
	}
	slices.SortFunc(open, func(a, b trace.Record) int { return int(a.Seq - b.Seq) })
	for _, b := range open {
		out = append(out, fmt.Sprintf("seq %d: %s for %s never returned (it held a slot of %s from %v to the end at %v)", b.Seq, b.Method, b.Job, b.User, b.T, end))
	}
	if !o.AllowUnfinished {
		for _, j := range jobs {
			if st := state[j]; !st.Final() {
				out = append(out, fmt.Sprintf("%s ended %s: every job must end ACKNOWLEDGED or CANCELLED", j, st))
			}
		}
	}
	return out
}

func saveTrace(name string, recs []trace.Record) (string, error) {
	path := filepath.Join("testdata", "failures", name+".jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := trace.Encode(f, recs); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
