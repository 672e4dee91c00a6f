package scheduler

import (
	"math/bits"
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
//
// What the dispatcher and the transfer engine touch on every notification
// is here; what few jobs ever use lives in a jobExt allocated on first use
// (ext), so that a million jobs fit in a million small structs (issue 13:
// at most 1 KiB of heap per job, and fewer cache lines touched per
// notification).
type job struct {
	// The job is 576 bytes, nine cache lines, and jobs lie in slabs at
	// multiples of 576 from a 64-byte boundary (every slab past the first
	// few, which are small and stay in cache), so each line holds the
	// same fields in every job (TestJobLayout). What a notification
	// touches (a chunk's progress, the JobModification it raises and the
	// call) lies in lines 0–3 and 7 — five lines (line 3 for the FT
	// queue's length, which every call's end reads), read ahead by the
	// prefetch hints (warmChunk, warmInvoke); a dispatch that waits in a
	// lane adds line 4; the rest is read by state changes and the API.
	// (Issue 13: at a million jobs each of these lines is a cache miss.)

	// line 0
	s      *Service
	curf   *file   // files[cur], without a look at the files' array
	x      *jobExt // nil until a rare property is set (ext, cold)
	bytes  uint64  // bytes transferred, over all files: every byte comes through Service.moved
	tgen   int64   // bumps on every state change: stale timers are ignored
	idx    int32
	nameID trace.Name // the trace id "job-N", kept once in the log's names (name)
	cur    int32      // index of the file being transferred
	npGen  uint32     // bumps on progress: a no-progress timer of an older generation is stale
	state  jobState
	flags  callbackabi.NotifyFlags

	// line 1
	activity int64         // bumps on every state or property change (inactivity timer)
	npStart  time.Duration // first transient error without progress since; -1 none
	minNote  time.Duration // minimum notification interval (G14)
	// maximum download time (policy.go)
	dlUsed  time.Duration // time spent CONNECTING or TRANSFERRING since the last Resume, up to dlSince
	dlSince time.Duration // when the current CONNECTING/TRANSFERRING stretch began; -1 none

	// the registration (from the end of line 1) and the notification
	// state (line 2; the FT queue and the queue and retry state in lines
	// 3 to 5)
	reg registration
	n   notifyState

	// what state changes and the API read
	typ        callbackabi.JobType
	onDemand   bool
	sliceArmed bool // a slice-end timer is pending for this TRANSFERRING stretch
	replyDone  bool
	owner      *User
	files      []*file   // files[0] is file0 (below); later files are allocated apart
	err        *jobError // while ERROR / TRANSIENT_ERROR (G49)
	display    string
	created    time.Duration
	modified   time.Duration
	queuedAt   int64         // round-robin order (a counter, not time)
	sliceStart time.Duration // when the current transfer slice began
	poolIdx    int32         // index in Service.pool, -1 when not there
	prio       callbackabi.JobPriority
	errorCount uint32
	_          [12]byte // file0 starts line 7

	// lines 7–8: the first file, kept in the job — most jobs have one,
	// and a chunk reads its file with its job, at an address known from
	// the job's, its hot fields in the line's first 64 bytes (file)
	file0 file
}

// jobExt is the part of a job most jobs never use. A job has none until
// one of these is first written (job.ext); reads go through job.cold,
// which answers the zero values for a job without one.
type jobExt struct {
	// timers set through the API (G43, G44, policy.go), their defaults
	// until then
	retryDelay  time.Duration // SetMinimumRetryDelay
	noProgress  time.Duration // SetNoProgressTimeout
	maxDownload time.Duration // SetMaximumDownloadTime

	description string
	completed   time.Duration // when the job last entered TRANSFERRED

	// an upload job cancelled while its server was unreachable (policy.go)
	cancelUntil time.Duration // end of the window of cancel requests
	cancelNet   int           // Service.netUps at the Cancel

	// the notification command line (G24–G30) and its runs
	cmd      cmdLine
	cmdRun   int64
	cmdBusy  bool
	cmdAt    time.Duration // command line not before
	cmdSt    int           // mJT or mJE the program runs for
	cmdGen   uint32        // the registration generation when it started
	cmdEntry int64         // the state entry (job.tgen) it started in

	// the notification CLSID (G9)
	clsid   callbackabi.GUID
	clsidBy *User

	// the registration's IBackgroundCopyCallback2 and 3 (registration.cb2, cb3)
	ft  callbackabi.Callback2
	frt callbackabi.Callback3

	ranges  []callbackabi.FileRange // FRT: ranges since the last call (G16)
	rangeOf int                     // FRT: the file the ranges belong to
}

// noExt is what job.cold answers for a job without a jobExt: the defaults.
// It is never written (TestColdReadsLeaveNoExtAlone).
var noExt = jobExt{
	retryDelay:  callbackabi.DefaultMinimumRetryDelay,
	noProgress:  callbackabi.DefaultNoProgressTimeout,
	maxDownload: callbackabi.MaxDownloadTime,
}

// ext returns j's jobExt, allocating it (from the defaults) on first use:
// for writes.
func (j *job) ext() *jobExt {
	if j.x == nil {
		x := noExt
		j.x = &x
	}
	return j.x
}

// cold returns j's jobExt for reading: the defaults when it has none.
// Never write through it.
func (j *job) cold() *jobExt {
	if j.x != nil {
		return j.x
	}
	return &noExt
}

// guid returns the job's id: a deterministic GUID derived from its
// creation order.
func (j *job) guid() callbackabi.GUID {
	n := uint32(j.idx + 1)
	return callbackabi.GUID{Data1: 0xB175B175, Data2: 0x5100, Data3: 0x4000, Data4: [8]byte{0x80, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}}
}

type jobError struct {
	ctx    callbackabi.ErrorContext
	code   hr
	file   int // -1: not tied to a file
	objHR  hr  // Failure.ErrorObjectHR: the error object's methods answer it
	fileHR hr  // Failure.ErrorFileHR: its file's GetProgress answers it
}

// Jobs live in slabs (Service.slabs) so that a job's address follows from
// its index with arithmetic on a small table, not a load from a table of a
// pointer per job (at a million jobs, a cache miss of its own before the
// job's). The first slabs grow from slabMin jobs, doubling, so a small
// world allocates little; from slabMax jobs on every slab has slabMax.
const (
	slabMinBits = 3
	slabMaxBits = 12
	slabMin     = 1 << slabMinBits
	slabMax     = 1 << slabMaxBits
	// growing is how many jobs the doubling slabs hold: slabMin+…+slabMax/2.
	growing = slabMax - slabMin
)

// slabOf returns the slab and the offset in it of the job with index i.
func slabOf(i int) (slab, off int) {
	if i < growing {
		k := bits.Len(uint(i>>slabMinBits+1)) - 1 // slab k holds slabMin<<k jobs from slabMin*(2^k-1)
		return k, i - slabMin*(1<<k-1)
	}
	i -= growing
	return slabMaxBits - slabMinBits + i>>slabMaxBits, i & (slabMax - 1)
}

// slabLen returns how many jobs slab k holds.
func slabLen(k int) int {
	if k < slabMaxBits-slabMinBits {
		return slabMin << k
	}
	return slabMax
}

// eachJob yields every job, in creation order; jobs created meanwhile are
// not visited (as ranging over a slice of them would not).
func (s *Service) eachJob(yield func(*job) bool) {
	left := s.njobs
	for _, slab := range s.slabs {
		for i := range min(len(slab), left) {
			if !yield(&slab[i]) {
				return
			}
		}
		if left -= len(slab); left <= 0 {
			return
		}
	}
}

// jobPtr returns the job with index i.
func (s *Service) jobPtr(i int64) *job {
	k, off := slabOf(int(i))
	return &s.slabs[k][off]
}

func (s *Service) newJob(owner *User, display string, typ callbackabi.JobType) *job {
	k, off := slabOf(s.njobs)
	if off == 0 {
		s.slabs = append(s.slabs, make([]job, slabLen(k)))
	}
	j := &s.slabs[k][off]
	*j = job{
		s:        s,
		idx:      int32(s.njobs),
		typ:      typ,
		owner:    owner,
		state:    stSuspended,
		prio:     callbackabi.BG_JOB_PRIORITY_NORMAL,
		display:  display,
		created:  s.now(),
		modified: s.now(),
		flags:    callbackabi.NotifyFlagsDefault,
		npStart:  -1,
		poolIdx:  -1,
		dlSince:  -1,
	}
	if s.opts.Version.AtLeast(5, 0) {
		j.minNote = callbackabi.DefaultMinNotificationInterval
	}
	s.njobs++
	j.nameID = s.log.NewName("job-" + strconv.Itoa(s.njobs)) // the trace id, kept once: in the log's names
	owner.jobs++
	s.liveJobs++
	s.rec(trace.Record{Ev: trace.EvJobCreate, Job: j.name(), User: owner.name})
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
		panic("scheduler: invariant broken: job " + j.name() + " leaving final state " + from.String() + " (G42)")
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
		j.ext().completed = s.now()
	}
	if to.Final() {
		j.owner.jobs--
		s.liveJobs--
	}
	s.track(j)
	s.packJob(trace.EvJobState, j.nid(), 0, int64(from), int64(to))
	j.touched()
	if to != stTransferred && to != stError || s.opts.Mutants.Has(mutant.JMOnTransferred) {
		j.modifiedBy("state") // G13: not for entering ERROR or TRANSFERRED
	}
	s.onStateChanged(j, from, to)
}

