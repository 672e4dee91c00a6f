package scenarios_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/trace"
)

// view answers questions about a trace.
type view struct {
	t    *testing.T
	recs []trace.Record
}

func run(t *testing.T, name string) view {
	t.Helper()
	s, ok := scenarios.Lookup(name)
	require.True(t, ok, "scenario %s", name)
	res, err := s.Run(1)
	require.NoError(t, err)
	require.NotEmpty(t, res.Records)
	return view{t, res.Records}
}

func (v view) calls(job string, m trace.Method) []trace.Record {
	var out []trace.Record
	for _, r := range v.recs {
		if r.Ev == trace.EvCallBegin && (job == "" || r.Job == job) && (m == trace.MethodNone || r.Method == m) {
			out = append(out, r)
		}
	}
	return out
}

func (v view) end(call int64) trace.Record {
	for _, r := range v.recs {
		if r.Ev == trace.EvCallEnd && r.Call == call {
			return r
		}
	}
	v.t.Fatalf("call %d never ended", call)
	return trace.Record{}
}

func (v view) finalState(job string) callbackabi.JobState {
	st := callbackabi.BG_JOB_STATE_SUSPENDED
	for _, r := range v.recs {
		if r.Ev == trace.EvJobState && r.Job == job {
			st = r.To
		}
	}
	return st
}

func (v view) first(ev trace.Ev, job string) (trace.Record, bool) {
	for _, r := range v.recs {
		if r.Ev == ev && (job == "" || r.Job == job) {
			return r, true
		}
	}
	return trace.Record{}, false
}

func (v view) count(ev trace.Ev) int {
	n := 0
	for _, r := range v.recs {
		if r.Ev == ev {
			n++
		}
	}
	return n
}

func TestEveryRequiredScenarioExists(t *testing.T) {
	for _, name := range []string{"transfer-complete", "late-registration", "retry-until-s-ok", "client-restart",
		"four-slot-starvation", "modification-overtaken", "range-support-error", "sta-reentrancy", "cmdline-fallback",
		"notify-disable", "admin-takeover", "file-transferred-order", "transient-to-error", "wine-compat", "adversarial"} {
		s, ok := scenarios.Lookup(name)
		require.True(t, ok, name)
		assert.NotEmpty(t, s.Summary, name)
		assert.NotEmpty(t, s.Teaches, name)
		assert.NotEmpty(t, s.Rules, name)
	}
}

// Every scenario but wine-compat honours every guarantee of the catalogue,
// and every scenario is deterministic: the same seed gives the same bytes.
func TestScenariosCleanAndDeterministic(t *testing.T) {
	for _, s := range scenarios.All() {
		t.Run(s.Name, func(t *testing.T) {
			a, err := s.Run(7)
			require.NoError(t, err)
			b, err := s.Run(7)
			require.NoError(t, err)
			var ea, eb bytes.Buffer
			require.NoError(t, trace.Encode(&ea, a.Records))
			require.NoError(t, trace.Encode(&eb, b.Records))
			require.Equal(t, ea.String(), eb.String())
			v := catalogue.Check(a.Records)
			if s.Name == "wine-compat" {
				assert.NotEmpty(t, v)
				return
			}
			assert.Empty(t, v)
		})
	}
}

func TestTransferComplete(t *testing.T) {
	v := run(t, "transfer-complete")
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 1, "G20: S_OK at once, so exactly one call")
	assert.Equal(t, callbackabi.S_OK, v.end(jt[0].Call).HR)
	assert.Equal(t, trace.LaneHigh, jt[0].Lane)
	assert.Equal(t, callbackabi.BG_JOB_STATE_ACKNOWLEDGED, v.finalState("job-1"))
	assert.Empty(t, v.calls("", trace.JobModification), "flags are the default 0x3: no JobModification")
}

func TestLateRegistration(t *testing.T) {
	v := run(t, "late-registration")
	done, ok := v.first(trace.EvJobRegister, "job-1")
	require.True(t, ok)
	var transferredAt time.Duration
	for _, r := range v.recs {
		if r.Ev == trace.EvJobState && r.To == callbackabi.BG_JOB_STATE_TRANSFERRED {
			transferredAt = r.T
		}
	}
	require.Less(t, transferredAt, done.T, "the job transferred before anyone registered")
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 1, "G18: the late registration still gets JobTransferred")
	assert.GreaterOrEqual(t, jt[0].T, done.T)
	assert.Equal(t, callbackabi.BG_JOB_STATE_ACKNOWLEDGED, v.finalState("job-1"))
}

