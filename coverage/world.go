package coverage

import (
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// AddTrace adds one world: every item its trace reaches counts once.
func (t *Tally) AddTrace(recs []trace.Record) {
	t.Worlds++
	seen := map[Item]bool{}
	reach := func(group, name string) {
		it := Item{Group: group, Name: name}
		if !seen[it] {
			seen[it] = true
			t.counts[it]++
		}
	}
	w := newWorld()
	var evSeen [256]bool // the event kinds reached: every record asks, so not through seen's map
	for i := range recs {
		r := &recs[i]
		if !evSeen[r.Ev] {
			evSeen[r.Ev] = true
			reach("event", r.Ev.String())
		}
		w.read(r, reach)
	}
}

// pending is one dispatch waiting for a slot: its job and method.
type pending struct {
	job    string
	method trace.Method
}

type callW struct {
	job, user string
	method    trace.Method
}

// world is what the recogniser of interactions keeps while it reads one
// trace.
type world struct {
	waits    map[string]map[pending]trace.Lane // per user: dispatches waiting for a slot
	calls    map[int64]callW                   // calls begun and not ended
	lastEnd  map[pending]string                // per job and method: how its last call ended
	owedAt   map[pending]bool                  // JT/JE owed and not called since
	cmdline  map[string]bool                   // jobs with a command line
	regSeqT  map[string]int64                  // job → time of its last registration (ns)
	inflight map[string]int                    // per job: calls in flight
	userCall map[string]int                    // per user: calls in flight
}

func newWorld() *world {
	return &world{
		waits: map[string]map[pending]trace.Lane{}, calls: map[int64]callW{}, lastEnd: map[pending]string{},
		owedAt: map[pending]bool{}, cmdline: map[string]bool{}, regSeqT: map[string]int64{},
		inflight: map[string]int{}, userCall: map[string]int{},
	}
}

// CallResult names how a call ended, from its call.end record: "S_OK",
// "S_FALSE", "other-success", "failure", "disconnected" (the client was
// gone) or "panic" — the items of the group "result".
func CallResult(r *trace.Record) string {
	switch {
	case r.Outcome == trace.OutcomeDisconnected:
		return "disconnected"
	case r.Outcome == trace.OutcomePanic:
		return "panic"
	case r.HR == callbackabi.S_OK:
		return "S_OK"
	case r.HR == callbackabi.S_FALSE:
		return "S_FALSE"
	case r.HR >= 0:
		return "other-success"
	}
	return "failure"
}

func (w *world) settleWait(user, job string, m trace.Method) {
	if ws := w.waits[user]; ws != nil {
		delete(ws, pending{job, m})
	}
}

func (w *world) read(r *trace.Record, reach func(group, name string)) {
	switch r.Ev {
	case trace.EvJobState:
		reach("state", r.To.String())
	case trace.EvNotifyDrop:
		reach("drop", r.Reason)
		delete(w.owedAt, pending{r.Job, r.Method})
		for _, ws := range w.waits {
			delete(ws, pending{r.Job, r.Method})
		}
	case trace.EvJobUnregister:
		reach("unregister", r.Reason)
		if r.Reason == "client" && (w.owedAt[pending{r.Job, trace.JobTransferred}] || w.owedAt[pending{r.Job, trace.JobError}]) {
			reach("dispatch", "registration-cleared-while-owed")
		}
	case trace.EvJobRegister:
		w.regSeqT[r.Job] = int64(r.T)
	case trace.EvNotifyOwed:
		if r.Method == trace.JobTransferred || r.Method == trace.JobError {
			w.owedAt[pending{r.Job, r.Method}] = true
			if t, ok := w.regSeqT[r.Job]; ok && t == int64(r.T) {
				reach("dispatch", "late-registration-owed")
			}
		}
	case trace.EvSlotWait:
		reach("dispatch", "slots-full")
		ws := w.waits[r.User]
		if ws == nil {
			ws = map[pending]trace.Lane{}
			w.waits[r.User] = ws
		}
		ws[pending{r.Job, r.Method}] = r.Lane
		high, low := false, false
		for _, l := range ws {
			high, low = high || l == trace.LaneHigh, low || l == trace.LaneLow
		}
		if high && low {
			reach("dispatch", "both-lanes-waiting")
		}
	case trace.EvJobModified:
		for _, ws := range w.waits {
			if _, ok := ws[pending{r.Job, trace.JobModification}]; ok {
				reach("dispatch", "jm-merged-while-waiting")
			}
		}
	case trace.EvCallQueued:
		reach("dispatch", "call-queued")
		w.settleWait(r.User, r.Job, r.Method)
	case trace.EvCallUnqueued:
		reach("dispatch", "queued-call-dropped")
	case trace.EvCallBegin:
		reach("method", r.Method.String())
		if r.Parent != 0 {
			reach("dispatch", "nested-call")
		}
		w.settleWait(r.User, r.Job, r.Method)
		delete(w.owedAt, pending{r.Job, r.Method})
		w.calls[r.Call] = callW{job: r.Job, user: r.User, method: r.Method}
		w.inflight[r.Job]++
		w.userCall[r.User]++
	case trace.EvCallEnd:
		c, ok := w.calls[r.Call]
		if !ok {
			return
		}
		delete(w.calls, r.Call)
		w.inflight[c.job]--
		w.userCall[c.user]--
		class := CallResult(r)
		reach("result", class)
		if class == "disconnected" {
			reach("dispatch", "call-to-dead-client")
		}
		w.lastEnd[pending{c.job, c.method}] = class
	case trace.EvRetry:
		switch w.lastEnd[pending{r.Job, r.Method}] {
		case "S_FALSE":
			reach("dispatch", "retry-after-s-false")
		case "failure", "disconnected", "panic":
			reach("dispatch", "retry-after-failure")
		}
	case trace.EvCmdlineStart:
		if r.Run >= 2 {
			reach("dispatch", "program-rerun")
		}
		for _, m := range []trace.Method{trace.JobTransferred, trace.JobError} {
			if e := w.lastEnd[pending{r.Job, m}]; e == "failure" || e == "disconnected" || e == "panic" {
				reach("dispatch", "cmdline-after-failed-callback")
			}
		}
	case trace.EvJobCmdline:
		w.cmdline[r.Job] = r.User != ""
	case trace.EvJobOwner:
		if w.cmdline[r.Job] {
			reach("dispatch", "takeover-removes-cmdline")
			w.cmdline[r.Job] = false
		}
	case trace.EvJobFlags:
		if w.inflight[r.Job] > 0 {
			reach("dispatch", "flags-changed-during-call")
		}
	case trace.EvUserLogoff:
		if w.userCall[r.User] > 0 {
			reach("dispatch", "logoff-with-call-in-flight")
		}
	}
}
