package scheduler_test

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
)

// A job may spend at most its maximum download time connecting and
// transferring: 3 s into a 25 MB download (10 MB/s after a 100 ms
// connect) it goes to ERROR with BG_E_MAXDOWNLOAD_TIMEOUT.
func ExampleJobRef_SetMaximumDownloadTime() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	job, _ := app.CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	job.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/update.cab", LocalName: `C:\update.cab`, Size: 25_000_000})
	job.SetMaximumDownloadTime(3)
	job.Resume()
	_ = w.RunUntil(time.Minute)
	st, _ := job.GetState()
	e, _ := job.GetError()
	_, code, _ := e.GetError()
	fmt.Println(st, code)
	// Output:
	// ERROR BG_E_MAXDOWNLOAD_TIMEOUT
}

// The MaxInternetBandwidth group policy set to 0 holds background jobs in
// TRANSIENT_ERROR (BG_E_BLOCKED_BY_POLICY); foreground jobs go on. Lifting
// it sends the held jobs back to QUEUED.
func ExampleService_SetMaxInternetBandwidthZero() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	app := svc.StartClient("app-1", svc.AddUser("alice", false), scheduler.MTA)
	bg, _ := app.CreateJob("background", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	bg.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/a", LocalName: `C:\a`, Size: 50_000_000})
	fg, _ := app.CreateJob("foreground", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	fg.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://example/b", LocalName: `C:\b`, Size: 50_000_000})
	fg.SetPriority(callbackabi.BG_JOB_PRIORITY_FOREGROUND)
	bg.Resume()
	fg.Resume()
	_ = w.RunUntil(time.Second)
	svc.SetMaxInternetBandwidthZero(true)
	b, _ := bg.GetState()
	f, _ := fg.GetState()
	fmt.Println("policy 0:", b, f)
	svc.SetMaxInternetBandwidthZero(false)
	b, _ = bg.GetState()
	fmt.Println("lifted:", b)
	// Output:
	// policy 0: TRANSIENT_ERROR TRANSFERRING
	// lifted: CONNECTING
}

// A service account is always logged on, and no notification program runs
// for its jobs (G30): the command line is kept but does not take effect.
func ExampleService_AddServiceAccount() {
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	defer w.Close()
	svc := scheduler.New(w, nil, "example", 1, scheduler.DefaultOptions())
	system := svc.AddServiceAccount(callbackabi.LocalSystem)
	app := svc.StartClient("agent", system, scheduler.MTA)
	job, _ := app.CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	fmt.Println(job.SetNotifyCmdLine(`C:\notify.exe`, "notify"))
	prog, _, _ := job.GetNotifyCmdLine()
	fmt.Println(system.ServiceAccount(), system.LoggedOn(), prog)
	// Output:
	// S_OK
	// true true C:\notify.exe
}
