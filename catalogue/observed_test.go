package catalogue_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/combridge"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// bridgeKinds are the event kinds combridge's recorder writes.
var bridgeKinds, _ = catalogue.ObservedKinds(&trace.Record{Ev: trace.EvRunStart, Observed: combridge.ObservedKinds})

func kindNames(kinds []trace.Ev) string {
	names := make([]string, len(kinds))
	for i, e := range kinds {
		names[i] = e.String()
	}
	return strings.Join(names, " ")
}

// observe keeps the records of recs an observer seeing only kinds would
// have written, renumbered, and marks run.start as observed.
func observe(recs []trace.Record, kinds []trace.Ev) []trace.Record {
	var out []trace.Record
	for _, r := range recs {
		if !slices.Contains(kinds, r.Ev) {
			continue
		}
		r.Seq = int64(len(out) + 1)
		if r.Ev == trace.EvRunStart {
			r.Observed = kindNames(kinds)
		}
		out = append(out, r)
	}
	return out
}

func TestNeedsCoversEveryRule(t *testing.T) {
	for _, r := range catalogue.All() {
		kinds, ok := catalogue.Needs(r.ID)
		require.True(t, ok, "%s has no entry in the needs table", r.ID)
		for _, c := range r.Covers {
			k, ok := catalogue.Needs(c)
			require.True(t, ok)
			assert.Equal(t, kinds, k, "%s is judged with %s", c, r.ID)
		}
	}
	_, ok := catalogue.Needs("G99")
	assert.False(t, ok)
	ids, skipped := catalogue.Decidable(nil)
	assert.Equal(t, []string{"T1"}, ids, "with nothing observed, only well-formedness")
	assert.Len(t, skipped, len(catalogue.All())-1)
}

// What the bridge sees decides G3, G4, G6, G8, G11, G12, G18–G20, G31,
// G42, T1 and T2; the rest need what only the service sees.
func TestDecidableForTheBridge(t *testing.T) {
	ids, skipped := catalogue.Decidable(bridgeKinds)
	assert.Equal(t, []string{"G3", "G4", "G6", "G8", "G11", "G12", "G18", "G19", "G20", "G31", "G42", "T1", "T2"}, ids)
	var names []string
	for _, s := range skipped {
		names = append(names, s.String())
	}
	assert.Contains(t, names, "G13 (needs job.modified)")
	assert.Contains(t, names, "G7 (needs client.exit)")
	assert.Contains(t, names, "G28 (needs cmdline.start, cmdline.exit)")
}

// A JobModification call with no job.modified before it breaks G22 in a
// complete trace; in an observed one the trigger may simply be unseen, so
// G22 is skipped, while a JobTransferred while QUEUED still breaks G11.
func TestCheckObservedJudgesOnlyWhatItCan(t *testing.T) {
	recs := []trace.Record{
		{Seq: 1, Ev: trace.EvRunStart, Scenario: "recorded", Version: "bitsim/1"},
		{Seq: 2, Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: "MTA"},
		{Seq: 3, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"},
		{Seq: 4, Ev: trace.EvJobFlags, Job: "job-1", Flags: callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_MODIFICATION},
		{Seq: 5, Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "alice"},
		{Seq: 6, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_SUSPENDED, To: callbackabi.BG_JOB_STATE_QUEUED},
		{Seq: 7, T: 1e9, Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "alice", Client: "app-1", Method: trace.JobModification, Lane: trace.LaneLow},
		{Seq: 8, T: 1e9, Ev: trace.EvCallEnd, Call: 1},
		{Seq: 9, T: 2e9, Ev: trace.EvCallBegin, Call: 2, Job: "job-1", User: "alice", Client: "app-1", Method: trace.JobTransferred, Lane: trace.LaneHigh},
		{Seq: 10, T: 2e9, Ev: trace.EvCallEnd, Call: 2},
		{Seq: 11, T: 3e9, Ev: trace.EvRunEnd, Reason: "stopped"},
	}
	rules := func(vs []catalogue.Violation) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Rule)
		}
		return out
	}
	full, skipped := catalogue.CheckObserved(recs)
	assert.Nil(t, skipped, "a trace without observed is complete")
	assert.Equal(t, rules(catalogue.Check(recs)), rules(full), "and judged exactly as Check judges it")
	assert.Equal(t, []string{"G11", "G22"}, rules(full))

	recs[0].Observed = kindNames(bridgeKinds)
	vs, skipped := catalogue.CheckObserved(recs)
	assert.Equal(t, []string{"G11"}, rules(vs))
	var names []string
	for _, s := range skipped {
		names = append(names, s.Rule)
	}
	assert.Contains(t, names, "G22")
	assert.Contains(t, names, "G13")
}

