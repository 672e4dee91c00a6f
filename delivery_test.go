package bitsim_test

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/trace"
)

// promptDelivery checks bounded delivery in virtual time (G18, G20): a
// JobTransferred or JobError that is owed to a live registration — when it
// becomes owed, or when its retry falls due — is delivered at that very
// instant as soon as the registering user has a free slot. Where the trace
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
	inflight := map[jm]int{} // calls in flight per job and method
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
			capacity = r.Cap
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
		case trace.EvJobUnregister:
			regs[r.Job] = reg{}
			discharge(r.Job, 0, true)
		case trace.EvJobState:
			state[r.Job] = r.To.String()
			discharge(r.Job, 0, true)
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
				obs = append(obs, &obligation{job: r.Job, method: r.Method, due: r.T, seq: r.Seq})
			}
		case trace.EvNotifyDrop:
			if r.Method == trace.FileTransferred && ftOwed[r.Job] > 0 {
				ftOwed[r.Job]--
			}
			discharge(r.Job, r.Method, false)
		case trace.EvRetry:
			if r.Method == trace.JobTransferred || r.Method == trace.JobError {
				obs = append(obs, &obligation{job: r.Job, method: r.Method, due: r.At, seq: r.Seq})
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
			for j := range recs[:i] {
				b := recs[i-1-j]
				if b.Ev == trace.EvCallBegin && b.Call == r.Call {
					if b.Method == trace.FileTransferred && r.Outcome == "" && r.HR >= 0 && ftOwed[b.Job] > 0 {
						ftOwed[b.Job]--
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
