package bitsimtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

func newRec(t *testing.T, name string) *Recorder {
	t.Cleanup(func() { os.RemoveAll(filepath.Join("testdata", "rapid", name)) })
	return NewRecorder(name)
}

// Shrinking keeps the kind of the first failure. Worlds draw n; n ≥ 50
// fails with job-left. Once a failure was seen, worlds with 5 ≤ n < 50
// fail with retry-storm too — another bug that shows up in the smaller
// worlds rapid tries while shrinking. Without keeping the kind, rapid
// would shrink to n = 5 and report retry-storm; with it, the report is
// job-left at the smallest world that still shows it, n = 50.
func TestShrinkingKeepsTheKind(t *testing.T) {
	for round := 0; round < 3; round++ {
		r := newRec(t, fmt.Sprintf("TestShrinkingKeepsTheKind%d", round))
		seen := false
		r.Run(func(tb rapid.TB) {
			checkWorlds(tb, DefaultHangAfter, func(rt *rapid.T) ([]Problem, func(Kind) string) {
				n := rapid.IntRange(0, 1000).Draw(rt, "n")
				var ps []Problem
				if n >= 50 {
					ps = append(ps, Problem{Kind: KindJobLeft, Msg: fmt.Sprintf("n=%d", n)})
				}
				if seen && n >= 5 && n < 50 {
					ps = append(ps, Problem{Kind: KindRetryStorm, Msg: fmt.Sprintf("n=%d", n)})
				}
				seen = seen || len(ps) > 0
				return ps, func(k Kind) string { return fmt.Sprintf("story of n=%d\n", n) }
			})
		})
		out := r.Output()
		require.True(t, r.Failed(), out)
		require.Contains(t, out, `bitsim: the client fails check "job-left"`, out)
		require.Contains(t, out, "job-left: n=50", out)
		require.Contains(t, out, "story of n=50", out)
		require.NotContains(t, out, "retry-storm", out)
		require.NotContains(t, out, "[rapid] draw", "the draws are in the fail file, not on the screen")
		require.Regexp(t, `found: in world \d+ of the run`, out)
		require.Regexp(t, `replay: cd \S+ && go test -run '\^TestShrinkingKeepsTheKind\d\$' -rapid.failfile='testdata/rapid/`, out)
	}
}

func TestTestPattern(t *testing.T) {
	require.Equal(t, "TestX", testPattern("TestX"))
	require.Equal(t, `TestX$/^A\.b_c`, testPattern("TestX/A.b_c"))
	require.Equal(t, "abc/d-e.f", shellQuote("abc/d-e.f"))
	require.Equal(t, `'it'\''s here'`, shellQuote("it's here"))
	require.Equal(t, "TestX_a_b_c_d", safeName(`TestX/a:b*c?d`))
}

