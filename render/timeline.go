package render

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// defaultCap is the documented number of simultaneous notifications per
// user (G31), assumed when a trace has no run.config line.
const defaultCap = 4

// timeline is the one reading of a trace that every renderer draws: calls
// placed in user slots and client threads, job state segments, command-line
// runs, and a described and annotated event per record.
type timeline struct {
	recs   []trace.Record
	events []event // one per record, same index

	run     runInfo
	calls   []*call // in call.begin order
	users   []*user // in order of first appearance
	clients []*client
	jobs    []*job
	cmdRuns []*cmdRun // in cmdline.start order

	start, end time.Duration // first and last virtual time
	rules      []ruleUse     // rule ids cited by notes, in first-use order
}

// runInfo is what run.start, run.config and run.end say.
type runInfo struct {
	started  bool
	seed     uint64
	scenario string
	version  string
	observed string // run.start's observed: the kinds a recorder outside the service saw

	configured bool
	profile    string
	bits       string
	cap        int64
	interval   time.Duration
	strict     bool
	retry      time.Duration

	ended     bool
	endReason string
}

// event is one record as people read it.
type event struct {
	desc string // what happened, plain words, names sanitized
	why  note   // the documented rule behind it, if any

	user  string  // the user whose slots this event touched ("" if none)
	inUse int     // that user's calls in flight after the event
	depth int     // nesting depth of the call it begins or ends
	call  *call   // the call it begins or ends, if any
	cmd   *cmdRun // the notification program run it starts, if any
}

// call is one callback invocation.
type call struct {
	id                     int64
	job, user, client      string
	method                 trace.Method
	lane                   trace.Lane
	parent                 int64
	begin, end             time.Duration
	beginIdx, endIdx       int // record indexes; endIdx is -1 while unfinished
	beginSeq, endSeq       int64
	hr                     callbackabi.HRESULT
	outcome                string
	slot, thread, depth    int
	why                    note // why it was dispatched
	result                 note // what its result means
	clientKnown, userKnown bool
}

// ended reports whether the trace holds the call's call.end.
func (c *call) ended() bool { return c.endIdx >= 0 }

// failed reports whether the call did not end with S_OK.
func (c *call) failed() bool {
	return c.ended() && (c.outcome != "" || c.hr != callbackabi.S_OK)
}

// user is one user (security context) and its notification slots (G31).
type user struct {
	name    string
	busy    []bool // slot index → held by a call
	inUse   int
	peak    int
	waiting []waiter // dispatches waiting for a slot (slot.wait), oldest first
}

type waiter struct {
	job    string
	method trace.Method
	lane   trace.Lane
	since  time.Duration
}

// client is one client process and its threads.
type client struct {
	name, user, apartment string
	active                []int // thread index → calls on it now (nesting height)
	maxDepth              int   // deepest nesting seen, 0 if none
	starts, exits         []mark
	actions               []mark // user.action
}

// mark is a point event drawn on a row.
type mark struct {
	idx int
	t   time.Duration
}

// job is one BITS job.
type job struct {
	name       string
	owner      string
	state      callbackabi.JobState
	hasState   bool
	created    time.Duration
	createdIdx int
	segments   []stateSeg
	marks      []jobMark

	registered   string // client of the current registration, "" if none
	registeredAt int    // record index of the last job.register, -1 if none
	enteredAt    int    // record index of the last job.state, -1 if none
	cmdline      bool   // a notification program is set
	methods      [trace.CmdLine + 1]methodState
}

// methodState is what one job's trace says about one method so far.
type methodState struct {
	lastFailed      bool // the last call ended with something other than S_OK
	delivered       bool // a call returned S_OK since the last state entry
	deliveredBefore bool // a call ever returned S_OK for the current state entry, even before a re-registration
}

// stateSeg is a stretch of time a job spent in one state.
type stateSeg struct {
	state      callbackabi.JobState
	begin, end time.Duration
	beginIdx   int // the record that started it
	endIdx     int // the record that ended it, -1 if the trace ended first
}

// jobMark is an event drawn on a job's row.
type jobMark struct {
	idx  int
	t    time.Duration
	kind string // CSS-safe kind: state, owed, drop, retry, wait, register, unregister, error, flags, modified, file, owner, cmdline, outcome
}