// The needs table is sound: the default profile keeps every promise, so
// its traces, cut down to what the bridge would see, break none of the
// rules judged on them — a missing kind never reads as a broken promise.
//
// Seeds 819 and 16263 start an STA client whose thread the application
// holds to the end while JobTransferred/JobError wait for it: only
// sta.hold and call.queued, which the bridge does not see, excuse them
// (G18–G20 are skipped for such a trace: TestObservedSTAClientSkipsOwed).
// 60,000 adversarial and 20,000 each of the fault and aimed worlds were
// clean with that rule.
func TestObservedDefaultProfileIsClean(t *testing.T) {
	for _, seed := range append(seq(0, 300), 819, 16263) {
		res, err := scenarios.RunAdversarial("adversarial", seed, scheduler.DefaultOptions())
		require.NoError(t, err)
		require.Empty(t, catalogue.Check(res.Records), "seed %d", seed)
		vs, skipped := catalogue.CheckObserved(observe(res.Records, bridgeKinds))
		require.Empty(t, vs, "seed %d, observed", seed)
		require.NotEmpty(t, skipped)
	}
}

func seq(a, b uint64) (s []uint64) {
	for i := a; i < b; i++ {
		s = append(s, i)
	}
	return s
}

// A JobTransferred owed at an idle end to an STA client: the bridge cannot
// see whether the application held the client's thread (sta.hold) with the
// call waiting for it (call.queued), so G18–G20 are skipped for the trace
// and named with what they miss; to an MTA client it is judged.
func TestObservedSTAClientSkipsOwed(t *testing.T) {
	owed := func(apt string) []trace.Record {
		return []trace.Record{
			{Seq: 1, Ev: trace.EvRunStart, Scenario: "recorded", Version: "bitsim/1", Observed: kindNames(bridgeKinds)},
			{Seq: 2, Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: apt},
			{Seq: 3, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"},
			{Seq: 4, Ev: trace.EvJobFlags, Job: "job-1", Flags: callbackabi.BG_NOTIFY_JOB_TRANSFERRED},
			{Seq: 5, Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "alice"},
			{Seq: 6, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_SUSPENDED, To: callbackabi.BG_JOB_STATE_QUEUED},
			{Seq: 7, T: 1e9, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_QUEUED, To: callbackabi.BG_JOB_STATE_TRANSFERRED},
			{Seq: 8, T: 9e9, Ev: trace.EvRunEnd, Reason: "idle"},
		}
	}
	vs, _ := catalogue.CheckObserved(owed("MTA"))
	require.Len(t, vs, 1)
	assert.Equal(t, "G18", vs[0].Rule, "an MTA client has no thread to hold: judged")

	vs, skipped := catalogue.CheckObserved(owed("STA"))
	assert.Empty(t, vs)
	var g18 []string
	for _, s := range skipped {
		if s.Rule == "G18" || s.Rule == "G19" || s.Rule == "G20" {
			g18 = append(g18, s.String())
		}
	}
	assert.Equal(t, []string{"G18 (needs sta.hold, call.queued)", "G19 (needs sta.hold, call.queued)", "G20 (needs sta.hold, call.queued)"}, g18)
}

// And it still catches what a naive dispatcher does: the Wine profile,
// seen by the bridge, breaks G3 (DISABLE ignored), G18 (a late
// registration never notified) and G20 (a failed JobTransferred never
// retried).
func TestObservedWineProfileBreaksRules(t *testing.T) {
	res, err := scenarios.Run("wine", 1, scheduler.WineCompatOptions(), func(e *scenarios.Env) {
		app := e.Svc.StartClient("app-1", e.Svc.AddUser("alice", false), scheduler.MTA)
		job := func(flags callbackabi.NotifyFlags, cb callbackabi.Callback) *scheduler.JobRef {
			j, hr := app.CreateJob("job", callbackabi.BG_JOB_TYPE_DOWNLOAD)
			require.Equal(t, callbackabi.S_OK, hr)
			require.Equal(t, callbackabi.S_OK, j.AddFile("http://h/f", `C:\f`))
			require.Equal(t, callbackabi.S_OK, j.SetNotifyFlags(flags))
			if cb != nil {
				require.Equal(t, callbackabi.S_OK, j.SetNotifyInterface(cb))
			}
			require.Equal(t, callbackabi.S_OK, j.Resume())
			return j
		}
		late := job(callbackabi.BG_NOTIFY_JOB_TRANSFERRED, nil)
		e.At(time.Hour, func() { require.Equal(t, callbackabi.S_OK, late.SetNotifyInterface(&scenarios.Funcs{})) })
		job(callbackabi.BG_NOTIFY_JOB_TRANSFERRED, &scenarios.Funcs{Transferred: func(callbackabi.Job) callbackabi.HRESULT { return callbackabi.E_FAIL }})
		job(callbackabi.BG_NOTIFY_JOB_TRANSFERRED|callbackabi.BG_NOTIFY_DISABLE, &scenarios.Funcs{})
	})
	require.NoError(t, err)
	vs, _ := catalogue.CheckObserved(observe(res.Records, bridgeKinds))
	var broken []string
	for _, v := range vs {
		if !slices.Contains(broken, v.Rule) {
			broken = append(broken, v.Rule)
		}
	}
	slices.Sort(broken)
	assert.Equal(t, []string{"G18", "G20", "G3"}, broken, "%v", vs)
}
