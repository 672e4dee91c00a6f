package catalogue

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// maxEntryRegs bounds jobW.entryRegs (a job re-registered without end).
const maxEntryRegs = 16

// world is what the trace says so far: a replay of the records, kept by
// one pass and read by every checker. It holds only facts that a record
// states or that follow from records before it (the job's state and flags,
// its registration, the calls in flight, what is owed), never the
// dispatcher's private state. Checkers look at the world as it was just
// before the record they judge.
//
// Every collection that a checker walks to produce output is a slice kept in
// the order things first appeared in the trace; the maps are only indexes,
// so no map iteration order reaches a violation.
type world struct {
	cfg config

	prevRec prevRecord // what judges read of the record before the one being judged
	i       int        // index of the record being judged: records judged before it

	jobs     map[string]*jobW
	jobList  []*jobW // in order of first appearance
	lastJob  *jobW   // the job the last lookup found: records come in runs about one job
	clients  map[string]*clientW
	users    map[string]*userW
	open     map[int64]*callW // calls in flight by id
	queued   map[int64]*callW // call.queued not yet settled by its call.begin or call.unqueued
	calls    callLog          // every call id seen
	runEnd   int64            // seq of run.end, 0 before it
	runEndAt int              // index of run.end

	// retriesUnseen: run.start says the trace is observed (observed.go)
	// and its recorder cannot see retry.scheduled, so a failure "followed
	// by nothing" may be followed by a retry nobody recorded.
	retriesUnseen bool
}

// config is run.config, or the defaults a trace without one is judged by.
type config struct {
	seq      int64 // 0: defaults
	cap      int64
	interval time.Duration
	strict   bool
	bits     version
}

// version is a modelled BITS version ("10.1"); ok is false when unknown.
type version struct {
	major, minor int
	ok           bool
}

func parseVersion(s string) version {
	major, minor, _ := strings.Cut(s, ".")
	a, err1 := strconv.Atoi(major)
	b := 0
	var err2 error
	if minor != "" {
		b, err2 = strconv.Atoi(minor)
	}
	if err1 != nil || err2 != nil || a < 0 || b < 0 {
		return version{}
	}
	return version{major: a, minor: b, ok: true}
}

// below reports whether v is known and older than major.minor.
func (v version) below(major, minor int) bool {
	return v.ok && (v.major < major || v.major == major && v.minor < minor)
}

func (v version) String() string { return strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor) }

type callTimes struct{ begin, end int64 }

type registration struct {
	set          bool
	client, user string
	seq          int64 // job.register
}

// owedW is what the trace says about one of JobTransferred / JobError for
// one job: the per-"state entry" and per-"registration" facts of the
// owed model (ambiguities 3, 4, 5). A state entry is the job.state record
// that moved the job into its current state.
type owedW struct {
	succ      int64 // call.end with success to the current registration, begun in this entry (no duplicate after it)
	looseSucc int64 // call.end with success to the current registration while in this entry (satisfies liveness)
	prevSucc  int64 // a success to an earlier registration in this entry (G19)
	firstCall int64 // first call.begin to the current registration in this entry
	lastFail  int64 // last failed call.end to the current registration in this entry
	pending   int64 // G20: failed call.end not yet followed by a call (begun, or queued for its STA thread), cmdline.start or retry.scheduled
	relieved  int64 // a non-success handed the notification to the command line (G25)
	takeover  int64 // a failure (hr < 0 or disconnected) handed it to the command line (G26)
	cmdStart  int64 // last cmdline.start in this entry
	cmdOK     int64 // cmdline.exit with code 0 in this entry
}

// cmdRunW is a run of the notification program that has not exited.
type cmdRunW struct {
	run   int64
	entry int64 // stateSeq when it started
	gen   int   // registration generation when it started
}

// waitW is one slot.wait: a dispatch of method for job waiting in one of
// user's lanes until a call.begin or a notify.drop settles it.
type waitW struct {
	job    *jobW
	user   *userW
	method trace.Method
	seq    int64
	client string // the job's registered client when it began to wait
	done   bool
}

// waitQ is one lane of a user: slot.waits in arrival order; settled ones
// are skipped lazily.
type waitQ struct {
	q    []*waitW
	head int
}

func (q *waitQ) push(e *waitW) {
	if q.head > 64 && q.head*2 > len(q.q) {
		n := copy(q.q, q.q[q.head:])
		clear(q.q[n:])
		q.q, q.head = q.q[:n], 0
	}
	q.q = append(q.q, e)
}

