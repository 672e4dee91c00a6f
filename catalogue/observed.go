package catalogue

import (
	"slices"
	"strings"

	"github.com/bitsim/bitsim/trace"
)

// Observed traces.
//
// A trace recorded outside the service (combridge's recorder, watching a
// real BITS) holds only the event kinds its recorder could see, listed in
// run.start's observed key (docs/TRACE.md). A rule whose judgement rests
// on a kind the recorder could not see would judge the silence: G13 reads
// a JobModification without job.modified as one nobody triggered, G24 a
// program run without cmdline.start as none. So such a trace is judged
// only against the rules whose every needed kind was observed; the others
// are skipped, and named.

// needs lists, for each rule, the event kinds its judgement reads: a
// record of a kind outside the list never changes what the rule says. A
// kind missing from a trace that could hold it makes the rule's silence
// meaningless, so the rule is skipped there. The list is in id order, like
// defs (TestNeedsCoversEveryRule keeps them in step).
var needs = []struct {
	id    string
	kinds []trace.Ev
}{
	{"G3", evs(trace.EvJobFlags, trace.EvCallBegin)},
	{"G4", evs(trace.EvJobFlags, trace.EvCallBegin)},
	// G6 judges each setter's record on its own: a setter whose record the
	// recorder does not write (job.cmdline, job.owner …) is simply not
	// judged, the others still are.
	{"G6", evs(trace.EvJobState, trace.EvJobFlags, trace.EvJobRegister)},
	// A call to a client that has exited never reaches it: only the service
	// sees it end disconnected.
	{"G7", evs(trace.EvClientExit, trace.EvCallBegin, trace.EvCallEnd, trace.EvJobUnregister)},
	{"G8", evs(trace.EvJobRegister, trace.EvJobUnregister, trace.EvCallBegin)},
	// Whose context a call runs in shows only when ownership changes hands.
	{"G10", evs(trace.EvJobRegister, trace.EvJobOwner, trace.EvCallBegin)},
	{"G11", evs(trace.EvJobState, trace.EvCallBegin)},
	{"G12", evs(trace.EvJobState, trace.EvCallBegin)},
	{"G13", evs(trace.EvJobState, trace.EvJobModified)},
	{"G14", evs(trace.EvRunConfig, trace.EvCallBegin)},
	{"G15", evs(trace.EvNotifyOwed, trace.EvCallBegin, trace.EvCallEnd)},
	{"G18", owedKinds},
	{"G19", owedKinds},
	// Its "nothing followed a failure" half reads retry.scheduled: in an
	// observed trace without it that half is silent (world.retriesUnseen),
	// the other half (still owed at idle, a call after success) judges.
	{"G20", owedKinds},
	{"G21", evs(trace.EvNotifyOwed, trace.EvCallBegin, trace.EvCallEnd, trace.EvRunEnd)},
	{"G22", evs(trace.EvJobModified, trace.EvCallBegin)},
	{"G24", cmdKinds},
	{"G25", cmdKinds},
	{"G26", cmdKinds},
	{"G27", cmdKinds},
	{"G28", cmdKinds},
	{"G29", cmdKinds},
	// Whether a program ran for a service account's job.
	{"G30", evs(trace.EvJobCreate, trace.EvJobOwner, trace.EvCmdlineStart)},
	// Calls that hold a slot before they begin (call.queued) only make the
	// count higher: counting the begun ones never reports a false G31.
	{"G31", evs(trace.EvClientStart, trace.EvCallBegin, trace.EvCallEnd)},
	// Lane order is judged when a call takes its slot: at call.queued when
	// there is one, so without it a queued call looks as if it took its
	// slot late.
	{"G32", evs(trace.EvSlotWait, trace.EvCallQueued, trace.EvCallBegin, trace.EvCallEnd)},
	// A client that exits and starts again under its name has calls of its
	// old instance in flight: without client.exit they look concurrent.
	{"G34", evs(trace.EvClientStart, trace.EvClientExit, trace.EvCallBegin, trace.EvCallEnd)},
	{"G42", evs(trace.EvJobState)},
	// A recorder does not see the machine's network come and go.
	{"G44", evs(trace.EvNetworkDown, trace.EvNetworkUp, trace.EvJobState)},
	{"T1", nil},
	{"T2", evs(trace.EvRunStart, trace.EvRunEnd, trace.EvJobCreate)},
}

