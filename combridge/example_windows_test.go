//go:build windows

package combridge_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/combridge"
)

// The whole round trip: connect, create a job, register a Go callback,
// resume, and let BITS call back. The callback is the completer the
// simulator tested (completer_test.go): any callbackabi.Callback will do.
func Example() {
	m, err := combridge.Connect()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	job, _, err := m.CreateJob("nightly update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.Release()
	job.AddFile("https://updates.example/a.cab", filepath.Join(os.TempDir(), "a.cab"))
	cb := newCompleter()
	job.SetNotifyFlags(callbackabi.BG_NOTIFY_JOB_TRANSFERRED | callbackabi.BG_NOTIFY_JOB_ERROR)
	job.SetNotifyInterface(cb) // BITS now holds a COM object that calls cb
	job.Resume()
	<-cb.done // JobTransferred has run: the job is ACKNOWLEDGED
}

// Connect once per program: it puts the calling thread in COM's
// multithreaded apartment, where BITS's calls arrive.
func ExampleConnect() {
	m, err := combridge.Connect()
	if err != nil {
		fmt.Println("no BITS here:", err)
		return
	}
	defer m.Close()
	m.OnPanic = func(v any) { fmt.Println("a callback panicked:", v) }
}

func ExampleManager_CreateJob() {
	m, err := combridge.Connect()
	if err != nil {
		return
	}
	defer m.Close()
	job, id, err := m.CreateJob("report", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.Release()
	state, _ := job.GetState()
	fmt.Println(id, state) // a fresh job is SUSPENDED
}

// A job handed to a callback is borrowed: once the callback returns, every
// method of a kept copy answers E_UNEXPECTED (G35).
func ExampleJob_SetNotifyInterface() {
	m, err := combridge.Connect()
	if err != nil {
		return
	}
	defer m.Close()
	job, _, err := m.CreateJob("report", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		return
	}
	defer job.Release()
	if hr := job.SetNotifyInterface(newCompleter()); hr.Failed() {
		fmt.Println("SetNotifyInterface:", hr)
	}
	cb, _ := job.GetNotifyInterface() // the same Go value
	fmt.Printf("%T\n", cb)
}

// A single-threaded apartment: the callback runs on this goroutine's
// thread, inside Pump, until cb.done closes.
func ExampleConnectIn() {
	go func() { // the goroutine becomes the apartment's thread
		m, err := combridge.ConnectIn(callbackabi.STA)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer m.Close()
		job, _, err := m.CreateJob("sta", callbackabi.BG_JOB_TYPE_DOWNLOAD)
		if err != nil {
			return
		}
		defer job.Release()
		job.AddFile("https://updates.example/a.cab", filepath.Join(os.TempDir(), "a.cab"))
		cb := newCompleter()
		job.SetNotifyInterface(cb)
		job.Resume()
		m.Pump(cb.done) // JobTransferred runs in here, on this thread
	}()
}

// Record a real BITS: every callback invocation, registration and flag
// change through the bridge, and every job state it sees (polled every
// 100 ms too), as a trace that bitsim check can judge.
func ExampleManager_Record() {
	m, err := combridge.Connect()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	rec := m.Record(combridge.RecordOptions{Scenario: "nightly update", Poll: 100 * time.Millisecond})
	job, _, err := m.CreateJob("nightly update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer job.Release()
	job.AddFile("https://updates.example/a.cab", filepath.Join(os.TempDir(), "a.cab"))
	cb := newCompleter()
	job.SetNotifyInterface(cb)
	job.Resume()
	<-cb.done
	rec.End() // run.end: "idle" if nothing is left in flight
	f, err := os.Create("nightly.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	rec.Encode(f) // then: bitsim check nightly.jsonl
}
