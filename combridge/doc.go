// Package combridge registers a Go callback with a real BITS service, through
// COM, in pure Go (no cgo). The callback is any [callbackabi.Callback]: the
// very value the simulator drives (scheduler, bitsimtest.CheckCallback) can be
// handed to Windows' BITS, or to Wine's reimplementation on Linux CI.
//
// # How a Go value becomes a COM object
//
// BITS calls a callback through a vtable: an array of function pointers in
// the order of [callbackabi.Vtable]. The bridge builds one such vtable, the
// IBackgroundCopyCallback3 layout, from Go functions made callable from
// Windows with syscall.NewCallback:
//
//	slot 0 QueryInterface  -> callbackabi.QueryCallback(cb, iid)
//	slot 1 AddRef          -> the object's count (and cb.AddRef if cb is an Unknown)
//	slot 2 Release         -> the same, down; at zero the object is forgotten
//	slot 3 JobTransferred  -> cb.JobTransferred(job)
//	slot 4 JobError        -> cb.JobError(job, err)
//	slot 5 JobModification -> cb.JobModification(job, reserved)
//	slot 6 FileTransferred -> cb.(Callback2).FileTransferred(job, file)
//	slot 7 FileRangesTransferred -> cb.(Callback3).FileRangesTransferred(...)
//
// Job.SetNotifyInterface(cb) wraps cb in a small object whose first word
// points to that vtable and passes its address to
// IBackgroundCopyJob::SetNotifyInterface. BITS then asks the object, through
// QueryInterface, which callback interfaces it has (G4): the bridge answers
// exactly as [callbackabi.QueryCallback] does in the simulator, so a Go
// value that lacks FileTransferred is never asked for it, here or there.
// Other interfaces (IMarshal, IExternalConnection, ...) get E_NOINTERFACE and
// COM's standard marshalling takes over: the callback can live in a
// different process from the service, as it always does with BITS.
//
// The job, file and error a callback receives are wrappers around the
// pointers BITS passed, and, as the documentation says of the COM pointers
// (G35), they are valid only until the method returns: afterwards every
// method of a kept wrapper answers E_UNEXPECTED instead of touching a
// pointer BITS may have released. A panic in a callback is recovered and
// answered RPC_E_SERVERFAULT, the value a crashed COM server gives.
//
// In the other direction, [Manager] and [Job] call BITS: Connect is
// CoCreateInstance of CLSID_BackgroundCopyManager, and Job implements
// [callbackabi.Job] by calling IBackgroundCopyJob's vtable slots (again
// taken from [callbackabi.VtableIndex], not written out by hand).
//
// # Threads
//
// Connect joins the calling OS thread to COM's multithreaded apartment
// (COINIT_MULTITHREADED) and locks the goroutine to it; callbacks then
// arrive on COM's RPC threads, concurrently, so a callback must be safe for
// concurrent use — as BITS documents it must be anyway (G31). Close undoes
// both.
//
// ConnectIn(callbackabi.STA) makes the calling thread a single-threaded
// apartment instead: callbacks registered from it arrive on that very
// thread, one at a time, as window messages, and only while the goroutine
// runs Manager.Pump. A callback that calls out (to the job it was given, say)
// lets the thread's message loop run, so the apartment can be entered again
// before the first call returns: the STA re-entrancy the simulator's STA
// clients model (G34).
//
// # Recording
//
// Manager.Record makes the bridge a recorder: every callback invocation it
// forwards, every registration, flag and command-line change made through
// it, and every job state it reads (after each call that may change it, on
// entry to each callback, and every Poll) go into a trace in format v1,
// with t the wall-clock time since the recording began. The trace is
// observed: its run.start lists the only kinds of event the recorder can
// see (ObservedKinds), and bitsim check judges it only by the rules those
// decide (catalogue.CheckObserved), naming the others. What happens inside
// the service — what is owed, retries planned, slots, the notification
// program — is absent, as are states a job passed through between two
// readings. The Wine tests record the bridge's own suite and a
// differential workload, and compare the latter with the simulator
// (docs/MODEL.md section 7).
//
// # Where it runs
//
// The bridge is built for GOOS=windows only. On Linux the repository's
// tests cross-compile a test binary and run it under Wine's BITS (see
// internal/wine); Wine proves the vtables, calling convention, reference
// counting and marshalling, not the documented dispatch rules: its BITS only
// ever calls JobTransferred (docs/MODEL.md section 5, the Wine profile),
// which is why the rules themselves are checked in the simulator.
package combridge