// cmdRun is one run of the simulated notification program.
type cmdRun struct {
	job        string
	run        int64
	code       int64
	begin, end time.Duration
	beginIdx   int
	endIdx     int // -1 while unfinished
	why        note
}

// ruleUse counts how often notes cite a rule.
type ruleUse struct {
	id    string
	count int
}

// build reads recs once, in order.
func build(recs []trace.Record) *timeline {
	tl := &timeline{recs: recs, events: make([]event, len(recs))}
	tl.run.cap = defaultCap
	b := builder{
		tl:      tl,
		calls:   map[int64]*call{},
		queued:  map[int64]reservation{},
		users:   map[string]*user{},
		clients: map[string]*client{},
		jobs:    map[string]*job{},
		runs:    map[cmdKey]*cmdRun{},
		rules:   map[string]int{},
	}
	if len(recs) > 0 {
		tl.start = recs[0].T
		tl.end = recs[0].T
	}
	for i := range recs {
		r := &recs[i]
		if r.T > tl.end {
			tl.end = r.T
		}
		if r.T < tl.start {
			tl.start = r.T
		}
		b.idx = i
		b.record(i, r)
	}
	b.finish()
	return tl
}

type cmdKey struct {
	job string
	run int64
}

// builder holds the lookups used while reading; the timeline keeps slices
// in trace order so nothing drawn depends on map iteration.
// reservation is the slot a queued call holds before it begins.
type reservation struct {
	user string
	slot int
}

type builder struct {
	tl      *timeline
	calls   map[int64]*call       // calls by id (the latest call.begin with that id)
	queued  map[int64]reservation // slots taken by call.queued, by call id, until call.begin or call.unqueued
	users   map[string]*user
	clients map[string]*client
	jobs    map[string]*job
	runs    map[cmdKey]*cmdRun
	rules   map[string]int // rule id → index in tl.rules
	idx     int            // the record being read

	modifiedSeen bool // a job.modified has been annotated
}

func (b *builder) user(name string) *user {
	if u, ok := b.users[name]; ok {
		return u
	}
	u := &user{name: name}
	b.users[name] = u
	b.tl.users = append(b.tl.users, u)
	return u
}

func (b *builder) client(name string) *client {
	if c, ok := b.clients[name]; ok {
		return c
	}
	c := &client{name: name}
	b.clients[name] = c
	b.tl.clients = append(b.tl.clients, c)
	return c
}

func (b *builder) job(name string, t time.Duration) *job {
	if j, ok := b.jobs[name]; ok {
		return j
	}
	j := &job{name: name, created: t, createdIdx: b.idx, registeredAt: -1, enteredAt: -1}
	b.jobs[name] = j
	b.tl.jobs = append(b.tl.jobs, j)
	return j
}

// cite records that a note uses rule ids.
func (b *builder) cite(n note) note {
	for _, id := range n.rules {
		if k, ok := b.rules[id]; ok {
			b.tl.rules[k].count++
			continue
		}
		b.rules[id] = len(b.tl.rules)
		b.tl.rules = append(b.tl.rules, ruleUse{id: id, count: 1})
	}
	return n
}

