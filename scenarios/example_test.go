package scenarios_test

import (
	"fmt"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/catalogue"
	"github.com/bitsim/bitsim/scenarios"
	"github.com/bitsim/bitsim/scheduler"
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
