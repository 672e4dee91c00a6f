// Package proc runs BITS client processes under test, in virtual time.
//
// A Program is an installed application: a name, a user, a COM apartment
// and a main function. Each start of it is a Process, one instance: Start
// launches the first, Program.Restart the next (the scheduler names their
// clients "app", "app#2", ...). main runs on the process's main virtual
// thread at the instant the instance starts; it is the application's
// initialization (enumerate its jobs, register its callbacks again, wait
// for them) and runs again, from the top, in every new instance.
//
// The process has Windows-like primitives that work in virtual time:
// events (manual and auto reset) with timed waits in the
// WaitForSingleObject / WaitForMultipleObjects shape (WaitAny, WaitAll), a
// recursive mutex like a CRITICAL_SECTION, Sleep, Go for another thread of
// the process, and Pump, the message-pumping wait of an STA thread
// (CoWaitForMultipleHandles). They are deterministic: waiters wake in FIFO
// order, timeouts are events of the world's queue, and every order the
// model leaves open is drawn from the world's one sim.Chooser. They may be
// used from any virtual thread of the process, including the threads BITS
// callbacks run on. Misuse panics with a message naming it.
//
// A crash, an exit, a restart or a logoff kills the instance: none of its
// threads ever runs again. A thread blocked in a primitive stays blocked
// (the world's end unwinds it), its timers do nothing, and a thread of the
// dead instance that calls a primitive blocks for good.
//
// In an STA process (scheduler.STA) the main thread is the client's STA
// thread: BITS callbacks reach it only while it runs no application code —
// after main returns (the application's message loop), nested while it is
// inside Pump, or nested at an outgoing COM call made from a callback
// (G34). A wait that does not pump (Event.Wait, WaitAny, Sleep) on that
// thread delivers nothing: the calls wait and hold their slots, which is
// how an STA client deadlocks (bug class 7).
package proc
