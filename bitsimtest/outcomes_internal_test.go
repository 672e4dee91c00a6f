package bitsimtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// tb builds a trace one record at a time, at the times given.
type tb struct{ recs []trace.Record }

func (b *tb) at(t time.Duration, r trace.Record) *tb {
	r.Seq, r.T = int64(len(b.recs)+1), t
	b.recs = append(b.recs, r)
	return b
}

func (b *tb) state(t time.Duration, job string, from, to callbackabi.JobState) *tb {
	return b.at(t, trace.Record{Ev: trace.EvJobState, Job: job, From: from, To: to})
}

func (b *tb) outcome(t time.Duration, job, o string) *tb {
	return b.at(t, trace.Record{Ev: trace.EvAppOutcome, Job: job, Client: "app", Outcome: o})
}

func (b *tb) action(t time.Duration, name string) *tb {
	return b.at(t, trace.Record{Ev: trace.EvUserAction, Client: "app", User: "user-1", Reason: name})
}

const (
	queued      = callbackabi.BG_JOB_STATE_QUEUED
	transferred = callbackabi.BG_JOB_STATE_TRANSFERRED
	acked       = callbackabi.BG_JOB_STATE_ACKNOWLEDGED
	cancelled   = callbackabi.BG_JOB_STATE_CANCELLED
	errored     = callbackabi.BG_JOB_STATE_ERROR
	suspended   = callbackabi.BG_JOB_STATE_SUSPENDED
)

// started is a trace where the app created job-1 and it was QUEUED.
func started() *tb {
	b := &tb{}
	b.at(0, trace.Record{Ev: trace.EvRunStart, Scenario: "client"})
	b.at(0, trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "user-1"})
	return b.state(0, "job-1", suspended, queued)
}

