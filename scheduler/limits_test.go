package scheduler_test

// Documented limits on transfers, cell by cell (statetable_test.go style;
// issue 14, item 3). Each table names the page it follows and the
// sentence; docs/MODEL.md records the choices where the pages are silent.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/trace"
)

// "IBackgroundCopyJob4::SetMaximumDownloadTime method (bits3_0.h)",
// Remarks: "The value is the maximum elapsed time that the job can spend
// in the CONNECTING or TRANSFERRING state. Time spent in the QUEUED or
// TRANSIENT_ERROR state does not count against the timeout value. The job
// enters the fatal error state with an error code of
// BG_E_MAXDOWNLOAD_TIMEOUT if the transfer time exceeds the timeout
// value." ... "Calling the IBackgroundCopyJob::Resume method, resets the
// elapsed time." Parameters: "The default is 7,776,000 seconds (90 days)."
func TestMaximumDownloadTime(t *testing.T) {
	cells := []struct {
		name string
		max  uint32
		plan func(f *scheduler.FileSpec)
		// during runs at the job's start (t0 = its Resume)
		during func(s *stWorld, j *scheduler.JobRef, t0 time.Duration)
		errAt  time.Duration // ERROR with BG_E_MAXDOWNLOAD_TIMEOUT at t0 + errAt
	}{
		{name: "G44/max-download-time/connecting-and-transferring-count", max: 3, errAt: 3 * time.Second},
		{name: "G44/max-download-time/transient-error-does-not-count", max: 3,
			// Connect 0.1 s, the failure at the 2.1 s chunk, 5 s in
			// TRANSIENT_ERROR, then 0.9 s left: 2.1 + 5 + 0.9.
			plan: func(f *scheduler.FileSpec) {
				f.Failures = []scheduler.Failure{{AtByte: 15 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true}}
			},
			errAt: 8 * time.Second},
		{name: "G44/max-download-time/queued-does-not-count", max: 3,
			// A HIGH job transfers first (0.1 s + 10 s): the job waits
			// QUEUED until 10.1 s, then has 3 s.
			during: func(s *stWorld, j *scheduler.JobRef, t0 time.Duration) {
				s.requireState(j, sQueued, "behind the HIGH job")
			},
			errAt: 13100 * time.Millisecond},
		{name: "G44/max-download-time/resume-resets", max: 3,
			during: func(s *stWorld, j *scheduler.JobRef, t0 time.Duration) {
				s.advance(2 * time.Second)
				require.Equal(s.t, abi.S_OK, j.Resume(), "Resume while TRANSFERRING")
			},
			errAt: 5 * time.Second},
	}
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			if c.name == "G44/max-download-time/queued-does-not-count" {
				hi := s.newJob(tDownload, s.file(100*stMB)) // 10 s
				require.Equal(t, abi.S_OK, hi.SetPriority(abi.BG_JOB_PRIORITY_HIGH))
				require.Equal(t, abi.S_OK, hi.Resume())
			}
			f := s.file(1000 * stMB)
			if c.plan != nil {
				c.plan(&f)
			}
			j := s.newJob(tDownload, f)
			require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(5))
			require.Equal(t, abi.S_OK, j.SetMaximumDownloadTime(c.max))
			got, res := j.GetMaximumDownloadTime()
			require.Equal(t, abi.S_OK, res)
			require.Equal(t, c.max, got)
			cb := registerOK(t, j)
			t0 := s.w.Now()
			require.Equal(t, abi.S_OK, j.Resume())
			if c.during != nil {
				c.during(s, j, t0)
			}
			s.advance(t0 + c.errAt - s.w.Now() - time.Nanosecond)
			require.NotEqual(t, sError, s.state(j), "not before %v", c.errAt)
			s.advance(time.Nanosecond)
			s.requireState(j, sError, "the limit is spent")
			v := s.snap(j)
			require.Equal(t, abi.BG_E_MAXDOWNLOAD_TIMEOUT, v.ErrorCode)
			require.Equal(t, abi.BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, v.ErrorCtx)
			s.advance(time.Second)
			require.Equal(t, 1, cb.je, "G12: JobError")
		})
	}
	t.Run("G44/max-download-time/default-90-days", func(t *testing.T) {
		s := newSTWorld(t)
		got, res := s.newJob(tDownload).GetMaximumDownloadTime()
		require.Equal(t, abi.S_OK, res)
		require.Equal(t, uint32(7_776_000), got)
	})
	t.Run("G44/max-download-time/before-bits-3.0", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.Version = scheduler.Version{Major: 2, Minor: 5}
		s := newSTWorldOpts(t, opts)
		j := s.newJob(tDownload)
		require.Equal(t, abi.E_NOTIMPL, j.SetMaximumDownloadTime(3), "IBackgroundCopyJob4 is BITS 3.0")
	})
	t.Run("G6/max-download-time/final-state", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sCancelled, tDownload, nil)
		before := s.snap(j)
		require.Equal(t, abi.BG_E_INVALID_STATE, j.SetMaximumDownloadTime(3))
		s.requireUnchanged(j, before, "a final job")
	})
}