// pending returns the entries from the oldest unsettled one on, in arrival
// order; some of them may be settled.
func (q *waitQ) pending() []*waitW {
	for q.head < len(q.q) && q.q[q.head].done {
		q.head++
	}
	return q.q[q.head:]
}

type jobW struct {
	name string

	owner string

	known    bool // the state is known (job.create or a job.state seen)
	state    callbackabi.JobState
	stateSeq int64 // seq of the record that put the job in its state
	finalSeq int64 // first move to ACKNOWLEDGED / CANCELLED

	flags    callbackabi.NotifyFlags
	flagsSeq int64

	reg         registration
	entryRegs   []string // clients registered for the job during its current state entry
	gen         int      // registration generation: +1 per job.register / job.unregister
	unregSeq    int64    // last job.unregister
	unregReason string

	cmdSet  bool
	cmdUser string
	cmdSeq  int64 // last job.cmdline (or job.owner, which removes it)

	retryDelay time.Duration

	open   callSet // calls of this job in flight
	queued int     // calls of this job holding a slot while they wait for an STA thread (call.queued)

	n [2]owedW // JobTransferred, JobError

	// FileTransferred (G15, G21, G33).
	ftQ      []int64 // seqs of notify.owed FileTransferred not yet settled, FIFO
	ftOwed   int     // notify.owed FileTransferred ever
	ftFails  int     // FileTransferred calls that failed
	ftBegins int     // FileTransferred calls begun
	ftLastOK int64   // last successful FileTransferred call.end

	// JobModification / FileRangesTransferred (G14, G22).
	lowSeq [2]int64         // last call.begin of JM, FRT
	lowT   [2]time.Duration // its t
	mods   int              // job.modified records
	jms    int              // JobModification call.begins

	// Command line (G24–G29).
	cmdRuns      []cmdRunW // running
	cmdRetrySeq  int64     // G27: cmdline.exit != 0 in this entry awaiting the next cmdline.start
	cmdRetryT    time.Duration
	cmdRetryWait time.Duration

	discSeq    int64 // G7: call.end disconnected awaiting job.unregister{disconnected}
	discClient string

	waits []*waitW // this job's unsettled slot.waits, in arrival order
}

type clientW struct {
	name     string
	user     string
	apt      string
	alive    bool
	started  bool
	startSeq int64
	exitSeq  int64
	open     callSet
	held     bool // sta.hold: application code holds the STA thread
}

type userW struct {
	name   string
	open   callSet
	queued int      // calls holding a slot of the user while they wait for an STA thread (call.queued)
	waits  [2]waitQ // slot.waits: high lane, low lane
}

type callW struct {
	id     int64
	seq    int64
	t      time.Duration
	job    *jobW
	user   *userW
	client *clientW
	method trace.Method
	lane   trace.Lane
	parent int64
	gen    int   // job's registration generation at begin
	entry  int64 // job's stateSeq at begin
	dead   int64 // the client's client.exit seq if it had exited at begin
	kids   int   // nested calls in flight (G34)
	pos    [3]int
}

// callSet is a set of calls in flight with O(1) insert and remove; slot is
// which of the call's pos entries it uses. Order is not kept: sort before
// printing.
type callSet struct {
	calls []*callW
	slot  int
}

func (s *callSet) add(c *callW) {
	c.pos[s.slot] = len(s.calls)
	s.calls = append(s.calls, c)
}

func (s *callSet) remove(c *callW) {
	i := c.pos[s.slot]
	if i >= len(s.calls) || s.calls[i] != c {
		return
	}
	last := s.calls[len(s.calls)-1]
	s.calls[i] = last
	last.pos[s.slot] = i
	s.calls = s.calls[:len(s.calls)-1]
}

func (s *callSet) len() int { return len(s.calls) }

// oldest returns the call in flight that began first.
func (s *callSet) oldest() *callW {
	var o *callW
	for _, c := range s.calls {
		if o == nil || c.seq < o.seq {
			o = c
		}
	}
	return o
}

func newWorld() *world {
	return &world{
		cfg:     config{cap: callbackabi.NotificationsPerUser, strict: true},
		jobs:    map[string]*jobW{},
		clients: map[string]*clientW{},
		users:   map[string]*userW{},
		open:    map[int64]*callW{},
		queued:  map[int64]*callW{},
	}
}

