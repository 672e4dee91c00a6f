package scenarios_test

import (
	"fmt"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// Run a named scenario and read its trace.
func ExampleLookup() {
	s, _ := scenarios.Lookup("late-registration")
	fmt.Println(s.Summary)
	res, err := s.Run(1)
	if err != nil {
		panic(err)
	}
	for _, r := range res.Records {
		if r.Ev == trace.EvCallBegin {
			fmt.Println(r.Method, r.Job, r.T)
		}
	}
	// Output:
	// the client registers after the job transferred and still gets JobTransferred
	// JobTransferred job-1 1m0s
}

// Run many worlds of a generator in one trace log, as a sweep does: each
// world's records are the log's until the next world clears it.
func ExampleScenario_RunWith() {
	s, _ := scenarios.Lookup("adversarial")
	log := new(trace.Log)
	for seed := range uint64(3) {
		res, err := s.RunWith(log, seed)
		if err != nil {
			panic(err)
		}
		fmt.Println(seed, len(catalogue.Check(res.Records)), "violations")
	}
	// Output:
	// 0 0 violations
	// 1 0 violations
	// 2 0 violations
}

// RunSwarm runs a generator's world from any choice stream: here the
// adversarial world of seed 42, the one `bitsim run adversarial --seed 42`
// shows, watched record by record.
func ExampleRunSwarm() {
	calls := 0
	res, err := scenarios.RunSwarm(new(trace.Log), sim.NewPRNG(42), "adversarial", scheduler.DefaultOptions(), scenarios.DrawSwarm,
		func(r *trace.Record) {
			if r.Ev == trace.EvCallBegin {
				calls++
			}
		})
	if err != nil {
		panic(err)
	}
	want, _ := scenarios.RunAdversarial("adversarial", 42, scheduler.DefaultOptions())
	fmt.Println(calls > 0, trace.Hash(res.Records) == trace.Hash(want.Records))
	// Output:
	// true true
}

// Build a small world of your own with Run and the Funcs callback.
func ExampleRun() {
	res, err := scenarios.Run("my-world", 1, scheduler.DefaultOptions(), func(e *scenarios.Env) {
		alice := e.Svc.AddUser("alice", false)
		app := e.Svc.StartClient("app-1", alice, scheduler.STA)
		job, _ := app.CreateJob("docs", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		job.AddFile("http://example/a.pdf", `C:\a.pdf`)
		job.SetNotifyInterface(&scenarios.Funcs{Transferred: func(j callbackabi.Job) callbackabi.HRESULT {
			j.Complete()
			return callbackabi.S_OK
		}})
		job.Resume()
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Stats.Calls, "call(s),", len(catalogue.Check(res.Records)), "violation(s)")
	// Output:
	// 1 call(s), 0 violation(s)
}

// Many worlds, one trace.Log: RunInLog clears the Log and writes each
// world's trace into it, so the memory of one world is reused by the next.
// Read (or copy) a world's Records before the next world runs.
func ExampleRunInLog() {
	log := new(trace.Log)
	calls := 0
	for seed := range uint64(3) {
		w := sim.NewWorld(sim.NewPRNG(seed), sim.Limits{MaxTime: scenarios.Horizon})
		res, err := scenarios.RunInLog(w, log, "reuse", seed, scheduler.DefaultOptions(), func(e *scenarios.Env) {
			alice := e.Svc.AddUser("alice", false)
			app := e.Svc.StartClient("app-1", alice, scheduler.MTA)
			job, _ := app.CreateJob("docs", callbackabi.BG_JOB_TYPE_DOWNLOAD)
			job.AddFile("http://example/a.pdf", `C:\a.pdf`)
			job.SetNotifyInterface(&scenarios.Funcs{})
			job.Resume()
		})
		if err != nil {
			panic(err)
		}
		for _, r := range res.Records {
			if r.Ev == trace.EvCallBegin {
				calls++
			}
		}
	}
	fmt.Println(calls, "calls in 3 worlds")
	// Output:
	// 3 calls in 3 worlds
}

// An adversarial world drawn from a seed: every guarantee must hold.
func ExampleRunAdversarial() {
	res, err := scenarios.RunAdversarial("adversarial", 42, scheduler.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Println("violations:", len(catalogue.Check(res.Records)))
	// Output:
	// violations: 0
}

// DrawServer plans the servers of the files an application adds itself:
// set it as the service's Server, and every AddFile draws a healthy file or
// one with a fault, counted by kind.
func ExampleDrawServer() {
	var counts scenarios.FaultCounts
	res, _ := scenarios.Run("draw-server", 4, scheduler.DefaultOptions(), func(e *scenarios.Env) {
		e.Svc.SetServer(scenarios.DrawServer(e.World.Chooser(), &counts))
		app := e.Svc.StartClient("app-1", e.Svc.AddUser("alice", false), scheduler.MTA)
		job, _ := app.CreateJob("app's own", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
			job.AddFile("http://example/"+name, `C:\dl\`+name)
		}
		job.Resume()
	})
	for _, r := range res.Records {
		if r.Ev == trace.EvJobError {
			fmt.Println(r.Job, "file", r.File, r.HR)
		}
	}
	for _, k := range scenarios.FaultKinds() {
		if counts[k] > 0 {
			fmt.Println(k, counts[k])
		}
	}
	// Output:
	// job-1 file 2 BG_E_HTTP_ERROR_404
	// no-ranges-large 1
	// long-transient 1
	// no-progress 1
	// error-file-fails 1
}

// RunFaults runs one world of the "faults" scenario and tells which faults
// it planned; FaultCounts totals them over many worlds, and Missing names
// the kinds that never occurred.
func ExampleRunFaults() {
	var total scenarios.FaultCounts
	for seed := uint64(0); seed < 100; seed++ {
		_, counts, err := scenarios.RunFaults(seed, scheduler.DefaultOptions())
		if err != nil {
			panic(err)
		}
		total.Add(counts)
	}
	fmt.Println("missing:", total.Missing())
	// Output: missing: []
}

// FaultKinds lists every kind, in the order FaultCounts.String uses.
func ExampleFaultKinds() {
	var fc scenarios.FaultCounts
	fc[scenarios.RenameFails] = 2
	fmt.Println(len(scenarios.FaultKinds()), scenarios.FaultKinds()[0])
	fmt.Println(fc.String()[:60])
	fmt.Println(len(fc.Missing()))
	// Output:
	// 15 no-ranges-small
	// no-ranges-small=0 no-ranges-large=0 unknown-size=0 large=0 r
	// 14
}
