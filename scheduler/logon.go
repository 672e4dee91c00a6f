package scheduler

import "github.com/bitsim/bitsim/trace"

// Logoff and logon of a job's owner. Sources: Microsoft's "Users and
// Network Connections" page: "BITS suspends a job when the owner logs off
// or if the network connection is lost (BITS will not force a network
// connection). BITS resumes the job when the owner logs back on and a
// network connection is established."; and the BG_JOB_STATE page (S-STATE,
// QUEUED): "If a user logs off while their job is transferring, the job
// transitions to the queued state." (docs/MODEL.md, "Logoff and logon").
//
// The model: at logoff the user's processes end (they run in the user's
// session), so their callback pointers die (G7) and calls in flight to them
// end disconnected (G23), as for a crash; the user's jobs that are
// transferring (or connecting) go to QUEUED, and none of them starts
// transferring until the user logs on. Other states are untouched (a
// reading where the docs are silent): a SUSPENDED job stays SUSPENDED, a job
// in TRANSIENT_ERROR keeps its retry and no-progress timers, and a job whose
// retry comes due while its owner is away waits in QUEUED.

// Logoff logs the user off: it writes user.logoff, ends every running
// client process of the user (client.exit with reason "logoff"), and moves
// the user's TRANSFERRING and CONNECTING jobs to QUEUED, where they stay
// until Logon. Logoff of a user already logged off does nothing.
func (u *User) Logoff() {
	if u.svc {
		panic("scheduler: Logoff(" + u.name + "): a service account is always logged on")
	}
	if u.off {
		return
	}
	s := u.s
	u.off = true
	s.rec(trace.Record{Ev: trace.EvUserLogoff, User: u.name})
	for i := 0; i < len(s.clients); i++ {
		if c := s.clients[i]; c.user == u && c.alive {
			c.end("logoff")
		}
	}
	for j := range s.eachJob {
		if j.owner == u && (j.state == stTransferring || j.state == stConnecting) {
			s.requeue(j)
		}
	}
	s.reschedule()
}

// Logon logs the user on again: it writes user.logon, and the user's
// QUEUED jobs compete for transfer under the usual rules (G47); a
// notification owed to a COM server of the user (G9), which could not be
// activated while the user was logged off, is tried again. Processes
// ended by Logoff stay ended: start them again with StartClient. Logon of
// a user already logged on does nothing.
func (u *User) Logon() {
	if !u.off {
		return
	}
	s := u.s
	u.off = false
	s.rec(trace.Record{Ev: trace.EvUserLogon, User: u.name})
	for j := range s.eachJob {
		if j.owner == u && j.state == stQueued && s.foreground(j) {
			s.fgStart = append(s.fgStart, j)
		}
	}
	s.reschedule()
	// A notification owed to a COM server of u's could not activate it
	// while u was away (G9): try again.
	for j := range s.eachJob {
		if sv, ok := s.server(j.cold().clsid); ok && sv.user == u && j.canActivate() && !j.state.Final() {
			s.evaluate(j)
		}
	}
}

// LoggedOn reports whether the user is logged on (users start logged on).
func (u *User) LoggedOn() bool { return !u.off }

// mayTransfer reports whether j's owner is logged on, so j may start.
func (j *job) mayTransfer() bool { return !j.owner.off }
