package proc_test

import (
	"fmt"
	"time"

	"github.com/bitsim/bitsim/proc"
	"github.com/bitsim/bitsim/scheduler"
)

// An Event is a Windows event object: manual-reset events stay signalled
// until Reset, auto-reset ones let one waiter through per Set.
func ExampleEvent() {
	_, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		manual, auto := p.NewEvent(true, false), p.NewEvent(false, false)
		manual.Set()
		auto.Set()
		fmt.Println(manual.Wait(0), manual.Wait(0), manual.Signalled())
		fmt.Println(auto.Wait(0), auto.Wait(0) == proc.WaitTimeout, auto.Signalled())
		manual.Reset()
		fmt.Println(manual.Signalled())
	})
	svc.Run()
	// Output:
	// 0 0 true
	// 0 true false
	// false
}

// A Program outlives its instances: each start is a Process, numbered by
// Generation; a crash ends one, and Restart starts the next (whose main
// runs at that instant, on its own thread, after Restart returns).
func ExampleProgram() {
	w, svc, alice := exampleWorld()
	g := proc.Start(svc, "updater", alice, scheduler.STA, func(p *proc.Process) {
		fmt.Println(w.Now(), p, "generation", p.Generation())
	})
	w.AfterFunc(time.Second, func() { g.Current().Crash() })
	w.AfterFunc(2*time.Second, func() {
		old := g.Current()
		g.Restart()
		fmt.Println(old.Alive(), old.Reason(), g.Current().Alive())
	})
	svc.Run()
	fmt.Println(g.Name(), g.User().Name(), g.Apartment())
	// Output:
	// 0s instance updater generation 1
	// false crash true
	// 2s instance updater#2 generation 2
	// updater alice STA
}

// A Process's own calls: threads (Go), Sleep, a mutex, and Exit, after
// which none of its threads runs again.
func ExampleProcess() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		mu := p.NewMutex()
		p.Go("worker", func() {
			mu.Lock()
			fmt.Println(w.Now(), "worker has the lock")
			p.Sleep(time.Second)
			mu.Unlock()
		})
		p.Sleep(time.Millisecond)
		fmt.Println(w.Now(), "main tries:", mu.TryLock())
		mu.Lock() // waits for the worker
		fmt.Println(w.Now(), "main has the lock")
		p.Exit()
		fmt.Println("never printed")
	})
	svc.Run()
	// Output:
	// 0s worker has the lock
	// 1ms main tries: false
	// 1s main has the lock
}

// Sleep blocks the calling thread in virtual time.
func ExampleProcess_Sleep() {
	w, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		p.Sleep(90 * time.Second)
		fmt.Println(w.Now())
	})
	svc.Run()
	// Output: 1m30s
}

// A crash from the process's own thread: it never continues, and the
// instance is dead.
func ExampleProcess_Crash() {
	_, svc, alice := exampleWorld()
	g := proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		p.Crash()
		fmt.Println("never printed")
	})
	svc.Run()
	fmt.Println(g.Current().Alive(), g.Current().Reason())
	// Output: false crash
}

// Outcome names what the application tells its user.
func ExampleOutcome() {
	fmt.Println(proc.Succeeded, proc.Failed, proc.Cancelled)
	// Output: succeeded failed cancelled
}

// WaitResult is WaitForSingleObject's answer: WaitObject0+i or WaitTimeout.
func ExampleWaitResult() {
	_, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		a, b := p.NewEvent(true, false), p.NewEvent(true, true)
		fmt.Println(p.WaitAny(time.Second, a, b) == proc.WaitObject0+1)
		fmt.Println(a.Wait(time.Second) == proc.WaitTimeout)
	})
	svc.Run()
	// Output:
	// true
	// true
}

// Events and mutexes are Waitable: one wait can take either.
func ExampleWaitable() {
	_, svc, alice := exampleWorld()
	proc.Start(svc, "app", alice, scheduler.MTA, func(p *proc.Process) {
		objs := []proc.Waitable{p.NewEvent(false, false), p.NewMutex()}
		fmt.Println(p.WaitAny(0, objs...)) // the free mutex is taken
	})
	svc.Run()
	// Output: 1
}
