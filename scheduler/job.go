package scheduler

import (
	"strconv"
	"time"

	"github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/internal/mutant"
	"github.com/bitsim/bitsim/trace"
)

type (
	hr       = callbackabi.HRESULT
	jobState = callbackabi.JobState
)

const (
	stQueued       = callbackabi.BG_JOB_STATE_QUEUED
	stConnecting   = callbackabi.BG_JOB_STATE_CONNECTING
	stTransferring = callbackabi.BG_JOB_STATE_TRANSFERRING
	stSuspended    = callbackabi.BG_JOB_STATE_SUSPENDED
	stError        = callbackabi.BG_JOB_STATE_ERROR
	stTransient    = callbackabi.BG_JOB_STATE_TRANSIENT_ERROR
	stTransferred  = callbackabi.BG_JOB_STATE_TRANSFERRED
	stAcknowledged = callbackabi.BG_JOB_STATE_ACKNOWLEDGED
	stCancelled    = callbackabi.BG_JOB_STATE_CANCELLED
)

// job is the service's record of one BITS job.
type job struct {
	s      *Service
	idx    int32
	name   string     // trace id "job-N"
	nameID trace.Name // name interned in the log (nid)
	id     callbackabi.GUID
	typ    callbackabi.JobType
	owner  *User

	state       jobState
	prio        callbackabi.JobPriority
	files       []*file
	cur         int // index of the file being transferred
	display     string
	description string
	retryDelay  time.Duration
	noProgress  time.Duration
	created     time.Duration
	modified    time.Duration
	completed   time.Duration
	onDemand    bool

	err        *jobError // while ERROR / TRANSIENT_ERROR (G49)
	errorCount uint32

	// transfer engine
	tgen       int64         // bumps on every state change: stale timers are ignored
	queuedAt   int64         // round-robin order (a counter, not time)
	poolIdx    int           // index in Service.pool, -1 when not there
	activity   int64         // bumps on every state or property change (inactivity timer)
	npStart    time.Duration // first transient error without progress since; -1 none
	npGen      int64
	sliceStart time.Duration
	sliceArmed bool // a slice-end timer is pending for this TRANSFERRING stretch
	replyDone  bool

	// maximum download time (policy.go)
	maxDownload time.Duration // SetMaximumDownloadTime (default 90 days)
	dlUsed      time.Duration // time spent CONNECTING or TRANSFERRING since the last Resume, up to dlSince
	dlSince     time.Duration // when the current CONNECTING/TRANSFERRING stretch began; -1 none

	// an upload job cancelled while its server was unreachable (policy.go)
	cancelUntil time.Duration // end of the window of cancel requests
	cancelNet   int           // Service.netUps at the Cancel

	// notification state
	flags   callbackabi.NotifyFlags
	reg     registration
	cmd     cmdLine
	clsid   callbackabi.GUID
	clsidBy *User
	minNote time.Duration // minimum notification interval (G14)
	n       notifyState
}

type jobError struct {
	ctx    callbackabi.ErrorContext
	code   hr
	file   int // -1: not tied to a file
	objHR  hr  // Failure.ErrorObjectHR: the error object's methods answer it
	fileHR hr  // Failure.ErrorFileHR: its file's GetProgress answers it
}

func (s *Service) newJob(owner *User, display string, typ callbackabi.JobType) *job {
	j := &job{
		s:          s,
		idx:        int32(len(s.jobs)),
		typ:        typ,
		owner:      owner,
		state:      stSuspended,
		prio:       callbackabi.BG_JOB_PRIORITY_NORMAL,
		display:    display,
		retryDelay: callbackabi.DefaultMinimumRetryDelay,
		noProgress: callbackabi.DefaultNoProgressTimeout,
		created:    s.now(),
		modified:   s.now(),
		flags:      callbackabi.NotifyFlagsDefault,
		npStart:    -1,
		poolIdx:    -1,

		maxDownload: callbackabi.MaxDownloadTime,
		dlSince:     -1,
	}
	if s.opts.Version.AtLeast(5, 0) {
		j.minNote = callbackabi.DefaultMinNotificationInterval
	}
	j.name = "job-" + strconv.Itoa(len(s.jobs)+1)
	// A deterministic GUID derived from the creation order.
	n := uint32(len(s.jobs) + 1)
	j.id = callbackabi.GUID{Data1: 0xB175B175, Data2: 0x5100, Data3: 0x4000, Data4: [8]byte{0x80, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}}
	s.jobs = append(s.jobs, j)
	owner.jobs++
	s.liveJobs++
	s.rec(trace.Record{Ev: trace.EvJobCreate, Job: j.name, User: owner.name})
	return j
}

// setState moves the job to state to, writes job.state, raises the
// JobModification trigger where G13 allows one, and lets the dispatcher
// re-evaluate what the job owes.
func (j *job) setState(to jobState) {
	from := j.state
	if from == to {
		return
	}
	if from.Final() {
		panic("scheduler: invariant broken: job " + j.name + " leaving final state " + from.String() + " (G42)")
	}
	s := j.s
	j.state = to
	j.countDownload(from, to, s.now())
	j.tgen++
	j.sliceArmed = false
	j.modified = s.now()
	if to == stTransferring {
		j.err = nil // G49: the error object lives until TRANSFERRING again
	}
	if to == stTransferred {
		j.completed = s.now()
	}
	if to.Final() {
		j.owner.jobs--
		s.liveJobs--
	}
	s.track(j)
	s.pack(trace.Packed{Ev: trace.EvJobState, Job: j.nid(), A: int64(from), B: int64(to)})
	j.touched()
	if to != stTransferred && to != stError || s.opts.Mutants.Has(mutant.JMOnTransferred) {
		j.modifiedBy("state") // G13: not for entering ERROR or TRANSFERRED
	}
	s.onStateChanged(j, from, to)
}

