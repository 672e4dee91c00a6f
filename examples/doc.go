// Package examples holds BITS clients of the four designs of
// shared/reference/client-bug-classes.md, each in a version with a bug of
// one of the classes real clients shipped with and in its fixed version,
// written against bitsim's client harness (bitsimtest.CheckClient) and its
// Windows-like primitives in virtual time (package proc):
//
//   - InCallback (design A): the callback does the work — JobTransferred
//     completes the job, JobError cancels it. Four bugs, one at a time
//     (InCallbackBug): InCallbackFalseSuccess (class 1, NewInCallback)
//     ignores the result of Complete, so a failed rename (G41) is reported
//     as a success while the job stays TRANSFERRED; InCallbackNoReregister
//     (class 5, NewInCallbackRestart) does not register again on the jobs
//     in its ledger after a restart (G7: BITS keeps no pointer across a
//     restart), so the job waits in TRANSFERRED or ERROR with nobody to
//     hear of it; InCallbackAmnesiac (class 10, NewInCallbackAmnesiac)
//     keeps its downloads in memory only, so a restarted process starts
//     anew and leaves the first job behind; InCallbackTakesAll (class 5,
//     NewInCallbackTakesAll) takes every job of its user as its own —
//     registers on each at a restart, cancels them all on the user's
//     cancel — and another application of the user no longer hears of its
//     job (G8).
//   - Installer (design A with a notification program): the callback does
//     the work while the process runs; for when it does not, the job names
//     a program (its simulated run scripted with Service.SetProgram) that
//     BITS runs when the callback is gone or fails (G24–G26), which
//     completes or cancels the job and tells the application. The bug
//     (class 11): the callback leaves the work to the program and returns
//     S_OK — and a callback that succeeds means the program never runs
//     (G25), so the job waits in TRANSFERRED with nobody to complete it.
//   - SignalWait (design B): the callbacks record the result and set an
//     event; a driver thread waits on it and completes or cancels. The bug
//     (class 3): the driver waits on the notification event only, so the
//     user's cancel is noticed only when the job ends.
//   - EventPoll (design C): as B, but the driver also wakes every second
//     and reads the job's state. The bug (classes 3, 9): it asks only for
//     JobTransferred and polls only for TRANSFERRED, so a job in ERROR is
//     never noticed, never cancelled and never gets an outcome.
//   - WeakOwner (design D): the callback holds a weak reference to the
//     application's window; once the user closes it, the callback has
//     nobody to tell. The bug (class 2): it then returns a failure code,
//     and BITS calls it again and again (G20).
//   - STAPump (design B in a single-threaded apartment): the driver runs on
//     the STA thread that BITS must deliver callbacks to. The bug (class
//     7): it waits without pumping messages, so no callback ever arrives.
//   - Progress (design B with a progress bar, written as Go code): the
//     callbacks, JobModification among them, send a message on a channel
//     and set an event; the driver drains the channel. Three bugs, one
//     at a time (ProgressBug): ProgressClosesChannel (class 6, the
//     callback outlives its owner) closes the channel when the driver is
//     done, and a late callback — the job taken over by an administrator
//     (G10), a JobModification after the JobTransferred (G32) — sends on
//     it and panics; ProgressEndsTwice (class 4) acts on every message
//     that says the job ended, the JobModification of the state change
//     and the JobTransferred both (G13, G32), so the second Complete fails
//     and the user hears "failed" after "succeeded"; and
//     ProgressCancelOnProgress (class 8) cancels from the progress
//     callback, as if JobModification were a heartbeat, so a cancel while
//     the job waits without moving (no network, a failing server: no
//     JobModification comes, G13, G14) waits too.
//
// Every application keeps its operations in a ledger that survives
// restarts (the application's file on disk), registers again on its open
// jobs when it starts (G7: BITS does not keep the pointer), reports each
// operation's outcome exactly once, and offers its user a cancel button
// that must take effect within CancelWithin. The test in this package
// shows that CheckClient catches every buggy version, for the right
// reason, and passes every fixed one.
package examples