func (b *builder) record(i int, r *trace.Record) {
	ev := &b.tl.events[i]
	ev.desc = describe(r)
	switch r.Ev {
	case trace.EvRunStart:
		b.tl.run.started = true
		b.tl.run.seed, b.tl.run.scenario, b.tl.run.version = r.Seed, r.Scenario, r.Version
		b.tl.run.observed = r.Observed
	case trace.EvRunConfig:
		rc := &b.tl.run
		rc.configured = true
		rc.profile, rc.bits, rc.cap, rc.interval, rc.strict, rc.retry = r.Profile, r.Bits, r.Cap, r.Interval, r.Strict, r.Delay
	case trace.EvRunEnd:
		b.tl.run.ended = true
		b.tl.run.endReason = r.Reason
	case trace.EvClientStart:
		c := b.client(r.Client)
		c.user, c.apartment = r.User, r.Apartment
		c.starts = append(c.starts, mark{i, r.T})
		b.user(r.User)
	case trace.EvClientExit:
		c := b.client(r.Client)
		c.exits = append(c.exits, mark{i, r.T})
		if r.Reason == "crash" {
			ev.why = b.cite(newNote("crash: its callback pointers are dead now; BITS finds out on its next call", "G7", "G23"))
		} else {
			ev.why = b.cite(newNote("its callback pointers are dead now", "G7"))
		}
	case trace.EvJobCreate:
		j := b.job(r.Job, r.T)
		j.owner = r.User
		b.user(r.User)
	case trace.EvJobState:
		b.jobState(i, r)
	case trace.EvJobFlags:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "flags"})
		if r.Flags&callbackabi.BG_NOTIFY_DISABLE != 0 {
			ev.why = b.cite(newNote("DISABLE: no notification at all", "G3"))
		} else if r.Flags&^callbackabi.NotifyFlagsValid != 0 {
			ev.why = b.cite(newNote("undefined bits", "G2"))
		}
	case trace.EvJobRegister:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "register"})
		b.user(r.User)
		b.client(r.Client)
		switch {
		case j.registered != "" && j.registered != r.Client:
			ev.why = b.cite(newNote("replaces "+clean(j.registered)+": last writer wins", "G8"))
		case j.owner != "" && r.User != j.owner:
			ev.why = b.cite(newNote("callbacks run as "+clean(r.User)+", not the owner", "G10"))
		}
		j.registered = r.Client
		j.registeredAt = i
		for m := range j.methods {
			j.methods[m].delivered = false
			j.methods[m].lastFailed = false
		}
	case trace.EvJobUnregister:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "unregister"})
		j.registered = ""
		ev.why = b.cite(unregisterNote(r.Reason))
	case trace.EvJobOwner:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "owner"})
		j.owner = r.User
		b.user(r.User)
		ev.why = b.cite(newNote("TakeOwnership: callbacks keep the registering user; the command line is removed", "G10"))
	case trace.EvCallBegin:
		b.callBegin(i, r)
	case trace.EvCallEnd:
		b.callEnd(i, r)
	case trace.EvCmdlineStart:
		b.cmdStart(i, r)
	case trace.EvCmdlineExit:
		b.cmdExit(i, r)
	case trace.EvNotifyOwed:
		b.owed(i, r)
	case trace.EvNotifyDrop:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "drop"})
		b.dropWaiter(r.Job, r.Method)
		ev.why = b.cite(dropNote(r.Reason))
	case trace.EvCallQueued:
		// The call holds a slot from now on, before it begins (G31): the
		// gauge counts it, and its call.begin keeps the same slot.
		u := b.user(r.User)
		b.queued[r.Call] = reservation{user: r.User, slot: u.takeSlot()}
		ev.user, ev.inUse = r.User, u.inUse
	case trace.EvCallUnqueued:
		if q, ok := b.queued[r.Call]; ok {
			delete(b.queued, r.Call)
			u := b.users[q.user]
			u.freeSlot(q.slot)
			ev.user, ev.inUse = q.user, u.inUse
		}
	case trace.EvSlotWait:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "wait"})
		u := b.user(r.User)
		u.waiting = append(u.waiting, waiter{job: r.Job, method: r.Method, lane: r.Lane, since: r.T})
		ev.user, ev.inUse = r.User, u.inUse
		ev.why = b.cite(newNote("all slots of "+clean(r.User)+" busy: waits in the "+laneName(r.Lane)+" lane", "G31"))
	case trace.EvRetry:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "retry"})
		ev.why = b.cite(retryNote(r.Method))
	case trace.EvFileDone:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "file"})
	case trace.EvJobError:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "error"})
	case trace.EvJobCmdline:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "cmdline"})
		j.cmdline = r.User != ""
	case trace.EvJobModified:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "modified"})
		if !b.modifiedSeen { // once is enough to name the rule
			b.modifiedSeen = true
			ev.why = b.cite(newNote("a JobModification trigger", "G13"))
		}
	case trace.EvJobRetryDelay:
		b.job(r.Job, r.T)
		ev.why = b.cite(newNote("at least 5 s", "G45"))
	case trace.EvJobProgress:
		b.job(r.Job, r.T)
	case trace.EvLimit:
		ev.why = newNote("a bounded run stops here; the trace ends early", "")
	case trace.EvAppOutcome:
		j := b.job(r.Job, r.T)
		j.marks = append(j.marks, jobMark{i, r.T, "outcome"})
		if j.hasState {
			ev.why = newNote("the application's word; the job is "+j.state.String(), "")
		}
	case trace.EvUserAction:
		c := b.client(r.Client)
		c.actions = append(c.actions, mark{i, r.T})
		ev.why = newNote("the user, acting on "+clean(r.Client), "")
	case trace.EvUserLogoff:
		b.user(r.User)
		ev.why = newNote("BITS suspends a job while its owner is logged off (Users and Network Connections); a transferring job goes back to QUEUED", "")
	case trace.EvUserLogon:
		b.user(r.User)
		ev.why = newNote("BITS resumes the owner's jobs at logon (Users and Network Connections)", "")
	case trace.EvNetworkDown:
		ev.why = b.cite(newNote("losing the network puts every active job in TRANSIENT_ERROR, BG_E_NETWORK_DISCONNECTED; no retry until it is back", "G44"))
	case trace.EvNetworkUp:
		ev.why = b.cite(newNote("a network connection returns every TRANSIENT_ERROR job to QUEUED, whatever its error", "G44"))
	}
}