// Each outcome check on hand-made traces: what passes, and what each
// check reports (kind and message).
func TestOutcomeChecks(t *testing.T) {
	s := time.Second
	rules := outcomeRules{op: func(j string) bool { return j == "job-1" }, within: map[string]time.Duration{"cancel": 5 * s}, grace: time.Minute}
	app := trace.Record{Ev: trace.EvClientStart, Client: "app", User: "user-1"}
	cutAt := trace.Record{Ev: trace.EvRunEnd, Reason: "deadline"}
	idleAt := trace.Record{Ev: trace.EvRunEnd, Reason: "idle"}
	for _, tc := range []struct {
		name string
		b    *tb
		want []Kind
		msg  string
	}{
		{"success after ACKNOWLEDGED", started().state(s, "job-1", queued, transferred).state(2*s, "job-1", transferred, acked).outcome(2*s, "job-1", "succeeded"), nil, ""},
		{"failure after CANCELLED", started().state(s, "job-1", queued, errored).state(2*s, "job-1", errored, cancelled).outcome(2*s, "job-1", "failed"), nil, ""},
		{"success while TRANSFERRED", started().state(s, "job-1", queued, transferred).outcome(s, "job-1", "succeeded"),
			[]Kind{KindFalseSuccess}, "job-1 reported \"succeeded\" while the job was TRANSFERRED"},
		{"success while ERROR", started().state(s, "job-1", queued, errored).outcome(s, "job-1", "succeeded"),
			[]Kind{KindFalseSuccess}, "while the job was ERROR"},
		{"two outcomes", started().state(s, "job-1", queued, cancelled).outcome(s, "job-1", "cancelled").outcome(2*s, "job-1", "failed"),
			[]Kind{KindOutcomeTwice}, "a second outcome \"failed\" (the first, \"cancelled\", was reported at 1s)"},
		{"no outcome", started().state(s, "job-1", queued, errored), []Kind{KindOutcomeMissing}, "job-1 (ERROR at the end, 1s) never got an outcome"},
		{"an outcome for another job", started().outcome(s, "job-1", "cancelled").outcome(s, "job-9", "failed"),
			[]Kind{KindInvariant}, "for job-9, which it did not create"},
		{"cancel answered in time", started().action(s, "cancel").state(6*s, "job-1", queued, cancelled).outcome(6*s, "job-1", "cancelled"), nil, ""},
		{"cancel answered late", started().action(s, "cancel").state(7*s, "job-1", queued, cancelled).outcome(7*s, "job-1", "cancelled"),
			[]Kind{KindSlowResponse}, "after the user's \"cancel\" at 1s, job-1 had no outcome within 5s (by 6s): it had none at 7s"},
		{"cancel never answered", started().action(s, "cancel").state(2*s, "job-1", queued, transferred),
			[]Kind{KindSlowResponse, KindOutcomeMissing}, "it never got one"},
		{"late, but the world ended first", started().action(s, "cancel").outcome(7*s, "job-1", "cancelled"),
			[]Kind{KindSlowResponse}, "it had none at 7s"},
		{"the process dies before it can answer", started().action(s, "cancel").
			at(2*s, trace.Record{Ev: trace.EvClientExit, Client: "app", Reason: "crash"}).outcome(time.Hour, "job-1", "failed"), nil, ""},
		{"another process dies", started().action(s, "cancel").
			at(2*s, trace.Record{Ev: trace.EvClientExit, Client: "console", Reason: "crash"}).outcome(time.Hour, "job-1", "failed"),
			[]Kind{KindSlowResponse}, "it had none at 1h0m0s"},
		{"an action without a bound", started().action(s, "pause").outcome(time.Hour, "job-1", "cancelled"), nil, ""},
		{"an operation that ended before the action", started().outcome(s, "job-1", "cancelled").action(2*s, "cancel"), nil, ""},
		// A world cut at its horizon (run.end "deadline") judges only what
		// was due: a bound that had passed, an operation whose job waited
		// for the running application for the grace (rules.grace, 1 min).
		{"cut: the bound had not passed", started().at(0, app).action(s, "cancel").state(2*s, "job-1", queued, transferred).
			at(3*s, cutAt), nil, ""},
		{"cut: the bound had passed", started().at(0, app).action(s, "cancel").state(2*s, "job-1", queued, transferred).
			at(7*s, cutAt), []Kind{KindSlowResponse}, "it had none at 7s"},
		{"cut: the job still moving", started().at(0, app).state(s, "job-1", queued, callbackabi.BG_JOB_STATE_TRANSFERRING).
			at(time.Hour, cutAt), nil, ""},
		{"idle end: the job still moving", started().at(0, app).state(s, "job-1", queued, callbackabi.BG_JOB_STATE_TRANSFERRING).
			at(time.Hour, idleAt), []Kind{KindOutcomeMissing}, "never got an outcome"},
		{"cut: cancelled just before", started().at(0, app).state(time.Hour-s, "job-1", queued, cancelled).at(time.Hour, cutAt), nil, ""},
		{"cut: cancelled long before", started().at(0, app).state(s, "job-1", queued, cancelled).at(time.Hour, cutAt),
			[]Kind{KindOutcomeMissing}, "job-1 (CANCELLED at the end, 1h0m0s) never got an outcome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := outcomeChecks(tc.b.recs, rules)
			var kinds []Kind
			for _, p := range got {
				kinds = append(kinds, p.Kind)
			}
			require.Equal(t, tc.want, kinds, "%v", got)
			if tc.msg != "" {
				require.Contains(t, got[0].Msg, tc.msg)
			}
		})
	}
}

// jobsLeft: only the jobs of the application, and the leak policy.
func TestJobsLeft(t *testing.T) {
	b := started().state(time.Second, "job-1", queued, errored)
	b.at(time.Second, trace.Record{Ev: trace.EvJobCreate, Job: "job-2", User: "other"})
	mine := func(j string) bool { return j == "job-1" }
	got := jobsLeft(b.recs, mine, nil, false, 0)
	require.Len(t, got, 1)
	require.Equal(t, KindJobLeft, got[0].Kind)
	require.Equal(t, "G12", got[0].Rule)
	require.Contains(t, got[0].Msg, "job-1 ended ERROR")
	require.Empty(t, jobsLeft(b.recs, mine, []callbackabi.JobState{errored}, false, 0), "ERROR is allowed by the policy")
	require.Len(t, jobsLeft(b.recs, nil, nil, false, 0), 2, "nil: every job (job-2 stays SUSPENDED)")
}