// The "Limit the maximum network bandwidth for BITS background transfers"
// group policy: "This policy setting does not affect foreground
// transfers." and "To prevent BITS transfers from occurring, specify a
// limit of 0."; SetMinimumRetryDelay page: "BITS does not retry the job if
// ... the MaxInternetBandwidth Group Policy is zero."; GetErrorCount page:
// "BITS does not increase the count when ... the bandwidth policy prevents
// jobs from transferring."
func TestMaxInternetBandwidthZero(t *testing.T) {
	cells := []struct {
		name    string
		from    abi.JobState
		fg      bool
		blocked abi.JobState // while the policy is 0
		after   abi.JobState // an hour after it is lifted
	}{
		{name: "G44/bandwidth-zero/transferring-to-transient", from: sTransferring, blocked: sTransient, after: sTransferred},
		{name: "G44/bandwidth-zero/queued-to-transient", from: sQueued, blocked: sTransient, after: sTransferred},
		{name: "G44/bandwidth-zero/foreground-unaffected", from: sTransferring, fg: true, blocked: sTransferred, after: sTransferred},
		{name: "G44/bandwidth-zero/suspended-untouched", from: sSuspended, blocked: sSuspended, after: sSuspended},
		{name: "G44/bandwidth-zero/error-untouched", from: sError, blocked: sError, after: sError},
	}
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			j := s.reachPrepared(c.from, func(s *stWorld, j *scheduler.JobRef) {
				require.Equal(s.t, abi.S_OK, j.SetMinimumRetryDelay(5))
				if c.fg {
					require.Equal(s.t, abi.S_OK, j.SetPriority(abi.BG_JOB_PRIORITY_FOREGROUND))
				}
			})
			count := s.snap(j).ErrorCount
			s.svc.SetMaxInternetBandwidthZero(true)
			s.advance(time.Hour) // far beyond the 5 s retry delay: no retry
			s.requireState(j, c.blocked, "while the policy is 0")
			if c.blocked == sTransient {
				v := s.snap(j)
				require.Equal(t, abi.BG_E_BLOCKED_BY_POLICY, v.ErrorCode)
				require.Equal(t, count, v.ErrorCount, "the count does not grow")
			}
			s.svc.SetMaxInternetBandwidthZero(false)
			s.advance(time.Hour)
			s.requireState(j, c.after, "after the policy is lifted")
		})
	}
	t.Run("G44/bandwidth-zero/resume-while-blocked", func(t *testing.T) {
		s := newSTWorld(t)
		s.svc.SetMaxInternetBandwidthZero(true)
		j := s.newJob(tDownload, s.file(stMB))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Second)
		s.requireState(j, sTransient, "a background job cannot start")
		s.transition(j, sConnecting, sTransient)
		require.Equal(t, abi.BG_E_BLOCKED_BY_POLICY, s.snap(j).ErrorCode)
	})
}