func (b *builder) jobState(i int, r *trace.Record) {
	j := b.job(r.Job, r.T)
	ev := &b.tl.events[i]
	if !j.hasState {
		j.segments = append(j.segments, stateSeg{state: r.From, begin: j.created, beginIdx: j.createdIdx})
	}
	if n := len(j.segments); n > 0 {
		j.segments[n-1].end = r.T
		j.segments[n-1].endIdx = i
	}
	j.segments = append(j.segments, stateSeg{state: r.To, begin: r.T, beginIdx: i, endIdx: -1})
	j.state, j.hasState = r.To, true
	j.enteredAt = i
	j.marks = append(j.marks, jobMark{i, r.T, "state"})
	for m := range j.methods {
		j.methods[m] = methodState{}
	}
	switch r.To {
	case callbackabi.BG_JOB_STATE_TRANSFERRED:
		ev.why = b.cite(newNote("JobTransferred is owed", "G11"))
	case callbackabi.BG_JOB_STATE_ERROR:
		ev.why = b.cite(newNote("JobError is owed", "G12"))
	case callbackabi.BG_JOB_STATE_TRANSIENT_ERROR:
		ev.why = b.cite(newNote("transient: no JobError", "G12"))
	case callbackabi.BG_JOB_STATE_ACKNOWLEDGED, callbackabi.BG_JOB_STATE_CANCELLED:
		ev.why = b.cite(newNote("final state", "G42"))
	}
}

func (b *builder) owed(i int, r *trace.Record) {
	j := b.job(r.Job, r.T)
	j.marks = append(j.marks, jobMark{i, r.T, "owed"})
	ev := &b.tl.events[i]
	late := j.registeredAt >= 0 && j.enteredAt >= 0 && j.registeredAt > j.enteredAt
	switch {
	case r.Method == trace.CmdLine:
		ev.why = b.cite(newNote("the notification program is owed", "G24"))
	case late && validMethod(r.Method) && j.methods[r.Method].deliveredBefore:
		ev.why = b.cite(newNote("owed again after re-registration", "G19"))
	case late:
		ev.why = b.cite(newNote("owed again after late registration", "G18"))
	}
}

// dropWaiter forgets a dispatch that waited for a slot.
func (b *builder) dropWaiter(jobName string, m trace.Method) (waiter, *user, bool) {
	for _, u := range b.tl.users {
		for k, w := range u.waiting {
			if w.job == jobName && w.method == m {
				u.waiting = append(u.waiting[:k:k], u.waiting[k+1:]...)
				return w, u, true
			}
		}
	}
	return waiter{}, nil, false
}