func (w *world) job(name string) *jobW {
	if j := w.lastJob; j != nil && j.name == name {
		return j
	}
	j, ok := w.jobs[name]
	if !ok {
		j = &jobW{name: name, flags: callbackabi.NotifyFlagsDefault, retryDelay: callbackabi.DefaultMinimumRetryDelay,
			open: callSet{slot: 2}}
		w.jobs[name] = j
		w.jobList = append(w.jobList, j)
	}
	w.lastJob = j
	return j
}

func (w *world) client(name string) *clientW {
	if c, ok := w.clients[name]; ok {
		return c
	}
	c := &clientW{name: name, alive: true, open: callSet{slot: 1}}
	w.clients[name] = c
	return c
}

func (w *world) user(name string) *userW {
	if u, ok := w.users[name]; ok {
		return u
	}
	u := &userW{name: name}
	w.users[name] = u
	return u
}

// prevRecord is what the judges read of the record before the one being
// judged: kept apart, not as a copy of the whole 328-byte Record at every
// record (a few per cent of a sweep's time). A judge that needs another field
// of it adds the field here and in Checker.Add.
type prevRecord struct {
	Seq      int64
	T        time.Duration
	Ev       trace.Ev
	Job      string
	From, To callbackabi.JobState
}

// prev returns the record before the one being judged, or nil.
func (w *world) prev() *prevRecord {
	if w.i == 0 {
		return nil
	}
	return &w.prevRec
}

// Helpers on methods, flags and outcomes.

// owedIndex maps JobTransferred → 0, JobError → 1, anything else → -1.
func owedIndex(m trace.Method) int {
	switch m {
	case trace.JobTransferred:
		return 0
	case trace.JobError:
		return 1
	}
	return -1
}

var owedMethods = [2]trace.Method{trace.JobTransferred, trace.JobError}

// triggerState is the state JobTransferred (0) / JobError (1) belongs to.
func triggerState(k int) callbackabi.JobState {
	if k == 0 {
		return callbackabi.BG_JOB_STATE_TRANSFERRED
	}
	return callbackabi.BG_JOB_STATE_ERROR
}

// flagOf is the notify flag that lets method m through (G4); 0 for none.
func flagOf(m trace.Method) callbackabi.NotifyFlags {
	switch m {
	case trace.JobTransferred:
		return callbackabi.BG_NOTIFY_JOB_TRANSFERRED
	case trace.JobError:
		return callbackabi.BG_NOTIFY_JOB_ERROR
	case trace.JobModification:
		return callbackabi.BG_NOTIFY_JOB_MODIFICATION
	case trace.FileTransferred:
		return callbackabi.BG_NOTIFY_FILE_TRANSFERRED
	case trace.FileRangesTransferred:
		return callbackabi.BG_NOTIFY_FILE_RANGES_TRANSFERRED
	}
	return 0
}

func isCallbackMethod(m trace.Method) bool {
	return m >= trace.JobTransferred && m <= trace.FileRangesTransferred
}

// disabled reports whether BG_NOTIFY_DISABLE is set (G3).
func (j *jobW) disabled() bool { return j.flags&callbackabi.BG_NOTIFY_DISABLE != 0 }

// allows reports whether the job's flags let m through now (G3, G4).
func (j *jobW) allows(m trace.Method) bool {
	return !j.disabled() && j.flags&flagOf(m) != 0
}

// liveReg reports whether the job has a registration whose client has not
// exited (G7).
func (w *world) liveReg(j *jobW) bool {
	if !j.reg.set {
		return false
	}
	c, ok := w.clients[j.reg.client]
	return !ok || c.alive
}

// isDisconnected: the call found its client dead (G23).
func isDisconnected(r *trace.Record) bool { return r.Outcome == trace.OutcomeDisconnected }

// okJTJE reports whether a JobTransferred / JobError call.end counts as
// delivered: S_OK, or any success code when run.config strict is false
// (ambiguity 1).
func (w *world) okJTJE(r *trace.Record) bool {
	if r.Outcome != "" {
		return false
	}
	return r.HR == callbackabi.S_OK || (!w.cfg.strict && r.HR.Succeeded())
}

// failedHard reports FAILED(hr) or a dead client: what hands a notification
// to the command line for certain (G25, G26; ambiguity 1).
func failedHard(r *trace.Record) bool {
	return r.Outcome != "" || r.HR.Failed()
}

// okFT reports whether a FileTransferred call.end settles the file: any
// success code (G21).
func okFT(r *trace.Record) bool { return r.Outcome == "" && r.HR.Succeeded() }

