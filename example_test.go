package bitsim_test

import (
	"fmt"

	"github.com/bitsim/bitsim"
	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// A callback that completes its job, registered late: BITS still calls it
// (G18), once (G20), and every documented guarantee holds on the trace.
func ExampleNewWorld() {
	w := bitsim.NewWorld(bitsim.Config{Seed: 1, Scenario: "example"})
	alice := w.Service.AddUser("alice", false)
	app := w.Service.StartClient("app-1", alice, scheduler.MTA)
	job, _ := app.CreateJob("nightly", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFile("http://example/update.cab", `C:\update.cab`)
	job.Resume()

	cb := &scenarios.Funcs{Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
		j.Complete()
		return callbackabi.S_OK
	}}
	w.Sim.AfterFunc(60e9, func() { job.SetNotifyInterface(cb) }) // one minute later

	recs, err := w.Run()
	if err != nil {
		panic(err)
	}
	for _, r := range recs {
		if r.Ev == trace.EvCallBegin {
			fmt.Printf("%s %s at %v\n", r.Method, r.Job, r.T)
		}
	}
	fmt.Println("violations:", len(bitsim.Check(recs)))
	// Output:
	// JobTransferred job-1 at 1m0s
	// violations: 0
}

// Check judges any trace, for example one recorded elsewhere and parsed
// with trace.Parse: here a client that received a fifth simultaneous call.
func ExampleCheck() {
	recs := []trace.Record{
		{Seq: 1, Ev: trace.EvRunStart, Scenario: "hand-made", Version: "bitsim/1"},
		{Seq: 2, Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: "MTA"},
		{Seq: 3, Ev: trace.EvJobCreate, Job: "job-1", User: "alice"},
		{Seq: 4, Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "alice"},
	}
	flags := callbackabi.NotifyFlagsDefault | callbackabi.BG_NOTIFY_JOB_MODIFICATION
	recs = append(recs, trace.Record{Seq: 5, Ev: trace.EvJobFlags, Job: "job-1", Flags: flags})
	for i := int64(1); i <= 5; i++ {
		recs = append(recs,
			trace.Record{Seq: int64(len(recs) + 1), Ev: trace.EvJobModified, Job: "job-1", Reason: "progress"},
			trace.Record{Seq: int64(len(recs) + 2), Ev: trace.EvCallBegin, Call: i, Job: "job-1", User: "alice", Client: "app-1",
				Method: trace.JobModification, Lane: trace.LaneLow})
	}
	for _, v := range bitsim.Check(recs) {
		if v.Rule == "G31" {
			fmt.Println(v.Rule, v.Seqs)
		}
	}
	// Output:
	// G31 [7 9 11 13 15]
}
