package bitsimtest

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// jobWatch follows, record by record, what the checks of a world's end
// need to know about each job: its state, the user who created it (the
// application's user, whose processes act on it — an administrator who
// takes the job over does not report the application's outcome), and how
// long a process of that user had run when the job entered its state. A
// world that ends idle has nothing more to happen, so every check applies;
// a world cut at its horizon judges a job only if its client had its
// chance (hadChance).
type jobWatch struct {
	state   map[string]callbackabi.JobState
	creator map[string]string        // job → the user who created it
	since   map[string]time.Duration // job → alive.at(creator) when it entered its state
	alive   aliveClock
	last    trace.Record // a copy of the last record seen (w.see)
}

func newJobWatch() *jobWatch {
	return &jobWatch{state: map[string]callbackabi.JobState{}, creator: map[string]string{},
		since: map[string]time.Duration{}, alive: aliveClock{}}
}

// see takes the next record of the trace.
func (w *jobWatch) see(r *trace.Record) {
	w.last = *r
	switch r.Ev {
	case trace.EvJobCreate:
		w.state[r.Job] = callbackabi.BG_JOB_STATE_SUSPENDED
		w.creator[r.Job] = r.User
		w.since[r.Job] = w.alive.at(r.User, r.T)
	case trace.EvJobState:
		w.state[r.Job] = r.To
		w.since[r.Job] = w.alive.at(w.creator[r.Job], r.T)
	case trace.EvClientStart, trace.EvClientExit:
		if r.Client != neighbourClient { // the harness's own application is not the application's chance
			w.alive.client(r.User, r.T, r.Ev == trace.EvClientStart)
		}
	}
}

// cut reports whether the world was cut at its horizon rather than ending
// idle.
func (w *jobWatch) cut() bool { return cutShort(&w.last) }

// cutShort reports whether r ends a world cut at its horizon (run.end
// reason "deadline"): what happens after it is unknown, unlike after an
// idle end, when nothing else could happen.
func cutShort(r *trace.Record) bool { return r.Ev == trace.EvRunEnd && r.Reason == "deadline" }

// hadChance reports whether the application has had its chance to act on
// job by the end of the world: always after an idle end; after a cut, only
// if the job no longer moves on its own (moving) and a process of the user
// who created it ran for grace in all since the job entered its state — a
// job that transferred a minute before the cut, or whose user stayed
// logged off until past it, was not left by the application.
func (w *jobWatch) hadChance(job string, grace time.Duration) bool {
	if !w.cut() {
		return true
	}
	st := w.state[job]
	return !moving(st) && w.alive.at(w.creator[job], w.last.T)-w.since[job] >= grace
}

// aliveClock measures, per user, the virtual time during which at least one
// client (process) of the user ran, from client.start and client.exit
// records (a logoff ends the user's processes with client.exit): at(u, t)
// is that time from the start of the trace up to t, for t no earlier than
// the last record given to client.
type aliveClock map[string]*userAlive

type userAlive struct {
	live  int           // clients running
	acc   time.Duration // alive time before since
	since time.Duration // when live last went from 0 to 1
}

// client records a client of user starting (start) or ending at t.
func (c aliveClock) client(user string, t time.Duration, start bool) {
	u := c[user]
	if u == nil {
		u = &userAlive{}
		c[user] = u
	}
	switch {
	case start:
		if u.live == 0 {
			u.since = t
		}
		u.live++
	case u.live > 0:
		u.live--
		if u.live == 0 {
			u.acc += t - u.since
		}
	}
}

// at returns how long a client of user had run by t.
func (c aliveClock) at(user string, t time.Duration) time.Duration {
	u := c[user]
	switch {
	case u == nil:
		return 0
	case u.live > 0:
		return u.acc + t - u.since
	}
	return u.acc
}