// stateMethod is the owed index that a job in state s can owe, or -1.
func stateMethod(s callbackabi.JobState) int {
	switch s {
	case callbackabi.BG_JOB_STATE_TRANSFERRED:
		return 0
	case callbackabi.BG_JOB_STATE_ERROR:
		return 1
	}
	return -1
}

// apply updates the world with r, the record at index w.i.
func (w *world) apply(r *trace.Record) {
	if r.Job != "" {
		w.job(r.Job) // jobList is in order of first mention, whoever asks first
	}
	switch r.Ev {
	case trace.EvRunStart:
		if kinds, ok := ObservedKinds(r); ok {
			w.retriesUnseen = !slices.Contains(kinds, trace.EvRetry)
		}
	case trace.EvRunConfig:
		w.cfg = config{seq: r.Seq, cap: r.Cap, interval: r.Interval, strict: r.Strict, bits: parseVersion(r.Bits)}
	case trace.EvRunEnd:
		if w.runEnd == 0 {
			w.runEnd, w.runEndAt = r.Seq, w.i
		}
	case trace.EvClientStart:
		c := w.client(r.Client)
		c.user, c.apt, c.alive, c.started, c.startSeq, c.exitSeq = r.User, r.Apartment, true, true, r.Seq, 0
	case trace.EvSTAHold, trace.EvSTARelease:
		w.client(r.Client).held = r.Ev == trace.EvSTAHold
	case trace.EvClientExit:
		c := w.client(r.Client)
		c.alive, c.exitSeq, c.held = false, r.Seq, false
		if c.user == "" {
			c.user = r.User
		}
	case trace.EvJobCreate:
		j := w.job(r.Job)
		j.owner = r.User
		if !j.known {
			j.known, j.state, j.stateSeq = true, callbackabi.BG_JOB_STATE_SUSPENDED, r.Seq // G37
		}
	case trace.EvJobState:
		w.applyState(r)
	case trace.EvJobFlags:
		j := w.job(r.Job)
		j.flags, j.flagsSeq = r.Flags, r.Seq
		for k := range j.n {
			if !j.allows(owedMethods[k]) {
				j.n[k].pending = 0
			}
		}
		if m := stateMethod(j.state); m >= 0 && !j.allows(owedMethods[m]) {
			j.cmdRetrySeq = 0
		}
	case trace.EvJobRegister:
		j := w.job(r.Job)
		j.reg = registration{set: true, client: r.Client, user: r.User, seq: r.Seq}
		j.gen++
		if !slices.Contains(j.entryRegs, r.Client) && len(j.entryRegs) < maxEntryRegs {
			j.entryRegs = append(j.entryRegs, r.Client)
		}
		for k := range j.n {
			n := &j.n[k]
			if n.looseSucc != 0 {
				n.prevSucc = n.looseSucc
			}
			n.succ, n.looseSucc, n.firstCall, n.lastFail, n.pending, n.relieved, n.takeover = 0, 0, 0, 0, 0, 0, 0
			n.cmdOK = 0 // a new registration is owed the notification again (G19), with the command line as its fallback
		}
		j.cmdRetrySeq = 0
		j.discSeq = 0
	case trace.EvJobUnregister:
		j := w.job(r.Job)
		j.reg.set = false
		j.gen++
		j.unregSeq, j.unregReason = r.Seq, r.Reason
		for k := range j.n {
			j.n[k].pending = 0
		}
		j.discSeq = 0
	case trace.EvJobOwner:
		j := w.job(r.Job)
		j.owner = r.User
		if j.cmdSet { // G10, G30: TakeOwnership removes the command line
			j.cmdSet, j.cmdUser, j.cmdSeq = false, "", r.Seq
			j.endTakeover()
		}
	case trace.EvJobCmdline:
		j := w.job(r.Job)
		j.cmdSet, j.cmdUser, j.cmdSeq = r.User != "", r.User, r.Seq
		j.cmdRetrySeq = 0
		if !j.cmdSet {
			j.endTakeover()
		}
	case trace.EvJobRetryDelay:
		j := w.job(r.Job)
		j.retryDelay = r.Delay
	case trace.EvJobModified:
		j := w.job(r.Job)
		j.mods++
	case trace.EvNotifyOwed:
		if r.Method == trace.FileTransferred {
			j := w.job(r.Job)
			j.ftQ = append(j.ftQ, r.Seq)
			j.ftOwed++
		}
	case trace.EvNotifyDrop:
		j := w.job(r.Job)
		if r.Method == trace.FileTransferred && len(j.ftQ) > 0 {
			j.ftQ = j.ftQ[1:]
		}
		if w.i == 0 || w.prevRec.Ev != trace.EvCallUnqueued {
			w.unwait(j, r.Method, nil) // a queued call's slot.wait was settled by its call.queued
		}
	case trace.EvSlotWait:
		j := w.job(r.Job)
		u := w.user(r.User)
		lane := trace.LaneOf(r.Method)
		if lane == trace.LaneNone {
			lane = r.Lane
		}
		li := 0
		if lane == trace.LaneLow {
			li = 1
		}
		e := &waitW{job: j, user: u, method: r.Method, seq: r.Seq, client: j.reg.client}
		u.waits[li].push(e)
		j.waits = append(j.waits, e)
	case trace.EvRetry:
		j := w.job(r.Job)
		for k := range j.n {
			if r.Method == owedMethods[k] || r.Method == trace.CmdLine {
				j.n[k].pending = 0
			}
		}
	case trace.EvCallQueued:
		w.applyQueued(r)
	case trace.EvCallUnqueued:
		w.unqueue(r.Call)
	case trace.EvCallBegin:
		w.applyBegin(r)
	case trace.EvCallEnd:
		w.applyEnd(r)
	case trace.EvCmdlineStart:
		j := w.job(r.Job)
		j.cmdRuns = append(j.cmdRuns, cmdRunW{run: r.Run, entry: j.stateSeq, gen: j.gen})
		for k := range j.n {
			j.n[k].pending = 0
		}
		if m := stateMethod(j.state); m >= 0 {
			j.n[m].cmdStart = r.Seq
		}
		j.cmdRetrySeq = 0
	case trace.EvCmdlineExit:
		w.applyCmdExit(r)
	}
}