func TestRetryUntilSOK(t *testing.T) {
	v := run(t, "retry-until-s-ok")
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 4, "E_FAIL, E_FAIL, S_FALSE, S_OK")
	want := []callbackabi.HRESULT{callbackabi.E_FAIL, callbackabi.E_FAIL, callbackabi.S_FALSE, callbackabi.S_OK}
	for i, c := range jt {
		assert.Equal(t, want[i], v.end(c.Call).HR)
		if i > 0 {
			assert.Equal(t, 10*time.Second, c.T-jt[i-1].T, "retried after the job's minimum retry delay")
		}
	}
	assert.Equal(t, 3, v.count(trace.EvRetry))
}

func TestClientRestart(t *testing.T) {
	v := run(t, "client-restart")
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 2)
	assert.Equal(t, "app-1", jt[0].Client)
	assert.Equal(t, trace.OutcomeDisconnected, v.end(jt[0].Call).Outcome, "G23: the crash fails the call in flight")
	assert.Equal(t, "app-1#2", jt[1].Client, "G19: the restarted process is notified again")
	assert.Equal(t, callbackabi.S_OK, v.end(jt[1].Call).HR)
	un, ok := v.first(trace.EvJobUnregister, "job-1")
	require.True(t, ok)
	assert.Equal(t, "disconnected", un.Reason)
}

func TestFourSlotStarvation(t *testing.T) {
	v := run(t, "four-slot-starvation")
	// job-5 is app-b's (alice), job-6 is bob's.
	b := v.calls("job-5", trace.JobTransferred)
	c := v.calls("job-6", trace.JobTransferred)
	require.Len(t, b, 1)
	require.Len(t, c, 1)
	wait, ok := v.first(trace.EvSlotWait, "job-5")
	require.True(t, ok, "G31: alice's other app waits for a slot")
	assert.Equal(t, "alice", wait.User)
	assert.Greater(t, b[0].T-wait.T, 4*time.Minute, "starved until one of the four returns")
	_, bobWaited := v.first(trace.EvSlotWait, "job-6")
	assert.False(t, bobWaited, "bob has his own four slots")
	assert.Less(t, c[0].T, 40*time.Second)
}

func TestModificationOvertaken(t *testing.T) {
	v := run(t, "modification-overtaken")
	jt := v.calls("job-5", trace.JobTransferred)
	require.Len(t, jt, 1)
	var jmWaitBefore bool
	for _, r := range v.recs {
		if r.Ev == trace.EvSlotWait && r.Job == "job-5" && r.Method == trace.JobModification && r.T < jt[0].T {
			jmWaitBefore = true
		}
	}
	require.True(t, jmWaitBefore, "a JobModification was waiting before JobTransferred was launched")
	// G32: JobTransferred begins before the JobModification that waited longer.
	for _, r := range v.calls("job-5", trace.JobModification) {
		if r.T >= jt[0].T {
			assert.Greater(t, r.Seq, jt[0].Seq)
			return
		}
	}
	t.Fatal("no JobModification after JobTransferred: nothing was overtaken")
}

func TestRangeSupportError(t *testing.T) {
	v := run(t, "range-support-error")
	assert.Equal(t, callbackabi.BG_JOB_STATE_ACKNOWLEDGED, v.finalState("job-1"), "≤ 2 GB recovers via FOREGROUND (G48)")
	assert.Equal(t, callbackabi.BG_JOB_STATE_ERROR, v.finalState("job-2"), "> 2 GB does not recover")
	for _, job := range []string{"job-1", "job-2"} {
		e, ok := v.first(trace.EvJobError, job)
		require.True(t, ok)
		assert.Equal(t, callbackabi.BG_E_INSUFFICIENT_RANGE_SUPPORT, e.HR)
		assert.Len(t, v.calls(job, trace.JobError), 1)
	}
}

func TestSTAReentrancy(t *testing.T) {
	v := run(t, "sta-reentrancy")
	nested := map[string]int{}
	for _, r := range v.calls("", trace.JobModification) {
		if r.Parent != 0 {
			nested[r.Client]++
		}
	}
	assert.Positive(t, nested["app-plain"], "G34: JobModification nested on the STA thread")
	assert.Positive(t, nested["app-guarded"], "the guarded app is re-entered too…")
	// …but its nested calls return at once (no virtual time passes).
	for _, r := range v.calls("", trace.JobModification) {
		if r.Client == "app-guarded" && r.Parent != 0 {
			assert.Equal(t, r.T, v.end(r.Call).T, "the seed's guard returns S_OK at once")
		}
	}
}

