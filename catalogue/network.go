package catalogue

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// G44, the network: what network.down and network.up do to the jobs.
//
// "Losing the network places every job in TRANSIENT_ERROR with
// BG_E_NETWORK_DISCONNECTED", BITS does not retry it on the minimum retry
// delay's schedule but when the network is back, and then "all jobs in a
// BG_JOB_STATE_TRANSIENT_ERROR state, which may include any error code,
// are moved to the BG_JOB_STATE_QUEUED state" (Users and Network
// Connections). So:
//
//   - at network.down, every job then QUEUED, CONNECTING or TRANSFERRING
//     moves at that instant to TRANSIENT_ERROR (or to ERROR, when its
//     no-progress timeout has run out, G12);
//   - no job moves to TRANSFERRING while the network is down (a job may
//     still try to connect, and fails);
//   - at network.up, every job then in TRANSIENT_ERROR moves at that
//     instant to QUEUED.
//
// "At that instant": before the first record of a later virtual time, or
// the trace's end.
type g44 struct {
	base
	down    bool  // between network.down and network.up
	downSeq int64 // the last network.down
	// due: the jobs that must move at this instant (to what, since which
	// record), in the order they were made due; checked when time moves
	// on. A job that moved is deleted from dueBy and skipped in due.
	due   []*jobW
	dueBy map[*jobW]netDue
	dueT  time.Duration
}

type netDue struct {
	seq int64 // the network record that made it due
	up  bool  // to QUEUED (network.up), else to TRANSIENT_ERROR or ERROR
}

func newG44(id string) checker { return &g44{base: base{id: id}, dueBy: map[*jobW]netDue{}} }

func (c *g44) observe(w *world, r *trace.Record) {
	if len(c.due) > 0 && r.T > c.dueT {
		c.overdue()
	}
	switch r.Ev {
	case trace.EvNetworkDown:
		c.down, c.downSeq = true, r.Seq
		c.expect(w, r, false)
	case trace.EvNetworkUp:
		c.down = false
		c.expect(w, r, true)
	case trace.EvJobState:
		if c.down && r.To == callbackabi.BG_JOB_STATE_TRANSFERRING {
			c.report([]int64{c.downSeq, r.Seq}, "%s moves to TRANSFERRING while the network is down (since seq %d)", r.Job, c.downSeq)
		}
		if len(c.due) == 0 {
			return
		}
		j := w.jobs[r.Job]
		if d, ok := c.dueBy[j]; ok && (d.up && r.To == callbackabi.BG_JOB_STATE_QUEUED ||
			!d.up && (r.To == callbackabi.BG_JOB_STATE_TRANSIENT_ERROR || r.To == callbackabi.BG_JOB_STATE_ERROR)) {
			delete(c.dueBy, j)
		}
	}
}

// expect makes due, at r's instant, every job the network change r must
// move, in the order the jobs first appeared.
func (c *g44) expect(w *world, r *trace.Record, up bool) {
	c.dueT = r.T
	for _, j := range w.jobList {
		if _, ok := c.dueBy[j]; !j.known || ok {
			continue
		}
		switch j.state {
		case callbackabi.BG_JOB_STATE_TRANSIENT_ERROR:
			if !up {
				continue
			}
		case callbackabi.BG_JOB_STATE_QUEUED, callbackabi.BG_JOB_STATE_CONNECTING, callbackabi.BG_JOB_STATE_TRANSFERRING:
			if up {
				continue
			}
		default:
			continue
		}
		c.due = append(c.due, j)
		c.dueBy[j] = netDue{seq: r.Seq, up: up}
	}
}

// overdue reports the jobs that did not move when the network changed.
func (c *g44) overdue() {
	for _, j := range c.due {
		d, ok := c.dueBy[j]
		delete(c.dueBy, j) // told once, if the job is in due twice (down and up at one instant)
		switch {
		case !ok:
		case d.up:
			c.report([]int64{d.seq, j.stateSeq}, "%s stays %s when the network comes back (seq %d): every TRANSIENT_ERROR job goes to QUEUED", j.name, j.state, d.seq)
		default:
			c.report([]int64{d.seq, j.stateSeq}, "%s stays %s when the network goes away (seq %d): an active job goes to TRANSIENT_ERROR", j.name, j.state, d.seq)
		}
	}
	c.due = c.due[:0]
	clear(c.dueBy)
}

func (c *g44) finish(*world) {
	if len(c.due) > 0 {
		c.overdue()
	}
}