// endTakeover: the command line is removed, so a notification it took over
// goes back to the callback, the one channel left (G26 holds only while
// there is a command line to take over; G28).
func (j *jobW) endTakeover() {
	for k := range j.n {
		j.n[k].takeover = 0
	}
}

func (w *world) applyState(r *trace.Record) {
	j := w.job(r.Job)
	changed := !j.known || j.state != r.To
	j.known, j.state = true, r.To
	if !changed {
		return
	}
	j.stateSeq = r.Seq
	if r.To.Final() && j.finalSeq == 0 {
		j.finalSeq = r.Seq
	}
	// A new state entry: everything owed per entry starts again
	// (ambiguities 3, 4).
	for k := range j.n {
		j.n[k] = owedW{}
	}
	j.cmdRetrySeq = 0
	j.entryRegs = j.entryRegs[:0]
	if j.reg.set {
		j.entryRegs = append(j.entryRegs, j.reg.client)
	}
}

// applyQueued: the call took a slot of its user (G31) from its lane (G32)
// and waits for its STA thread; its slot.wait is settled now.
func (w *world) applyQueued(r *trace.Record) {
	if _, dup := w.queued[r.Call]; dup {
		return
	}
	if _, open := w.open[r.Call]; open {
		return
	}
	j := w.job(r.Job)
	u := w.user(r.User)
	w.queued[r.Call] = &callW{id: r.Call, seq: r.Seq, t: r.T, job: j, user: u, client: w.client(r.Client), method: r.Method, lane: r.Lane}
	u.queued++
	j.queued++
	if k := owedIndex(r.Method); k >= 0 {
		// G20: a new call followed the failure; it took its slot and
		// waits for the STA thread (aimed-cmdline seed 990207: the
		// thread was still busy when the run reached its deadline).
		j.n[k].pending = 0
	}
	w.unwait(j, r.Method, u)
}

// unqueue settles the call.queued of call id, if any, and reports whether
// there was one.
func (w *world) unqueue(id int64) bool {
	q, ok := w.queued[id]
	if !ok {
		return false
	}
	delete(w.queued, id)
	q.user.queued--
	q.job.queued--
	return true
}

