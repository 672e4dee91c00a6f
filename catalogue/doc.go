// Package catalogue is bitsim's guarantee catalogue as code: every
// documented promise of how BITS delivers notifications to
// IBackgroundCopyCallback (rules G1–G50 of reference/bits-semantics.md)
// that a trace can prove broken, with the checker that looks for the proof.
//
// # The trace is the truth
//
// A checker reads only a trace ([]trace.Record, format v1 of
// docs/TRACE.md), never the simulator's private state. So the same
// catalogue judges bitsim's dispatcher, a deliberately naive one (the
// Wine-like WineCompat profile) or a trace recorded anywhere else. Each
// record is judged against what the records before it say: the job's state
// and notify flags, its current registration (job.register /
// job.unregister), which clients have exited, which calls are in flight,
// what is owed. run.config sets the per-user cap (default 4, 0 = none), the
// JobModification interval (default 0 = not checked) and whether only S_OK
// counts as success for JobTransferred/JobError (default strict).
//
// Some rules are about safety (this call should not have begun) and are
// judged at the record that breaks them. Others are about liveness
// (something owed never happened) and are judged at run.end: only when
// its reason is "idle" — the dispatcher said nothing was left to do — and,
// for "a failure must be followed by something", also at "deadline". A
// trace cut by a limit, or with no run.end, is not judged for liveness.
// A callback still in flight at run.end (a hung client) excuses what it
// holds back.
//
// # Rules
//
// [All] lists the rules in id order; [Lookup] finds one by id, or by an id
// its checker also covers (G23 is judged with G7, G33 with G15, G17 with
// G24). Each [Rule] has its id, a one-line Statement paraphrasing the
// reference, the Source keys of the documentation it comes from, and a
// Check function that judges a trace against that rule alone.
//
//	G3   DISABLE dominates: no callback and no notification program
//	G4   a method only with its flag bit (and a BITS version that has it)
//	G6   no setter takes effect after ACKNOWLEDGED / CANCELLED
//	G7   a dead client's call ends disconnected; BITS then clears the pointer (G23)
//	G8   calls go to the current registration only (last writer wins)
//	G10  calls run as the registering user, whoever owns the job
//	G11  JobTransferred only while TRANSFERRED
//	G12  JobError only while ERROR, never TRANSIENT_ERROR
//	G13  no JobModification for entering TRANSFERRED or ERROR
//	G14  JobModification calls at least the interval apart
//	G15  FileTransferred serialized, and before JobTransferred/JobError (G33)
//	G18  at least once, even for a late registration
//	G19  a new registration is notified again
//	G20  JobTransferred/JobError retried until S_OK, and not after it
//	G21  FileTransferred retried after failure only, until it succeeds
//	G22  JobModification never retried: one trigger per call at most
//	G24  the notification program only with a command line, for TRANSFERRED/ERROR (G17)
//	G25  the callback before the command line
//	G26  after a failed callback the command line takes over
//	G27  a failing program runs again, after the minimum retry delay
//	G28  an owed JobTransferred/JobError is never abandoned while someone can take it
//	G29  the command line is at-least-once too
//	G30  no notification program for a service account's job
//	G31  at most cap calls in flight per user
//	G32  methods in their lanes; the high lane first when a slot frees
//	G34  nested calls only on an STA client, inside a call in flight
//	G42  final states are absorbing
//	G44  the network: its loss stops the active jobs, its return requeues
//	     every TRANSIENT_ERROR job, no transfer in between
//	T1   the trace itself is well formed (seq, t, call ids)
//	T2   the trace is complete: run.start first, run.end last, job.create before use
//
// # Reading a violation
//
// [Check] returns every [Violation] sorted by the first seq it names, then
// by rule. Its String form is
//
//	G31: seq 14, 17, 20, 22, 25: user alice has 5 calls in flight (cap 4)
//
// that is: the rule broken, the seq numbers of the records that together
// prove it (look them up in the trace: here the five call.begin records of
// the calls in flight), and what happened in the trace's own words. A
// liveness violation names the record that made something owed and the
// run.end it was still owed at. Fix T1 violations first: a malformed trace
// can make any other rule's judgement meaningless.
//
// Checkers are deterministic, linear in the trace's length (a million
// records take about a second) and never panic, whatever the trace holds.
//
// # Traces too long to hold
//
// A [Checker] judges one record at a time: [NewChecker], [Checker.Add] for
// each record in order (read with trace.Reader), then [Checker.Finish].
// It keeps the live state of the run (jobs, clients, users, calls in
// flight, what is owed) and 16 bytes per call id, never the records, and
// judges exactly as [Check], which is a Checker fed from a slice.
//
// # Observed traces
//
// A trace recorded outside the service — combridge's recorder watching a
// real BITS — holds only what its recorder could see, and its run.start
// lists those event kinds (docs/TRACE.md, "Observed traces"). Silence
// there proves nothing: no job.modified does not mean no JobModification
// was triggered. [Needs] gives the kinds each rule's judgement reads;
// [CheckObserved] (or [NewCheckerFor], record by record) judges an
// observed trace by the rules whose kinds were all seen and returns the
// others as [Skip] values; a simulator's trace, which has no observed key,
// is judged by every rule exactly as Check judges it.
package catalogue
