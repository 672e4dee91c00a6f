package catalogue

import (
	"slices"

	"github.com/bitsim/bitsim/trace"
)

// Concurrency: G31 (slots), G32 (lanes), G34 (STA re-entrancy).

// g31 reports each time a user's calls in flight go above the cap, once
// per excess: the count must fall back to the cap before it is reported
// again. A call holds its slot from its call.begin, or from its
// call.queued when it first waited for a busy STA thread, to its call.end
// or call.unqueued: the count is exact for STA clients too.
type g31 struct {
	base
	over map[*userW]bool
}

func newG31(id string) checker { return &g31{base: base{id: id}, over: map[*userW]bool{}} }

func (c *g31) observe(w *world, r *trace.Record) {
	if w.cfg.cap <= 0 {
		return
	}
	switch r.Ev {
	case trace.EvCallBegin, trace.EvCallQueued:
		if _, dup := w.open[r.Call]; dup {
			return // T1
		}
		if _, queued := w.queued[r.Call]; queued {
			return // it has held its slot since its call.queued
		}
		u := w.user(r.User)
		n := int64(u.open.len()+u.queued) + 1
		if n <= w.cfg.cap || c.over[u] {
			return
		}
		c.over[u] = true
		seqs := make([]int64, 0, n)
		for _, x := range u.open.calls {
			seqs = append(seqs, x.seq)
		}
		for _, x := range w.queued { // any order: sorted below
			if x.user == u {
				seqs = append(seqs, x.seq)
			}
		}
		slices.Sort(seqs)
		seqs = append(seqs, r.Seq)
		c.report(seqs, "user %s has %d calls in flight (cap %d)", u.name, n, w.cfg.cap)
	case trace.EvCallEnd:
		if x, ok := w.open[r.Call]; ok && int64(x.user.open.len()+x.user.queued-1) <= w.cfg.cap {
			delete(c.over, x.user)
		}
	case trace.EvCallUnqueued:
		if x, ok := w.queued[r.Call]; ok && int64(x.user.open.len()+x.user.queued-1) <= w.cfg.cap {
			delete(c.over, x.user)
		}
	}
}

func judgeG32(b *base, w *world, r *trace.Record) {
	if r.Ev == trace.EvSlotWait && isCallbackMethod(r.Method) && r.Lane != trace.LaneOf(r.Method) {
		b.report([]int64{r.Seq}, "%s for %s waits for a slot of %s in lane %q; %s belongs in the %s lane",
			r.Method, r.Job, r.User, r.Lane, r.Method, trace.LaneOf(r.Method))
	}
	if (r.Ev != trace.EvCallBegin && r.Ev != trace.EvCallQueued) || !isCallbackMethod(r.Method) {
		return
	}
	if _, queued := w.queued[r.Call]; queued {
		return // judged at its call.queued, when it took the slot
	}
	lane := trace.LaneOf(r.Method)
	if r.Lane != lane {
		b.report([]int64{r.Seq}, "%s for %s is in lane %q; %s belongs in the %s lane", what(r), r.Job, r.Lane, r.Method, lane)
	}
	if lane != trace.LaneLow || r.Parent != 0 {
		return
	}
	// Only a low-lane dispatch that itself waited for a slot competed with
	// the high lane when the slot freed. It took the slot at its call.begin,
	// or at its call.queued when it then waited for a busy STA thread
	// (G34): lane order is judged there, for every client.
	j := w.job(r.Job)
	own := waitOf(j, r.Method, r.User)
	if own == nil {
		return
	}
	u := w.user(r.User)
	for _, e := range u.waits[0].pending() {
		if e.done {
			continue
		}
		b.report([]int64{e.seq, own.seq, r.Seq}, "low-lane %s for %s (waiting since seq %d) took a slot of %s while %s for %s has waited in the high lane since seq %d: the high lane goes first",
			what(r), r.Job, own.seq, u.name, e.method, e.job.name, e.seq)
		return
	}
}

// waitOf is the slot.wait that a call.begin of (j, m) by user would settle.
func waitOf(j *jobW, m trace.Method, user string) *waitW {
	for _, e := range j.waits {
		if e.method == m && e.user.name == user {
			return e
		}
	}
	return nil
}

func judgeG34(b *base, w *world, r *trace.Record) {
	switch r.Ev {
	case trace.EvCallBegin:
		if _, dup := w.open[r.Call]; dup {
			return // T1
		}
		if r.Parent == 0 {
			cl, ok := w.clients[r.Client]
			if ok && cl.apt == "STA" && cl.alive && cl.open.len() > 0 {
				o := cl.open.oldest()
				b.report([]int64{o.seq, r.Seq}, "%s for %s began on STA client %s while call %d is in flight there and is not nested in it: one thread runs one call at a time",
					what(r), r.Job, cl.name, o.id)
			}
			return
		}
		p, ok := w.open[r.Parent]
		if !ok {
			if ct, seen := w.calls.get(r.Parent); seen {
				b.report([]int64{ct.begin, ct.end, r.Seq}, "%s is nested in call %d, which is no longer in flight", what(r), r.Parent)
			} else {
				b.report([]int64{r.Seq}, "%s is nested in call %d, which never began", what(r), r.Parent)
			}
			return
		}
		if p.client.name != r.Client {
			b.report([]int64{p.seq, r.Seq}, "%s to %s is nested in call %d to %s: re-entrancy happens only on the parent's client",
				what(r), r.Client, p.id, p.client.name)
			return
		}
		if p.client.started && p.client.apt != "STA" {
			b.report([]int64{p.client.startSeq, p.seq, r.Seq}, "%s is nested in call %d, but %s is %s: only an STA client gets nested calls",
				what(r), p.id, p.client.name, p.client.apt)
		}
	case trace.EvCallEnd:
		c, ok := w.open[r.Call]
		if !ok || c.kids == 0 || isDisconnected(r) || !c.client.alive {
			return // a dead client's calls all end at once, in any order
		}
		var kids []int64
		var first *callW
		for _, x := range c.client.open.calls {
			if x.parent == c.id && x != c {
				kids = append(kids, x.seq)
				if first == nil || x.seq < first.seq {
					first = x
				}
			}
		}
		if first == nil {
			return
		}
		slices.Sort(kids)
		b.report(append(kids, c.seq, r.Seq), "call %d ended while call %d nested in it is still in flight: nested calls return first",
			c.id, first.id)
	}
}
