package bitsim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// promptDelivery checks bounded delivery in virtual time (G18, G20): a
// JobTransferred or JobError that is owed to a live registration — when it
// becomes owed, or when its retry falls due — is delivered at that very
// instant as soon as the registering user has a free slot. A retry pending
// in the state entry (G20) holds back what is owed again meanwhile (a flag
// turned off and on again) until it falls due: a new state entry or a new
// registration clears it. Where the trace
// cannot show every slot that is held (a call waiting for a busy STA
// thread takes a slot before its call.begin), or another rule holds the
// call back (FileTransferred first, G15; the command line, G26; a call of
// the same method still in flight, whose success will settle it), the
// instant is not judged; the catalogue's liveness rules judge the end of
// the run instead.
func promptDelivery(recs []trace.Record) []string {
	type reg struct {
		client, user string
		set          bool
	}
	type obligation struct {
		job    string
		method trace.Method
		due    time.Duration
		seq    int64
		done   bool
	}
	capacity := int64(4)
	strict := true // S_FALSE fails JobTransferred/JobError (run.config)
	alive := map[string]bool{}
	sta := map[string]bool{}    // client is STA
	userSTA := map[string]int{} // live STA clients per user
	busy := map[string]int64{}  // calls in flight per user
	callUser := map[int64]string{}
	type jm struct {
		job string
		m   trace.Method
	}
	callOf := map[int64]jm{}
	inflight := map[jm]int{}          // calls in flight per job and method
	retryAt := map[jm]time.Duration{} // a retry pending in the state entry and registration
	forgetRetries := func(job string) {
		delete(retryAt, jm{job, trace.JobTransferred})
		delete(retryAt, jm{job, trace.JobError})
	}
	regs := map[string]reg{}
	state := map[string]string{}
	ftOwed := map[string]int{}
	cmd := map[string]bool{}
	var obs []*obligation
	var out []string

	discharge := func(job string, m trace.Method, any bool) {
		for _, o := range obs {
			if !o.done && o.job == job && (any || o.method == m) {
				o.done = true
			}
		}
	}
	settle := func(now time.Duration) {
		kept := obs[:0]
		for _, o := range obs {
			if o.done {
				continue
			}
			if o.due > now {
				kept = append(kept, o)
				continue
			}
			rg := regs[o.job]
			want := "TRANSFERRED"
			if o.method == trace.JobError {
				want = "ERROR"
			}
			if rg.set && alive[rg.client] && !sta[rg.client] && userSTA[rg.user] == 0 &&
				state[o.job] == want && ftOwed[o.job] == 0 && !cmd[o.job] && inflight[jm{o.job, o.method}] == 0 &&
				(capacity == 0 || busy[rg.user] < capacity) {
				out = append(out, fmt.Sprintf("seq %d: %s for %s was due at %v with a free slot of %s, but no call began then",
					o.seq, o.method, o.job, o.due, rg.user))
			}
		}
		obs = kept
	}
	for i, r := range recs {
		switch r.Ev {
		case trace.EvRunConfig:
			capacity, strict = r.Cap, r.Strict
		case trace.EvClientStart:
			alive[r.Client] = true
			if r.Apartment == "STA" {
				sta[r.Client] = true
				userSTA[r.User]++
			}
		case trace.EvClientExit:
			alive[r.Client] = false
			if sta[r.Client] {
				userSTA[r.User]--
			}
		case trace.EvJobRegister:
			regs[r.Job] = reg{client: r.Client, user: r.User, set: true}
			discharge(r.Job, 0, true)
			forgetRetries(r.Job)
		case trace.EvJobUnregister:
			regs[r.Job] = reg{}
			discharge(r.Job, 0, true)
		case trace.EvJobState:
			state[r.Job] = r.To.String()
			discharge(r.Job, 0, true)
			forgetRetries(r.Job)
		case trace.EvJobFlags, trace.EvCmdlineStart:
			discharge(r.Job, 0, true)
		case trace.EvJobCmdline:
			cmd[r.Job] = r.User != ""
			discharge(r.Job, 0, true)
		case trace.EvJobOwner:
			cmd[r.Job] = false
		case trace.EvNotifyOwed:
			if r.Method == trace.FileTransferred {
				ftOwed[r.Job]++
			} else {
				obs = append(obs, &obligation{job: r.Job, method: r.Method, due: max(r.T, retryAt[jm{r.Job, r.Method}]), seq: r.Seq})
			}
		case trace.EvNotifyDrop:
			if r.Method == trace.FileTransferred && ftOwed[r.Job] > 0 {
				ftOwed[r.Job]--
			}
			discharge(r.Job, r.Method, false)
		case trace.EvRetry:
			if r.Method == trace.JobTransferred || r.Method == trace.JobError {
				// A call that failed puts what is owed off until its retry
				// (G20), also what a re-registration owed during the call.
				discharge(r.Job, r.Method, false)
				obs = append(obs, &obligation{job: r.Job, method: r.Method, due: r.At, seq: r.Seq})
				retryAt[jm{r.Job, r.Method}] = r.At
			}
		case trace.EvCallBegin:
			busy[r.User]++
			callUser[r.Call] = r.User
			callOf[r.Call] = jm{r.Job, r.Method}
			inflight[jm{r.Job, r.Method}]++
			discharge(r.Job, r.Method, false)
		case trace.EvCallEnd:
			u, ok := callUser[r.Call]
			if !ok {
				continue
			}
			busy[u]--
			delete(callUser, r.Call)
			inflight[callOf[r.Call]]--
			delete(callOf, r.Call)
			// A FileTransferred that succeeded is no longer owed (FIFO).
			// A JobTransferred or JobError that succeeded delivers what
			// was owed meanwhile too: the notification got through (G19),
			// even when a re-registration re-owed it during the call.
			for j := range recs[:i] {
				b := recs[i-1-j]
				if b.Ev == trace.EvCallBegin && b.Call == r.Call {
					if b.Method == trace.FileTransferred && r.Outcome == "" && r.HR >= 0 && ftOwed[b.Job] > 0 {
						ftOwed[b.Job]--
					}
					if (b.Method == trace.JobTransferred || b.Method == trace.JobError) && r.Outcome == "" &&
						(r.HR == 0 || !strict && r.HR > 0) {
						discharge(b.Job, b.Method, false)
					}
					break
				}
			}
		}
		if i+1 == len(recs) || recs[i+1].T > r.T {
			settle(r.T)
		}
	}
	return out
}