var (
	// G18–G20 also read the command line's runs, but only for a job that
	// has one: see ObservedChecker.
	owedKinds = evs(trace.EvJobState, trace.EvJobFlags, trace.EvJobRegister, trace.EvJobUnregister,
		trace.EvJobCmdline, trace.EvCallBegin, trace.EvCallEnd, trace.EvRunEnd)
	cmdKinds = evs(trace.EvJobState, trace.EvJobFlags, trace.EvJobRegister, trace.EvJobCmdline,
		trace.EvCallBegin, trace.EvCallEnd, trace.EvCmdlineStart, trace.EvCmdlineExit, trace.EvRunEnd)
)

func evs(e ...trace.Ev) []trace.Ev { return e }

// Needs returns the event kinds the judgement of rule id (or the rule
// covering id) reads, and false for an id that names no rule. A trace
// whose recorder could not see one of them cannot be judged against the
// rule.
func Needs(id string) ([]trace.Ev, bool) {
	r, ok := Lookup(id)
	if !ok {
		return nil, false
	}
	for _, n := range needs {
		if n.id == r.ID {
			return slices.Clone(n.kinds), true
		}
	}
	return nil, false
}

// Skip is a rule an observed trace cannot decide, with the kinds of event
// it needs that the recorder did not see.
type Skip struct {
	Rule    string
	Missing []trace.Ev
}

// String formats s as "G13 (needs job.modified)".
func (s Skip) String() string {
	names := make([]string, len(s.Missing))
	for i, e := range s.Missing {
		names[i] = e.String()
	}
	return s.Rule + " (needs " + strings.Join(names, ", ") + ")"
}

