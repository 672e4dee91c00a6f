package catalogue

import (
	"slices"

	"github.com/bitsim/bitsim/trace"
)

// A Checker judges a trace one record at a time, so a trace of any length
// can be checked without holding it: feed it every record in order with
// Add, then call Finish once for the violations. Its memory is the live
// state of the run the trace describes (jobs, clients, users, calls in
// flight, what is owed) plus 16 bytes per call id seen, which rule T1 needs
// to prove an id used twice or a call ended twice; it never keeps records.
//
// [Check] is NewChecker, Add for each record, and Finish: both judge
// exactly alike.
type Checker struct {
	w        *world
	cs       []checker
	kinds    *kindIndex // which of cs look at each kind of record
	unknown  []Violation
	finished bool
}

// NewChecker returns a Checker of every rule of the catalogue.
func NewChecker() *Checker {
	cs := make([]checker, len(rules))
	for i, r := range rules {
		cs[i] = r.newChecker()
	}
	return &Checker{w: newWorld(), cs: cs, kinds: allKinds}
}

// NewRuleChecker returns a Checker of the rules with the given ids (or ids
// they cover) only, like [CheckRules]: an id that names no rule yields a
// violation with that id and the message "unknown rule".
func NewRuleChecker(ids ...string) *Checker {
	c := &Checker{w: newWorld()}
	var picked []string
	var rs []Rule
	for _, id := range ids {
		r, ok := Lookup(id)
		if !ok {
			c.unknown = append(c.unknown, Violation{Rule: id, Msg: "unknown rule"})
			continue
		}
		if slices.Contains(picked, r.ID) {
			continue
		}
		picked = append(picked, r.ID)
		c.cs = append(c.cs, r.newChecker())
		rs = append(rs, r)
	}
	c.kinds = indexKinds(rs)
	return c
}

// Add judges r, the next record of the trace, against the world as the
// records before it left it. Add does not keep r: the caller may reuse it.
// Add after Finish panics.
func (c *Checker) Add(r *trace.Record) {
	if c.finished {
		panic("catalogue: Checker.Add after Finish")
	}
	w := c.w
	for _, i := range c.kinds[r.Ev] {
		c.cs[i].observe(w, r)
	}
	w.apply(r)
	w.prevRec = prevRecord{Seq: r.Seq, T: r.T, Ev: r.Ev, Job: r.Job, From: r.From, To: r.To}
	w.i++
}

// Records returns how many records Add has judged.
func (c *Checker) Records() int { return c.w.i }

// Finish ends the trace and returns all violations sorted by their first
// seq, then rule id, as [Check] does. Finish twice panics.
func (c *Checker) Finish() []Violation {
	if c.finished {
		panic("catalogue: Checker.Finish called twice")
	}
	c.finished = true
	out := append([]Violation(nil), c.unknown...)
	var found []Violation
	for _, k := range c.cs {
		if f, ok := k.(finisher); ok {
			f.finish(c.w)
		}
		found = append(found, k.result()...)
	}
	sortViolations(found)
	return append(out, found...)
}

// finisher is a checker with a judgement on how the trace ends.
type finisher interface {
	finish(w *world)
}

// callLog is the one history the world keeps: for every call id seen, the
// seqs of its first call.begin and first call.end. T1 needs it to prove a
// call id used again or a call ended twice, G34 to tell a parent that
// ended from one that never began. Call ids a simulator hands out count 1,
// 2, 3 …, so they are kept densely (16 bytes a call); any other id goes to
// a map.
type callLog struct {
	dense  []callTimes // ids 1 … len(dense)
	sparse map[int64]callTimes
}

func (l *callLog) get(id int64) (callTimes, bool) {
	if id >= 1 && id <= int64(len(l.dense)) {
		return l.dense[id-1], true
	}
	ct, ok := l.sparse[id]
	return ct, ok
}

func (l *callLog) set(id int64, ct callTimes) {
	switch {
	case id >= 1 && id <= int64(len(l.dense)):
		l.dense[id-1] = ct
	case id == int64(len(l.dense))+1 && !l.inSparse(id):
		l.dense = append(l.dense, ct)
	default:
		if l.sparse == nil {
			l.sparse = map[int64]callTimes{}
		}
		l.sparse[id] = ct
	}
}

func (l *callLog) inSparse(id int64) bool {
	_, ok := l.sparse[id]
	return ok
}