func TestCmdlineFallback(t *testing.T) {
	v := run(t, "cmdline-fallback")
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 1, "G26: not called again once the command line took over")
	var starts []trace.Record
	var exits []trace.Record
	for _, r := range v.recs {
		switch r.Ev {
		case trace.EvCmdlineStart:
			starts = append(starts, r)
		case trace.EvCmdlineExit:
			exits = append(exits, r)
		}
	}
	require.Len(t, starts, 2)
	require.Len(t, exits, 2)
	assert.Equal(t, int64(1), exits[0].Code)
	assert.Equal(t, int64(0), exits[1].Code)
	assert.Equal(t, 30*time.Second, starts[1].T-exits[0].T, "G27: after the minimum retry delay")
	assert.Equal(t, callbackabi.BG_JOB_STATE_ACKNOWLEDGED, v.finalState("job-1"))
}

func TestNotifyDisable(t *testing.T) {
	v := run(t, "notify-disable")
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 1)
	assert.GreaterOrEqual(t, jt[0].T, 120*time.Second, "G3: nothing while DISABLE was set")
	assert.Zero(t, v.count(trace.EvCmdlineStart), "DISABLE blocks the command line too")
}

func TestAdminTakeover(t *testing.T) {
	v := run(t, "admin-takeover")
	o, ok := v.first(trace.EvJobOwner, "job-1")
	require.True(t, ok)
	assert.Equal(t, "admin", o.User)
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 1)
	assert.Equal(t, "alice", jt[0].User, "G10: still the registering user's context")
	assert.Zero(t, v.count(trace.EvCmdlineStart))
}

func TestFileTransferredOrder(t *testing.T) {
	v := run(t, "file-transferred-order")
	ft := v.calls("job-1", trace.FileTransferred)
	require.Len(t, ft, 4, "three files, one retried")
	jt := v.calls("job-1", trace.JobTransferred)
	require.Len(t, jt, 1)
	for _, c := range ft {
		assert.Less(t, v.end(c.Call).Seq, jt[0].Seq, "G33: every FileTransferred before JobTransferred")
	}
	assert.Equal(t, callbackabi.E_FAIL, v.end(ft[1].Call).HR)
}

func TestTransientToError(t *testing.T) {
	v := run(t, "transient-to-error")
	var transient, toError []trace.Record
	for _, r := range v.recs {
		if r.Ev == trace.EvJobState && r.To == callbackabi.BG_JOB_STATE_TRANSIENT_ERROR {
			transient = append(transient, r)
		}
		if r.Ev == trace.EvJobState && r.To == callbackabi.BG_JOB_STATE_ERROR {
			toError = append(toError, r)
		}
	}
	require.Greater(t, len(transient), 3, "retried several times")
	require.Len(t, toError, 1)
	assert.Equal(t, 60*time.Second, toError[0].T-transient[0].T, "G46: after the no-progress timeout")
	je := v.calls("job-1", trace.JobError)
	require.Len(t, je, 1, "G12: JobError only for ERROR, never for TRANSIENT_ERROR")
	assert.GreaterOrEqual(t, je[0].T, toError[0].T)
	assert.Equal(t, callbackabi.BG_JOB_STATE_CANCELLED, v.finalState("job-1"))
}

func TestWineCompat(t *testing.T) {
	v := run(t, "wine-compat")
	rules := map[string]bool{}
	for _, x := range catalogue.Check(v.recs) {
		rules[x.Rule] = true
	}
	for _, id := range []string{"G3", "G18", "G20"} {
		assert.True(t, rules[id], "wine-compat breaks %s", id)
	}
}

// RunWith gives Run's trace, also when one log serves world after world
// (Scenario.InLog, which the generators have and a sweep uses); the
// generators have InLog, the small named scenarios fall back on Run.
func TestRunWithReusesOneLog(t *testing.T) {
	var withLog []string
	for _, s := range scenarios.All() {
		if s.InLog != nil {
			withLog = append(withLog, s.Name)
		}
		log := new(trace.Log)
		for seed := range uint64(3) {
			want, err := s.Run(seed)
			require.NoError(t, err, s.Name)
			got, err := s.RunWith(log, seed)
			require.NoError(t, err, s.Name)
			require.Equal(t, trace.Hash(want.Records), trace.Hash(got.Records), "%s seed %d", s.Name, seed)
		}
	}
	assert.Equal(t, []string{"adversarial", "aimed-cmdline", "aimed-slots", "faults"}, withLog)
}