// The checker's own cases: the two traces rapid found in CI (a
// re-registration owes JobTransferred again while a JobTransferred call is
// still running), and the violation the checker exists for.
func TestPromptDelivery(t *testing.T) {
	s := time.Second
	head := []trace.Record{
		{Ev: trace.EvRunConfig, Cap: 4, Strict: true},
		{Ev: trace.EvClientStart, Client: "app-1", User: "user-1", Apartment: "MTA"},
		{Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "user-1"},
		{Ev: trace.EvJobState, Job: "job-1", To: callbackabi.BG_JOB_STATE_TRANSFERRED, T: 1 * s},
		{Ev: trace.EvNotifyOwed, Job: "job-1", Method: trace.JobTransferred, T: 1 * s},
		{Ev: trace.EvCallBegin, Call: 5, Job: "job-1", User: "user-1", Client: "app-1", Method: trace.JobTransferred, T: 1 * s},
		{Ev: trace.EvJobFlags, Job: "job-1", T: 2 * s},
		{Ev: trace.EvNotifyOwed, Job: "job-1", Method: trace.JobTransferred, T: 61 * s}, // re-registered flags
	}
	// failed: the running call fails (S_FALSE under StrictSOK) and is
	// retried at 66 s; then more.
	failed := func(more ...trace.Record) []trace.Record {
		return append([]trace.Record{
			{Ev: trace.EvCallEnd, Call: 5, HR: 1, T: 61 * s},
			{Ev: trace.EvRetry, Job: "job-1", Method: trace.JobTransferred, At: 66 * s, T: 61 * s},
		}, more...)
	}
	retried := []trace.Record{ // the retry, at 66 s, succeeds
		{Ev: trace.EvCallBegin, Call: 7, Job: "job-1", User: "user-1", Client: "app-1", Method: trace.JobTransferred, T: 66 * s},
		{Ev: trace.EvCallEnd, Call: 7, HR: 0, T: 66 * s},
	}
	later := trace.Record{Ev: trace.EvClientStart, Client: "app-2", User: "user-2", Apartment: "MTA", T: 70 * s} // nothing at 66 s
	for _, tc := range []struct {
		name string
		head int // records of head the trace starts with
		tail []trace.Record
		bad  bool
	}{
		{"the running call succeeds: delivered", len(head), []trace.Record{
			{Ev: trace.EvCallEnd, Call: 5, HR: 0, T: 61 * s},
		}, false},
		{"the running call fails: owed until its retry", len(head), failed(retried...), false},
		{"the retry falls due and nothing is called", len(head), failed(later), true},
		{"a flag turned off and on while a retry is pending: owed again, not before the retry", len(head), failed(append([]trace.Record{
			{Ev: trace.EvJobFlags, Job: "job-1", T: 62 * s},
			{Ev: trace.EvNotifyDrop, Job: "job-1", Method: trace.JobTransferred, T: 62 * s},
			{Ev: trace.EvJobFlags, Job: "job-1", T: 62 * s},
			{Ev: trace.EvNotifyOwed, Job: "job-1", Method: trace.JobTransferred, T: 62 * s},
		}, retried...)...), false},
		{"... and nothing is called when the retry falls due", len(head), failed(
			trace.Record{Ev: trace.EvJobFlags, Job: "job-1", T: 62 * s},
			trace.Record{Ev: trace.EvNotifyOwed, Job: "job-1", Method: trace.JobTransferred, T: 62 * s},
			later), true},
		{"owed with a free slot and nothing running", 6, []trace.Record{
			{Ev: trace.EvCallEnd, Call: 5, HR: 0, T: 30 * s},
			{Ev: trace.EvNotifyOwed, Job: "job-1", Method: trace.JobTransferred, T: 61 * s},
			later,
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := append(append([]trace.Record(nil), head[:tc.head]...), tc.tail...)
			for i := range recs {
				recs[i].Seq = int64(i + 1)
			}
			got := promptDelivery(recs)
			if tc.bad {
				require.NotEmpty(t, got)
			} else {
				require.Empty(t, got)
			}
		})
	}
}