// modifiedBy records a JobModification trigger (G13) and lets the
// dispatcher schedule a (throttled, coalesced) JobModification.
func (j *job) modifiedBy(reason string) {
	j.s.packJob(trace.EvJobModified, j.nid(), j.s.reasonName(reason), 0, 0)
	if reason != "state" {
		j.touched()
	}
	j.s.jmTrigger(j)
}

// touched restarts the JobInactivityTimeout of a job resting in ERROR or
// TRANSFERRED (G44; Options.InactivityTimeout).
func (j *job) touched() {
	j.activity++
	if j.state == stError || j.state == stTransferred {
		j.s.inactiveFrom(j) // apart, so that touched is inlined
	}
}

// inactiveFrom starts j's inactivity timer, if there is a timeout, from now.
func (s *Service) inactiveFrom(j *job) {
	if s.opts.InactivityTimeout > 0 {
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
	j.s.rec(trace.Record{Ev: trace.EvJobError, Job: j.name(), HR: code, Context: ctx, File: int64(fileIdx)})
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
	// what a chunk reads, first (the job's line 7 for its first file):
	// transferred, spec.Size, spec.Failures
	transferred uint64
	spec        FileSpec
	fails       []int // remaining count per planned failure
	attempts    int32
	renameFails int32
	sizeKnown   bool
	done        bool
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
	// Failures planned for this file, in order.
	Failures []Failure
	// RenameFails: the first RenameFails calls of Complete cannot rename the
	// temporary file (G41: the job stays TRANSFERRED).
	RenameFails int
	// NoHeadSize: the server does not report the size (BG_SIZE_UNKNOWN
	// until the file is done, G48, G50).
	NoHeadSize bool
	// NoRanges: the server (or a proxy) does not support Content-Range
	// (G48: BG_E_INSUFFICIENT_RANGE_SUPPORT).
	NoRanges bool
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
