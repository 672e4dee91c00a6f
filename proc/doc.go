// Package proc runs BITS client processes under test, in virtual time.
//
// # Programs and instances
//
// A Program is an installed application: a name, a user, a COM apartment
// and a main function. Each start of it is a Process, one instance: Start
// launches the first, Program.Restart the next (their scheduler clients
// are named "app", "app#2", ...). main runs on the instance's main virtual
// thread at the instant the instance starts. It is the application's
// initialization — enumerate its jobs, register its callbacks again (G7:
// BITS keeps no pointer across a restart), wait for them, react — and it
// runs again, from the top, in every new instance.
//
//	app := proc.Start(svc, "updater", alice, scheduler.MTA, func(p *proc.Process) {
//		done := p.NewEvent(false, false)
//		job, _ := p.Client().CreateJob("update", callbackabi.BG_JOB_TYPE_DOWNLOAD)
//		// ... AddFile, SetNotifyInterface(a callback that calls done.Set), Resume
//		for done.Wait(30*time.Second) == proc.WaitTimeout {
//			// poll: job.GetState()
//		}
//		job.Complete()
//		p.Report(job, proc.Succeeded, "")
//	})
//
// # Primitives
//
// An instance has Windows-like primitives that work in virtual time:
// events (manual and auto reset, NewEvent) with timed waits in the
// WaitForSingleObject / WaitForMultipleObjects shape (Event.Wait, WaitAny,
// WaitAll, returning WaitObject0+i or WaitTimeout), a recursive Mutex like
// a CRITICAL_SECTION, Sleep, Go for another thread of the instance, and
// Pump, the message-pumping wait of an STA thread
// (CoWaitForMultipleHandles). They are deterministic: waiters are served
// first come, first served, WaitAll takes all its objects at once or none,
// timeouts are events of the world's queue, and whatever the model leaves
// open at one instant is drawn from the world's one sim.Chooser. (A
// timeout's event stays queued, and fires doing nothing, after its wait
// ended otherwise: the world runs at least until the latest timeout any
// wait gave, which a world's MaxTime must allow for.) They may
// be used from any virtual thread of the instance: its own threads and
// the threads BITS runs its callbacks on (a callback that waits holds its
// notification slot, G31), and Set/Reset also from plain event handlers.
// Misuse panics with a message naming it: a blocking call outside a
// virtual thread, a negative timeout other than Infinite, a nil object, a
// wait on no objects, Unlock by a thread that does not own the mutex, an
// object of another instance, or of a dead one.
//
// # Death
//
// A crash, an exit, a restart, or the service ending the client (a user's
// logoff) kills the instance: none of its threads ever runs again. A
// thread blocked in a primitive stays blocked (the world's end unwinds it),
// the instance's pending timeouts do nothing, and a thread of the dead
// instance that calls a primitive — or Crash, Exit, Restart on itself —
// blocks for good there. (Code blocked outside package proc, say in the
// service clock's Sleep, wakes as usual and blocks at its next primitive.)
//
// A panic out of the application's own code on one of its threads — main,
// a thread of Go, a user action — crashes the instance, as an unhandled
// exception ends a Windows process, and the world goes on:
// Program.Panics counts them and tells the first (value, thread, virtual
// time, and the function and line it came from). A panic in a callback is
// BITS's to contain (scheduler.Stats.Panics: the call fails with
// RPC_E_SERVERFAULT, and the instance lives on).
//
// # STA instances
//
// In an STA instance (scheduler.STA) the main thread is the client's STA
// thread. BITS callbacks reach it only while it runs no application code:
// after main returns (the application's message loop delivers them one
// after another), nested while it waits in Pump, or nested at an outgoing
// COM call made from inside a callback (G34). A wait that does not pump
// (Event.Wait, WaitAny, WaitAll, Sleep, Mutex.Lock) on that thread
// delivers nothing: the calls wait and hold their slots — the STA
// deadlock of bug class 7, which a test can thus reproduce.
//
// # The user and the application's outcomes
//
// Program.Act is the user acting (cancel, pause, quit, ...): it writes
// the trace event user.action and runs the action on a new thread of the
// current instance. Process.Report is the application saying how an
// operation ended (Succeeded, Failed, Cancelled): the trace event
// app.outcome. Checkers and `bitsim render` read both from the trace
// (docs/TRACE.md).
package proc