// A world cut at its horizon with a job still moving (queued, connecting,
// transferring, waiting to retry) has not shown the client leaving it; a
// job that waits for the client is left, horizon or not. At an idle end
// every non-final job is left.
func TestJobsLeftAtTheHorizon(t *testing.T) {
	world := func(end string) []trace.Record {
		b := started()
		for i, st := range []callbackabi.JobState{queued, callbackabi.BG_JOB_STATE_CONNECTING, callbackabi.BG_JOB_STATE_TRANSFERRING,
			callbackabi.BG_JOB_STATE_TRANSIENT_ERROR, transferred, errored, suspended} {
			job := "job-" + string(rune('a'+i))
			b.at(time.Second, trace.Record{Ev: trace.EvJobCreate, Job: job, User: "user-1"})
			if st != suspended {
				b.state(time.Second, job, suspended, st)
			}
		}
		b.at(time.Hour, trace.Record{Ev: trace.EvRunEnd, Reason: end})
		return b.recs
	}
	left := func(ps []Problem) (jobs []string) {
		for _, p := range ps {
			jobs = append(jobs, p.Msg[:len("job-a")])
		}
		return jobs
	}
	require.Equal(t, []string{"job-e", "job-f", "job-g"}, left(jobsLeft(world("deadline"), nil, nil, false, 0)),
		"at the horizon: TRANSFERRED, ERROR and SUSPENDED wait for the client")
	require.Len(t, jobsLeft(world("idle"), nil, nil, false, 0), 8, "idle: every non-final job is left (job-1 of started too)")
}

// job-left (G12, G41) at a horizon cut: CheckClient judges a job waiting
// for the application only when a process of its creator ran for the
// grace while it waited:
// a job that began to wait just before the cut, or whose user stayed logged
// off until past it, was not left by the application. An idle end judges
// every job.
func TestJobsLeftWhileTheAppRan(t *testing.T) {
	m := time.Minute
	start := func(client string) trace.Record {
		return trace.Record{Ev: trace.EvClientStart, Client: client, User: "user-1"}
	}
	exit := func(client, reason string) trace.Record {
		return trace.Record{Ev: trace.EvClientExit, Client: client, User: "user-1", Reason: reason}
	}
	admin := trace.Record{Ev: trace.EvClientStart, Client: "console", User: "admin"}
	for _, tc := range []struct {
		name   string
		b      *tb
		judged bool
	}{
		{"waited an hour, the app running", started().at(0, start("app")).state(m, "job-1", queued, transferred), true},
		{"began to wait 2 min before the cut", started().at(0, start("app")).state(58*m, "job-1", queued, transferred), false},
		{"began to wait 5 min before the cut", started().at(0, start("app")).state(55*m, "job-1", queued, transferred), true},
		{"the user logged off and stayed off", started().at(0, start("app")).state(m, "job-1", queued, errored).
			at(3*m, exit("app", "logoff")), false},
		{"crashed, restarted 10 min later", started().at(0, start("app")).state(m, "job-1", queued, suspended).
			at(2*m, exit("app", "crash")).at(12*m, start("app#2")), true},
		{"ran before the job waited, not after", started().at(0, start("app")).at(30*m, exit("app", "crash")).
			state(31*m, "job-1", queued, transferred), false},
		{"only another user's client ran", started().at(0, admin).state(m, "job-1", queued, transferred), false},
		{"taken over: the administrator's console ran, not the app", started().at(0, admin).at(0, start("app")).
			at(m, trace.Record{Ev: trace.EvJobOwner, Job: "job-1", User: "admin"}).at(m, exit("app", "logoff")).
			state(2*m, "job-1", queued, transferred), false},
		{"two instances at once: counted once", started().at(0, start("app")).state(m, "job-1", queued, transferred).
			at(2*m, exit("app", "crash")).at(10*m, start("app#2")).at(10*m, start("app#3")).
			at(13*m, exit("app#2", "exit")).at(13*m, exit("app#3", "crash")), false},
		{"two instances overlapping: long enough", started().at(0, start("app")).state(m, "job-1", queued, transferred).
			at(2*m, exit("app", "crash")).at(10*m, start("app#2")).at(12*m, start("app#3")).
			at(14*m, exit("app#2", "exit")).at(16*m, exit("app#3", "crash")), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := tc.b.at(time.Hour, trace.Record{Ev: trace.EvRunEnd, Reason: "deadline"}).recs
			ps := jobsLeft(recs, nil, nil, false, 5*m)
			if tc.judged {
				require.Len(t, ps, 1)
				require.Equal(t, KindJobLeft, ps[0].Kind)
			} else {
				require.Empty(t, ps)
			}
			idle := append(recs[:len(recs)-1:len(recs)-1], trace.Record{Seq: 99, T: time.Hour, Ev: trace.EvRunEnd, Reason: "idle"})
			require.Len(t, jobsLeft(idle, nil, nil, false, 5*m), 1, "an idle end judges every job")
		})
	}
}