func (b *builder) callBegin(i int, r *trace.Record) {
	ev := &b.tl.events[i]
	j := b.job(r.Job, r.T)
	u := b.user(r.User)
	cl := b.client(r.Client)
	c := &call{
		id: r.Call, job: r.Job, user: r.User, client: r.Client,
		method: r.Method, lane: r.Lane, parent: r.Parent,
		begin: r.T, end: r.T, beginIdx: i, endIdx: -1, beginSeq: r.Seq,
	}
	if old, ok := b.calls[r.Call]; ok && !old.ended() {
		b.release(old) // a reused id: the old call is lost; free what it held
	}
	b.calls[r.Call] = c
	b.tl.calls = append(b.tl.calls, c)

	// Slot: the one it took when it was queued (call.queued), or the
	// lowest free one of the user (G31).
	if q, ok := b.queued[r.Call]; ok && q.user == r.User {
		delete(b.queued, r.Call)
		c.slot = q.slot
	} else {
		c.slot = u.takeSlot()
	}

	// Thread: the parent's (nested, G34) or the client's lowest free one.
	parent, nested := b.calls[r.Parent]
	nested = nested && r.Parent != 0 && parent != c && !parent.ended() && parent.client == r.Client
	if nested && parent.thread < len(cl.active) {
		c.thread = parent.thread
		c.depth = cl.active[c.thread]
	} else {
		c.thread = -1
		for k, n := range cl.active {
			if n == 0 {
				c.thread = k
				break
			}
		}
		if c.thread < 0 {
			c.thread = len(cl.active)
			cl.active = append(cl.active, 0)
		}
	}
	cl.active[c.thread]++
	if c.depth > cl.maxDepth {
		cl.maxDepth = c.depth
	}

	// Why this call happened now.
	var why []note
	if r.Parent != 0 {
		if cl.apartment == "STA" {
			why = append(why, newNote("nested on STA thread", "G34"))
		} else {
			why = append(why, newNote("nested in call "+itoa(r.Parent), "G34"))
		}
	}
	if w, wu, ok := b.dropWaiter(r.Job, r.Method); ok && wu == u {
		lowWaiting := false
		for _, o := range u.waiting {
			if o.lane == trace.LaneLow {
				lowWaiting = true
			}
		}
		waited := "waited " + fmtDur(r.T-w.since)
		if r.Lane == trace.LaneHigh && lowWaiting {
			why = append(why, newNote("slot freed: high lane first, "+waited, "G32"))
		} else {
			why = append(why, newNote("slot freed, "+waited, "G31"))
		}
	}
	if validMethod(r.Method) {
		ms := &j.methods[r.Method]
		switch {
		case ms.lastFailed && (r.Method == trace.JobTransferred || r.Method == trace.JobError):
			why = append(why, newNote("retry after non-S_OK", "G20"))
		case ms.lastFailed && r.Method == trace.FileTransferred:
			why = append(why, newNote("retry after failure", "G21"))
		case !ms.delivered && ms.deliveredBefore && j.registeredAt > j.enteredAt:
			why = append(why, newNote("owed again after re-registration", "G19"))
		case j.registeredAt > j.enteredAt && j.enteredAt >= 0 &&
			(r.Method == trace.JobTransferred || r.Method == trace.JobError):
			why = append(why, newNote("owed again after late registration", "G18"))
		}
	}
	if len(why) == 0 {
		why = append(why, methodNote(r.Method))
	}
	c.why = b.cite(joinNotes(why))
	ev.why = c.why
	ev.user, ev.inUse, ev.depth, ev.call = r.User, u.inUse, c.depth, c
	c.userKnown, c.clientKnown = true, true
}

// takeSlot marks the user's lowest free slot busy and returns it.
func (u *user) takeSlot() int {
	slot := -1
	for k, busy := range u.busy {
		if !busy {
			slot = k
			break
		}
	}
	if slot < 0 {
		slot = len(u.busy)
		u.busy = append(u.busy, false)
	}
	u.busy[slot] = true
	u.inUse++
	u.peak = max(u.peak, u.inUse)
	return slot
}

// freeSlot marks a busy slot free.
func (u *user) freeSlot(slot int) {
	if slot >= 0 && slot < len(u.busy) && u.busy[slot] {
		u.busy[slot] = false
		u.inUse--
	}
}

// release frees the slot and thread a call holds.
func (b *builder) release(c *call) {
	if u, ok := b.users[c.user]; ok {
		u.freeSlot(c.slot)
	}
	if cl, ok := b.clients[c.client]; ok && c.thread >= 0 && c.thread < len(cl.active) && cl.active[c.thread] > 0 {
		cl.active[c.thread]--
	}
}

