package trace

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
)

// A Name is a string interned in a Log (Log.Name): a small integer that a
// packed record holds instead of the string. Name 0 is always "".
type Name uint32

// Packed is a record in the compact form a Log keeps: 48 bytes, no
// pointers, every string an interned Name. A simulator writes the events
// of its hot path this way (Log.AppendPacked) so that recording one costs a
// 48-byte copy instead of building and copying a 328-byte Record of eleven
// strings, and the garbage collector has nothing to scan in the log.
//
// Only the event kinds listed here can be packed; the fields not listed
// for an event must be zero. A and B hold the event's integers:
//
//	Ev              Job User Client Method Lane Text     A         B
//	call.begin       ✓   ✓    ✓      ✓      ✓   —        Call      Parent
//	call.queued      ✓   ✓    ✓      ✓      ✓   —        Call      —
//	call.end         —   —    —      —      —   Outcome  Call      HR
//	call.unqueued    —   —    —      —      —   —        Call      —
//	job.state        ✓   —    —      —      —   —        From      To
//	job.progress     ✓   —    —      —      —   —        Bytes     —
//	job.modified     ✓   —    —      —      —   Reason   —         —
//	file.done        ✓   —    —      —      —   —        File      —
//	notify.owed      ✓   —    —      ✓      —   —        File      —
//	notify.drop      ✓   —    —      ✓      —   Reason   —         —
//	slot.wait        ✓   ✓    ✓*     ✓      ✓   —        —         —
//	retry.scheduled  ✓   —    —      ✓      —   —        At        —
//
// (* slot.wait has no client: Client must be 0.) The Record a packed
// record stands for — what Records returns, what is hashed, encoded and
// observed — is exactly the Record with those fields set, so a trace is
// byte-identical whichever way its records were appended.
type Packed struct {
	T            time.Duration
	A, B         int64
	Job          Name
	User, Client Name
	Text         Name
	Ev           Ev
	Method       Method
	Lane         Lane
}

// evWhole marks a kept entry that stands for a whole Record (Log.Append):
// its A is the index of the record in Log.whole.
const evWhole = evCount

// Packable reports whether records of kind e can be appended packed
// (Log.AppendPacked).
func Packable(e Ev) bool { return packable&(1<<e) != 0 }

// packable has bit e set for each kind e that Packable reports.
const packable uint64 = 1<<EvCallBegin | 1<<EvCallQueued | 1<<EvCallEnd | 1<<EvCallUnqueued | 1<<EvJobState |
	1<<EvJobProgress | 1<<EvJobModified | 1<<EvFileDone | 1<<EvNotifyOwed | 1<<EvNotifyDrop | 1<<EvSlotWait | 1<<EvRetry

// expand returns the Record p stands for, numbered seq.
func (l *Log) expand(p *Packed, seq int64) Record {
	if p.Ev == evWhole {
		r := l.whole[p.A]
		r.Seq = seq
		return r
	}
	r := Record{Seq: seq, T: p.T, Ev: p.Ev, Job: l.NameString(p.Job), User: l.NameString(p.User),
		Client: l.NameString(p.Client), Method: p.Method, Lane: p.Lane}
	switch p.Ev {
	case EvCallBegin:
		r.Call, r.Parent = p.A, p.B
	case EvCallQueued, EvCallUnqueued:
		r.Call = p.A
	case EvCallEnd:
		r.Call, r.HR, r.Outcome = p.A, callbackabi.HRESULT(p.B), l.NameString(p.Text)
	case EvJobState:
		r.From, r.To = callbackabi.JobState(p.A), callbackabi.JobState(p.B)
	case EvJobProgress:
		r.Bytes = p.A
	case EvJobModified, EvNotifyDrop:
		r.Reason = l.NameString(p.Text)
	case EvFileDone, EvNotifyOwed:
		r.File = p.A
	case EvRetry:
		r.At = time.Duration(p.A)
	}
	return r
}

// Name returns the Name of s in l, interning s the first time. Names stay
// valid for the life of the Log: Reset keeps them, so a simulator interns
// a job's name once, when it creates the job.
func (l *Log) Name(s string) Name {
	if s == "" {
		return 0
	}
	if id, ok := l.ids[s]; ok {
		return id
	}
	if l.ids == nil {
		l.ids = map[string]Name{}
	}
	if len(l.names) == 0 {
		l.names = append(l.names, "")
	}
	id := Name(len(l.names))
	l.names = append(l.names, s)
	l.ids[s] = id
	return id
}

// NewName returns a Name for s without looking s up or remembering it: for
// a string the caller gives a Name once and keeps, such as a new job's
// name, it costs a slice slot where Name costs a map entry too (a million
// jobs: 16 bytes each instead of about 100). Name(s) later gives another
// Name for the same string; both read back as s.
func (l *Log) NewName(s string) Name {
	if s == "" {
		return 0
	}
	if len(l.names) == 0 {
		l.names = append(l.names, "")
	}
	l.names = append(l.names, s)
	return Name(len(l.names) - 1)
}

