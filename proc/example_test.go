package proc_test

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// exampleWorld is a service with one user, for the examples.
func exampleWorld() (*sim.World, *scheduler.Service, *scheduler.User) {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	return w, svc, svc.AddUser("alice", false)
}

// notifier is a callback object that sets an event on JobTransferred.
type notifier struct{ done *proc.Event }

func (n *notifier) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	n.done.Set()
	return callbackabi.S_OK
}
func (n *notifier) JobError(callbackabi.Job, callbackabi.Error) callbackabi.HRESULT {
	return callbackabi.S_OK
}
func (n *notifier) JobModification(callbackabi.Job, uint32) callbackabi.HRESULT {
	return callbackabi.S_OK
}

// newDownload creates and resumes a 25 MB download registered with cb.
func newDownload(c *scheduler.Client, cb callbackabi.Callback) *scheduler.JobRef {
	job, _ := c.CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/update.cab", LocalName: `C:\update.cab`, Size: 25_000_000})
	job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_ERROR)
	job.SetNotifyInterface(cb)
	job.Resume()
	return job
}

// A client in the "signal and wait" design: main creates the job,
// registers a callback that sets an event, and waits on the event with a
// timeout, polling the job's state each time the wait times out.
func ExampleStart() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "updater", alice, scheduler.MTA, func(p *proc.Process) {
		done := p.NewEvent(false, false)
		job := newDownload(p.Client(), &notifier{done})
		for done.Wait(time.Second) == proc.WaitTimeout {
			st, _ := job.GetState()
			fmt.Println(w.Now(), "still", st)
		}
		fmt.Println(w.Now(), "complete:", job.Complete())
		p.Report(job, proc.Succeeded, "")
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1s still TRANSFERRING
	// 2s still TRANSFERRING
	// 3s still TRANSFERRING
	// 3.1s complete: S_OK
}

// The user acts: Act records user.action and runs the action on a new
// thread of the running instance. Here the user cancels while main waits.
func ExampleProgram_Act() {
	w, svc, alice := exampleWorld()
	log := svc.Log()
	var job *scheduler.JobRef
	var cancel *proc.Event
	app := proc.Start(svc, "updater", alice, scheduler.MTA, func(p *proc.Process) {
		done := p.NewEvent(false, false)
		cancel = p.NewEvent(false, false)
		job = newDownload(p.Client(), &notifier{done})
		switch p.WaitAny(proc.Infinite, done, cancel) {
		case proc.WaitObject0:
			job.Complete()
			p.Report(job, proc.Succeeded, "")
		case proc.WaitObject0 + 1:
			job.Cancel()
			p.Report(job, proc.Cancelled, "by the user")
		}
	})
	w.AfterFunc(time.Second, func() {
		app.Act("cancel", func(p *proc.Process) { cancel.Set() })
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	for _, r := range log.Records() {
		switch r.Ev {
		case trace.EvUserAction:
			fmt.Println(r.T, r.Ev, r.Client, r.Reason)
		case trace.EvAppOutcome:
			fmt.Println(r.T, r.Ev, r.Job, r.Outcome, r.Reason)
		}
	}
	st, _ := job.GetState()
	fmt.Println(st)
	// Output:
	// 1s user.action updater cancel
	// 1s app.outcome job-1 cancelled by the user
	// CANCELLED
}

// Report writes the application's outcome into the trace (app.outcome);
// the job may be a JobRef or the job a callback received.
func ExampleProcess_Report() {
	_, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		job, _ := p.Client().CreateJob("report", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		job.Cancel()
		p.Report(job, proc.Failed, "no files to download")
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	for _, r := range svc.Log().Records() {
		if r.Ev == trace.EvAppOutcome {
			fmt.Print(string(trace.AppendJSON(nil, &r)))
		}
	}
	// Output:
	// {"seq":7,"t":0,"ev":"app.outcome","job":"job-1","client":"app","outcome":"failed","reason":"no files to download"}
}

// Event.Wait is WaitForSingleObject: signalled, or timed out.
func ExampleEvent_Wait() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		ready := p.NewEvent(false, false) // auto reset
		p.Go("worker", func() {
			p.Sleep(1500 * time.Millisecond)
			ready.Set()
		})
		r := ready.Wait(time.Second)
		fmt.Println(w.Now(), r == proc.WaitTimeout)
		r = ready.Wait(time.Second)
		fmt.Println(w.Now(), r == proc.WaitObject0)
		fmt.Println(w.Now(), ready.Signalled()) // the wait reset it
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1s true
	// 1.5s true
	// 1.5s false
}

// WaitAny returns the index of the object that ended the wait.
func ExampleProcess_WaitAny() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		quit, work := p.NewEvent(true, false), p.NewEvent(false, false)
		w.AfterFunc(time.Second, work.Set)
		w.AfterFunc(3*time.Second, quit.Set)
		for {
			r := p.WaitAny(proc.Infinite, quit, work)
			fmt.Println(w.Now(), r)
			if r == proc.WaitObject0 {
				return
			}
		}
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1s 1
	// 3s 0
}

// On an STA thread, only a pumping wait lets BITS deliver the callback
// main is waiting for; Event.Wait would wait out its timeout (the STA
// deadlock, bug class 7).
func ExampleProcess_Pump() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.STA, func(p *proc.Process) {
		done := p.NewEvent(false, false)
		job := newDownload(p.Client(), &notifier{done})
		r := p.Pump(time.Minute, done) // JobTransferred runs nested, here
		fmt.Println(w.Now(), r == proc.WaitObject0, job.Complete())
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 3.1s true S_OK
}

// A Mutex is a recursive lock owned by a virtual thread, shared here by
// main and a callback running on a BITS worker thread.
func ExampleMutex() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		mu := p.NewMutex()
		done := p.NewEvent(false, false)
		newDownload(p.Client(), &lockingNotifier{notifier{done}, mu, w})
		mu.Lock()
		mu.Lock() // recursive
		p.Sleep(5 * time.Second)
		fmt.Println(w.Now(), "main unlocks")
		mu.Unlock()
		mu.Unlock()
		done.Wait(proc.Infinite)
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 5s main unlocks
	// 5s callback has the lock
}

