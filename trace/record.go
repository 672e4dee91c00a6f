package trace

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
)

// Ev is the kind of a trace event (the "ev" key).
type Ev uint8

// Event kinds of format v1. The first block is the public core of DESIGN.md;
// the second block is model detail that tools may use or ignore.
const (
	EvUnknown       Ev = iota // a line whose ev this version does not know
	EvRunStart                // run.start: seed, scenario, version, and optionally observed
	EvRunEnd                  // run.end: reason
	EvClientStart             // client.start: client, user, apartment
	EvClientExit              // client.exit: client, user, apartment, reason ("exit" | "crash" | "logoff")
	EvJobCreate               // job.create: job, user
	EvJobState                // job.state: job, from, to
	EvJobFlags                // job.flags: job, flags
	EvJobRegister             // job.register: job, client, user
	EvJobUnregister           // job.unregister: job, reason
	EvJobOwner                // job.owner: job, user
	EvCallBegin               // call.begin: call, job, user, client, method, lane, parent
	EvCallEnd                 // call.end: call, then hr, or outcome "disconnected", or hr + outcome "panic"
	EvCmdlineStart            // cmdline.start: job, run
	EvCmdlineExit             // cmdline.exit: job, run, code

	EvNotifyOwed    // notify.owed: job, method, file — a JT/JE/FT became owed to the current registration (file -1 unless FT)
	EvNotifyDrop    // notify.drop: job, method, reason — an owed or pending notification was dropped
	EvSlotWait      // slot.wait: job, user, method, lane — a dispatch found all of the user's slots busy
	EvRetry         // retry.scheduled: job, method, at — a retry of a failed notification is planned for virtual time at
	EvFileDone      // file.done: job, file — file index finished transferring
	EvJobError      // job.error: job, hr, context, file — the error recorded with a move to (TRANSIENT_)ERROR
	EvJobCmdline    // job.cmdline: job, user — SetNotifyCmdLine took effect (empty user: removed)
	EvJobProgress   // job.progress: job, bytes — bytes transferred so far
	EvJobModified   // job.modified: job, reason — a JobModification trigger (G13) happened
	EvLimit         // limit: reason — a run limit was hit
	EvRunConfig     // run.config: profile, bits, cap, interval, strict, retry — the dispatcher options in force
	EvJobRetryDelay // job.retrydelay: job, delay — SetMinimumRetryDelay took effect (after clamping)
	EvAppOutcome    // app.outcome: job, client, outcome, reason — the application reported how its operation on the job ended
	EvUserAction    // user.action: client, user, reason — the user acted on the client (reason: the action's name)
	EvUserLogoff    // user.logoff: user — the user logged off: their processes end, their jobs stop transferring
	EvUserLogon     // user.logon: user — the user logged on again: their jobs may transfer
	EvSTAHold       // sta.hold: client — the STA thread runs application code: calls for it wait, holding their slots
	EvSTARelease    // sta.release: client — the STA thread is back in its message loop
	EvCallQueued    // call.queued: call, job, user, client, method, lane — the call took a slot of user and waits to begin (for client's busy STA thread, or behind calls launched before it)
	EvCallUnqueued  // call.unqueued: call — a queued call left the queue without beginning (no longer wanted): its slot is free
	EvNetworkDown   // network.down — the machine lost the network: its active jobs go to TRANSIENT_ERROR (G44)
	EvNetworkUp     // network.up — the network is back: the jobs in TRANSIENT_ERROR go to QUEUED (G44)

	evCount
)

var evNames = [evCount]string{
	EvUnknown:       "?",
	EvRunStart:      "run.start",
	EvRunEnd:        "run.end",
	EvClientStart:   "client.start",
	EvClientExit:    "client.exit",
	EvJobCreate:     "job.create",
	EvJobState:      "job.state",
	EvJobFlags:      "job.flags",
	EvJobRegister:   "job.register",
	EvJobUnregister: "job.unregister",
	EvJobOwner:      "job.owner",
	EvCallBegin:     "call.begin",
	EvCallEnd:       "call.end",
	EvCmdlineStart:  "cmdline.start",
	EvCmdlineExit:   "cmdline.exit",
	EvNotifyOwed:    "notify.owed",
	EvNotifyDrop:    "notify.drop",
	EvSlotWait:      "slot.wait",
	EvRetry:         "retry.scheduled",
	EvFileDone:      "file.done",
	EvJobError:      "job.error",
	EvJobCmdline:    "job.cmdline",
	EvJobProgress:   "job.progress",
	EvJobModified:   "job.modified",
	EvLimit:         "limit",
	EvRunConfig:     "run.config",
	EvJobRetryDelay: "job.retrydelay",
	EvAppOutcome:    "app.outcome",
	EvUserAction:    "user.action",
	EvUserLogoff:    "user.logoff",
	EvUserLogon:     "user.logon",
	EvSTAHold:       "sta.hold",
	EvSTARelease:    "sta.release",
	EvCallQueued:    "call.queued",
	EvCallUnqueued:  "call.unqueued",
	EvNetworkDown:   "network.down",
	EvNetworkUp:     "network.up",
}

// String returns the ev name used on disk ("call.begin"), or "?" for
// EvUnknown and values out of range.
func (e Ev) String() string {
	if e < evCount {
		return evNames[e]
	}
	return "?"
}

