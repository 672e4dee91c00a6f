package scheduler_test

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

// A service runs in a sim.World: virtual time, no wall clock. Build one,
// give it a user with a client process, and run a job to the end.
func ExampleNew() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	log := &trace.Log{}
	svc := scheduler.New(w, log, "example", 1, scheduler.DefaultOptions())

	alice := svc.AddUser("alice", false)
	app := svc.StartClient("app-1", alice, scheduler.MTA)
	job, _ := app.CreateJob("nightly", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/update.cab", LocalName: `C:\update.cab`, Size: 25_000_000})
	job.Resume()

	if err := svc.Run(); err != nil { // to the end; Run closes the world
		fmt.Println(err)
	}
	st, _ := job.GetState()
	p, _ := job.GetProgress()
	fmt.Println(st, p.BytesTransferred, "bytes")
	for _, r := range log.Records() {
		if r.Ev == trace.EvJobState {
			fmt.Printf("%v %s %v → %v\n", r.T, r.Job, r.From, r.To)
		}
	}
	// Output:
	// TRANSFERRED 25000000 bytes
	// 0s job-1 SUSPENDED → QUEUED
	// 0s job-1 QUEUED → CONNECTING
	// 100ms job-1 CONNECTING → TRANSFERRING
	// 3.1s job-1 TRANSFERRING → TRANSFERRED
}

// CreateJob returns a SUSPENDED job with no files (G37); a Resume on it
// is rejected with BG_E_EMPTY until a file is added (G38).
func ExampleClient_CreateJob() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)

	job, hr := app.CreateJob("report upload", callbackabi.BG_JOB_TYPE_UPLOAD)
	fmt.Println("CreateJob:", hr)
	st, _ := job.GetState()
	prio, _ := job.GetPriority()
	delay, _ := job.GetMinimumRetryDelay()
	fmt.Println(st, prio, delay, "s")
	fmt.Println("Resume:", job.Resume())

	_, hr = app.CreateJob("bad", callbackabi.JobType(7))
	fmt.Println("unknown type:", hr)
	// Output:
	// CreateJob: S_OK
	// SUSPENDED NORMAL 600 s
	// Resume: BG_E_EMPTY
	// unknown type: E_INVALIDARG
}

// AddFileSpec adds a file together with what its server will do: here a
// server without range support (G48) for one file and a transient failure
// planned at 5 MB for the other.
func ExampleJobRef_AddFileSpec() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)

	flaky, _ := app.CreateJob("flaky", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	fmt.Println(flaky.AddFileSpec(scheduler.FileSpec{
		RemoteURL: "http://mirror/big.iso", LocalName: `C:\big.iso`, Size: 20_000_000,
		Failures: []scheduler.Failure{{AtByte: 5_000_000, HR: callbackabi.BG_E_CONNECTION_CLOSED, Transient: true}},
	}))
	flaky.SetMinimumRetryDelay(10)
	flaky.Resume()

	noRanges, _ := app.CreateJob("no ranges", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	noRanges.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://old/file.zip", LocalName: `C:\file.zip`, Size: 1_000_000, NoRanges: true})
	noRanges.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND) // ≤ 2 GB in one request
	noRanges.Resume()

	fmt.Println(flaky.AddFileSpec(scheduler.FileSpec{RemoteURL: "ftp://x/y", LocalName: `C:\y`})) // http, https or UNC only

	w.RunUntil(2 * time.Second)
	st, _ := flaky.GetState()
	e, _ := flaky.GetError()
	_, code, _ := e.GetError()
	fmt.Println("flaky at 2 s:", st, code)
	w.RunUntil(time.Minute)
	for _, j := range []*scheduler.JobRef{flaky, noRanges} {
		st, _ := j.GetState()
		n, _ := j.GetErrorCount()
		fmt.Println(j.Name(), st, "errors:", n)
	}
	// Output:
	// S_OK
	// E_INVALIDARG
	// flaky at 2 s: TRANSIENT_ERROR BG_E_CONNECTION_CLOSED
	// job-1 TRANSFERRED errors: 1
	// job-2 TRANSFERRED errors: 0
}

// Losing the network puts every active job in TRANSIENT_ERROR with
// BG_E_NETWORK_DISCONNECTED; it is not retried on the retry-delay schedule
// but resumes when the network comes back (G44).
func ExampleService_SetNetwork() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	job, _ := app.CreateJob("sync", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/data", LocalName: `C:\data`, Size: 50_000_000})
	job.SetMinimumRetryDelay(5)
	job.Resume()
	show := func() {
		st, _ := job.GetState()
		p, _ := job.GetProgress()
		fmt.Println(w.Now(), st, p.BytesTransferred)
	}

	w.RunUntil(2 * time.Second)
	show()
	svc.SetNetwork(false)
	show()
	w.RunUntil(time.Hour) // far past the 5 s retry delay: still waiting
	show()
	svc.SetNetwork(true)
	show()
	w.RunUntil(time.Hour + time.Minute)
	show()
	// Output:
	// 2s TRANSFERRING 10000000
	// 2s TRANSIENT_ERROR 10000000
	// 1h0m0s TRANSIENT_ERROR 10000000
	// 1h0m0s CONNECTING 10000000
	// 1h1m0s TRANSFERRED 50000000
}

func ExampleService_JobStatus() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	svc := scheduler.New(w, &trace.Log{}, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	job, _ := app.CreateJob("nightly", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFile("http://example/a.cab", `C:\a.cab`)
	job.AddFile("http://example/b.cab", `C:\b.cab`)
	job.Complete() // before any transfer: BG_S_PARTIAL_COMPLETE
	st, completed, files, _ := svc.JobStatus(job.Name())
	fmt.Println(st, completed, files)
	// Output: ACKNOWLEDGED 0 2
}