// ObservedKinds returns the event kinds an observed trace's run.start says
// its recorder could see, and false for a complete trace (no observed key:
// a simulator's, where every kind may appear). Names this version does not
// know are left out.
func ObservedKinds(start *trace.Record) ([]trace.Ev, bool) {
	if start.Ev != trace.EvRunStart || start.Observed == "" {
		return nil, false
	}
	var out []trace.Ev
	for _, name := range strings.Fields(start.Observed) {
		if e, ok := trace.ParseEv(name); ok && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, true
}

// Decidable splits the catalogue for a trace whose recorder saw only the
// event kinds seen: the ids of the rules it can judge, in id order, and
// the rules it cannot, each with what it misses.
func Decidable(seen []trace.Ev) (ids []string, skipped []Skip) {
	for _, n := range needs {
		var missing []trace.Ev
		for _, e := range n.kinds {
			if !slices.Contains(seen, e) {
				missing = append(missing, e)
			}
		}
		if missing != nil {
			skipped = append(skipped, Skip{Rule: n.id, Missing: missing})
		} else {
			ids = append(ids, n.id)
		}
	}
	return ids, skipped
}

// cmdDependent are the rules whose judgement of a job reads the runs of
// its notification program once it has one (ambiguity 5: a failed callback
// hands the notification to the command line, G25, G26). An observed trace
// that records job.cmdline but not the runs can still judge them for a
// trace in which no command line was ever set: no program can have run.
//
// The same rules excuse a notification still owed to a registration whose
// client cannot take it (world.hung): an STA client whose thread the
// application holds (sta.hold), its calls waiting for that thread
// (call.queued). Only an STA client has such a thread, so an observed
// trace that records client.start but neither of those kinds can judge
// them as long as no STA client starts.
var cmdDependent = []string{"G18", "G19", "G20"}

// staKinds are what the rules of cmdDependent read of an STA client.
var staKinds = []trace.Ev{trace.EvSTAHold, trace.EvCallQueued}

// An ObservedChecker is a [Checker] for a trace from anywhere, fed record
// by record like a Checker. A complete trace is judged by every rule,
// exactly as NewChecker judges it; an observed trace only by the rules it
// can decide ([Decidable]), and Skipped names the others. If an observed
// trace that cannot see the program's runs registers a command line, or
// one that cannot see an STA thread held or calls waiting for it starts an
// STA client, the rules that depend on them (G18–G20) are skipped too.
type ObservedChecker struct {
	c        *Checker
	skipped  []Skip
	runsSeen bool // cmdline.start and cmdline.exit observed (or a complete trace)
	cmdSet   bool // a job.cmdline set a command line
	staSeen  bool // sta.hold and call.queued observed (or a complete trace)
	staUsed  bool // a client.start of an STA client
}

// NewCheckerFor returns the checker for a trace whose first record is
// first. Feed it every record, first included.
func NewCheckerFor(first *trace.Record) *ObservedChecker {
	seen, ok := ObservedKinds(first)
	if !ok {
		return &ObservedChecker{c: NewChecker(), runsSeen: true, staSeen: true}
	}
	ids, skipped := Decidable(seen)
	return &ObservedChecker{c: NewRuleChecker(ids...), skipped: skipped,
		runsSeen: slices.Contains(seen, trace.EvCmdlineStart) && slices.Contains(seen, trace.EvCmdlineExit),
		staSeen:  slices.Contains(seen, trace.EvSTAHold) && slices.Contains(seen, trace.EvCallQueued)}
}

// Add judges r, the next record.
func (o *ObservedChecker) Add(r *trace.Record) {
	switch {
	case r.Ev == trace.EvJobCmdline && r.User != "":
		o.cmdSet = true
	case r.Ev == trace.EvClientStart && r.Apartment == "STA":
		o.staUsed = true
	}
	o.c.Add(r)
}

// Finish returns the violations, like [Checker.Finish].
func (o *ObservedChecker) Finish() []Violation {
	vs := o.c.Finish()
	var missing []trace.Ev
	if !o.runsSeen && o.cmdSet {
		missing = append(missing, trace.EvCmdlineStart, trace.EvCmdlineExit)
	}
	if !o.staSeen && o.staUsed {
		missing = append(missing, staKinds...)
	}
	if missing == nil {
		return vs
	}
	kept := vs[:0]
	for _, v := range vs {
		if !slices.Contains(cmdDependent, v.Rule) {
			kept = append(kept, v)
		}
	}
	for _, id := range cmdDependent {
		if i := slices.IndexFunc(o.skipped, func(s Skip) bool { return s.Rule == id }); i >= 0 {
			o.skipped[i].Missing = append(o.skipped[i].Missing, missing...) // skipped already (Decidable)
			continue
		}
		o.skipped = append(o.skipped, Skip{Rule: id, Missing: missing})
	}
	slices.SortStableFunc(o.skipped, func(a, b Skip) int { return ruleOrder(a.Rule, b.Rule) })
	return kept
}

// Skipped returns the rules not judged, in id order, each with the kinds
// of event it needs that the trace lacks; nil for a complete trace. Call
// it after Finish.
func (o *ObservedChecker) Skipped() []Skip { return o.skipped }

// CheckObserved is [Check] for a trace from anywhere (see
// [ObservedChecker]): it returns the violations and the rules skipped.
func CheckObserved(recs []trace.Record) ([]Violation, []Skip) {
	if len(recs) == 0 {
		return Check(recs), nil
	}
	c := NewCheckerFor(&recs[0])
	for i := range recs {
		c.Add(&recs[i])
	}
	vs := c.Finish()
	return vs, c.Skipped()
}