// ParseEv returns the event kind named name ("call.begin"). It reports
// false for a name this version does not know (EvUnknown is never found).
func ParseEv(name string) (Ev, bool) {
	for e := EvUnknown + 1; e < evCount; e++ {
		if evNames[e] == name {
			return e, true
		}
	}
	return EvUnknown, false
}

// Method is the callback method a call invokes.
type Method uint8

// Callback methods (COM names on disk).
const (
	MethodNone Method = iota
	JobTransferred
	JobError
	JobModification
	FileTransferred
	FileRangesTransferred
	CmdLine // the notification program (notify.*, retry.scheduled only)
	methodCount
)

var methodNames = [methodCount]string{"", "JobTransferred", "JobError", "JobModification", "FileTransferred", "FileRangesTransferred", "CmdLine"}

// String returns the COM method name ("JobTransferred"), "CmdLine", "" for
// MethodNone and "?" for values out of range.
func (m Method) String() string {
	if m < methodCount {
		return methodNames[m]
	}
	return "?"
}

// ParseMethod returns the method named name ("JobTransferred", "CmdLine").
// It reports false for any other name, "" included.
func ParseMethod(name string) (Method, bool) {
	for m := MethodNone + 1; m < methodCount; m++ {
		if methodNames[m] == name {
			return m, true
		}
	}
	return MethodNone, false
}

// Lane is the dispatch lane of a call (G32; ambiguity 9).
type Lane uint8

// Lanes. High: JobTransferred, JobError, FileTransferred. Low:
// JobModification, FileRangesTransferred.
const (
	LaneNone Lane = iota
	LaneHigh
	LaneLow
)

// String returns "high", "low", or "" for LaneNone and values out of range.
func (l Lane) String() string {
	switch l {
	case LaneHigh:
		return "high"
	case LaneLow:
		return "low"
	}
	return ""
}

// ParseLane returns the lane named name ("high" or "low"). It reports false
// for any other name, "" included.
func ParseLane(name string) (Lane, bool) {
	switch name {
	case "high":
		return LaneHigh, true
	case "low":
		return LaneLow, true
	}
	return LaneNone, false
}

// LaneOf returns the lane a method is dispatched on.
func LaneOf(m Method) Lane {
	switch m {
	case JobModification, FileRangesTransferred:
		return LaneLow
	case MethodNone, CmdLine:
		return LaneNone
	}
	return LaneHigh
}

// Outcome of a call that did not simply return an HRESULT.
const (
	OutcomeDisconnected = "disconnected" // the client was gone (G7, G23)
	OutcomePanic        = "panic"        // the callback panicked; hr is RPC_E_SERVERFAULT
)

// Outcomes an application reports (app.outcome).
const (
	AppSucceeded = "succeeded" // the job is ACKNOWLEDGED with its files
	AppFailed    = "failed"    // the application gave up on the job
	AppCancelled = "cancelled" // the job was cancelled
)

// Record is one trace event. Which fields are meaningful depends on Ev; the
// encoder writes exactly the keys listed for that Ev, in that order, so a
// zero field of another event never reaches the disk.
type Record struct {
	Seq int64         // 1, 2, 3 … with no gaps
	T   time.Duration // virtual time since the world started
	Ev  Ev
	// Name is the ev string of an EvUnknown record read by Parse.
	Name string

	Seed     uint64 // run.start
	Scenario string // run.start
	Version  string // run.start
	// Observed (run.start, optional) marks a trace recorded by an observer
	// outside the service, such as combridge's recorder: the names of the
	// only event kinds it could see, space-separated ("job.create
	// job.state …"). Empty: a complete trace (a simulator's), every kind.
	Observed string

	Job       string
	User      string
	Client    string
	Apartment string // "STA" or "MTA"

	From, To callbackabi.JobState    // job.state
	Flags    callbackabi.NotifyFlags // job.flags

	Call    int64 // call.begin, call.end
	Parent  int64 // call.begin: enclosing call, 0 if none
	Method  Method
	Lane    Lane
	HR      callbackabi.HRESULT // call.end, job.error
	Outcome string              // call.end: "", OutcomeDisconnected, OutcomePanic; app.outcome: AppSucceeded, AppFailed, AppCancelled

	Reason  string // run.end, client.exit, job.unregister, notify.drop, job.modified, limit, app.outcome (a note), user.action (the action)
	Run     int64  // cmdline.start/exit: 1, 2, 3 … per job
	Code    int64  // cmdline.exit
	File    int64  // file.done, job.error: file index (job.error: -1 when not tied to a file)
	Context callbackabi.ErrorContext
	At      time.Duration // retry.scheduled
	Bytes   int64         // job.progress

	Profile  string        // run.config: "default" or "winecompat"
	Bits     string        // run.config: modelled BITS version, e.g. "10.1"
	Cap      int64         // run.config: notifications in flight per user (0: no cap)
	Interval time.Duration // run.config: minimum JobModification interval (0: none)
	Strict   bool          // run.config: S_FALSE counts as failure for JT/JE (StrictSOK)
	Delay    time.Duration // run.config (retry): callback retry delay, 0 = the job's MinimumRetryDelay; job.retrydelay: the delay
}
