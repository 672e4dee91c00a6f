package scheduler

import (
	"time"

	"github.com/bitsim/bitsim/callbackabi"
)

// Limits that end or hold a transfer whatever the server does (issue 14):
// the job's maximum download time, and the MaxInternetBandwidth group
// policy set to 0.
//
// Maximum download time. "IBackgroundCopyJob4::SetMaximumDownloadTime
// method (bits3_0.h)", Remarks: "The value is the maximum elapsed time that
// the job can spend in the CONNECTING or TRANSFERRING state. Time spent in
// the QUEUED or TRANSIENT_ERROR state does not count against the timeout
// value. The job enters the fatal error state with an error code of
// BG_E_MAXDOWNLOAD_TIMEOUT if the transfer time exceeds the timeout
// value." and "Calling the IBackgroundCopyJob::Resume method, resets the
// elapsed time." The default is 7,776,000 s (90 days). The model counts
// the time a job spends in CONNECTING or TRANSFERRING (SUSPENDED does not
// count either: a reading, the page names the states that count), and arms
// a timer only when the deadline falls before the job's next transfer
// event, so a long limit leaves no timer behind to keep a run from going
// idle. The error has no file (-1) and context GENERAL_QUEUE_MANAGER (a
// reading: the limit is the queue manager's, no page names the context).
//
// MaxInternetBandwidth 0. The group policy page ("Limit the maximum
// network bandwidth for BITS background transfers"): "This policy setting
// does not affect foreground transfers." and "To prevent BITS transfers
// from occurring, specify a limit of 0."; the SetMinimumRetryDelay page:
// "BITS does not retry the job if a network disconnect or disk lock error
// occurred (for example, chkdsk is running) or the MaxInternetBandwidth
// Group Policy is zero."; bitsmsg.h's BG_E_BLOCKED_BY_POLICY. While the
// policy is 0 (Service.SetMaxInternetBandwidthZero) a background job that
// is QUEUED, CONNECTING or TRANSFERRING goes to TRANSIENT_ERROR with
// BG_E_BLOCKED_BY_POLICY (context GENERAL_QUEUE_MANAGER, a reading), is not
// retried on the retry-delay schedule, and goes back to QUEUED when the
// policy ends; FOREGROUND jobs are not affected. As for a network loss
// (G44), the GetErrorCount page: "BITS does not increase the count when
// network disconnects occur, the check disk program runs, or the bandwidth
// policy prevents jobs from transferring."

// Cancelling an upload job whose server is unreachable. The Cancel page
// (S-CANCEL): "For upload jobs, if the server is unavailable, there may be
// a delay before BITS deletes the job from the queue. BITS periodically
// sends a cancel request to the BITS server for up to 24 hours. If the
// server does not respond within the 24-hour period, BITS removes the job
// from the queue. If the no-progress time-out period is less than 24 hours,
// BITS uses the no-progress time-out period to limit the retries." The
// client sees the job CANCELLED at once (G40, G42: it leaves EnumJobs and
// no call reaches it); the model keeps the job "in the queue" for the job
// limits (S-GP: MaxJobsPerUser, MaxJobsPerMachine), a reading of "deletes
// the job from the queue": an upload job (or upload-reply job) cancelled
// while the network is down still counts against its owner's and the
// machine's job limits until the network comes back (the server answers)
// or the window — 24 hours, or the no-progress timeout if shorter — has
// passed. Nothing is scheduled for it: the window is checked when a job is
// created.

// uploadCancelWindow is the longest BITS retries the server-side cancel of
// an upload job (S-CANCEL).
const uploadCancelWindow = 24 * time.Hour

// cancelUpload notes j, about to be cancelled, as pending on its server
// when it is an upload job and the server cannot be reached.
func (s *Service) cancelUpload(j *job) {
	if j.typ == callbackabi.BG_JOB_TYPE_DOWNLOAD || s.network || s.opts.Profile != ProfileDefault {
		return
	}
	x := j.ext()
	x.cancelUntil = s.now() + min(uploadCancelWindow, x.noProgress)
	x.cancelNet = s.netUps
	s.cancelling = append(s.cancelling, j)
}

// cancelsPending forgets the cancels whose window is over and returns how
// many are still pending for u and for the machine.
func (s *Service) cancelsPending(u *User) (mine, all int) {
	now := s.now()
	keep := s.cancelling[:0]
	for _, j := range s.cancelling {
		if x := j.cold(); now < x.cancelUntil && x.cancelNet == s.netUps {
			keep = append(keep, j)
			all++
			if j.owner == u {
				mine++
			}
		}
	}
	clear(s.cancelling[len(keep):])
	s.cancelling = keep
	return mine, all
}

// downloadTime returns the time j has spent in CONNECTING or TRANSFERRING
// since the last Resume (or its creation).
func (j *job) downloadTime(now time.Duration) time.Duration {
	if j.dlSince >= 0 {
		return j.dlUsed + now - j.dlSince
	}
	return j.dlUsed
}