// "Users and Network Connections": "If the network connection is lost, all
// jobs whose state is BG_JOB_STATE_QUEUED or BG_JOB_STATE_TRANSFERRING are
// moved to the BG_JOB_STATE_TRANSIENT_ERROR state with a
// BG_E_NETWORK_DISCONNECTED error code. When a network connection is
// established, all jobs in a BG_JOB_STATE_TRANSIENT_ERROR state, which may
// include any error code, are moved to the BG_JOB_STATE_QUEUED state."
// G45's "a retry delay longer than the no-progress timeout: no retry,
// ERROR" (SetMinimumRetryDelay page) is about retries on the delay
// schedule, which a lost network does not use (same page: "BITS does not
// retry the job if a network disconnect ... occurred"), so it does not
// apply; the no-progress timeout itself (G46) still does.
func TestNetworkConnections(t *testing.T) {
	cells := []struct {
		name        string
		retry, npto uint32 // SetMinimumRetryDelay, SetNoProgressTimeout
		from        abi.JobState
		lost        abi.JobState
	}{
		{name: "G44/network-lost/transferring", retry: 5, npto: 3600, from: sTransferring, lost: sTransient},
		{name: "G44/network-lost/queued", retry: 5, npto: 3600, from: sQueued, lost: sTransient},
		{name: "G44/network-lost/delay-longer-than-timeout-still-transient", retry: 7200, npto: 3600, from: sTransferring, lost: sTransient},
		{name: "G46/network-lost/timeout-zero-is-error", retry: 5, npto: 0, from: sTransferring, lost: sError},
	}
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			j := s.reachPrepared(c.from, func(s *stWorld, j *scheduler.JobRef) {
				require.Equal(s.t, abi.S_OK, j.SetMinimumRetryDelay(c.retry))
				require.Equal(s.t, abi.S_OK, j.SetNoProgressTimeout(c.npto))
			})
			count := s.snap(j).ErrorCount
			s.svc.SetNetwork(false)
			v := s.snap(j)
			require.Equal(t, c.lost, v.State, s.dump(j))
			require.Equal(t, abi.BG_E_NETWORK_DISCONNECTED, v.ErrorCode)
			require.Equal(t, count, v.ErrorCount, "GetErrorCount page: no count for a network disconnect")
			s.advance(time.Minute)
			s.svc.SetNetwork(true)
			if c.lost == sTransient {
				require.Contains(t, []abi.JobState{sQueued, sConnecting}, s.state(j), "back to QUEUED on reconnect")
			}
		})
	}
	t.Run("G44/network-back/any-transient-error-to-queued", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reachWith(sTransient, func(s *stWorld, j *scheduler.JobRef) {
			require.Equal(s.t, abi.S_OK, j.SetMinimumRetryDelay(3600))
		})
		require.Equal(t, abi.BG_E_CONNECTION_CLOSED, s.snap(j).ErrorCode, "a server error, not the network")
		s.svc.SetNetwork(false)
		s.svc.SetNetwork(true)
		require.Contains(t, []abi.JobState{sQueued, sConnecting}, s.state(j), "not an hour later: at once")
	})
}

// Service accounts. "Users and Network Connections": "The LocalSystem,
// LocalService, and NetworkService system accounts are always logged on;
// therefore, jobs submitted by a service using these accounts always
// run."; the SetNotifyCmdLine page: "If the BITS job is in a service
// account context (i.e. networkservice/localsystem/localservice), no form
// of command line callback will be executed." (G30).
func TestServiceAccounts(t *testing.T) {
	run := func(t *testing.T, opts scheduler.Options, name string) (tr, *scheduler.JobRef) {
		e := newEnv(t, opts)
		svcUser := e.svc.AddServiceAccount(name)
		require.True(t, svcUser.ServiceAccount())
		require.PanicsWithValue(t, "scheduler: Logoff("+name+"): a service account is always logged on", svcUser.Logoff)
		c := e.client("svc", svcUser, scheduler.MTA)
		j := failingJob(t, c)
		mustOK(t, j.SetNotifyCmdLine(notifyExe, "notify"))
		prog, args, res := j.GetNotifyCmdLine()
		mustOK(t, res)
		assert.Equal(t, notifyExe, prog, "kept for GetNotifyCmdLine")
		assert.Equal(t, "notify", args)
		mustOK(t, j.Resume())
		return e.run(), j
	}
	for _, name := range []string{abi.LocalSystem, abi.LocalService, abi.NetworkService} {
		t.Run("G30/"+name+"/no-command-line", func(t *testing.T) {
			recs, j := run(t, scheduler.DefaultOptions(), name)
			require.NotEmpty(t, recs.stateTo(j.Name(), abi.BG_JOB_STATE_ERROR), "the job ran and failed")
			assert.Empty(t, recs.ev(trace.EvJobCmdline), "SetNotifyCmdLine does not take effect")
			assert.Empty(t, recs.ev(trace.EvCmdlineStart), "no program for a service account's job")
			assert.Empty(t, rulesBroken(recs))
		})
	}
	t.Run("G30/mutant", func(t *testing.T) {
		recs, _ := run(t, withMutant(mutant.ServiceCmdLine), abi.LocalSystem)
		require.NotEmpty(t, recs.ev(trace.EvCmdlineStart))
		assert.Equal(t, []string{"G30"}, rulesBroken(recs))
	})
	t.Run("S-GP/service-accounts-exempt-from-job-limits", func(t *testing.T) {
		e := defaultEnv(t)
		c := e.client("svc", e.svc.AddServiceAccount(abi.NetworkService), scheduler.MTA)
		for i := range abi.MaxJobsPerUser + 1 {
			_, res := c.CreateJob("job", abi.BG_JOB_TYPE_DOWNLOAD)
			require.Equal(t, abi.S_OK, res, "job %d", i+1)
		}
	})
	t.Run("only-the-three-names", func(t *testing.T) {
		e := defaultEnv(t)
		require.Panics(t, func() { e.svc.AddServiceAccount("bob") })
	})
}

