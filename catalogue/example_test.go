package catalogue_test

import (
	"fmt"
	"strings"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/trace"
)

// A dispatcher that calls JobTransferred once and ignores its E_FAIL: the
// catalogue names the broken promise (G20) and the records that prove it.
func ExampleCheck() {
	recs := []trace.Record{
		{Seq: 1, Ev: trace.EvRunStart, Scenario: "example"},
		{Seq: 2, Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: "MTA"},
		{Seq: 3, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"},
		{Seq: 4, Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "alice"},
		{Seq: 5, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_SUSPENDED, To: callbackabi.BG_JOB_STATE_QUEUED},
		{Seq: 6, Ev: trace.EvJobModified, Job: "job-1", Reason: "state"},
		{Seq: 7, T: 2e9, Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_QUEUED, To: callbackabi.BG_JOB_STATE_TRANSFERRED},
		{Seq: 8, T: 2e9, Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "alice", Client: "app-1", Method: trace.JobTransferred, Lane: trace.LaneHigh},
		{Seq: 9, T: 2e9, Ev: trace.EvCallEnd, Call: 1, HR: callbackabi.E_FAIL},
		{Seq: 10, T: 2e9, Ev: trace.EvRunEnd, Reason: "idle"},
	}
	for _, v := range catalogue.Check(recs) {
		fmt.Println(v)
	}
	// Output:
	// G20: seq 9, 10: JobTransferred to app-1 for job-1 did not succeed (last failure at seq 9) and the run ended idle with it still owed: BITS calls again until S_OK
}

// Lookup finds a rule by its id, or by an id its checker covers.
func ExampleLookup() {
	r, _ := catalogue.Lookup("G33")
	fmt.Println(r.ID, "—", r.Source)
	fmt.Println(r.Statement)
	// Output:
	// G15 — S-FT
	// FileTransferred calls for a job are serialized, and every owed FileTransferred is settled before JobTransferred or JobError begins for that job (G33)
}

// A Checker judges a trace record by record, for traces too long to hold:
// here it reads the trace with trace.Reader and finds it cut short (T2).
func ExampleNewChecker() {
	file := strings.NewReader(`{"seq":1,"t":0,"ev":"run.start","seed":1,"scenario":"example","version":"bitsim/1"}
{"seq":2,"t":0,"ev":"client.start","client":"app-1","user":"alice","apartment":"MTA"}
`)
	rd := trace.NewReader(file)
	c := catalogue.NewChecker()
	for {
		rec, err := rd.Next()
		if err != nil { // io.EOF at the end of a well-formed file
			break
		}
		c.Add(&rec)
	}
	fmt.Println(c.Records(), "records")
	for _, v := range c.Finish() {
		fmt.Println(v)
	}
	// Output:
	// 2 records
	// T2: seq 2: the trace ends at seq 2 (client.start) without run.end: it was cut short, and what it still owed cannot be judged
}

// NewRuleChecker judges some rules only; an unknown id is reported.
func ExampleNewRuleChecker() {
	c := catalogue.NewRuleChecker("T2", "G99")
	c.Add(&trace.Record{Seq: 1, Ev: trace.EvRunStart})
	for _, v := range c.Finish() {
		fmt.Println(v)
	}
	// Output:
	// G99: unknown rule
	// T2: seq 1: the trace ends at seq 1 (run.start) without run.end: it was cut short, and what it still owed cannot be judged
}