// CheckCallback's client is only its callback: at a horizon cut a job
// waiting in TRANSFERRED or ERROR is judged once a JobTransferred or
// JobError call for it returned in that state — not before, when the
// callback never had its chance. At an idle end it is judged either way.
func TestJobsLeftByCallback(t *testing.T) {
	world := func(called bool, end string) []trace.Record {
		b := started().state(time.Second, "job-1", queued, transferred)
		if called {
			b.at(2*time.Second, trace.Record{Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "user-1", Client: "app",
				Method: trace.JobTransferred, Lane: trace.LaneHigh})
			b.at(2*time.Second, trace.Record{Ev: trace.EvCallEnd, Call: 1}) // S_OK, no Complete
		}
		return b.at(time.Hour, trace.Record{Ev: trace.EvRunEnd, Reason: end}).recs
	}
	require.Empty(t, jobsLeft(world(false, "deadline"), nil, nil, true, 0), "cut before the callback was called")
	require.Len(t, jobsLeft(world(true, "deadline"), nil, nil, true, 0), 1, "called, returned, never completed")
	require.Len(t, jobsLeft(world(false, "idle"), nil, nil, true, 0), 1, "idle: judged whether called or not")
	gone := world(false, "deadline")
	gone = append(gone[:len(gone)-1:len(gone)-1],
		trace.Record{Seq: 90, T: 2 * time.Second, Ev: trace.EvCallBegin, Call: 2, Job: "job-1", User: "user-1", Client: "app", Method: trace.JobTransferred},
		trace.Record{Seq: 91, T: 2 * time.Second, Ev: trace.EvCallEnd, Call: 2, Outcome: trace.OutcomeDisconnected},
		gone[len(gone)-1])
	require.Empty(t, jobsLeft(gone, nil, nil, true, 0), "a call that found the client gone gave the callback no chance")
	require.Len(t, jobsLeft(world(false, "deadline"), nil, nil, false, 0), 1, "CheckClient: judged at the cut (a client may poll)")
}

// never-returned (G31): a call still running at an idle end never returns.
// At a horizon cut it may have begun a moment before: it is reported only
// once it has held its slot past the budget.
func TestCallsOpenAtTheEnd(t *testing.T) {
	world := func(begin time.Duration, end string) []trace.Record {
		return started().
			at(begin, trace.Record{Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "user-1", Client: "app", Method: trace.JobModification, Lane: trace.LaneLow}).
			at(time.Hour, trace.Record{Ev: trace.EvRunEnd, Reason: end}).recs
	}
	kinds := func(ps []Problem) (ks []Kind) {
		for _, p := range ps {
			ks = append(ks, p.Kind)
		}
		return ks
	}
	budget := time.Minute
	assert.Equal(t, []Kind{KindNeverReturned}, kinds(callChecks(world(time.Hour-time.Second, "idle"), scheduler.Stats{}, budget, "")), "idle: it never returns")
	assert.Empty(t, callChecks(world(time.Hour-time.Second, "deadline"), scheduler.Stats{}, budget, ""), "begun a second before the cut")
	ps := callChecks(world(time.Hour-2*time.Minute, "deadline"), scheduler.Stats{}, budget, "")
	require.Equal(t, []Kind{KindNeverReturned}, kinds(ps), "running two minutes at the cut, past the budget")
	assert.Contains(t, ps[0].Msg, "had not returned when the world was cut at 1h0m0s")
}
