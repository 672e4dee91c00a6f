package catalogue

import "github.com/bitsim/bitsim/trace"

// judge looks at one record r with the world just before it and reports
// what r breaks. The world holds all the state a judge needs.
type judge func(b *base, w *world, r *trace.Record)

type judgeChecker struct {
	base
	judge judge
}

func (c *judgeChecker) observe(w *world, r *trace.Record) { c.judge(&c.base, w, r) }

type ruleDef struct {
	id, statement, source string
	covers                []string
	judge                 judge
	checker               func(id string) checker // instead of judge, for rules with state of their own
	// on lists the kinds of record judge looks at: it returns at once for
	// every other kind, so a Checker does not call it for them (kinds.go).
	// nil: every record (and always for a checker, which keeps state).
	on []trace.Ev
}

// defs is the catalogue, in id order (numeric: G3 before G10; T1, T2 last).
var defs = []ruleDef{
	{id: "G3", source: "S-SNF; S-GNF",
		statement: "BG_NOTIFY_DISABLE dominates: while a job's flags have 0x4, no callback begins and no notification program starts for it (ambiguity 6)",
		judge:     judgeG3,
		on:        []trace.Ev{trace.EvCallBegin, trace.EvCmdlineStart}},
	{id: "G4", source: "S-SNF; S-CB2; S-CB3",
		statement: "A callback method is invoked only while its flag bit is set (JT 0x1, JE 0x2, JM 0x8, FT 0x10, FRT 0x20), and only in a BITS version that has it (FT 3.0, FRT 10.1)",
		judge:     judgeG4,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G6", source: "S-SNF; S-SNI; S-SNC; S-MRD; S-TO",
		statement: "Setters fail with BG_E_INVALID_STATE on an ACKNOWLEDGED or CANCELLED job: no flags, registration, command line, retry delay or ownership change takes effect after a final state",
		judge:     judgeG6,
		on:        []trace.Ev{trace.EvJobFlags, trace.EvJobRegister, trace.EvJobCmdline, trace.EvJobRetryDelay, trace.EvJobOwner, trace.EvJobUnregister}},
	{id: "G7", source: "S-CB; S-SNI; S-REG", covers: []string{"G23"},
		statement: "A callback pointer dies with its client; BITS finds out only by calling it (G23): a call to an exited client ends disconnected, and BITS then clears the pointer (job.unregister disconnected)",
		judge:     judgeG7,
		on:        []trace.Ev{trace.EvCallBegin, trace.EvCallEnd, trace.EvJobRegister, trace.EvJobUnregister, trace.EvRunEnd}},
	{id: "G8", source: "S-SNI; S-REG",
		statement: "Last writer wins: callbacks go only to the client of the job's current registration",
		judge:     judgeG8,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G10", source: "S-CB; S-TO",
		statement: "Callbacks run in the context of the user who registered the callback, even after another user took ownership of the job",
		judge:     judgeG10,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G11", source: "S-JT; S-STATE",
		statement: "JobTransferred is called only while the job is TRANSFERRED (ambiguity 4)",
		judge:     judgeG11,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G12", source: "S-JE; S-NPT",
		statement: "JobError is called only while the job is ERROR, never for TRANSIENT_ERROR (ambiguity 4)",
		judge:     judgeG12,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G13", source: "S-JM; S-SNF",
		statement: "No JobModification is raised by the transition into TRANSFERRED or ERROR: a job.modified{state} follows the job.state it reflects, and that state is neither",
		judge:     judgeG13,
		on:        []trace.Ev{trace.EvJobModified}},
	{id: "G14", source: "S-JM; S-PROP; S-FRT",
		statement: "With a minimum notification interval, two JobModification (or two FileRangesTransferred) calls for one job begin at least the interval apart (ambiguity 11)",
		judge:     judgeG14,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G15", source: "S-FT", covers: []string{"G33"},
		statement: "FileTransferred calls for a job are serialized, and every owed FileTransferred is settled before JobTransferred or JobError begins for that job (G33)",
		judge:     judgeG15,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G18", source: "S-CB; S-SNI",
		statement: "At least once, even when the registration comes late: a live registration of a TRANSFERRED (ERROR) job whose flags allow it gets a JobTransferred (JobError) call before the run goes idle",
		judge:     judgeG18,
		on:        []trace.Ev{trace.EvRunEnd}},
	{id: "G19", source: "S-CB",
		statement: "Re-notification: after a job was notified, a new registration while the job is still in the state is owed the notification again",
		judge:     judgeG19,
		on:        []trace.Ev{trace.EvRunEnd}},
	{id: "G20", source: "S-JT; S-JE; H-MSG",
		statement: "JobTransferred and JobError are called again until they return S_OK (any success when strict is off), and not again after that for the same registration and state entry (ambiguities 1, 2, 3)",
		judge:     judgeG20,
		on:        []trace.Ev{trace.EvCallBegin, trace.EvRunEnd}},
	{id: "G21", source: "S-FT",
		statement: "FileTransferred is retried only after a failure HRESULT (S_FALSE settles it) and keeps being retried until it succeeds",
		judge:     judgeG21,
		on:        []trace.Ev{trace.EvCallBegin, trace.EvRunEnd}},
	{id: "G22", source: "S-JM; S-FRT",
		statement: "JobModification is not retried: every JobModification call has a job.modified trigger since the previous one for the job (ambiguity 13)",
		judge:     judgeG22,
		on:        []trace.Ev{trace.EvCallBegin}},
	{id: "G24", source: "S-SNC; S-EXE", covers: []string{"G17"},
		statement: "The notification program runs only for a job with a command line, while it is TRANSFERRED or ERROR with the matching flag (G17), in BITS 1.5 or later",
		judge:     judgeG24,
		on:        []trace.Ev{trace.EvCmdlineStart}},
	{id: "G25", source: "S-SNC; S-EXE",
		statement: "Callback before command line: the program runs only if no callback is registered or the callback failed, never after the callback succeeded",
		judge:     judgeG25,
		on:        []trace.Ev{trace.EvCmdlineStart}},
	{id: "G26", source: "S-JT; S-JE",
		statement: "After JobTransferred/JobError fails with a command line registered, the command line runs and the method is not called again for that registration and state entry while the command line stays registered (ambiguity 5; once it is removed the callback is the channel left, G28)",
		judge:     judgeG26,
		on:        []trace.Ev{trace.EvCallBegin, trace.EvRunEnd}},
	{id: "G27", source: "S-SNC; S-EV",
		statement: "A notification program that exits non-zero while the job stays in the state runs again, no sooner than the job's minimum retry delay (BITS 2.0+); one that exits 0 does not run again",
		judge:     judgeG27,
		on:        []trace.Ev{trace.EvCmdlineStart, trace.EvRunEnd}},
	{id: "G28", source: "S-SNC; S-JT; S-JE",
		statement: "An owed JobTransferred/JobError is never abandoned: when the callback and the command line have both failed, BITS notifies again, so a run does not go idle while the job is still in the state, its flag allowed, nothing delivered in this entry, a live registration or a command line able to take it, and nothing holding it back (no call of the job in flight, no busy STA thread, no full slots, no program running)",
		judge:     judgeG28,
		on:        []trace.Ev{trace.EvRunEnd}},
	{id: "G29", source: "S-SNC",
		statement: "The command line is at-least-once too: registered after the event, with no callback to take it, it still runs before the run goes idle",
		judge:     judgeG29,
		on:        []trace.Ev{trace.EvRunEnd}},
	{id: "G30", source: "S-SNC; Users and Network Connections",
		statement: "No notification program runs for a job in a service-account context: a job owned by LocalSystem, LocalService or NetworkService never has a cmdline.start",
		judge:     judgeG30,
		on:        []trace.Ev{trace.EvCmdlineStart}},
	{id: "G31", source: "S-CB; S-JT; S-JE; S-JM; S-FRT",
		statement: "At most cap (4) callback calls are in flight per user at any moment, nested STA calls and calls queued for a busy STA thread (call.queued) included (ambiguity 8)",
		checker:   newG31},
	{id: "G32", source: "S-CB",
		statement: "Two lanes: JT, JE, FT in the high lane, JM, FRT in the low lane; when a slot frees, a waiting high-lane dispatch goes before any low-lane one (ambiguities 8, 9)",
		judge:     judgeG32,
		on:        []trace.Ev{trace.EvSlotWait, trace.EvCallBegin, trace.EvCallQueued}},
	{id: "G34", source: "S-CB",
		statement: "Re-entrancy only on an STA client: a nested call goes to the same STA client as its parent, while the parent is in flight, and ends before it; otherwise an STA client runs one call at a time",
		judge:     judgeG34,
		on:        []trace.Ev{trace.EvCallBegin, trace.EvCallEnd}},
	{id: "G42", source: "S-LC",
		statement: "ACKNOWLEDGED and CANCELLED are final: a job never leaves them",
		judge:     judgeG42,
		on:        []trace.Ev{trace.EvJobState}},
	{id: "G44", source: "S-GP; S-RV; S-MRD; S-STATE; \"Users and Network Connections\"",
		statement: "The network (G44): at network.down every QUEUED, CONNECTING or TRANSFERRING job moves at that instant to TRANSIENT_ERROR (ERROR once its no-progress timeout has run out, G12); no job moves to TRANSFERRING while the network is down; at network.up every TRANSIENT_ERROR job moves at that instant to QUEUED",
		checker:   newG44},
	{id: "T1", source: "TRACE.md",
		statement: "The trace is well formed: seq 1, 2, 3 … without gaps, t never goes back, call ids are unique and every call.end ends a call in flight, job.state starts from the job's state",
		judge:     judgeT1},
	{id: "T2", source: "TRACE.md",
		statement: "The trace is complete: it begins with run.start, ends with run.end, and names no job before its job.create (a cut trace is never \"no violations\")",
		checker:   newT2},
}

// rules is defs as the exported Rule values.
var rules = buildRules()

func buildRules() []Rule {
	out := make([]Rule, len(defs))
	for i, d := range defs {
		newChecker := func() checker {
			if d.checker != nil {
				return d.checker(d.id)
			}
			return &judgeChecker{base: base{id: d.id}, judge: d.judge}
		}
		out[i] = Rule{ID: d.id, Statement: d.statement, Source: d.source, Covers: d.covers, newChecker: newChecker, on: d.on}
		kinds := indexKinds(out[i : i+1])
		out[i].Check = func(recs []trace.Record) []Violation {
			return checkAll(&Checker{w: newWorld(), cs: []checker{newChecker()}, kinds: kinds}, recs)
		}
	}
	return out
}
