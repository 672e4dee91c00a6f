package render_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// logonTrace: a user (named to break out of HTML contexts) logs off while
// her job transfers and logs on again.
func logonTrace(user string) []trace.Record {
	b := &tb{}
	b.start("logoff", 1).config(4).client("app-1", user, "MTA").job("job-1", user).
		state("job-1", callbackabi.BG_JOB_STATE_SUSPENDED, callbackabi.BG_JOB_STATE_TRANSFERRING).
		at(time.Second).add(trace.Record{Ev: trace.EvUserLogoff, User: user}).
		clientExit("app-1", user, "MTA", "logoff").
		state("job-1", callbackabi.BG_JOB_STATE_TRANSFERRING, callbackabi.BG_JOB_STATE_QUEUED).
		at(time.Hour).add(trace.Record{Ev: trace.EvUserLogon, User: user}).
		endRun("idle")
	return b.recs
}

// user.logoff and user.logon are drawn as markers across the whole picture
// (HTML lines of class logoff/logon, Chrome global instants), with the
// user's name escaped, and told in the text timeline.
func TestLogoffLogonMarkers(t *testing.T) {
	out := html(t, logonTrace(hostile[0]))
	assertNoInjection(t, out)
	for _, class := range []string{`<g class="logoff">`, `<g class="logon">`} {
		if strings.Count(out, class) != 1 {
			t.Errorf("want one %s line, got %d", class, strings.Count(out, class))
		}
	}
	if !strings.Contains(out, "logoff &lt;/svg&gt;&lt;scri") {
		t.Error("the logoff line's label does not name the user, escaped")
	}

	_, evs := chrome(t, logonTrace(hostile[0]))
	var global []string
	for _, e := range evs {
		if e.Ph == "i" && e.S == "g" && strings.HasPrefix(e.Name, "user ") {
			global = append(global, e.Name)
		}
	}
	want := []string{
		"user " + hostile[0] + " logs off: their processes end, their jobs stop transferring",
		"user " + hostile[0] + " logs on: their jobs may transfer again",
	}
	if strings.Join(global, "|") != strings.Join(want, "|") {
		t.Errorf("global instants %q, want %q", global, want)
	}

	txt := text(t, logonTrace("alice"))
	for _, w := range []string{"user alice logs off", "user alice logs on", "client app-1 ends: logoff"} {
		if !strings.Contains(txt, w) {
			t.Errorf("text timeline lacks %q:\n%s", w, txt)
		}
	}
}
