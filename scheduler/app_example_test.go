package scheduler_test

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
)

// printJT is a callback object that prints when JobTransferred runs, and on
// which thread.
type printJT struct{ w *sim.World }

func (c printJT) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	fmt.Println(c.w.Now(), "JobTransferred on", c.w.Current().Name())
	return job.Complete()
}
func (printJT) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (printJT) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT { return callbackabi.S_OK }

func startDownload(c *scheduler.Client, cb callbackabi.Callback) *scheduler.JobRef {
	job, _ := c.CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/update.cab", LocalName: `C:\update.cab`, Size: 25_000_000})
	job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED)
	job.SetNotifyInterface(cb)
	job.Resume()
	return job
}

// Application code holds the STA thread of its client (an application's
// main function runs on it): the JobTransferred of 3.1 s waits, holding
// its slot, until the thread pumps (PumpSTA) or goes back to its message
// loop (ReleaseSTA). Package proc does this for a Program.
func ExampleClient_HoldSTA() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.STA)
	startDownload(app, printJT{w})
	app.HoldSTA()
	app.OnSTAQueue(func() { fmt.Println(w.Now(), "a call queues for the STA thread") })
	w.Go(app.STAThread(), func() { // main
		svc.Clock().Sleep(10 * time.Second) // busy, not pumping
		fmt.Println(w.Now(), "waiting:", app.STAQueued())
		fmt.Println(w.Now(), "delivered:", app.PumpSTA())
		app.ReleaseSTA()
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 3.1s a call queues for the STA thread
	// 10s waiting: 1
	// 10s JobTransferred on app-1/sta
	// 10s delivered: 1
}

// OnEnd hooks run however the process ends.
func ExampleClient_OnEnd() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	app.OnEnd(func(reason string) { fmt.Println(app.Name(), "ended:", reason) })
	next := app.Restart()
	next.OnEnd(func(reason string) { fmt.Println(next.Name(), "ended:", reason) })
	next.Crash()
	// Output:
	// app-1 ended: exit
	// app-1#2 ended: crash
}

// ClientOf tells which process a virtual thread belongs to: the threads
// callbacks run on, and those the process's own code adopted. Tag keeps
// the application's value with the client.
func ExampleService_ClientOf() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	app.SetTag("the updater")
	main := w.NewThread("app-1/main")
	app.Adopt(main)
	startDownload(app, whose{svc})
	w.Go(main, func() {
		fmt.Println("main:", svc.ClientOf(w.Current()).Tag())
	})
	fmt.Println("a stranger:", svc.ClientOf(w.NewThread("other")))
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// a stranger: <nil>
	// main: the updater
	// callback: app-1 the updater
}

type whose struct{ svc *scheduler.Service }

func (c whose) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	cl := c.svc.ClientOf(c.svc.World().Current())
	fmt.Println("callback:", cl.Name(), cl.Tag())
	return job.Complete()
}
func (whose) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (whose) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT { return callbackabi.S_OK }

// JobName finds a job's trace name from the job a callback received or
// from a JobRef.
func ExampleService_JobName() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	a, _ := app.CreateJob("a", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	b, _ := app.CreateJob("b", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	fmt.Println(svc.JobName(a), svc.JobName(b), svc.JobName(nil) == "")
	// Output:
	// job-1 job-2 true
}

// STAThread is the one thread of an STA client; an MTA client has none.
func ExampleClient_STAThread() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	alice := svc.AddUser("alice", false)
	fmt.Println(svc.StartClient("ui", alice, scheduler.STA).STAThread().Name())
	fmt.Println(svc.StartClient("svc", alice, scheduler.MTA).STAThread() == nil)
	// Output:
	// ui/sta
	// true
}