// The story tells the world in order, folds quiet calls, and cuts the
// middle of a long one.
func TestStory(t *testing.T) {
	s := time.Second
	b := &tb{}
	b.at(0, trace.Record{Ev: trace.EvRunStart})
	b.at(0, trace.Record{Ev: trace.EvClientStart, Client: "app", User: "user-1", Apartment: "MTA"})
	b.at(0, trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "user-1"})
	b.at(s, trace.Record{Ev: trace.EvCallBegin, Call: 1, Job: "job-1", Client: "app", Method: trace.JobModification})
	b.at(s, trace.Record{Ev: trace.EvCallEnd, Call: 1})
	b.at(2*s, trace.Record{Ev: trace.EvCallBegin, Call: 2, Job: "job-1", Client: "app", Method: trace.JobTransferred})
	b.at(2*s, trace.Record{Ev: trace.EvUserAction, Client: "app", Reason: "cancel"})
	b.at(3*s, trace.Record{Ev: trace.EvNetworkDown})
	b.at(3*s, trace.Record{Ev: trace.EvCallEnd, Call: 2, HR: -2147467259})
	b.at(3*s+s/2, trace.Record{Ev: trace.EvNetworkUp})
	b.at(4*s, trace.Record{Ev: trace.EvCallBegin, Call: 3, Job: "job-1", Client: "app", Method: trace.JobError})
	b.at(5*s, trace.Record{Ev: trace.EvAppOutcome, Job: "job-1", Outcome: "cancelled", Reason: "by the user"})
	b.at(9*s, trace.Record{Ev: trace.EvRunEnd, Reason: "idle"})
	got := story(b.recs, 24)
	want := "" +
		"           0s  app starts (MTA, user user-1)\n" +
		"           0s  job-1 created by user-1\n" +
		"           2s  JobTransferred(job-1) to app → E_FAIL after 1s\n" +
		"           2s  USER: cancel (app)\n" +
		"           3s  WORLD: the network goes away\n" +
		"         3.5s  WORLD: the network is back\n" +
		"           4s  JobError(job-1) to app → never returns\n" +
		"           5s  APP: job-1 cancelled — by the user\n" +
		"           9s  world ends (idle)\n"
	require.Equal(t, want, got)
	storm := &tb{}
	for i := range 5 {
		at := time.Duration(i) * time.Minute
		storm.at(at, trace.Record{Ev: trace.EvCallBegin, Call: int64(i + 1), Job: "job-1", Client: "app", Method: trace.JobTransferred})
		storm.at(at, trace.Record{Ev: trace.EvCallEnd, Call: int64(i + 1), HR: -2147467259})
	}
	require.Equal(t, "           0s  JobTransferred(job-1) to app → E_FAIL (×5, the last at 4m0s)\n", story(storm.recs, 24))
	// A JobModification that returns S_OK is told only when something the
	// story tells happened during it: here the application reported the
	// job's outcome from it (a class-4 client acting on the job's end
	// twice shows where its first report came from).
	acts := &tb{}
	acts.at(0, trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "user-1"})
	acts.at(s, trace.Record{Ev: trace.EvCallBegin, Call: 1, Job: "job-1", Client: "app", Method: trace.JobModification})
	acts.at(s, trace.Record{Ev: trace.EvCallEnd, Call: 1})
	acts.at(2*s, trace.Record{Ev: trace.EvCallBegin, Call: 2, Job: "job-1", Client: "app", Method: trace.JobModification})
	acts.at(2*s, trace.Record{Ev: trace.EvAppOutcome, Job: "job-1", Outcome: "succeeded"})
	acts.at(2*s, trace.Record{Ev: trace.EvCallEnd, Call: 2})
	require.Equal(t, ""+
		"           0s  job-1 created by user-1\n"+
		"           2s  JobModification(job-1) to app → S_OK\n"+
		"           2s  APP: job-1 succeeded\n", story(acts.recs, 24))
	// So is one that begins after its job ended (TRANSFERRED here): a
	// client that takes it for the end acts twice.
	late := &tb{}
	late.at(0, trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "user-1"})
	late.at(s, trace.Record{Ev: trace.EvCallBegin, Call: 1, Job: "job-1", Client: "app", Method: trace.JobModification})
	late.at(s, trace.Record{Ev: trace.EvCallEnd, Call: 1})
	late.at(2*s, trace.Record{Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_TRANSFERRING, To: callbackabi.BG_JOB_STATE_TRANSFERRED})
	late.at(2*s, trace.Record{Ev: trace.EvCallBegin, Call: 2, Job: "job-1", Client: "app", Method: trace.JobModification})
	late.at(2*s, trace.Record{Ev: trace.EvCallEnd, Call: 2})
	require.Equal(t, ""+
		"           0s  job-1 created by user-1\n"+
		"           2s  job-1 TRANSFERRING → TRANSFERRED\n"+
		"           2s  JobModification(job-1) to app → S_OK\n", story(late.recs, 24))
	short := story(b.recs, 4)
	require.Equal(t, 4, strings.Count(short, "\n"), short)
	require.Contains(t, short, "… 6 more lines")
}