// modifiedBy records a JobModification trigger (G13) and lets the
// dispatcher schedule a (throttled, coalesced) JobModification.
func (j *job) modifiedBy(reason string) {
	j.s.pack(trace.Packed{Ev: trace.EvJobModified, Job: j.nid(), Text: j.s.reasonName(reason)})
	if reason != "state" {
		j.touched()
	}
	j.s.jmTrigger(j)
}

// touched restarts the JobInactivityTimeout of a job resting in ERROR or
// TRANSFERRED (G44; Options.InactivityTimeout).
func (j *job) touched() {
	s := j.s
	j.activity++
	if s.opts.InactivityTimeout > 0 && (j.state == stError || j.state == stTransferred) {
		s.w.After(s.opts.InactivityTimeout, classTimer, s.kInactive, int64(j.idx), j.activity)
	}
}

// setError records the error of a move to ERROR / TRANSIENT_ERROR.
func (j *job) setError(ctx callbackabi.ErrorContext, code hr, fileIdx int) {
	b := &j.s.broken
	j.err = &jobError{ctx: ctx, code: code, file: fileIdx, objHR: b.objHR, fileHR: b.fileHR}
	*b = jobError{}
	if !waitsForCondition(code) {
		// The GetErrorCount page: "BITS does not increase the count when
		// network disconnects occur, the check disk program runs, or the
		// bandwidth policy prevents jobs from transferring."
		j.errorCount++
	}
	j.s.rec(trace.Record{Ev: trace.EvJobError, Job: j.name, HR: code, Context: ctx, File: int64(fileIdx)})
}

func (j *job) active() bool {
	return j.state == stQueued || j.state == stConnecting || j.state == stTransferring
}

// progress sums BG_JOB_PROGRESS (G50).
func (j *job) progress() callbackabi.JobProgress {
	var p callbackabi.JobProgress
	p.FilesTotal = uint32(len(j.files))
	for _, f := range j.files {
		if f.done {
			p.FilesTransferred++
		}
		p.BytesTransferred += f.transferred
		if p.BytesTotal != callbackabi.BG_SIZE_UNKNOWN {
			if t := f.total(); t == callbackabi.BG_SIZE_UNKNOWN {
				p.BytesTotal = callbackabi.BG_SIZE_UNKNOWN
			} else {
				p.BytesTotal += t
			}
		}
	}
	return p
}

func (j *job) allDone() bool {
	for _, f := range j.files {
		if !f.done {
			return false
		}
	}
	return len(j.files) > 0
}

// file is one file of a job.
type file struct {
	spec        FileSpec
	transferred uint64
	sizeKnown   bool
	done        bool
	attempts    int
	fails       []int // remaining count per planned failure
	renameFails int
	deleteFails bool
	completed   bool // made available by Complete (G50)
}

func (f *file) total() uint64 {
	if !f.sizeKnown {
		return callbackabi.BG_SIZE_UNKNOWN
	}
	return f.spec.Size
}

// FileSpec describes a file to add to a job together with the behaviour of
// its server, so a scenario can plan what happens to the transfer.
type FileSpec struct {
	RemoteURL string
	LocalName string
	// Size in bytes. The server's HEAD reports it unless NoHeadSize.
	Size uint64
	// NoHeadSize: the server does not report the size (BG_SIZE_UNKNOWN
	// until the file is done, G48, G50).
	NoHeadSize bool
	// NoRanges: the server (or a proxy) does not support Content-Range
	// (G48: BG_E_INSUFFICIENT_RANGE_SUPPORT).
	NoRanges bool
	// Failures planned for this file, in order.
	Failures []Failure
	// RenameFails: the first RenameFails calls of Complete cannot rename the
	// temporary file (G41: the job stays TRANSFERRED).
	RenameFails int
	// DeleteFails: Cancel/Complete cannot delete its temporary file
	// (BG_S_UNABLE_TO_DELETE_FILES).
	DeleteFails bool
}

// Failure is a planned transfer failure.
type Failure struct {
	// AtByte: the failure happens when the transfer reaches this offset;
	// 0 = when connecting.
	AtByte uint64
	// HR is the error code, e.g. callbackabi.BG_E_HTTP_ERROR(404).
	HR callbackabi.HRESULT
	// Context defaults to BG_ERROR_CONTEXT_REMOTE_FILE.
	Context callbackabi.ErrorContext
	// Transient: the job goes to TRANSIENT_ERROR and is retried (G43);
	// otherwise to ERROR.
	Transient bool
	// Times: how many attempts fail this way (default 1).
	Times int
	// ErrorObjectHR (a fault injection, not documented BITS behaviour): the
	// IBackgroundCopyError describing this failure is broken. Every method
	// of the error object a JobError call receives, or GetError returns
	// while the job is in the state this failure caused — GetError,
	// GetFile, GetErrorDescription, GetErrorContextDescription and
	// GetProtocol — answers this failure HRESULT (for example
	// RPC_E_DISCONNECTED or E_OUTOFMEMORY). 0: the object works.
	ErrorObjectHR callbackabi.HRESULT
	// ErrorFileHR (a fault injection, as ErrorObjectHR): the error object's
	// GetFile succeeds, but GetProgress of the file it returns answers this
	// failure HRESULT. Ignored when ErrorObjectHR is set (GetFile fails).
	ErrorFileHR callbackabi.HRESULT
}

// HTTPError is a planned fatal HTTP status failure at connect time
// (BG_E_HTTP_ERROR_nnn, context REMOTE_FILE).
func HTTPError(status int) Failure {
	return Failure{HR: callbackabi.BG_E_HTTP_ERROR(status), Context: callbackabi.BG_ERROR_CONTEXT_REMOTE_FILE}
}