// countDownload starts or stops the download-time clock as j moves from
// state from to state to.
func (j *job) countDownload(from, to jobState, now time.Duration) {
	was := from == stConnecting || from == stTransferring
	is := to == stConnecting || to == stTransferring
	switch {
	case was && !is:
		j.dlUsed += now - j.dlSince
		j.dlSince = -1
	case !was && is:
		j.dlSince = now
	}
}

// resetDownloadTime: Resume "resets the elapsed time"
// (SetMaximumDownloadTime page).
func (j *job) resetDownloadTime(now time.Duration) {
	j.dlUsed = 0
	if j.dlSince >= 0 {
		j.dlSince = now
	}
}

// watchDownload arms the maximum-download-time timer of j when its limit
// runs out before next, the time to j's next transfer event.
func (s *Service) watchDownload(j *job, next time.Duration) {
	if s.opts.Profile != ProfileDefault || j.dlSince < 0 {
		return
	}
	now := s.now()
	left := j.cold().maxDownload - j.downloadTime(now)
	if left > next {
		return
	}
	s.w.After(max(left, 0), classState, s.kMaxDownload, int64(j.idx), j.tgen)
}

// onMaxDownload: the job has spent its maximum download time connecting
// and transferring: ERROR with BG_E_MAXDOWNLOAD_TIMEOUT (then JobError, G12).
func (s *Service) onMaxDownload(a, b int64) {
	j := s.jobAt(a, b)
	if j == nil || (j.state != stConnecting && j.state != stTransferring) || j.downloadTime(s.now()) < j.cold().maxDownload {
		return
	}
	s.fatalError(j, callbackabi.BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, callbackabi.BG_E_MAXDOWNLOAD_TIMEOUT, -1)
}

// SetMaximumDownloadTime is IBackgroundCopyJob4::SetMaximumDownloadTime
// (BITS 3.0; E_NOTIMPL before, and under WineCompat): the most time, in
// seconds, the job may spend in CONNECTING or TRANSFERRING before it goes
// to ERROR with BG_E_MAXDOWNLOAD_TIMEOUT. BG_E_INVALID_STATE in a final
// state (G6); a property change (G13).
func (r *JobRef) SetMaximumDownloadTime(seconds uint32) hr {
	if h := r.enter(); h != 0 {
		return h
	}
	defer r.leave()
	j := r.j
	if r.wine() || !j.s.opts.Version.AtLeast(3, 0) {
		return callbackabi.E_NOTIMPL
	}
	if j.state.Final() {
		return callbackabi.BG_E_INVALID_STATE
	}
	j.ext().maxDownload = time.Duration(seconds) * time.Second
	j.modifiedBy("property")
	j.s.watchDownload(j, 0) // a limit already spent ends the transfer now
	return callbackabi.S_OK
}

// GetMaximumDownloadTime returns the job's maximum download time in
// seconds (default 7,776,000: 90 days).
func (r *JobRef) GetMaximumDownloadTime() (uint32, hr) {
	if h := r.enter(); h != 0 {
		return 0, h
	}
	defer r.leave()
	if r.wine() || !r.j.s.opts.Version.AtLeast(3, 0) {
		return 0, callbackabi.E_NOTIMPL
	}
	return uint32(r.j.cold().maxDownload / time.Second), callbackabi.S_OK
}

// SetMaxInternetBandwidthZero sets (true) or lifts (false) the
// MaxInternetBandwidth group policy's limit of 0 for background transfers:
// while it holds, every background job that is QUEUED, CONNECTING or
// TRANSFERRING goes to TRANSIENT_ERROR with BG_E_BLOCKED_BY_POLICY, and no
// background job starts; when it is lifted those jobs go back to QUEUED.
// FOREGROUND jobs are not affected.
func (s *Service) SetMaxInternetBandwidthZero(zero bool) {
	if s.policyZero == zero {
		return
	}
	s.policyZero = zero
	for j := range s.eachJob {
		switch {
		case !zero && j.state == stTransient && j.err != nil && j.err.code == callbackabi.BG_E_BLOCKED_BY_POLICY:
			j.queuedAt = s.nextQueued()
			j.setState(stQueued)
		case zero && j.active() && s.blockedByPolicy(j):
			s.transientError(j, callbackabi.BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, callbackabi.BG_E_BLOCKED_BY_POLICY, -1)
		}
	}
	s.reschedule()
}

// blockedByPolicy reports whether the bandwidth policy keeps j from
// transferring now.
func (s *Service) blockedByPolicy(j *job) bool {
	return s.policyZero && j.prio != callbackabi.BG_JOB_PRIORITY_FOREGROUND && s.opts.Profile == ProfileDefault
}

// waitsForCondition reports whether code is an error BITS does not retry
// on the retry-delay schedule: the job waits for the condition to clear
// (G44; the SetMinimumRetryDelay page).
func waitsForCondition(code hr) bool {
	return code == callbackabi.BG_E_NETWORK_DISCONNECTED || code == callbackabi.BG_E_BLOCKED_BY_POLICY
}
