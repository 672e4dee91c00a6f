package trace_test

import (
	"bytes"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/trace"
)

// allEvs returns every known event kind, in constant order.
func allEvs() []trace.Ev {
	var evs []trace.Ev
	for e := trace.EvUnknown + 1; e.String() != "?"; e++ {
		evs = append(evs, e)
	}
	return evs
}

// full is a record with every field set (to non-zero values where it
// matters), so that a golden line shows that fields an event does not use
// stay off the disk.
func full(ev trace.Ev) trace.Record {
	return trace.Record{
		Seq: 3, T: 2 * time.Second, Ev: ev, Name: "not.written",
		Seed: 7, Scenario: "transfer-complete", Version: "bitsim/1",
		Job: "job-1", User: "alice", Client: "app-1", Apartment: "MTA",
		From: callbackabi.BG_JOB_STATE_TRANSFERRING, To: callbackabi.BG_JOB_STATE_TRANSFERRED,
		Flags: callbackabi.NotifyFlagsDefault | callbackabi.BG_NOTIFY_JOB_MODIFICATION,
		Call:  5, Parent: 4, Method: trace.JobTransferred, Lane: trace.LaneHigh,
		HR: callbackabi.RPC_E_DISCONNECTED, Outcome: "",
		Reason: "idle", Run: 2, Code: -1, File: 1, Context: callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE,
		At: 600 * time.Second, Bytes: 4096,
		Profile: "default", Bits: "10.1", Cap: 4, Interval: 500 * time.Millisecond, Strict: true,
		Delay: 5 * time.Second,
	}
}

// sampleTrace is a small well-formed run that uses every event kind.
func sampleTrace() []trace.Record {
	var l trace.Log
	at := func(t time.Duration, r trace.Record) { r.T = t; l.Append(r) }
	s := time.Second
	at(0, trace.Record{Ev: trace.EvRunStart, Seed: 7, Scenario: "every-event", Version: "bitsim/1"})
	at(0, trace.Record{Ev: trace.EvRunConfig, Profile: "default", Bits: "10.1", Cap: 4, Interval: 500 * time.Millisecond, Strict: true})
	at(0, trace.Record{Ev: trace.EvClientStart, Client: "app-1", User: "alice", Apartment: "STA"})
	at(0, trace.Record{Ev: trace.EvJobCreate, Job: "job-1", User: "alice"})
	at(0, trace.Record{Ev: trace.EvJobFlags, Job: "job-1", Flags: callbackabi.NotifyFlagsDefault | callbackabi.BG_NOTIFY_FILE_TRANSFERRED})
	at(0, trace.Record{Ev: trace.EvJobRetryDelay, Job: "job-1", Delay: 5 * s})
	at(0, trace.Record{Ev: trace.EvJobCmdline, Job: "job-1", User: "alice"})
	at(0, trace.Record{Ev: trace.EvJobRegister, Job: "job-1", Client: "app-1", User: "alice"})
	at(0, trace.Record{Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_QUEUED, To: callbackabi.BG_JOB_STATE_TRANSFERRING})
	at(1*s, trace.Record{Ev: trace.EvJobProgress, Job: "job-1", Bytes: 65536})
	at(1*s, trace.Record{Ev: trace.EvJobModified, Job: "job-1", Reason: "progress"})
	at(1*s, trace.Record{Ev: trace.EvFileDone, Job: "job-1", File: 0})
	at(1*s, trace.Record{Ev: trace.EvNotifyOwed, Job: "job-1", Method: trace.FileTransferred, File: 0})
	at(1*s, trace.Record{Ev: trace.EvCallBegin, Call: 1, Job: "job-1", User: "alice", Client: "app-1", Method: trace.FileTransferred, Lane: trace.LaneHigh})
	at(1*s, trace.Record{Ev: trace.EvCallBegin, Call: 2, Job: "job-1", User: "alice", Client: "app-1", Method: trace.JobModification, Lane: trace.LaneLow, Parent: 1})
	at(1*s, trace.Record{Ev: trace.EvCallEnd, Call: 2, HR: callbackabi.RPC_E_SERVERFAULT, Outcome: trace.OutcomePanic})
	at(1*s, trace.Record{Ev: trace.EvCallEnd, Call: 1, HR: callbackabi.E_FAIL})
	at(1*s, trace.Record{Ev: trace.EvRetry, Job: "job-1", Method: trace.FileTransferred, At: 6 * s})
	at(2*s, trace.Record{Ev: trace.EvJobError, Job: "job-1", HR: callbackabi.BG_E_NETWORK_DISCONNECTED, Context: callbackabi.BG_ERROR_CONTEXT_GENERAL_TRANSPORT, File: -1})
	at(2*s, trace.Record{Ev: trace.EvJobState, Job: "job-1", From: callbackabi.BG_JOB_STATE_TRANSFERRING, To: callbackabi.BG_JOB_STATE_ERROR})
	at(2*s, trace.Record{Ev: trace.EvNotifyOwed, Job: "job-1", Method: trace.JobError, File: -1})
	at(2*s, trace.Record{Ev: trace.EvSlotWait, Job: "job-1", User: "alice", Method: trace.JobError, Lane: trace.LaneHigh})
	at(2*s, trace.Record{Ev: trace.EvNotifyDrop, Job: "job-1", Method: trace.FileTransferred, Reason: "state"})
	at(3*s, trace.Record{Ev: trace.EvClientExit, Client: "app-1", User: "alice", Apartment: "STA", Reason: "crash"})
	at(3*s, trace.Record{Ev: trace.EvCallBegin, Call: 3, Job: "job-1", User: "alice", Client: "app-1", Method: trace.JobError, Lane: trace.LaneHigh})
	at(3*s, trace.Record{Ev: trace.EvCallEnd, Call: 3, Outcome: trace.OutcomeDisconnected})
	at(3*s, trace.Record{Ev: trace.EvJobUnregister, Job: "job-1", Reason: "disconnected"})
	at(3*s, trace.Record{Ev: trace.EvCmdlineStart, Job: "job-1", Run: 1})
	at(4*s, trace.Record{Ev: trace.EvCmdlineExit, Job: "job-1", Run: 1, Code: 0})
	at(4*s, trace.Record{Ev: trace.EvJobOwner, Job: "job-1", User: "bob"})
	at(4*s, trace.Record{Ev: trace.EvUnknown, Name: "model.detail"})
	at(5*s, trace.Record{Ev: trace.EvLimit, Reason: "events: 1000"})
	at(5*s, trace.Record{Ev: trace.EvRunEnd, Reason: "limit: events: 1000"})
	return l.Records()
}

// testingT is what the helpers need of *testing.T and *rapid.T.
type testingT interface {
	require.TestingT
	Helper()
}

// encode returns Encode(recs) as bytes.
func encode(t testingT, recs []trace.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, trace.Encode(&b, recs))
	return b.Bytes()
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
