package explore

import (
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/coverage"
	"github.com/bitsim/bitsim/trace"
)

// Timeline features: what the feedback-guided strategies call "new".
//
// P's checker keeps a choice stream when its timeline — the pairwise order
// of events — is new (its "Fest" strategy). A bitsim trace gives two
// timelines ready-made:
//   - per job, each event of the job (a state, an owed or dropped
//     notification, a call and how it ended, a program run and its exit
//     code, a registration, a flag change, a retry) after the one before
//     it, and whether the two happened at the same instant;
//   - per user, each notification call after the previous one, with the
//     number of that user's calls in flight when it began (0–4: slot
//     pressure).
// A feature is one such pair; a world is new when it shows a pair no
// earlier world of the search showed.

// feature is one timeline pair, packed: a tag (job or user timeline), the
// earlier and the later event's token, and the same-instant bit.
type feature uint64

// token names an event of a timeline in 17 bits: its kind, its method and
// one detail (the state entered, how a call ended, a program's exit, a
// drop's reason).
type token uint32

func tok(ev trace.Ev, m trace.Method, detail uint32) token {
	return token(uint32(ev)&0x3f | uint32(m)&0x7<<6 | detail&0xff<<9)
}

func pair(tag uint64, prev, cur token, same bool) feature {
	f := tag<<60 | uint64(prev)<<30 | uint64(cur)<<1
	if same {
		f |= 1
	}
	return feature(f)
}

// timeline extracts the features of one trace. reasons interns the free
// strings (drop and unregister reasons, call results) across the worlds of
// a search.
type timeline struct {
	reasons map[string]uint32
}

func newTimeline() *timeline { return &timeline{reasons: map[string]uint32{}} }

func (tl *timeline) reason(s string) uint32 {
	id, ok := tl.reasons[s]
	if !ok {
		id = uint32(len(tl.reasons) + 1)
		tl.reasons[s] = id
	}
	return id
}

type callInfo struct {
	job, user string
	method    trace.Method
}

type lastEv struct {
	tok token
	t   int64
}

// features calls emit with each feature of recs and the index of the
// record where it occurs (a feature may be emitted more than once).
func (tl *timeline) features(recs []trace.Record, emit func(f feature, at int)) {
	jobs := map[string]lastEv{}
	users := map[string]lastEv{}
	inflight := map[string]int{}
	calls := map[int64]callInfo{}
	for i := range recs {
		r := &recs[i]
		var t token
		job := r.Job
		switch r.Ev {
		case trace.EvJobState:
			t = tok(r.Ev, 0, uint32(r.To))
		case trace.EvJobFlags:
			t = tok(r.Ev, 0, uint32(r.Flags&callbackabi.BG_NOTIFY_DISABLE)>>3)
		case trace.EvJobRegister, trace.EvJobOwner, trace.EvCmdlineStart, trace.EvJobModified:
			t = tok(r.Ev, 0, 0)
		case trace.EvJobUnregister:
			t = tok(r.Ev, 0, tl.reason(r.Reason))
		case trace.EvJobCmdline:
			t = tok(r.Ev, 0, b2u(r.User == ""))
		case trace.EvCmdlineExit:
			t = tok(r.Ev, 0, b2u(r.Code != 0))
		case trace.EvNotifyOwed, trace.EvRetry, trace.EvSlotWait:
			t = tok(r.Ev, r.Method, uint32(r.Lane))
		case trace.EvNotifyDrop:
			t = tok(r.Ev, r.Method, tl.reason(r.Reason))
		case trace.EvCallBegin:
			t = tok(r.Ev, r.Method, uint32(r.Lane)|b2u(r.Parent != 0)<<2)
			calls[r.Call] = callInfo{job: r.Job, user: r.User, method: r.Method}
			n := inflight[r.User]
			ut := tok(r.Ev, r.Method, uint32(min(n, 7)))
			u := users[r.User]
			emit(pair(1, u.tok, ut, u.t == int64(r.T)), i)
			users[r.User] = lastEv{ut, int64(r.T)}
			inflight[r.User] = n + 1
		case trace.EvCallEnd:
			c, ok := calls[r.Call]
			if !ok {
				continue
			}
			delete(calls, r.Call)
			inflight[c.user]--
			job = c.job
			t = tok(r.Ev, c.method, tl.reason(coverage.CallResult(r)))
		default:
			continue
		}
		prev := jobs[job]
		emit(pair(0, prev.tok, t, prev.t == int64(r.T)), i)
		jobs[job] = lastEv{t, int64(r.T)}
	}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
