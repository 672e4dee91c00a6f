package catalogue_test

import (
	"fmt"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/trace"
)

// A trace recorded outside the service (combridge's recorder, watching a
// real BITS) says in run.start which kinds of event it could see. It is
// judged only by the rules those decide: here a JobTransferred that failed
// and was never called again (G20); JobModification's rules, which need
// job.modified, are skipped, and named.
func ExampleCheckObserved() {
	recs := []trace.Record{
		{Seq: 1, Ev: trace.EvRunStart, Scenario: "recorded", Version: "bitsim/1",
			Observed: "run.start client.start job.create job.state job.flags job.register job.unregister job.cmdline call.begin call.end run.end"},
		{Seq: 2, Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: "MTA"},
		{Seq: 3, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"},
		{Seq: 4, Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "alice"},
		{Seq: 5, T: 4e6, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_SUSPENDED, To: callbackabi.BG_JOB_STATE_TRANSFERRED},
		{Seq: 6, T: 4e6, Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "alice", Client: "app-1", Method: trace.JobTransferred, Lane: trace.LaneHigh},
		{Seq: 7, T: 5e6, Ev: trace.EvCallEnd, Call: 1, HR: callbackabi.E_FAIL},
		{Seq: 8, T: 9e6, Ev: trace.EvRunEnd, Reason: "idle"},
	}
	vs, skipped := catalogue.CheckObserved(recs)
	for _, v := range vs {
		fmt.Println(v)
	}
	fmt.Println(len(skipped), "rules skipped, among them", skipped[2])
	// Output:
	// G20: seq 7, 8: JobTransferred to app-1 for job-1 did not succeed (last failure at seq 7) and the run ended idle with it still owed: BITS calls again until S_OK
	// 17 rules skipped, among them G13 (needs job.modified)
}

// Needs lists the kinds of event a rule's judgement reads.
func ExampleNeeds() {
	kinds, _ := catalogue.Needs("G11")
	fmt.Println(kinds)
	// Output:
	// [job.state call.begin]
}

// Decidable splits the catalogue for what a recorder could see.
func ExampleDecidable() {
	ids, skipped := catalogue.Decidable([]trace.Ev{trace.EvRunStart, trace.EvRunEnd, trace.EvJobCreate, trace.EvJobState})
	fmt.Println(ids, len(skipped))
	// Output:
	// [G42 T1 T2] 27
}

// NewCheckerFor picks the checker from a trace's first record: every rule
// for a simulator's trace, the decidable ones for an observed trace (here
// Wine's Complete of a CANCELLED job, W-10, breaking G42). Feed
// it record by record, as bitsim check does with a file.
func ExampleNewCheckerFor() {
	recs := []trace.Record{
		{Seq: 1, Ev: trace.EvRunStart, Scenario: "recorded", Version: "bitsim/1", Observed: "run.start job.create job.state run.end"},
		{Seq: 2, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"},
		{Seq: 3, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_SUSPENDED, To: callbackabi.BG_JOB_STATE_CANCELLED},
		{Seq: 4, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_CANCELLED, To: callbackabi.BG_JOB_STATE_ACKNOWLEDGED},
		{Seq: 5, Ev: trace.EvRunEnd, Reason: "stopped"},
	}
	c := catalogue.NewCheckerFor(&recs[0])
	for i := range recs {
		c.Add(&recs[i])
	}
	for _, v := range c.Finish() {
		fmt.Println(v)
	}
	fmt.Println(len(c.Skipped()), "rules skipped")
	// Output:
	// G42: seq 3, 4: job-1 moves from CANCELLED to ACKNOWLEDGED: ACKNOWLEDGED and CANCELLED are final
	// 27 rules skipped
}