type lockingNotifier struct {
	notifier
	mu *proc.Mutex
	w  *sim.World
}

func (n *lockingNotifier) JobTransferred(job callbackabi.Job) callbackabi.HRESULT {
	n.mu.Lock() // the JobTransferred of 3.1 s waits here, holding its slot
	defer n.mu.Unlock()
	fmt.Println(n.w.Now(), "callback has the lock")
	return n.notifier.JobTransferred(job)
}

// Restart ends the running instance and starts the next, whose main runs
// from the top: here it finds the job the first instance left behind
// (after a crash) and registers on it again (G7).
func ExampleProgram_Restart() {
	w, svc, alice := exampleWorld()
	app := proc.Start(svc, "updater", alice, scheduler.MTA, func(p *proc.Process) {
		jobs, _ := p.Client().EnumJobs(false)
		fmt.Println(w.Now(), p.Client().Name(), "generation", p.Generation(), "finds", len(jobs), "jobs")
		if len(jobs) == 0 {
			done := p.NewEvent(false, false)
			newDownload(p.Client(), &notifier{done})
			p.Sleep(time.Second)
			p.Crash() // never returns
		}
		done := p.NewEvent(false, false)
		jobs[0].SetNotifyInterface(&notifier{done})
		done.Wait(proc.Infinite)
		fmt.Println(w.Now(), "complete:", jobs[0].Complete())
	})
	first := app.Current()
	w.AfterFunc(2*time.Second, func() { app.Restart() })
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(first.Alive(), first.Reason(), app.Current().Generation())
	// Output:
	// 0s updater generation 1 finds 0 jobs
	// 2s updater#2 generation 2 finds 1 jobs
	// 3.1s complete: S_OK
	// false crash 2
}

// WaitAll returns when all its objects are signalled at once, and takes
// them together.
func ExampleProcess_WaitAll() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		config, network := p.NewEvent(true, false), p.NewEvent(true, false)
		w.AfterFunc(time.Second, config.Set)
		w.AfterFunc(3*time.Second, network.Set)
		r := p.WaitAll(proc.Infinite, config, network)
		fmt.Println(w.Now(), r == proc.WaitObject0)
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 3s true
}

// Go starts another thread of the instance; Sleep blocks the calling one
// in virtual time.
func ExampleProcess_Go() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		for _, d := range []time.Duration{2 * time.Second, time.Second} {
			p.Go("worker", func() {
				p.Sleep(d)
				fmt.Println(w.Now(), w.Current().Name())
			})
		}
	})
	if err := svc.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1s app/worker-2
	// 2s app/worker-1
}