// NameString returns the string interned as n ("" for 0 or a Name this Log
// never gave out).
func (l *Log) NameString(n Name) string {
	if int(n) < len(l.names) {
		return l.names[n]
	}
	return ""
}

// AppendPacked adds the record p stands for, numbered like Append, or
// drops it if the limit is reached. It panics if p's kind cannot be packed
// (Packable) or p names a Name this Log never gave out: both are mistakes
// of the caller, not of the data. It does not allocate, apart from the
// amortized growth of the log (none in modes HashOnly and CountOnly).
//
// A hot path calls AppendFields instead.
func (l *Log) AppendPacked(p Packed) {
	l.AppendFields(p.T, p.Ev, p.Job, p.User, p.Client, p.Text, p.Method, p.Lane, p.A, p.B)
}

// AppendFields is AppendPacked with the Packed's fields as arguments; it
// writes them into the log's next entry one by one. Building a Packed
// literal to pass to AppendPacked costs a simulator's hot path ~5 ns a
// record: the literal is built in a temporary and copied whole, with
// 16-byte moves that read its small fields back wider than they were just
// written, and the CPU stalls until those stores retire (store-to-load
// forwarding fails; docs/PERFORMANCE.md). Arguments travel in registers.
//
// AppendJob, AppendCall and AppendEnd are AppendFields for the kinds that
// use fewer fields: fewer arguments to pass, the others stored as zero.
func (l *Log) AppendFields(t time.Duration, ev Ev, job, user, client, text Name, method Method, lane Lane, a, b int64) {
	if !Packable(ev) {
		panic("trace: packed record: " + ev.String() + " cannot be packed")
	}
	l.checkNames(max(job, user, client, text))
	p := l.entry()
	if p == nil {
		return
	}
	p.T, p.A, p.B = t, a, b
	p.Job, p.User, p.Client, p.Text = job, user, client, text
	p.Ev, p.Method, p.Lane = ev, method, lane
	if l.mode == HashOnly || l.obs != nil {
		l.expanded(p)
	}
}

// Packed kinds by the fields they use (the table at Packed).
const (
	jobKinds  uint64 = 1<<EvJobState | 1<<EvJobProgress | 1<<EvJobModified | 1<<EvFileDone
	callKinds uint64 = 1<<EvCallBegin | 1<<EvCallQueued | 1<<EvSlotWait
	endKinds  uint64 = 1<<EvCallEnd | 1<<EvCallUnqueued
)

// AppendJob is AppendFields for a record of a job alone — job.state,
// job.progress, job.modified, file.done: its Job, Text, A and B. It panics
// for another kind, and like AppendFields.
//
// AppendJob, AppendCall, AppendEnd and AppendProgress have a fast path:
// a record kept in a Log that has room, no observer and no limit reached
// costs a few tests and its stores (take), with fewer arguments to pass
// than AppendFields takes; anything else — a misuse, the slice's growth,
// the limit, another mode, an observer — goes through AppendFields. (Too
// big for Go to inline, they are calls: a chunk of the dispatch
// benchmark writes four records in three of them.)
func (l *Log) AppendJob(t time.Duration, ev Ev, job, text Name, a, b int64) {
	i := l.take(jobKinds&(1<<ev) != 0, max(job, text), 1)
	if i < 0 {
		l.appendJob(t, ev, job, text, a, b)
		return
	}
	p := &l.ents[i]
	p.T, p.A, p.B = t, a, b
	p.Job, p.User, p.Client, p.Text = job, 0, 0, text
	p.Ev, p.Method, p.Lane = ev, 0, 0
}

// AppendProgress appends a transfer chunk's two records: job.progress
// (the job's bytes) and the job.modified it raises (with reason) — as two
// AppendJob calls would, in one. It panics like AppendFields.
func (l *Log) AppendProgress(t time.Duration, job Name, bytes int64, reason Name) {
	i := l.take(true, max(job, reason), 2)
	if i < 0 {
		l.checkNames(max(job, reason)) // both records or neither: a misuse appends nothing
		l.appendJob(t, EvJobProgress, job, 0, bytes, 0)
		l.appendJob(t, EvJobModified, job, reason, 0, 0)
		return
	}
	p := &l.ents[i]
	p.T, p.A, p.B = t, bytes, 0
	p.Job, p.User, p.Client, p.Text = job, 0, 0, 0
	p.Ev, p.Method, p.Lane = EvJobProgress, 0, 0
	p = &l.ents[i+1]
	p.T, p.A, p.B = t, 0, 0
	p.Job, p.User, p.Client, p.Text = job, 0, 0, reason
	p.Ev, p.Method, p.Lane = EvJobModified, 0, 0
}

