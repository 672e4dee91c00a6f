package scheduler

import (
	"fmt"
	"strconv"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/internal/panicsite"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// The notification dispatcher.
//
// Owed, not queued (DESIGN.md; ambiguities 3 and 4): JobTransferred is owed
// while the job is TRANSFERRED, its flag is set, DISABLE is not, somebody
// can take it (a registered object, a CLSID, a command line) and no
// delivery has succeeded since the job entered the state or the object was
// registered. JobError likewise for ERROR. evaluate recomputes this after
// every change and sends what is owed into the registering user's lanes;
// a pump gives free slots (at most Cap per user, G31) to the high lane
// before the low lane (G32). Each call runs on a virtual thread of the
// client: its own thread under MTA, the client's one thread under STA,
// nested at the client's outgoing COM calls (G34).

// Method indices of per-method notify state.
const (
	mJT  = 0
	mJE  = 1
	mFT  = 2
	mJM  = 3
	mFRT = 4
	nM   = 5
)

var methodOf = [nM]trace.Method{trace.JobTransferred, trace.JobError, trace.FileTransferred, trace.JobModification, trace.FileRangesTransferred}

var flagOf = [nM]callbackabi.NotifyFlags{
	callbackabi.BG_NOTIFY_JOB_TRANSFERRED, callbackabi.BG_NOTIFY_JOB_ERROR, callbackabi.BG_NOTIFY_FILE_TRANSFERRED,
	callbackabi.BG_NOTIFY_JOB_MODIFICATION, callbackabi.BG_NOTIFY_FILE_RANGES_TRANSFERRED,
}

// laneIndex is the lane a dispatch of m waits in: 0 high, 1 low (G32,
// ambiguity 9). The trace's lane keys record the lane actually used, not
// one derived from the method, so a dispatcher that put a method in the
// wrong lane shows it (catalogue G32).
func (s *Service) laneIndex(m int) int {
	if m == mFRT && s.opts.Mutants.Has(mutant.FRTHighLane) {
		return 0
	}
	if m == mJM || m == mFRT {
		return 1
	}
	return 0
}

var laneOf = [2]trace.Lane{trace.LaneHigh, trace.LaneLow}

// registration is a job's registered callback. What QueryInterface
// returned for IID_IBackgroundCopyCallback2 and 3 is kept in the job's
// jobExt (ft, frt), set when cb2 or cb3 is.
type registration struct {
	cb       callbackabi.Callback
	client   *Client
	user     *User
	gen      uint32
	cb2, cb3 bool // FileTransferred / FileRangesTransferred can be delivered
}

// queryCallback asks cb for iid the way BITS does (callbackabi.QueryCallback):
// QueryInterface when the object implements IUnknown, a Go type assertion
// otherwise. The reference QueryInterface added is released on unregister.
func queryCallback[T any](cb callbackabi.Callback, iid callbackabi.GUID) (T, bool) {
	var zero T
	v, res := callbackabi.QueryCallback(cb, iid)
	if res.Failed() {
		return zero, false
	}
	t, ok := v.(T)
	if !ok {
		callbackabi.ReleaseUnknown(v)
	}
	return t, ok
}

type cmdLine struct {
	set             bool
	program, params string
	user            *User
}

type notifyState struct {
	// What every call reads or writes first, right after job.reg (the
	// method sets, the calls in flight, the JM throttle), in the job's
	// line 2; the FT queue, whose length every call's end reads, and the
	// per-method queue and retry state after (job).

	// sets of methods (bit m): of mJT and mJE
	done     mset // delivered for this registration and state entry
	viaCmd   mset // the command line took over (G26)
	cbFailed mset // a call to this registration did not return S_OK in this state entry
	cmdAgain mset // G27, G28: the program exited non-zero for this entry and runs again at cmdAt
	owedRec  mset // notify.owed written and not yet settled
	// of every method
	queued mset
	// of mJM and mFRT
	dirty    mset // a trigger since the last delivery
	timer    mset // a throttle timer is armed
	began    mset // a call began (last holds when)
	launched mset // a call has a slot but has not started yet

	inflight [nM]int32
	last     [2]time.Duration // JM / FRT ([m-mJM]): last call.begin

	ft      ring[int32]       // files owed a FileTransferred, FIFO (G15)
	qgen    [nM]uint32        // the registration generation of the queued dispatch
	qtgen   [nM]int64         // the state entry (job.tgen) of the queued dispatch
	retryAt [nM]time.Duration // not before (0: no wait)
}

// mset is a set of methods (mJT … mFRT): bit m. The notify state keeps
// ten of them per job in ten bytes, where [nM]bool arrays took 35.
//
// A method is below 8, so its bit is 1<<(m&7): the mask tells the compiler
// the shift is in range, where a bare 1<<m costs three instructions more
// for Go's rule that a shift past the width gives 0 (a dozen of these run
// per notification).
type mset uint8

func (b mset) has(m int) bool { return b&(1<<(uint(m)&7)) != 0 }

func (b *mset) set(m int, v bool) {
	if v {
		*b |= 1 << (uint(m) & 7)
	} else {
		*b &^= 1 << (uint(m) & 7)
	}
}

// req is a dispatch waiting in a user's lane.
type req struct {
	job    int32
	m      uint8
	waited bool // slot.wait recorded
	regGen uint32
	tgen   int64 // the job's state entry (job.tgen) it was queued in
}

func (j *job) disabled() bool {
	return j.flags&callbackabi.BG_NOTIFY_DISABLE != 0 && !j.s.opts.Mutants.Has(mutant.IgnoreDisable)
}

func (j *job) wants(m int) bool { return j.flags&flagOf[m] != 0 && !j.disabled() }

// queuedNow reports whether a dispatch of m for the current registration
// waits in a lane. Fix (G18, G31): a dispatch queued for an earlier
// registration is stale — it is dropped when it reaches the head of its
// lane — so it must not stop the new registration's own dispatch from
// being queued. Seed 580079: a JobError waited for a slot, the client
// crashed, a new registration came while every slot was still held, and the
// JobError owed to it was never queued; the run ended idle without it.
func (j *job) queuedNow(m int) bool {
	return j.n.queued.has(m) && (j.n.qgen[m] == j.reg.gen && j.sameEntry(m, j.n.qtgen[m]) || j.s.opts.Mutants.Has(mutant.StaleQueued))
}

// sameEntry reports whether a JT/JE dispatch queued in state entry tgen
// still belongs to the job's current entry. Fix (G18; found by the
// bug-finding portfolio on aimed-cmdline): a JobTransferred waited for a
// slot, was dropped when the job was suspended, and was owed again when
// the job came back to TRANSFERRED; the old lane entry stood in for the
// new one, so no slot.wait was written and, the slots held by hung calls,
// the run ended idle with it owed. Other methods are not tied to an entry.
func (j *job) sameEntry(m int, tgen int64) bool {
	return (m != mJT && m != mJE) || tgen == j.tgen || j.s.opts.Mutants.Has(mutant.StaleEntryQueued)
}

// owed reports whether JT (m = mJT) or JE (mJE) is owed now.
func (j *job) owedM(m int) bool {
	st := stTransferred
	if m == mJE {
		st = stError
	}
	if j.state != st || !j.wants(m) || j.n.done.has(m) {
		return false
	}
	return j.reg.cb != nil || j.cold().cmd.set || j.canActivate()
}

// inTriggerState reports whether the job is in the state JT (m = mJT) or
// JE (mJE) belongs to.
func (j *job) inTriggerState(m int) bool {
	if m == mJE {
		return j.state == stError
	}
	return j.state == stTransferred
}

func (j *job) owedJT() bool { return j.owedM(mJT) }
func (j *job) owedJE() bool { return j.owedM(mJE) }

func (j *job) canActivate() bool {
	clsid := j.cold().clsid
	if clsid == (callbackabi.GUID{}) || !j.s.opts.Version.AtLeast(5, 0) {
		return false
	}
	_, ok := j.s.server(clsid)
	return ok
}

// contextUser is the user a callback for j runs as: the registering user,
// even after an administrator took ownership (G10).
func (s *Service) contextUser(j *job) *User {
	if s.opts.Mutants.Has(mutant.OwnerContext) {
		return j.owner
	}
	return j.reg.user
}

func (s *Service) onStateChanged(j *job, from, to jobState) {
	for m := mJT; m <= mJE; m++ {
		st := stTransferred
		if m == mJE {
			st = stError
		}
		if to == st {
			j.n.done.set(m, false)
			j.n.viaCmd.set(m, false)
			j.n.retryAt[m] = 0
			j.n.cbFailed.set(m, false)
			j.n.cmdAgain.set(m, false)
		}
	}
	if to.Final() && j.reg.cb != nil {
		s.unregister(j, "final")
	}
	if s.opts.Profile == ProfileWineCompat {
		s.wineTransition(j, to)
		return
	}
	s.evaluate(j)
}

// register implements SetNotifyInterface (cb may be nil).
func (s *Service) register(j *job, cb callbackabi.Callback, c *Client, u *User) {
	if cb == nil {
		if j.reg.cb != nil {
			s.unregister(j, "client")
			// G25: with the interface gone, what the job owes goes to the
			// command line now, or is dropped. (Aimed seed 138283: a
			// JobError owed to a late registration waited for a slot;
			// the registration was cleared, and nothing asked the command
			// line, so the run ended idle with it owed.)
			if !s.opts.Mutants.Has(mutant.UnregisterQuiet) {
				s.evaluate(j)
			}
		}
		return
	}
	if j.reg.cb != nil {
		s.unregister(j, "replaced") // G8: last writer wins
	}
	j.reg = registration{cb: cb, client: c, user: u, gen: j.reg.gen + 1}
	if unk, ok := cb.(callbackabi.Unknown); ok {
		unk.AddRef() // BITS holds the pointer until it is replaced (W-5)
	}
	if s.opts.Version.AtLeast(3, 0) {
		if ft, ok := queryCallback[callbackabi.Callback2](cb, callbackabi.IID_IBackgroundCopyCallback2); ok {
			j.ext().ft, j.reg.cb2 = ft, true
		}
	}
	if s.opts.Version.AtLeast(10, 1) {
		if frt, ok := queryCallback[callbackabi.Callback3](cb, callbackabi.IID_IBackgroundCopyCallback3); ok {
			j.ext().frt, j.reg.cb3 = frt, true
		}
	}
	s.rec(trace.Record{Ev: trace.EvJobRegister, Job: j.name(), Client: c.name, User: u.name})
	if s.opts.Profile == ProfileWineCompat {
		return // W-3: no late notification
	}
	// G18, G19: a new registration is owed the notification again.
	for m := mJT; m <= mJE; m++ {
		j.n.done.set(m, false)
		j.n.viaCmd.set(m, false)
		j.n.retryAt[m] = 0
		j.n.cbFailed.set(m, false) // the new registration goes first (G25)
		j.n.cmdAgain.set(m, false)
	}
	if (j.state == stTransferred && j.wants(mJT)) || (j.state == stError && j.wants(mJE)) {
		s.stats.LateRegistrations++
		if s.opts.Mutants.Has(mutant.NoRearmLate) {
			j.n.done.set(mJT, true)
			j.n.done.set(mJE, true)
		}
	}
	j.n.retryAt[mFT] = 0
	s.evaluate(j)
}

func (s *Service) unregister(j *job, reason string) {
	callbackabi.ReleaseUnknown(j.reg.cb)
	if j.reg.cb2 {
		callbackabi.ReleaseUnknown(j.x.ft)
	}
	if j.reg.cb3 {
		callbackabi.ReleaseUnknown(j.x.frt)
	}
	if j.x != nil {
		j.x.ft, j.x.frt = nil, nil
	}
	j.reg = registration{gen: j.reg.gen + 1}
	s.rec(trace.Record{Ev: trace.EvJobUnregister, Job: j.name(), Reason: reason})
	s.forgetInflight(j)
	for m := mJM; m <= mFRT; m++ {
		j.n.dirty.set(m, false)
	}
	if j.x != nil {
		j.x.ranges = j.x.ranges[:0]
	}
}

// evaluate sends whatever j owes now towards its receiver.
func (s *Service) evaluate(j *job) {
	if s.opts.Profile == ProfileWineCompat {
		return
	}
	if j.n.ft.len() == 0 && j.state != stTransferred && j.state != stError && !j.n.owedRec.has(mJT) && !j.n.owedRec.has(mJE) {
		// Nothing owed and nothing recorded owed: what the rest finds for
		// a transferring job after each JobModification, without its work.
		return
	}
	now := s.now()
	// FileTransferred first, one at a time, FIFO (G15, G33).
	if j.n.ft.len() > 0 {
		if !(j.wants(mFT) && j.reg.cb != nil && j.reg.cb2) && j.n.inflight[mFT] == 0 && !j.queuedNow(mFT) {
			for j.n.ft.len() > 0 {
				j.n.ft.pop()
				s.recDrop(j, mFT)
			}
		} else if j.n.inflight[mFT] == 0 && !j.queuedNow(mFT) && now >= j.n.retryAt[mFT] {
			s.enqueue(j, mFT)
		}
	}
	for m := mJT; m <= mJE; m++ {
		owed := j.owedM(m)
		if owed && !j.n.owedRec.has(m) {
			j.n.owedRec.set(m, true)
			s.pack(trace.Packed{Ev: trace.EvNotifyOwed, Job: j.nid(), Method: methodOf[m], A: -1})
			if s.opts.Mutants.Has(mutant.SlowDelivery) && j.n.retryAt[m] == 0 {
				j.n.retryAt[m] = now + j.cold().retryDelay
				s.w.Schedule(j.n.retryAt[m], classTimer, s.kCallRetry, int64(j.idx), 0)
			}
		} else if !owed && j.n.owedRec.has(m) {
			j.n.owedRec.set(m, false)
			if !j.n.done.has(m) {
				s.recDrop(j, m)
			}
		}
		if !owed {
			continue
		}
		if j.n.ft.len() > 0 && !s.opts.Mutants.Has(mutant.FTAfterJT) {
			continue // JT/JE wait for every owed FileTransferred (G15)
		}
		x := j.cold()
		if j.n.cmdAgain.has(m) && x.cmd.set && !x.cmdBusy && now >= x.cmdAt {
			// Fix (G27, G28): a program that exited non-zero after the
			// callback had failed too runs again after the minimum retry
			// delay, whatever the callback's own retries do meanwhile.
			// Seeds 392234, 574486, 1496423: a registration came while the
			// program ran, its JobError returned S_FALSE (retried as a
			// callback, G25), the program exited non-zero, and its rerun
			// was skipped because a callback retry was pending or stuck
			// behind a hung STA thread: the run ended idle with neither.
			s.startCmd(j, m)
		}
		if j.n.viaCmd.has(m) && !x.cmd.set && !x.cmdBusy && !s.opts.Mutants.Has(mutant.CmdlineKeepsTakeover) {
			// Fix (G28): the command line that took over is gone
			// (TakeOwnership, SetNotifyCmdLine(NULL)); the callback is the
			// channel left, called again no sooner than the program would
			// have run (its kCmdRetry event re-evaluates then). Seed 402:
			// JobTransferred failed, the program kept exiting non-zero,
			// TakeOwnership removed it, and the live registration never
			// heard of the job again.
			j.n.viaCmd.set(m, false)
			j.n.retryAt[m] = max(j.n.retryAt[m], x.cmdAt)
		}
		if j.queuedNow(m) || j.n.inflight[m] > 0 || now < j.n.retryAt[m] {
			continue
		}
		if j.reg.cb == nil && j.canActivate() && !j.n.viaCmd.has(m) {
			s.activate(j) // G9: object first, then the CLSID; register re-evaluates
			return
		}
		switch {
		case j.reg.cb != nil && !j.n.viaCmd.has(m):
			s.enqueue(j, m)
		case x.cmd.set && !x.cmdBusy && now >= x.cmdAt:
			s.startCmd(j, m)
		}
	}
}

func (s *Service) dropReason(j *job, m int) string {
	switch {
	case m == mJT && j.state != stTransferred, m == mJE && j.state != stError:
		return "state"
	case j.disabled():
		return "disabled"
	case j.reg.cb == nil && !j.cold().cmd.set, m > mJE && j.reg.cb == nil:
		return "unregistered"
	case m > mJE && !j.wants(m):
		return "flags"
	}
	return "state"
}

// recDrop writes notify.drop for method m of j, with its reason.
func (s *Service) recDrop(j *job, m int) {
	s.pack(trace.Packed{Ev: trace.EvNotifyDrop, Job: j.nid(), Method: methodOf[m], Text: s.log.Name(s.dropReason(j, m))})
}

// enqueue puts a dispatch of method m for j into its user's lane.
func (s *Service) enqueue(j *job, m int) {
	u := s.contextUser(j)
	lane := s.laneIndex(m)
	if !u.pump && u.lanes[0].len()+u.lanes[1].len() == 0 && (s.opts.Cap == 0 || u.busy < s.cap()) {
		// A free slot and nobody waiting: the dispatch takes it at once,
		// whichever lane it belongs to (G31, G32 order only waiting ones).
		s.launch(s.takeCall(j, m, u, lane)) // beginCall, a call less on the commonest path
		return
	}
	j.n.queued.set(m, true)
	j.n.qgen[m], j.n.qtgen[m] = j.reg.gen, j.tgen
	wait := s.opts.Cap > 0 && u.busy >= s.cap()
	u.lanes[lane].push(req{job: j.idx, m: uint8(m), regGen: j.reg.gen, tgen: j.tgen, waited: wait})
	if wait {
		if lane == 0 {
			s.queueLaunched(u)
		}
		s.stats.SlotWaits++
		s.pack(trace.Packed{Ev: trace.EvSlotWait, Job: j.nid(), User: u.nid(), Method: methodOf[m], Lane: laneOf[lane]})
	}
	s.schedulePump(u)
}

// queueLaunched writes call.queued for u's low-lane calls that took a slot
// before this instant's high-lane dispatch found the slots full but have
// not begun yet: they wait for their invocation behind calls launched
// before them, whose callbacks run first and may raise this dispatch. The
// trace then shows that they took their slot while no high-lane dispatch
// waited (G32), as the pump gave it. Seed 16143 of the fault worlds: a
// JobModification's call.begin came after a JobTransferred's slot.wait
// raised by an earlier call's SetNotifyFlags, though it had its slot first.
//
// The high-lane calls launched before the last such low-lane call are
// written too, in launch order — the order the pump gave the slots, high
// lane first. Fix (G32, aimed-slots seeds 295996, 315229, 497093): one
// pump gave a JobTransferred that waited, then a FileRangesTransferred,
// a slot each; only the low-lane call was written here, the JobTransferred's
// call.queued came later, and the trace showed the low lane served while
// the high lane still waited.
func (s *Service) queueLaunched(u *User) {
	last := -1
	for k := 0; k < s.launchedLen(); k++ {
		if c := s.launchedAt(k); s.launchedWaiting(c, u) && c.lane == 1 {
			last = k
		}
	}
	for k := 0; k <= last; k++ {
		c := s.launchedAt(k)
		if !s.launchedWaiting(c, u) || (c.lane == 0 && s.opts.Mutants.Has(mutant.QueuedLowOnly)) {
			continue
		}
		c.queued = true
		s.packCall(trace.EvCallQueued, c, u, 0)
	}
}

// launchedLen is the number of calls launched that have not started:
// those in ready, and the one a transfer chunk holds (launch).
func (s *Service) launchedLen() int {
	if s.held != 0 {
		return s.ready.len() + 1
	}
	return s.ready.len()
}

// launchedAt returns the k-th of them (k < launchedLen), in launch order:
// the held call was launched after every call in ready.
func (s *Service) launchedAt(k int) *call {
	if k == s.ready.len() {
		return s.calls[s.held-1]
	}
	return s.calls[*s.ready.at(k)]
}

// launchedWaiting: c holds a slot of u and waits for its invocation, its
// call.queued not written yet.
func (s *Service) launchedWaiting(c *call, u *User) bool {
	return c.u == u && !c.begun && !c.queued && !c.ended
}

// recWaits writes slot.wait for the dispatches left in u's lanes when the
// pump ran out of slots (G31). Fix: dispatches enqueued at the same instant
// while slots were still free (six at once for four slots) found the slots
// taken only here, and their wait went unrecorded. Unrecorded ones are
// always a suffix of a lane (everything left is marked here, and later
// pushes go to the tail), so this costs only the new ones.
func (s *Service) recWaits(u *User) {
	for lane := range u.lanes {
		q := &u.lanes[lane]
		k := q.len()
		for k > 0 && !q.at(k-1).waited {
			k--
		}
		for ; k < q.len(); k++ {
			r := q.at(k)
			r.waited = true
			j, m := s.jobPtr(int64(r.job)), int(r.m)
			if !s.stillWanted(j, m, r.regGen, u) || !j.sameEntry(m, r.tgen) {
				continue // stale: dropped when it reaches the head
			}
			s.stats.SlotWaits++
			s.pack(trace.Packed{Ev: trace.EvSlotWait, Job: j.nid(), User: u.nid(), Method: methodOf[m], Lane: laneOf[lane]})
		}
	}
}

func (s *Service) cap() int {
	if s.opts.Mutants.Has(mutant.CapFive) {
		return s.opts.Cap + 1
	}
	return s.opts.Cap
}

func (s *Service) schedulePump(u *User) {
	if !u.pump && u.lanes[0].n+u.lanes[1].n > 0 {
		u.pumpLater() // apart, so that the common case (nothing waits) is inlined
	}
}

// pumpLater schedules u's pump (onPump) at this instant.
func (u *User) pumpLater() {
	s := u.s
	u.pump = true
	s.w.After(0, classDispatch, s.kPump, int64(u.idx), 0)
}

// onPump hands the user's free slots to waiting dispatches, high lane
// first (G31, G32).
func (s *Service) onPump(user, _ int64) {
	u := s.users[user]
	u.pump = false
	for u.lanes[0].len()+u.lanes[1].len() > 0 && (s.opts.Cap == 0 || u.busy < s.cap()) {
		lane := 0
		if u.lanes[0].len() == 0 {
			lane = 1
		}
		if s.opts.Mutants.Has(mutant.LanesSwapped) && u.lanes[1].len() > 0 {
			lane = 1
		}
		if u.lanes[0].len() > 0 && u.lanes[1].len() > 0 {
			s.stats.BothLanesWaiting++
		}
		r := u.lanes[lane].pop()
		j := s.jobPtr(int64(r.job))
		m := int(r.m)
		if r.regGen == j.n.qgen[m] && r.tgen == j.n.qtgen[m] {
			j.n.queued.set(m, false) // not when a newer registration's dispatch is queued too
		}
		if !s.stillWanted(j, m, r.regGen, u) || !j.sameEntry(m, r.tgen) {
			s.recDrop(j, m)
			s.evaluate(j)
			continue
		}
		s.beginCall(j, m, u, lane)
	}
	if s.opts.Cap > 0 && u.busy >= s.cap() && u.lanes[0].len()+u.lanes[1].len() > 0 {
		s.recWaits(u)
	}
}

func (s *Service) stillWanted(j *job, m int, gen uint32, u *User) bool {
	if j.reg.gen != gen || j.reg.cb == nil || !j.wants(m) || s.contextUser(j) != u {
		return false
	}
	switch m {
	case mJT:
		return j.owedM(mJT) && !j.n.viaCmd.has(mJT)
	case mJE:
		return j.owedM(mJE) && !j.n.viaCmd.has(mJE)
	case mFT:
		return j.n.ft.len() > 0 && j.reg.cb2
	case mJM:
		return j.n.dirty.has(mJM) || s.opts.Mutants.Has(mutant.JMNoCoalesce)
	case mFRT:
		return j.n.dirty.has(mFRT) && j.reg.cb3 && len(j.cold().ranges) > 0
	}
	return false
}

// call is one callback invocation. It doubles as the job, error and file
// arguments the callback receives, so a delivery allocates nothing; they
// are valid only while live (G35). What a JobModification needs fits in
// two cache lines (128 bytes): at a million jobs a thousand calls are in
// flight at each instant, and each line is a cache miss; the arguments of
// the other methods live in a callExt.
type call struct {
	ref    JobRef // the job argument; its job and client are the call's (job, client)
	cb     callbackabi.Callback
	u      *User
	x      *callExt // made the first time the pooled call carries JE, FT or FRT, and kept
	id     int64
	parent int64
	m      int
	idx    int32
	regGen uint32
	file   int32
	lane   uint8 // the lane it was dispatched from (0 high, 1 low)

	live    bool // the callback is running: its arguments are valid
	running bool // the callback's code has not returned yet
	ended   bool // call.end written
	begun   bool
	queued  bool // call.queued written: waits for the client's STA thread
	free    bool

	outer int64 // the client's call (Client.call) before this one began

	// runMTA and runSTA run this call, catchCall and catchSTA contain its
	// callback's panics (sim.World.RunOnCatch); made once per pooled call
	// so a delivery allocates no closure.
	runMTA, runSTA      func()
	catchCall, catchSTA func(any) bool
}

// callExt holds what only JobError, FileTransferred and
// FileRangesTransferred pass: the error and file arguments, the ranges, and
// the registration's IBackgroundCopyCallback2 and 3.
type callExt struct {
	errv   errorObj
	filev  fileObj
	ranges []callbackabi.FileRange
	ft     callbackabi.Callback2
	frt    callbackabi.Callback3
}

// job returns the job c is for.
func (c *call) job() *job { return c.ref.j }

// client returns the client c goes to (the registration's when c was made).
func (c *call) client() *Client { return c.ref.c.client }

// ext returns c's callExt, making it on first use.
func (c *call) ext() *callExt {
	if c.x == nil {
		c.x = new(callExt)
	}
	return c.x
}

// callQuarantine is how many finished calls wait before their memory is
// reused. Fix (G35): the job, error and file arguments a callback receives
// live inside its call, so a callback that kept its job argument and used it
// during a later call that reused the same memory acted on that call's job
// (a stale argument completed another job) instead of failing with
// E_UNEXPECTED. Reusing finished calls oldest first, and only once this many
// are waiting, keeps a kept argument detectably dead across at least this
// many later calls, without allocating in steady state.
const callQuarantine = 64

// allocCall makes a new call, for takeCall when no finished call is past
// the quarantine.
func (s *Service) allocCall() *call {
	c := &call{idx: int32(len(s.calls))}
	s.calls = append(s.calls, c)
	c.runMTA = func() { s.runCall(c, 0) }
	c.runSTA = func() { s.runSTA(c, 0) }
	c.catchCall = func(r any) bool { return s.caught(c, r) }
	c.catchSTA = func(r any) bool { return s.caught(c, r) && s.staDone(c.client()) }
	return c
}

func (s *Service) releaseCall(c *call) {
	if c.ended && !c.running && !c.free {
		c.free = true
		s.freeCalls.push(c.idx)
	}
}

// beginCall takes a slot of u for a dispatch from lane and starts the
// invocation at this instant.
func (s *Service) beginCall(j *job, m int, u *User, lane int) {
	s.launch(s.takeCall(j, m, u, lane))
}

// takeCall makes the call of method m for j's current registration, from
// lane, and gives it one of u's slots.
//
// The call is the oldest finished one past the quarantine, its state reset
// here — its identity (ref, cb, u, id, m, regGen, file, lane) is written
// below; resetting it too, or the whole call with a literal, which the
// compiler builds aside and copies, costs every delivery a few ns — or a
// new one (allocCall).
func (s *Service) takeCall(j *job, m int, u *User, lane int) *call {
	var c *call
	if s.freeCalls.len() > callQuarantine {
		c = s.calls[s.freeCalls.pop()]
		c.parent, c.outer = 0, 0
		c.live, c.running, c.ended, c.begun, c.queued, c.free = false, false, false, false, false, false
		if x := c.x; x != nil {
			*x = callExt{ranges: x.ranges[:0]}
		}
	} else {
		c = s.allocCall()
	}
	s.nextCall++
	cl := j.reg.client
	c.id, c.m, c.u, c.regGen, c.cb = s.nextCall, m, u, j.reg.gen, j.reg.cb
	c.file, c.lane = -1, uint8(lane)
	c.ref = JobRef{j: j, c: caller{client: cl, user: cl.user, call: c}}
	switch m {
	case mFT:
		c.file = j.n.ft.peek()
		c.ext().ft = j.cold().ft
	case mJM:
		j.n.dirty.set(mJM, false)
		j.n.launched.set(mJM, true)
	case mFRT:
		rx, cx := j.ext(), c.ext() // the job's is there: FileRangesTransferred is owed only with ranges
		c.file = int32(rx.rangeOf)
		cx.ranges = append(cx.ranges[:0], rx.ranges...)
		cx.frt = rx.frt
		rx.ranges = rx.ranges[:0]
		j.n.dirty.set(mFRT, false)
		j.n.launched.set(mFRT, true)
	}
	u.busy++
	j.n.inflight[m]++
	s.stats.Calls++
	return c
}

// launch starts c on its client's thread at this instant. Calls launched at
// one instant start in launch order — the order the pump gave out slots,
// high lane first — whatever order their events fire in.
//
// The first call a transfer chunk launches is held (tail), neither in
// ready nor in the Soon queue: the chunk's handler starts it itself as it
// ends, if it is the next event then (endChunk) — a JobModification raised
// by progress, the commonest call. A second launch in the same handler
// sends the held one to the Soon queue first, so the order stays the
// launch order.
func (s *Service) launch(c *call) {
	if s.tail {
		s.tail, s.held = false, c.idx+1
		return
	}
	if s.held != 0 {
		s.soon(s.held - 1)
		s.held = 0
	}
	s.soon(c.idx)
}

// soon queues the invocation of call idx (onInvoke) at this instant.
func (s *Service) soon(idx int32) {
	s.ready.push(idx)
	s.w.Soon(classInvoke, s.kInvoke, int64(idx), 0) // A: the call (onInvoke, warmInvoke)
}

// endChunk ends a transfer chunk's handler: the call it held (launch)
// starts now, directly, when it is the event the world would fire next
// (sim.World.TailSoon), or goes to the Soon queue as any launch does.
// Either way the world fires the same events in the same order.
func (s *Service) endChunk() {
	s.tail = false
	if s.held == 0 {
		return
	}
	a := s.held - 1
	s.held = 0
	if s.w.TailSoon(classInvoke) {
		s.start(s.calls[a])
		return
	}
	s.soon(a)
}

// onInvoke runs the launched call a on its client's thread. The Soon queue
// is FIFO, so a is ready's head, which it takes off: from the event, the
// call is a load nearer (the pop is off the path the call's loads wait on).
func (s *Service) onInvoke(a, _ int64) {
	c := s.calls[a]
	if s.ready.pop() != int32(a) {
		panic("scheduler: internal error: an invocation out of launch order")
	}
	s.start(c)
}

// start runs the launched call c on its client's thread, or gives its
// slot back if it is no longer wanted.
func (s *Service) start(c *call) {
	if !c.wantedJM() && !s.validAtStart(c) {
		s.abandon(c)
		return
	}
	cl := c.client()
	if !cl.alive {
		s.recBegin(c, 0)
		if s.opts.Mutants.Has(mutant.DeadClientSuccess) {
			s.endCall(c, callbackabi.S_OK, "")
			return
		}
		s.endCall(c, 0, outcomeDisconnected)
		return
	}
	if cl.apt == STA && !s.opts.Mutants.Has(mutant.STAParallel) {
		if cl.staBusy || cl.staNext {
			// The thread runs a call, application code, or already has the
			// next call handed to it: this one waits, its slot taken, and
			// call.queued says so (G31, G32 exact for STA clients).
			cl.staQ.push(c.idx) // waits for the thread; the slot stays taken
			if !c.queued {
				c.queued = true
				s.packCall(trace.EvCallQueued, c, c.u, 0)
			}
			cl.staQueued()
			return
		}
		cl.staNext = true
		s.w.RunOnCatch(cl.th, c.runSTA, c.catchSTA)
		return
	}
	// An idle worker thread of the client, or a new one; back to idle
	// when the call returns (taken here, not in a function of its own:
	// one that could make a thread is too big to inline).
	var th *sim.Thread
	if n := len(cl.idle); n > 0 {
		th, cl.idle = cl.idle[n-1], cl.idle[:n-1]
	} else {
		th = cl.newWorker()
	}
	s.w.RunOnCatch(th, c.runMTA, c.catchCall)
	cl.idle = append(cl.idle, th)
}

// newWorker starts one more MTA worker thread for cl.
func (cl *Client) newWorker() *sim.Thread {
	s := cl.s
	cl.nthr++
	th := s.w.NewThread(cl.name + "/mta-" + strconv.Itoa(cl.nthr))
	s.adopt(th, cl)
	return th
}

// runSTA runs c on the client's STA thread, then the calls that queued up
// meanwhile.
func (s *Service) runSTA(c *call, parent int64) {
	cl := c.client()
	cl.staBusy, cl.staNext = true, false
	s.runCall(c, parent)
	s.staDone(cl)
}

// staDone: cl's STA thread has finished a call (runSTA, or catchSTA after
// its callback panicked) and starts the next one waiting, if any. It
// returns true, for catchSTA.
func (s *Service) staDone(cl *Client) bool {
	cl.staBusy = false
	if cl.staQ.len() > 0 && cl.alive {
		s.launch(s.calls[cl.staQ.pop()])
	}
	return true
}

// validAtStart re-checks, as a call is about to start on the client's
// thread, that it is still wanted: same registration, flag still set, and
// for JT/JE the job still in the triggering state (ambiguity 4). A call
// launched a moment earlier may have been overtaken by a Complete, a new
// SetNotifyInterface or a flag change.
func (s *Service) validAtStart(c *call) bool {
	if s.opts.Profile == ProfileWineCompat {
		return true
	}
	j := c.job()
	if j.reg.gen != c.regGen || j.reg.cb == nil || !j.wants(c.m) {
		return false
	}
	if (c.m == mJT || c.m == mJE) && j.n.ft.len() > 0 && !s.opts.Mutants.Has(mutant.StaleJEBeforeFT) {
		// Fix (G15, G33): JT/JE wait for every owed FileTransferred, also
		// when they took their slot first. Aimed-slots seed 6065: a
		// JobError waited for the busy STA thread, the job was suspended
		// and resumed, a file finished (FileTransferred owed) and the job
		// failed again; the old JobError call began ahead of the file's.
		return false
	}
	switch c.m {
	case mJT:
		return j.state == stTransferred && !j.n.done.has(mJT)
	case mJE:
		return j.state == stError && !j.n.done.has(mJE)
	}
	return true
}

// wantedJM reports whether c is a JobModification that validAtStart would
// pass: the commonest call, tested inline. It must never pass a call that
// validAtStart refuses (TestWantedJMIsValidAtStart).
func (c *call) wantedJM() bool {
	const jm, off = callbackabi.BG_NOTIFY_JOB_MODIFICATION, callbackabi.BG_NOTIFY_DISABLE
	j := c.ref.j
	return c.m == mJM && j.flags&(jm|off) == jm && j.reg.gen == c.regGen && j.reg.cb != nil
}

// forgetInflight: calls still in flight to a pointer that is gone (a hung
// callback, or one stuck behind a busy STA thread) no longer hold back
// deliveries to the next registration (G19) — except FileTransferred,
// which stays serialized per job whoever it went to (G15).
func (s *Service) forgetInflight(j *job) {
	for m := 0; m < nM; m++ {
		if m != mFT {
			j.n.inflight[m] = 0
			j.n.launched.set(m, false)
		}
	}
}

// settle takes an ended or abandoned call off its job's in-flight count.
func (s *Service) settle(c *call) {
	if c.m == mFT || c.regGen == c.job().reg.gen {
		c.job().n.inflight[c.m]--
	}
}

// abandon gives back the slot of a call that never started.
func (s *Service) abandon(c *call) {
	j, m, u := c.job(), c.m, c.u
	c.ended = true
	if c.queued {
		s.packEnd(trace.EvCallUnqueued, c.id, 0, 0)
	}
	u.busy--
	s.settle(c)
	if c.regGen == j.reg.gen && (m == mJM || m == mFRT) {
		j.n.launched.set(m, false)
	}
	s.recDrop(j, m)
	s.releaseCall(c)
	if cl := c.client(); cl.apt == STA && !cl.staBusy && !cl.staNext && cl.alive && cl.staQ.len() > 0 {
		s.launch(s.calls[cl.staQ.pop()]) // the STA thread is free for the next one
	}
	s.schedulePump(u)
	s.evaluate(j)
}

// pumpSTA delivers the calls waiting for the STA thread nested inside the
// outgoing call the callback c is making (G34).
func (s *Service) pumpSTA(c *call) { s.deliverSTA(c.client(), c.id) }

// deliverSTA delivers the calls waiting for cl's STA thread nested on it,
// as the call parent (0: application code, Client.PumpSTA) waits.
func (s *Service) deliverSTA(cl *Client, parent int64) int {
	if cl.apt != STA || !cl.alive || s.w.Current() != cl.th || s.opts.Mutants.Has(mutant.STAParallel) {
		return 0
	}
	n := 0
	for cl.staQ.len() > 0 && cl.th.Depth() < s.opts.MaxNesting {
		next := s.calls[cl.staQ.pop()]
		if !s.validAtStart(next) {
			s.abandon(next)
			continue
		}
		s.stats.Nested++
		n++
		s.w.RunOnCatch(cl.th, func() { s.runCall(next, parent) }, next.catchCall)
	}
	return n
}

const outcomeDisconnected = trace.OutcomeDisconnected

func (s *Service) recBegin(c *call, parent int64) {
	c.begun = true
	c.parent = parent
	// The throttle (G14) counts from the moment the call starts on the
	// client's thread, which for a busy STA is later than its launch.
	switch c.m {
	case mJM:
		j := c.job()
		j.n.launched &^= 1 << mJM
		j.n.began |= 1 << mJM
		j.n.last[0] = s.now() // last[m-mJM]
		// Fix (G22): a JobModification carries nothing but the job, so the
		// call that begins now reports every trigger so far, also those
		// raised between its launch and its start on a busy STA. Keeping
		// them dirty sent a further JM with no trigger since this one
		// began, which the trace cannot tell from a retry.
		j.n.dirty &^= 1 << mJM
	case mFRT:
		j := c.job()
		j.n.launched &^= 1 << mFRT
		j.n.began |= 1 << mFRT
		j.n.last[1] = s.now() // last[m-mJM]
		if j.n.dirty.has(mFRT) {
			s.lowTrigger(j, mFRT)
		}
	}
	s.packCall(trace.EvCallBegin, c, c.u, parent)
}

// runCall invokes the callback method. It runs in a sim.World.RunOnCatch
// whose catch (caught) contains a panic of the method: one deferred call
// for the thread's bookkeeping and the recover, not one each.
func (s *Service) runCall(c *call, parent int64) {
	if c.m == mJM && fastJM {
		s.runJM(c, parent)
		return
	}
	s.recBegin(c, parent)
	c.live, c.running = true, true
	cl := c.client()
	c.outer, cl.call = cl.call, c.id // the call PumpSTA nests under (STA)
	res := s.invoke(c)
	s.returned(c, res, "")
}

// fastJM turns runJM on; the tests turn it off to check that it writes
// the trace runCall's general path writes (TestFastJMIsTheGeneralPath).
var fastJM = true

// runJM is runCall for a JobModification — the commonest call — with what
// recBegin, invoke, returned and endCall do for it written out in one
// frame: at a thousand jobs a notification went through some thirty
// calls, and each costs its arguments' moves and its caller's spills
// (docs/PERFORMANCE.md). It must do exactly what that path does: a change
// to one of them is a change here (TestFastJMIsTheGeneralPath runs
// thousands of worlds both ways and compares their traces). A panic of
// the callback leaves through caught, as from runCall.
func (s *Service) runJM(c *call, parent int64) {
	// recBegin: the throttle (G14) counts from the start; the call reports
	// every trigger so far (G22).
	j, u, cl := c.ref.j, c.u, c.ref.c.client
	c.begun, c.parent = true, parent
	j.n.launched &^= 1 << mJM
	j.n.began |= 1 << mJM
	j.n.last[0] = s.w.Now()
	j.n.dirty &^= 1 << mJM
	s.log.AppendCall(s.w.Now(), trace.EvCallBegin, j.nameID, u.nid(), cl.nid(), trace.JobModification, laneOf[c.lane&1], c.id, parent)
	// the call
	c.live, c.running = true, true
	c.outer, cl.call = cl.call, c.id
	res := c.cb.JobModification(&c.ref, 0)
	// returned
	cl.call = c.outer
	c.live, c.running = false, false
	if !c.ended {
		// endCall: no outcome, no JT/JE/FT result to act on
		c.ended = true
		s.log.AppendEnd(s.w.Now(), trace.EvCallEnd, 0, c.id, int64(res))
		u.busy--
		if c.regGen == j.reg.gen { // settle
			j.n.inflight[mJM]--
		}
		s.releaseCall(c)
		if s.opts.Profile != ProfileWineCompat {
			s.schedulePump(u)
			s.evaluate(j)
		}
	}
	s.releaseCall(c) // returned's: frees a call something else ended while it ran (a crash)
}

// returned is the rest of runCall once the callback has returned res, or
// panicked (caught: RPC_E_SERVERFAULT, outcome "panic").
func (s *Service) returned(c *call, res hr, outcome string) {
	c.client().call = c.outer
	c.live, c.running = false, false
	if !c.ended {
		s.endCall(c, res, outcome)
	}
	s.releaseCall(c)
}

// caught is the catch of a call's RunOnCatch: a panic raised while c's
// callback runs (running) is the callback's — contained, counted, and the
// call ends with RPC_E_SERVERFAULT, as COM reports a server's exception.
// Any other panic — the scheduler's own, raised around the callback — is
// not contained (false). The kernel's unwind and a choice stream's panic
// never reach it.
func (s *Service) caught(c *call, r any) bool {
	if !c.running {
		return false
	}
	if s.stats.Panics++; s.stats.Panics == 1 {
		s.stats.FirstPanic = fmt.Sprintf("%s(%s) at %v: %v%s", methodOf[c.m], c.job().name(), s.now(), r, panicsite.Of())
	}
	s.returned(c, callbackabi.RPC_E_SERVERFAULT, trace.OutcomePanic)
	return true
}

// invoke calls the callback method of c and returns its result.
func (s *Service) invoke(c *call) hr {
	j := &c.ref
	switch c.m {
	case mJT:
		return c.cb.JobTransferred(j)
	case mJE:
		x := c.ext()
		x.errv = errorObj{j: c.job(), call: c}
		if e := c.job().err; e != nil {
			x.errv.e = *e
		} else {
			x.errv.e = jobError{file: -1}
		}
		return c.cb.JobError(j, &x.errv)
	case mJM:
		return c.cb.JobModification(j, 0)
	case mFT:
		x := c.x // made by takeCall
		x.filev = fileObj{j: c.job(), i: int(c.file), call: c}
		return x.ft.FileTransferred(j, &x.filev)
	case mFRT:
		x := c.x // made by takeCall
		x.filev = fileObj{j: c.job(), i: int(c.file), call: c}
		return x.frt.FileRangesTransferred(j, &x.filev, x.ranges)
	}
	panic("scheduler: unknown method")
}

// endCall writes call.end, frees the slot and acts on the result.
func (s *Service) endCall(c *call, res hr, outcome string) {
	if c.ended {
		return
	}
	c.ended = true
	if !c.begun {
		s.recBegin(c, 0)
	}
	if outcome == "" {
		s.packEnd(trace.EvCallEnd, c.id, int64(res), 0)
	} else if outcome == outcomeDisconnected {
		s.packEnd(trace.EvCallEnd, c.id, 0, s.log.Name(outcome))
	} else {
		s.packEnd(trace.EvCallEnd, c.id, int64(res), s.log.Name(outcome))
	}
	j, m, u := c.job(), c.m, c.u
	u.busy--
	s.settle(c)
	if s.opts.Profile == ProfileWineCompat {
		s.releaseCall(c)
		return
	}
	current := j.reg.gen == c.regGen && j.reg.cb != nil
	switch {
	case outcome == outcomeDisconnected:
		// G7, G23: BITS discovers the pointer is dead and clears it; the
		// notification stays owed (ambiguity 17).
		s.stats.Disconnects++
		if current {
			s.unregister(j, "disconnected")
		}
	case m == mJT || m == mJE:
		ok := res == callbackabi.S_OK || (!s.opts.StrictSOK && res >= 0)
		if ok && current {
			if !s.opts.Mutants.Has(mutant.RetryAfterSuccess) {
				j.n.done.set(m, true)
			}
		} else if !ok && current && j.inTriggerState(m) && !j.n.done.has(m) && (j.owedM(m) || !s.opts.Mutants.Has(mutant.FailWhileDisabledIgnored)) {
			// Fix (G26): a failure counts for the state entry even when the
			// notification is not owed at this moment. Seeds 2064397,
			// 2613190, 4065586, 4131770: DISABLE (or the method's flag
			// cleared) while the call ran, the call failed, and turning the
			// flag back on called the same registration again instead of
			// handing over to the command line. Without a command line,
			// failed schedules no retry while nothing is owed.
			j.n.cbFailed.set(m, true)
			s.failed(j, m, res)
		}
	case m == mFT:
		if res >= 0 {
			if j.n.ft.len() > 0 {
				j.n.ft.pop()
			}
		} else if current {
			s.retryLater(j, mFT) // G21: failure HRESULTs only
		}
	}
	s.releaseCall(c)
	s.schedulePump(u)
	s.evaluate(j)
}

// failed handles a JT/JE that did not return S_OK: the command line takes
// over if there is one and the result is a failure code (G25, G26), else
// the method is called again later (G20).
func (s *Service) failed(j *job, m int, res hr) {
	// Fix (G25, ambiguity 1: cmdlineTrigger = FAILED(hr) || pointer
	// invalid): a success code other than S_OK (S_FALSE under StrictSOK)
	// is retried as a callback, it does not hand over to the command line.
	// With AlternateCmdLine, onCmdExit hands the next retry back to the
	// callback (ambiguity 5).
	if j.cold().cmd.set && s.opts.Version.AtLeast(1, 5) && res.Failed() {
		j.n.viaCmd.set(m, true)
		return
	}
	if !j.owedM(m) {
		return // not owed now (its flag is off): evaluate calls again once it is
	}
	if s.opts.Mutants.Has(mutant.NoRetry) {
		j.n.done.set(m, true)
		return
	}
	s.retryLater(j, m)
}

func (s *Service) retryLater(j *job, m int) {
	d := s.opts.CallbackRetryDelay
	if d <= 0 {
		d = j.cold().retryDelay
	}
	at := s.now() + d
	j.n.retryAt[m] = at
	s.stats.Retries++
	s.pack(trace.Packed{Ev: trace.EvRetry, Job: j.nid(), Method: methodOf[m], A: int64(at)})
	s.w.Schedule(at, classTimer, s.kCallRetry, int64(j.idx), 0)
}

func (s *Service) onCallRetry(job, _ int64) {
	s.evaluate(s.jobPtr(job))
}

// fileTransferred: file i of j is done; FileTransferred is owed if the
// flag is set and the object implements IBackgroundCopyCallback2 (G4, G15).
func (s *Service) fileTransferred(j *job, i int) {
	if s.opts.Profile == ProfileWineCompat || !j.wants(mFT) || j.reg.cb == nil || !j.reg.cb2 {
		return
	}
	j.n.ft.push(int32(i))
	s.pack(trace.Packed{Ev: trace.EvNotifyOwed, Job: j.nid(), Method: trace.FileTransferred, A: int64(i)})
	s.evaluate(j)
}

// jmTrigger: a JobModification trigger (G13) — coalesced, throttled by the
// job's minimum notification interval (G14), lossy when nobody listens.
func (s *Service) jmTrigger(j *job) { s.lowTrigger(j, mJM) }

func (s *Service) lowTrigger(j *job, m int) {
	if s.opts.Profile == ProfileWineCompat || !j.wants(m) || j.reg.cb == nil {
		return
	}
	if m == mFRT && !j.reg.cb3 {
		return
	}
	j.n.dirty.set(m, true)
	if (j.queuedNow(m) && !(m == mJM && s.opts.Mutants.Has(mutant.JMNoCoalesce))) || j.n.timer.has(m) || j.n.launched.has(m) {
		return // coalesced into the pending one
	}
	interval := j.minNote
	if s.opts.Mutants.Has(mutant.NoThrottle) {
		interval = 0
	}
	if j.n.began.has(m) && s.now() < j.n.last[m-mJM]+interval {
		j.n.timer.set(m, true)
		s.w.Schedule(j.n.last[m-mJM]+interval, classTimer, s.kJMTimer, int64(j.idx), int64(m))
		return
	}
	s.enqueue(j, m)
}

func (s *Service) onJMTimer(a, b int64) {
	j := s.jobPtr(a)
	m := int(b)
	j.n.timer.set(m, false)
	if j.n.dirty.has(m) && !j.queuedNow(m) && j.wants(m) && j.reg.cb != nil {
		s.enqueue(j, m)
	}
}

// rangesTransferred: bytes [off, off+n) of file i arrived; an on-demand
// job owes FileRangesTransferred with the ranges since the last call (G16).
func (s *Service) rangesTransferred(j *job, i int, off, n uint64) {
	// the registration first: the job's hot lines (most callbacks have no
	// FileRangesTransferred, and moved tests cb3 before the call)
	if !j.reg.cb3 || j.reg.cb == nil || !j.onDemand || j.typ != callbackabi.BG_JOB_TYPE_DOWNLOAD || j.files[i].spec.NoRanges || !j.wants(mFRT) {
		return
	}
	x := j.ext()
	if len(x.ranges) > 0 && x.rangeOf != i {
		return // one file at a time; the next file's ranges start after delivery
	}
	x.rangeOf = i
	if k := len(x.ranges); k > 0 && x.ranges[k-1].InitialOffset+x.ranges[k-1].Length == off {
		x.ranges[k-1].Length += n
	} else if len(x.ranges) < callbackabi.MaxRangesPerFile {
		x.ranges = append(x.ranges, callbackabi.FileRange{InitialOffset: off, Length: n})
	}
	s.lowTrigger(j, mFRT)
}