// reachPrepared drives a background download job to from (SUSPENDED,
// QUEUED, TRANSFERRING, TRANSIENT_ERROR or ERROR), applying prep to the
// new job before it is resumed.
func (s *stWorld) reachPrepared(from abi.JobState, prep func(s *stWorld, j *scheduler.JobRef)) *scheduler.JobRef {
	s.t.Helper()
	if from == sTransient {
		return s.reachWith(from, prep)
	}
	f := s.file(100 * stMB)
	if from == sError {
		f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_HTTP_ERROR(503)}}
	}
	if from == sQueued {
		s.blocker()
	}
	j := s.newJob(tDownload, f)
	prep(s, j)
	if from != sSuspended {
		require.Equal(s.t, abi.S_OK, j.Resume())
		s.advance(2500 * time.Millisecond)
	}
	s.requireState(j, from, "fixture")
	return j
}

// The Cancel page (S-CANCEL): "For upload jobs, if the server is
// unavailable, there may be a delay before BITS deletes the job from the
// queue. BITS periodically sends a cancel request to the BITS server for up
// to 24 hours. If the server does not respond within the 24-hour period,
// BITS removes the job from the queue. If the no-progress time-out period
// is less than 24 hours, BITS uses the no-progress time-out period to limit
// the retries." The job is CANCELLED for the client at once; it counts
// against its owner's job limit (S-GP, MaxJobsPerUser 60) until the server
// answers (the network is back) or the window has passed (a reading of
// "deletes the job from the queue").
func TestUploadCancelWindow(t *testing.T) {
	cells := []struct {
		name    string
		typ     abi.JobType
		npto    uint32 // SetNoProgressTimeout
		network bool   // the server is reachable at the Cancel
		then    func(s *stWorld)
		full    bool // a 61st job is refused after then
	}{
		{name: "G40/upload-cancel/server-unreachable-still-counts", typ: tUpload, npto: 1_209_600,
			then: func(s *stWorld) { s.advance(24*time.Hour - time.Second) }, full: true},
		{name: "G40/upload-cancel/after-24-hours-gone", typ: tUpload, npto: 1_209_600,
			then: func(s *stWorld) { s.advance(24 * time.Hour) }},
		{name: "G40/upload-cancel/no-progress-timeout-shorter", typ: tUploadReply, npto: 3600,
			then: func(s *stWorld) { s.advance(time.Hour) }},
		{name: "G40/upload-cancel/server-answers-when-network-back", typ: tUpload, npto: 1_209_600,
			then: func(s *stWorld) { s.svc.SetNetwork(true) }},
		{name: "G40/upload-cancel/server-reachable-gone-at-once", typ: tUpload, npto: 1_209_600, network: true,
			then: func(s *stWorld) {}},
		{name: "G40/download-cancel/gone-at-once", typ: tDownload, npto: 1_209_600,
			then: func(s *stWorld) {}},
	}
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			j := s.newJob(c.typ, s.file(10*stMB))
			require.Equal(t, abi.S_OK, j.SetNoProgressTimeout(c.npto))
			for range abi.MaxJobsPerUser - 1 {
				s.newJob(tDownload)
			}
			require.Equal(t, abi.S_OK, j.Resume())
			s.advance(500 * time.Millisecond)
			if !c.network {
				s.svc.SetNetwork(false)
			}
			require.Equal(t, abi.S_OK, j.Cancel())
			s.requireState(j, sCancelled, "CANCELLED for the client at once")
			c.then(s)
			_, res := s.app.CreateJob("one more", tDownload)
			if c.full {
				require.Equal(t, abi.BG_E_TOO_MANY_JOBS_PER_USER, res, "the cancel is still pending on the server")
			} else {
				require.Equal(t, abi.S_OK, res, "the job has left the queue")
			}
		})
	}
}