// AppendCall is AppendFields for a record of a call taking a slot —
// call.begin, call.queued, slot.wait: no Text. It panics for another kind,
// and like AppendFields. It has the same fast path (take).
func (l *Log) AppendCall(t time.Duration, ev Ev, job, user, client Name, method Method, lane Lane, a, b int64) {
	i := l.take(callKinds&(1<<ev) != 0, max(job, user, client), 1)
	if i < 0 {
		l.appendCall(t, ev, job, user, client, method, lane, a, b)
		return
	}
	p := &l.ents[i]
	p.T, p.A, p.B = t, a, b
	p.Job, p.User, p.Client, p.Text = job, user, client, 0
	p.Ev, p.Method, p.Lane = ev, method, lane
}

// AppendEnd is AppendFields for the end of a call — call.end,
// call.unqueued: its Text, A and B. It panics for another kind, and like
// AppendFields. It has the same fast path (take).
func (l *Log) AppendEnd(t time.Duration, ev Ev, text Name, a, b int64) {
	i := l.take(endKinds&(1<<ev) != 0, text, 1)
	if i < 0 {
		l.appendEnd(t, ev, text, a, b)
		return
	}
	p := &l.ents[i]
	p.T, p.A, p.B = t, a, b
	p.Job, p.User, p.Client, p.Text = 0, 0, 0, text
	p.Ev, p.Method, p.Lane = ev, 0, 0
}

// take is the narrow appenders' fast path: when the kind is right (ok),
// top — the records' largest Name — is one the Log gave out, the gate is
// open for k more records (setGate: the Log keeps records, no observer,
// the limit not reached) and the slice has room, it numbers k records and
// returns the index in ents of the first, for the caller to write them;
// otherwise it changes nothing and returns -1, and the caller takes the
// slow path (AppendFields), which panics or drops as it must.
func (l *Log) take(ok bool, top Name, k int) (first int) {
	n := len(l.ents)
	if !ok || int(top) >= len(l.names) || uint(l.n+k-1) >= ^l.gateC || n+k > cap(l.ents) {
		return -1
	}
	l.n += k
	l.ents = l.ents[:n+k]
	return n
}

// appendJob, appendCall and appendEnd are the slow paths of AppendJob,
// AppendCall and AppendEnd, apart so that those stay small.
func (l *Log) appendJob(t time.Duration, ev Ev, job, text Name, a, b int64) {
	if jobKinds&(1<<ev) == 0 {
		panic("trace: AppendJob: " + ev.String() + " is not a packed record of a job alone")
	}
	l.AppendFields(t, ev, job, 0, 0, text, 0, 0, a, b)
}

func (l *Log) appendCall(t time.Duration, ev Ev, job, user, client Name, method Method, lane Lane, a, b int64) {
	if callKinds&(1<<ev) == 0 {
		panic("trace: AppendCall: " + ev.String() + " is not a packed record of a call taking a slot")
	}
	l.AppendFields(t, ev, job, user, client, 0, method, lane, a, b)
}

func (l *Log) appendEnd(t time.Duration, ev Ev, text Name, a, b int64) {
	if endKinds&(1<<ev) == 0 {
		panic("trace: AppendEnd: " + ev.String() + " is not a packed record of a call's end")
	}
	l.AppendFields(t, ev, 0, 0, 0, text, 0, 0, a, b)
}

// checkNames panics if n, the largest Name of a record, is one this Log
// never gave out.
func (l *Log) checkNames(n Name) {
	if n >= max(Name(len(l.names)), 1) {
		panic("trace: packed record: a Name this Log never gave out")
	}
}

// entry numbers the next record and returns the entry to write it into —
// the next of ents, or the scratch entry in the modes that keep none — or
// nil when the limit drops it.
func (l *Log) entry() *Packed {
	if l.limit > 0 && l.n >= l.limit {
		l.dropped++
		return nil
	}
	l.n++
	if l.mode != KeepRecords {
		return &l.scratch
	}
	n := len(l.ents)
	if n == cap(l.ents) {
		l.ents = append(l.ents, Packed{})[:n]
	}
	l.ents = l.ents[:n+1]
	return &l.ents[n]
}

// expanded hashes (HashOnly) and observes (Observe) the packed record p as
// its Record. Apart from AppendFields, whose frame so holds no Record: a
// record kept packed and not observed costs only its stores.
//
//go:noinline
func (l *Log) expanded(p *Packed) {
	if l.mode == HashOnly {
		r := l.expand(p, int64(l.n))
		l.h.Add(&r)
	}
	if l.obs != nil {
		r := l.expand(p, int64(l.n))
		l.observe(&r)
	}
}