func (b *builder) callEnd(i int, r *trace.Record) {
	ev := &b.tl.events[i]
	c, ok := b.calls[r.Call]
	if !ok || c.ended() {
		ev.why = newNote("no call "+itoa(r.Call)+" is in flight", "")
		return
	}
	c.end, c.endIdx, c.endSeq = r.T, i, r.Seq
	c.hr, c.outcome = r.HR, r.Outcome
	b.release(c)
	ev.desc = describeEnd(r, c)
	u := b.users[c.user]
	ev.user, ev.inUse, ev.depth, ev.call = c.user, u.inUse, c.depth, c

	j := b.job(c.job, r.T)
	var ms *methodState
	if validMethod(c.method) {
		ms = &j.methods[c.method]
	}
	var n note
	switch {
	case r.Outcome == trace.OutcomeDisconnected:
		n = newNote("client gone: disconnected", "G7", "G23")
	case r.Outcome == trace.OutcomePanic && (c.method == trace.JobTransferred || c.method == trace.JobError):
		n = newNote("the callback panicked (RPC_E_SERVERFAULT): BITS calls again", "G20")
	case r.Outcome == trace.OutcomePanic:
		n = newNote("the callback panicked (RPC_E_SERVERFAULT)", "")
	case r.HR == callbackabi.S_OK:
		n = newNote("slot freed", "")
	case c.method == trace.JobTransferred || c.method == trace.JobError:
		if r.HR.Failed() && j.cmdline {
			n = newNote("not S_OK: the command line takes over", "G26")
		} else {
			n = newNote("not S_OK: BITS calls again", "G20")
		}
	case c.method == trace.FileTransferred && r.HR.Failed():
		n = newNote("failure: BITS calls again, the next file waits", "G21", "G15")
	case c.method == trace.FileTransferred:
		n = newNote("a success code: not retried", "G21")
	default:
		n = newNote("result not retried", "G22")
	}
	if ms != nil {
		ms.lastFailed = c.failed()
		if !c.failed() {
			ms.delivered = true
			ms.deliveredBefore = true
		}
	}
	c.result = b.cite(n)
	ev.why = c.result
}

func (b *builder) cmdStart(i int, r *trace.Record) {
	j := b.job(r.Job, r.T)
	cr := &cmdRun{job: r.Job, run: r.Run, begin: r.T, end: r.T, beginIdx: i, endIdx: -1}
	b.runs[cmdKey{r.Job, r.Run}] = cr
	b.tl.cmdRuns = append(b.tl.cmdRuns, cr)
	b.tl.events[i].cmd = cr
	failedJT := j.methods[trace.JobTransferred].lastFailed || j.methods[trace.JobError].lastFailed
	switch {
	case r.Run > 1:
		cr.why = newNote("again after a nonzero exit and the minimum retry delay", "G27")
	case failedJT:
		cr.why = newNote("command line takes over", "G26")
	case j.registered == "":
		cr.why = newNote("no valid callback: the command line runs", "G24", "G25")
	default:
		cr.why = newNote("the notification program runs (simulated, never executed)", "G24")
	}
	cr.why = b.cite(cr.why)
	b.tl.events[i].why = cr.why
}

func (b *builder) cmdExit(i int, r *trace.Record) {
	ev := &b.tl.events[i]
	cr, ok := b.runs[cmdKey{r.Job, r.Run}]
	if !ok || cr.endIdx >= 0 {
		ev.why = newNote("no such run is going", "")
		return
	}
	cr.end, cr.endIdx, cr.code = r.T, i, r.Code
	if r.Code != 0 {
		ev.why = b.cite(newNote("nonzero: it runs again after the minimum retry delay", "G27"))
	}
}

// finish closes what the trace left open at its last instant.
func (b *builder) finish() {
	tl := b.tl
	sort.SliceStable(tl.rules, func(i, j int) bool { return ruleLess(tl.rules[i].id, tl.rules[j].id) })
	for _, c := range tl.calls {
		if !c.ended() {
			c.end = tl.end
		}
	}
	for _, cr := range tl.cmdRuns {
		if cr.endIdx < 0 {
			cr.end = tl.end
		}
	}
	for _, j := range tl.jobs {
		if n := len(j.segments); n > 0 {
			j.segments[n-1].end = tl.end
		}
	}
}

func validMethod(m trace.Method) bool { return m > trace.MethodNone && m <= trace.CmdLine }

// ruleLess orders rule ids by number: G7 before G11.
func ruleLess(a, b string) bool {
	na, errA := strconv.Atoi(strings.TrimPrefix(a, "G"))
	nb, errB := strconv.Atoi(strings.TrimPrefix(b, "G"))
	if errA != nil || errB != nil {
		return a < b
	}
	return na < nb
}
