package render_test

import (
	"strings"
	"testing"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// appTrace has a user action on a client and the application's outcome on
// a job.
func appTrace() []trace.Record {
	var b tb
	b.start("app", 1).config(4).
		client("app#2", "alice", "STA").
		job("job-1", "alice").
		state("job-1", callbackabi.BG_JOB_STATE_SUSPENDED, callbackabi.BG_JOB_STATE_QUEUED).
		at(sec).add(trace.Record{Ev: trace.EvUserAction, Client: "app#2", User: "alice", Reason: "cancel"}).
		state("job-1", callbackabi.BG_JOB_STATE_QUEUED, callbackabi.BG_JOB_STATE_CANCELLED).
		add(trace.Record{Ev: trace.EvAppOutcome, Job: "job-1", Client: "app#2", Outcome: trace.AppCancelled, Reason: "by the user"}).
		endRun("idle")
	return b.recs
}

func TestTextDrawsAppEvents(t *testing.T) {
	out := text(t, appTrace())
	if l := lineOf(t, out, "6"); !strings.Contains(l, "user alice: cancel on app#2") || !strings.Contains(l, "# the user, acting on app#2") {
		t.Errorf("user.action line: %q", l)
	}
	if l := lineOf(t, out, "8"); !strings.Contains(l, "app#2 reports job-1 cancelled: by the user") || !strings.Contains(l, "# the application's word; the job is CANCELLED") {
		t.Errorf("app.outcome line: %q", l)
	}
}

func TestHTMLDrawsAppEvents(t *testing.T) {
	out := html(t, appTrace())
	// One in the legend, one on the plot.
	if n := strings.Count(out, `class="mk mk-action"`); n != 2 {
		t.Errorf("%d user-action markers, want 2", n)
	}
	if n := strings.Count(out, `class="mk mk-outcome"`); n != 2 {
		t.Errorf("%d outcome markers, want 2", n)
	}
	for _, w := range []string{"user action", "app reports an outcome"} {
		if !strings.Contains(out, w) {
			t.Errorf("legend lacks %q", w)
		}
	}
}

func TestChromeDrawsAppEvents(t *testing.T) {
	_, evs := chrome(t, appTrace())
	var action, outcome *chromeEvent
	for i := range evs {
		switch evs[i].Args["ev"] {
		case "user.action":
			action = &evs[i]
		case "app.outcome":
			outcome = &evs[i]
		}
	}
	if action == nil || outcome == nil {
		t.Fatalf("missing events: action %v, outcome %v", action, outcome)
	}
	if action.Cat != "client" || action.Name != "user alice: cancel on app#2" || action.Ts != 1e6 {
		t.Errorf("user.action: %+v", *action)
	}
	if outcome.Cat != "job" || outcome.S != "t" || outcome.Name != "app#2 reports job-1 cancelled: by the user" {
		t.Errorf("app.outcome: %+v", *outcome)
	}
}