func (w *world) applyBegin(r *trace.Record) {
	fromQueue := w.unqueue(r.Call)
	j := w.job(r.Job)
	u := w.user(r.User)
	cl := w.client(r.Client)
	c := &callW{id: r.Call, seq: r.Seq, t: r.T, job: j, user: u, client: cl, method: r.Method, lane: r.Lane,
		parent: r.Parent, gen: j.gen, entry: j.stateSeq}
	if !cl.alive {
		c.dead = cl.exitSeq
	}
	if _, dup := w.open[r.Call]; !dup {
		w.open[r.Call] = c
		u.open.add(c)
		cl.open.add(c)
		j.open.add(c)
		if p, ok := w.open[r.Parent]; ok && r.Parent != 0 {
			p.kids++
		}
	}
	if _, seen := w.calls.get(r.Call); !seen {
		w.calls.set(r.Call, callTimes{begin: r.Seq})
	}
	if k := owedIndex(r.Method); k >= 0 {
		n := &j.n[k]
		if j.reg.set && j.reg.client == r.Client && n.firstCall == 0 {
			n.firstCall = r.Seq
		}
		n.pending = 0
	}
	switch r.Method {
	case trace.FileTransferred:
		j.ftBegins++
	case trace.JobModification:
		j.lowSeq[0], j.lowT[0] = r.Seq, r.T
		j.jms++
	case trace.FileRangesTransferred:
		j.lowSeq[1], j.lowT[1] = r.Seq, r.T
	}
	if !fromQueue {
		w.unwait(j, r.Method, u)
	}
}

// unwait settles the first slot.wait of (j, m) — of user u, or of any user
// when u is nil: it is no longer waiting in its lane.
// It returns the settled entry, or nil.
func (w *world) unwait(j *jobW, m trace.Method, u *userW) *waitW {
	for i, e := range j.waits {
		if e.method != m || (u != nil && e.user != u) {
			continue
		}
		e.done = true
		j.waits = append(j.waits[:i], j.waits[i+1:]...)
		return e
	}
	return nil
}

func (w *world) applyEnd(r *trace.Record) {
	ct, seen := w.calls.get(r.Call)
	if seen && ct.end == 0 {
		ct.end = r.Seq
		w.calls.set(r.Call, ct)
	}
	c, ok := w.open[r.Call]
	if !ok {
		return
	}
	delete(w.open, r.Call)
	c.user.open.remove(c)
	c.client.open.remove(c)
	j := c.job
	j.open.remove(c)
	if p, ok := w.open[c.parent]; ok && c.parent != 0 && p.kids > 0 {
		p.kids--
	}
	current := j.reg.set && c.gen == j.gen && c.client.name == j.reg.client
	if k := owedIndex(c.method); k >= 0 {
		n := &j.n[k]
		inState := j.state == triggerState(k)
		switch {
		case w.okJTJE(r):
			if current && inState {
				n.looseSucc = r.Seq
				j.cmdRetrySeq = 0 // delivered: the program need not run again (G25)
				if c.entry == j.stateSeq {
					n.succ = r.Seq
				}
				n.pending = 0
			}
		case current && inState:
			n.lastFail = r.Seq
			if !isDisconnected(r) {
				n.pending = r.Seq // a dead client is G7's business: BITS clears the pointer
			}
			if j.cmdSet {
				n.relieved = r.Seq
				if failedHard(r) {
					n.takeover = r.Seq
				}
			}
		}
	}
	if c.method == trace.FileTransferred {
		if okFT(r) {
			if len(j.ftQ) > 0 {
				j.ftQ = j.ftQ[1:]
			}
			j.ftLastOK = r.Seq
		} else {
			j.ftFails++
		}
	}
	if isDisconnected(r) && current {
		j.discSeq, j.discClient = r.Seq, c.client.name
	}
}

func (w *world) applyCmdExit(r *trace.Record) {
	j := w.job(r.Job)
	var run cmdRunW
	found := false
	for i, x := range j.cmdRuns {
		if x.run == r.Run {
			run, found = x, true
			j.cmdRuns = append(j.cmdRuns[:i], j.cmdRuns[i+1:]...)
			break
		}
	}
	if !found || run.entry != j.stateSeq {
		return // the job left the state the program ran for
	}
	m := stateMethod(j.state)
	if m < 0 {
		return
	}
	if r.Code == 0 {
		// A registration made while the program ran is owed its own
		// notification (G18, G19): this exit settles only the earlier one.
		if run.gen == j.gen {
			j.n[m].cmdOK = r.Seq
		}
		return
	}
	// Not if a callback has succeeded meanwhile, or a registration made
	// meanwhile now goes first (G25).
	if j.cmdSet && j.allows(owedMethods[m]) && j.n[m].looseSucc == 0 && !(j.reg.set && j.n[m].relieved == 0) {
		j.cmdRetrySeq, j.cmdRetryT, j.cmdRetryWait = r.Seq, r.T, j.retryDelay
	}
}
