package scheduler_test

// Table-driven tests of the job state machine: every cell of reference
// table 2.10 (row state × Resume / Suspend / Cancel / Complete(download) /
// Complete(upload) / automatic), and rules G37–G50. Each case names the
// rule it checks ("G38/suspended-empty-resume").
//
// Jobs reach each row state through the real engine — planned failures
// (FileSpec.Failures), the network switch (Service.SetNetwork), priorities
// and virtual time (World.RunUntil) — never by poking private state. A
// rejected call must leave the job exactly as it was: the tests compare a
// snapshot of everything a client can read (state, progress, per-file
// progress, flags, error, error count, priority, timers, names, owner) and
// the number of job.state records in the trace before and after.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	abi "github.com/bitsim/bitsim/callbackabi"
	"github.com/bitsim/bitsim/scheduler"
	"github.com/bitsim/bitsim/sim"
	"github.com/bitsim/bitsim/trace"
)

type hresult = abi.HRESULT

const (
	stMB = 1_000_000

	sSuspended    = abi.BG_JOB_STATE_SUSPENDED
	sQueued       = abi.BG_JOB_STATE_QUEUED
	sConnecting   = abi.BG_JOB_STATE_CONNECTING
	sTransferring = abi.BG_JOB_STATE_TRANSFERRING
	sTransient    = abi.BG_JOB_STATE_TRANSIENT_ERROR
	sError        = abi.BG_JOB_STATE_ERROR
	sTransferred  = abi.BG_JOB_STATE_TRANSFERRED
	sAcknowledged = abi.BG_JOB_STATE_ACKNOWLEDGED
	sCancelled    = abi.BG_JOB_STATE_CANCELLED

	tDownload    = abi.BG_JOB_TYPE_DOWNLOAD
	tUpload      = abi.BG_JOB_TYPE_UPLOAD
	tUploadReply = abi.BG_JOB_TYPE_UPLOAD_REPLY
)

// rowStates are the rows of table 2.10, in its order.
var rowStates = []abi.JobState{sSuspended, sQueued, sConnecting, sTransferring, sTransient, sError, sTransferred, sAcknowledged, sCancelled}

// stWorld is one simulated machine: a non-administrator alice with client
// app-1, and an administrator root with client adm-1.
type stWorld struct {
	t     *testing.T
	w     *sim.World
	log   *trace.Log
	svc   *scheduler.Service
	alice *scheduler.User
	root  *scheduler.User
	app   *scheduler.Client
	adm   *scheduler.Client
	n     int // files made so far (unique names)
}

func newSTWorld(t *testing.T) *stWorld { return newSTWorldOpts(t, scheduler.DefaultOptions()) }

func newSTWorldOpts(t *testing.T, opts scheduler.Options) *stWorld {
	t.Helper()
	w := sim.NewWorld(sim.NewPRNG(1), sim.Limits{})
	log := &trace.Log{}
	svc := scheduler.New(w, log, t.Name(), 1, opts)
	s := &stWorld{t: t, w: w, log: log, svc: svc}
	s.alice = svc.AddUser("alice", false)
	s.root = svc.AddUser("root", true)
	s.app = svc.StartClient("app-1", s.alice, scheduler.MTA)
	s.adm = svc.StartClient("adm-1", s.root, scheduler.MTA)
	t.Cleanup(w.Close) // unwinds any callback thread; no goroutine outlives the test
	return s
}

// advance runs the world for d of virtual time.
func (s *stWorld) advance(d time.Duration) {
	s.t.Helper()
	require.NoError(s.t, s.w.RunUntil(s.w.Now()+d))
}

// file returns a spec of size bytes with full HTTP support.
func (s *stWorld) file(size uint64) scheduler.FileSpec {
	s.n++
	return scheduler.FileSpec{RemoteURL: fmt.Sprintf("http://srv/f%d", s.n), LocalName: fmt.Sprintf(`C:\dl\f%d`, s.n), Size: size}
}

// newJob creates a job of type typ owned by alice with the given files.
func (s *stWorld) newJob(typ abi.JobType, files ...scheduler.FileSpec) *scheduler.JobRef {
	s.t.Helper()
	j, res := s.app.CreateJob("state table", typ)
	require.Equal(s.t, abi.S_OK, res, "CreateJob")
	for _, f := range files {
		require.Equal(s.t, abi.S_OK, j.AddFileSpec(f), "AddFileSpec %s", f.RemoteURL)
	}
	return j
}

// state returns the job's state.
func (s *stWorld) state(j *scheduler.JobRef) abi.JobState {
	s.t.Helper()
	st, res := j.GetState()
	require.Equal(s.t, abi.S_OK, res)
	return st
}

func (s *stWorld) requireState(j *scheduler.JobRef, want abi.JobState, msg string) {
	s.t.Helper()
	require.Equal(s.t, want, s.state(j), "%s: state of %s\n%s", msg, j.Name(), s.dump(j))
}

// blocker starts a HIGH-priority job with a 10 GB file (1000 s at the
// default 10 MB/s): while it runs, a NORMAL job that is resumed stays
// QUEUED (G47: a lower priority gets no transfer time).
func (s *stWorld) blocker() *scheduler.JobRef {
	s.t.Helper()
	b := s.newJob(tDownload, s.file(10_000*stMB))
	require.Equal(s.t, abi.S_OK, b.SetPriority(abi.BG_JOB_PRIORITY_HIGH))
	require.Equal(s.t, abi.S_OK, b.Resume())
	return b
}

// plan is the files of a fixture job. Download jobs get two files (1 MB,
// then a 100 MB file the state's failure plan applies to) so that "some
// files transferred" is observable; upload jobs get one (G41: one file).
func (s *stWorld) plan(typ abi.JobType, last func(*scheduler.FileSpec)) []scheduler.FileSpec {
	big := s.file(100 * stMB)
	if last != nil {
		last(&big)
	}
	if typ == tDownload {
		return []scheduler.FileSpec{s.file(1 * stMB), big}
	}
	return []scheduler.FileSpec{big}
}

// reach returns a job of type typ in state st, driven there by the engine.
// tweak, if not nil, edits the plan of the job's last file first.
func (s *stWorld) reach(st abi.JobState, typ abi.JobType, tweak func(*scheduler.FileSpec)) *scheduler.JobRef {
	s.t.Helper()
	var failure *scheduler.Failure
	size := uint64(100 * stMB)
	switch st {
	case sTransient:
		failure = &scheduler.Failure{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Context: abi.BG_ERROR_CONTEXT_REMOTE_FILE, Transient: true}
	case sError:
		failure = &scheduler.Failure{AtByte: 5 * stMB, HR: abi.BG_E_HTTP_ERROR(503)}
	case sTransferred, sAcknowledged:
		size = 2 * stMB
	}
	files := s.plan(typ, func(f *scheduler.FileSpec) {
		f.Size = size
		if failure != nil {
			f.Failures = []scheduler.Failure{*failure}
		}
		if tweak != nil {
			tweak(f)
		}
	})
	j := s.newJob(typ, files...)
	switch st {
	case sSuspended:
	case sQueued:
		s.blocker()
		require.Equal(s.t, abi.S_OK, j.Resume())
	case sConnecting:
		require.Equal(s.t, abi.S_OK, j.Resume())
	case sTransferring, sCancelled:
		require.Equal(s.t, abi.S_OK, j.Resume())
		// Download: file 0 (1 MB) is done at 1.1 s, file 1 has 10 MB at 2.1 s.
		s.advance(2500 * time.Millisecond)
		if st == sCancelled {
			s.requireState(j, sTransferring, "fixture")
			require.Equal(s.t, abi.S_OK, j.Cancel())
		}
	case sTransient, sError, sTransferred, sAcknowledged:
		require.Equal(s.t, abi.S_OK, j.Resume())
		s.advance(3 * time.Second)
		if st == sAcknowledged {
			s.requireState(j, sTransferred, "fixture")
			require.Equal(s.t, abi.S_OK, j.Complete())
		}
	default:
		s.t.Fatalf("reach: no fixture for %v", st)
	}
	s.requireState(j, st, "fixture")
	return j
}

// jobSnap is everything a client can read about a job.
type jobSnap struct {
	State               abi.JobState
	Progress            abi.JobProgress
	Files               []abi.FileProgress
	Flags               abi.NotifyFlags
	ErrorCount          uint32
	ErrorHR             hresult // GetError's own result
	ErrorCtx            abi.ErrorContext
	ErrorCode           hresult
	Priority            abi.JobPriority
	RetryDelay, NoProg  uint32
	Display, Descr      string
	Owner               string
	CmdProgram, CmdArgs string
	StateRecords        int // job.state records of this job in the trace
}

func (s *stWorld) snap(j *scheduler.JobRef) jobSnap {
	s.t.Helper()
	ok := func(res hresult, what string) {
		s.t.Helper()
		require.Equal(s.t, abi.S_OK, res, "%s must succeed in every state", what)
	}
	var v jobSnap
	var res hresult
	v.State, res = j.GetState()
	ok(res, "GetState")
	v.Progress, res = j.GetProgress()
	ok(res, "GetProgress")
	files, res := j.EnumFiles()
	ok(res, "EnumFiles")
	for _, f := range files {
		p, res := f.GetProgress()
		ok(res, "File.GetProgress")
		v.Files = append(v.Files, p)
	}
	v.Flags, res = j.GetNotifyFlags()
	ok(res, "GetNotifyFlags")
	v.ErrorCount, res = j.GetErrorCount()
	ok(res, "GetErrorCount")
	e, res := j.GetError()
	v.ErrorHR = res
	if res == abi.S_OK {
		var r2 hresult
		v.ErrorCtx, v.ErrorCode, r2 = e.GetError()
		ok(r2, "Error.GetError")
	}
	v.Priority, res = j.GetPriority()
	ok(res, "GetPriority")
	v.RetryDelay, res = j.GetMinimumRetryDelay()
	ok(res, "GetMinimumRetryDelay")
	v.NoProg, res = j.GetNoProgressTimeout()
	ok(res, "GetNoProgressTimeout")
	v.Display, res = j.GetDisplayName()
	ok(res, "GetDisplayName")
	v.Descr, res = j.GetDescription()
	ok(res, "GetDescription")
	v.Owner, res = j.GetOwner()
	ok(res, "GetOwner")
	v.CmdProgram, v.CmdArgs, res = j.GetNotifyCmdLine()
	ok(res, "GetNotifyCmdLine")
	v.StateRecords = len(s.states(j))
	return v
}

// states returns the job.state records of j so far.
func (s *stWorld) states(j *scheduler.JobRef) []trace.Record {
	var out []trace.Record
	for _, r := range s.log.Records() {
		if r.Ev == trace.EvJobState && r.Job == j.Name() {
			out = append(out, r)
		}
	}
	return out
}

// calls counts call.begin records of method m for j.
func (s *stWorld) calls(j *scheduler.JobRef, m trace.Method) int {
	n := 0
	for _, r := range s.log.Records() {
		if r.Ev == trace.EvCallBegin && r.Job == j.Name() && r.Method == m {
			n++
		}
	}
	return n
}

// dump renders j's state history for failure messages.
func (s *stWorld) dump(j *scheduler.JobRef) string {
	var b strings.Builder
	for _, r := range s.log.Records() {
		if r.Job == j.Name() && (r.Ev == trace.EvJobState || r.Ev == trace.EvJobError || r.Ev == trace.EvFileDone) {
			fmt.Fprintf(&b, "  t=%v %s %v→%v hr=%v file=%d\n", r.T, r.Ev, r.From, r.To, r.HR, r.File)
		}
	}
	return b.String()
}

// requireUnchanged checks that the job reads exactly as before.
func (s *stWorld) requireUnchanged(j *scheduler.JobRef, before jobSnap, msg string) {
	s.t.Helper()
	require.Equal(s.t, before, s.snap(j), "%s: the job must be left exactly as it was\n%s", msg, s.dump(j))
}

// ---------------------------------------------------------------------------
// Table 2.10: the method columns.

// cell is one cell of table 2.10 for a method column.
type cell struct {
	name  string // rule id / case
	from  abi.JobState
	empty bool // start from a new job with no file instead of the fixture
	typ   abi.JobType
	tweak func(*scheduler.FileSpec) // the last file's plan
	prep  func(s *stWorld, j *scheduler.JobRef)
	act   func(j *scheduler.JobRef) hresult
	want  hresult
	to    abi.JobState // state after the call
	same  bool         // rejected / no-op: nothing may change
	check func(s *stWorld, j *scheduler.JobRef, before jobSnap)
}

func runCells(t *testing.T, cells []cell) {
	t.Helper()
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			var j *scheduler.JobRef
			if c.empty {
				j = s.newJob(c.typ) // W-TEST test_ResumeEmpty
			} else {
				j = s.reach(c.from, c.typ, c.tweak)
			}
			if c.prep != nil {
				c.prep(s, j)
			}
			before := s.snap(j)
			require.Equal(t, c.from, before.State, "prep must not move the job")
			got := c.act(j)
			require.Equal(t, c.want, got, "HRESULT: want %v, got %v", c.want, got)
			if c.same {
				require.Equal(t, c.from, c.to, "a no-change cell must name its own state")
				s.requireUnchanged(j, before, c.name)
			} else {
				s.requireState(j, c.to, c.name)
				recs := s.states(j)
				require.Greater(t, len(recs), before.StateRecords, "a transition must be traced")
				first := recs[before.StateRecords]
				require.Equal(t, c.from, first.From, "first job.state after the call")
				require.Equal(t, c.to, first.To, "first job.state after the call")
			}
			if c.check != nil {
				c.check(s, j, before)
			}
		})
	}
}

func resume(j *scheduler.JobRef) hresult   { return j.Resume() }
func suspend(j *scheduler.JobRef) hresult  { return j.Suspend() }
func cancel(j *scheduler.JobRef) hresult   { return j.Cancel() }
func complete(j *scheduler.JobRef) hresult { return j.Complete() }

// holdQueued starts a blocker so that a job resumed now stays QUEUED and
// the cell's destination state is observable exactly.
func holdQueued(s *stWorld, _ *scheduler.JobRef) { s.blocker() }

// stName is a short lower-case state name for case names.
func stName(st abi.JobState) string {
	return strings.ReplaceAll(strings.ToLower(st.String()), "_", "-")
}

func TestTable210Resume(t *testing.T) {
	cells := []cell{
		{name: "G38/suspended-resume", from: sSuspended, prep: holdQueued, act: resume, want: abi.S_OK, to: sQueued},
		{name: "G38/suspended-empty-resume", from: sSuspended, empty: true, act: resume, want: abi.BG_E_EMPTY, to: sSuspended, same: true},
		{name: "G38/queued-resume", from: sQueued, act: resume, want: abi.S_OK, to: sQueued, same: true},
		{name: "G38/connecting-resume", from: sConnecting, act: resume, want: abi.S_OK, to: sConnecting, same: true},
		{name: "G38/transferring-resume", from: sTransferring, act: resume, want: abi.S_OK, to: sTransferring, same: true},
		{name: "G38/transient-error-resume-retries-now", from: sTransient, prep: holdQueued, act: resume, want: abi.S_OK, to: sQueued,
			check: func(s *stWorld, j *scheduler.JobRef, before jobSnap) {
				// Before the 600 s minimum retry delay (G38, S-MRD).
				require.Less(s.t, s.w.Now(), 600*time.Second)
				require.Equal(s.t, before.Progress, s.snap(j).Progress, "a retry keeps the bytes already transferred")
			}},
		{name: "G38/error-resume", from: sError, prep: holdQueued, act: resume, want: abi.S_OK, to: sQueued},
		// Ambiguity 15: Resume on a TRANSFERRED job with nothing left → BG_E_EMPTY (Wine, W-10).
		{name: "G38/transferred-resume-empty", from: sTransferred, act: resume, want: abi.BG_E_EMPTY, to: sTransferred, same: true},
		// S-LC: files added to a TRANSFERRED job, then Resume → QUEUED.
		{name: "G38/transferred-added-file-resume", from: sTransferred, act: resume, want: abi.S_OK, to: sQueued,
			prep: func(s *stWorld, j *scheduler.JobRef) {
				require.Equal(s.t, abi.S_OK, j.AddFileSpec(s.file(1*stMB)))
				s.requireState(j, sTransferred, "AddFileSpec leaves the state")
				s.blocker()
			},
			check: func(s *stWorld, j *scheduler.JobRef, _ jobSnap) {
				p, _ := j.GetProgress()
				require.Equal(s.t, uint32(3), p.FilesTotal)
				require.Equal(s.t, uint32(2), p.FilesTransferred)
			}},
		{name: "G38/acknowledged-resume", from: sAcknowledged, act: resume, want: abi.BG_E_INVALID_STATE, to: sAcknowledged, same: true},
		{name: "G38/cancelled-resume", from: sCancelled, act: resume, want: abi.BG_E_INVALID_STATE, to: sCancelled, same: true},
	}
	runCells(t, cells)
}

func TestTable210Suspend(t *testing.T) {
	var cells []cell
	for _, st := range rowStates {
		c := cell{name: "G39/" + stName(st) + "-suspend", from: st, act: suspend}
		switch {
		case st.Final():
			c.want, c.to, c.same = abi.BG_E_INVALID_STATE, st, true
		case st == sSuspended:
			c.want, c.to, c.same = abi.S_OK, st, true
		default:
			// Ambiguity 15: ERROR and TRANSFERRED are states of their own;
			// Suspend moves them to SUSPENDED with S_OK.
			c.want, c.to = abi.S_OK, sSuspended
			c.check = func(s *stWorld, j *scheduler.JobRef, before jobSnap) {
				// Every transfer stops: an hour later (past the 600 s retry
				// delay and any time slice) nothing has moved.
				s.advance(time.Hour)
				after := s.snap(j)
				require.Equal(s.t, sSuspended, after.State, "a suspended job is not picked up again\n%s", s.dump(j))
				require.Equal(s.t, before.Progress.BytesTransferred, after.Progress.BytesTransferred, "no bytes move while SUSPENDED")
			}
		}
		cells = append(cells, c)
	}
	runCells(t, cells)
}

func TestTable210Cancel(t *testing.T) {
	var cells []cell
	for _, st := range rowStates {
		c := cell{name: "G40/" + stName(st) + "-cancel", from: st, act: cancel}
		if st.Final() {
			c.want, c.to, c.same = abi.BG_E_INVALID_STATE, st, true
		} else {
			c.want, c.to = abi.S_OK, sCancelled
			c.check = func(s *stWorld, j *scheduler.JobRef, _ jobSnap) {
				// In-flight files are not completed (G40).
				for i, f := range s.snap(j).Files {
					require.False(s.t, f.Completed, "file %d of a cancelled job", i)
				}
				// G42: the job never leaves CANCELLED and leaves the enumeration.
				s.advance(48 * time.Hour)
				s.requireState(j, sCancelled, "G42")
				id, _ := j.GetId()
				_, res := s.app.GetJob(id)
				require.Equal(s.t, abi.BG_E_NOT_FOUND, res, "GetJob of a cancelled job")
			}
		}
		cells = append(cells, c)
	}
	// G40: temporary files that cannot be deleted.
	cells = append(cells, cell{name: "G40/transferring-cancel-unable-to-delete", from: sTransferring, act: cancel,
		tweak: func(f *scheduler.FileSpec) { f.DeleteFails = true },
		want:  abi.BG_S_UNABLE_TO_DELETE_FILES, to: sCancelled})
	runCells(t, cells)
}

// completedCheck: Complete made exactly the transferred files available
// (G41: "fully transferred files are kept, the others are deleted"; G50:
// Completed is TRUE once Complete made the file available).
func completedCheck(s *stWorld, j *scheduler.JobRef, before jobSnap) {
	s.t.Helper()
	after := s.snap(j)
	require.Len(s.t, after.Files, len(before.Files))
	for i, f := range after.Files {
		wasDone := before.Files[i].BytesTotal != abi.BG_SIZE_UNKNOWN && before.Files[i].BytesTransferred == before.Files[i].BytesTotal
		require.Equal(s.t, wasDone, f.Completed, "file %d Completed after Complete (was done: %v)", i, wasDone)
	}
}

func TestTable210CompleteDownload(t *testing.T) {
	var cells []cell
	for _, st := range rowStates {
		c := cell{name: "G41/download-" + stName(st) + "-complete", from: st, typ: tDownload, act: complete}
		switch st {
		case sAcknowledged, sCancelled:
			c.want, c.to, c.same = abi.BG_E_INVALID_STATE, st, true
		case sTransferred:
			c.want, c.to, c.check = abi.S_OK, sAcknowledged, completedCheck
		default:
			// Not every file transferred: ACKNOWLEDGED, BG_S_PARTIAL_COMPLETE.
			c.want, c.to, c.check = abi.BG_S_PARTIAL_COMPLETE, sAcknowledged, completedCheck
		}
		cells = append(cells, c)
	}
	cells = append(cells,
		// A job with no file has no file left untransferred.
		cell{name: "G41/download-suspended-empty-complete", from: sSuspended, empty: true, act: complete, want: abi.S_OK, to: sAcknowledged},
		// G41 + ambiguity 16: a failed rename returns an error and the job
		// stays TRANSFERRED, unchanged ...
		cell{name: "G41/download-transferred-rename-fails", from: sTransferred, act: complete,
			tweak: func(f *scheduler.FileSpec) { f.RenameFails = 1 },
			want:  abi.E_ACCESSDENIED, to: sTransferred, same: true,
			check: func(s *stWorld, j *scheduler.JobRef, before jobSnap) {
				// ... until Complete is called again.
				require.Equal(s.t, abi.S_OK, j.Complete(), "second Complete")
				s.requireState(j, sAcknowledged, "second Complete")
				completedCheck(s, j, before)
			}},
		cell{name: "G41/download-transferred-rename-fails-then-cancel", from: sTransferred, act: complete,
			tweak: func(f *scheduler.FileSpec) { f.RenameFails = 5 },
			want:  abi.E_ACCESSDENIED, to: sTransferred, same: true,
			check: func(s *stWorld, j *scheduler.JobRef, _ jobSnap) {
				require.Equal(s.t, abi.S_OK, j.Cancel(), "Cancel after a failed rename (G41)")
				s.requireState(j, sCancelled, "Cancel")
			}},
		cell{name: "G41/download-transferred-complete-unable-to-delete", from: sTransferred, act: complete,
			tweak: func(f *scheduler.FileSpec) { f.DeleteFails = true },
			want:  abi.BG_S_UNABLE_TO_DELETE_FILES, to: sAcknowledged},
	)
	runCells(t, cells)
}

func TestTable210CompleteUpload(t *testing.T) {
	var cells []cell
	for _, typ := range []abi.JobType{tUpload, tUploadReply} {
		for _, st := range rowStates {
			c := cell{name: "G41/" + strings.ToLower(strings.ReplaceAll(typ.String(), "_", "-")) + "-" + stName(st) + "-complete",
				from: st, typ: typ, act: complete}
			if st == sTransferred {
				c.want, c.to, c.check = abi.S_OK, sAcknowledged, completedCheck
			} else {
				// Upload jobs: Complete only in TRANSFERRED (G41).
				c.want, c.to, c.same = abi.BG_E_INVALID_STATE, st, true
			}
			cells = append(cells, c)
		}
	}
	runCells(t, cells)
}

// ---------------------------------------------------------------------------
// Table 2.10: the Automatic column (G43).

// transition returns j's first job.state record from → to; it fails the
// test if there is none.
func (s *stWorld) transition(j *scheduler.JobRef, from, to abi.JobState) trace.Record {
	s.t.Helper()
	for _, r := range s.states(j) {
		if r.From == from && r.To == to {
			return r
		}
	}
	s.t.Fatalf("no %v → %v for %s\n%s", from, to, j.Name(), s.dump(j))
	return trace.Record{}
}

// okCB is a callback that records what it is called with and returns S_OK.
type okCB struct{ jt, je, jm int }

func (c *okCB) JobTransferred(abi.Job) hresult          { c.jt++; return abi.S_OK }
func (c *okCB) JobError(abi.Job, abi.Error) hresult     { c.je++; return abi.S_OK }
func (c *okCB) JobModification(abi.Job, uint32) hresult { c.jm++; return abi.S_OK }

func registerOK(t *testing.T, j *scheduler.JobRef) *okCB {
	t.Helper()
	c := &okCB{}
	require.Equal(t, abi.S_OK, j.SetNotifyInterface(c))
	return c
}

// lastTransition returns j's last job.state record from → to.
func (s *stWorld) lastTransition(j *scheduler.JobRef, from, to abi.JobState) trace.Record {
	s.t.Helper()
	recs := s.states(j)
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].From == from && recs[i].To == to {
			return recs[i]
		}
	}
	s.t.Fatalf("no %v → %v for %s\n%s", from, to, j.Name(), s.dump(j))
	return trace.Record{}
}

func TestTable210Automatic(t *testing.T) {
	opts := scheduler.DefaultOptions()
	latency := opts.ConnectLatency

	t.Run("G43/suspended-stays", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sSuspended, tDownload, nil)
		before := s.snap(j)
		s.advance(30 * 24 * time.Hour)
		s.requireUnchanged(j, before, "nothing moves a SUSPENDED job")
	})

	t.Run("G43/queued-to-connecting-when-its-turn-comes", func(t *testing.T) {
		s := newSTWorld(t)
		b := s.blocker()
		j := s.newJob(tDownload, s.file(1*stMB))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(10 * time.Second)
		s.requireState(j, sQueued, "G47: the NORMAL job waits while the HIGH job transfers")
		require.Equal(t, abi.S_OK, b.Suspend())
		s.requireState(j, sConnecting, "the scheduler gives it its turn")
		s.transition(j, sQueued, sConnecting)
	})

	t.Run("G43/connecting-to-transferring", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sConnecting, tDownload, nil)
		t0 := s.w.Now()
		s.advance(latency)
		s.requireState(j, sTransferring, "connected")
		require.Equal(t, t0+latency, s.transition(j, sConnecting, sTransferring).T, "after ConnectLatency")
	})

	t.Run("G43/connecting-to-transient-error", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(1 * stMB)
		f.Failures = []scheduler.Failure{{HR: abi.BG_E_CONNECT_FAILURE, Context: abi.BG_ERROR_CONTEXT_GENERAL_TRANSPORT, Transient: true}}
		j := s.newJob(tDownload, f)
		cb := registerOK(t, j)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(latency)
		s.requireState(j, sTransient, "the connection failed")
		s.transition(j, sConnecting, sTransient)
		s.advance(time.Second)
		require.Zero(t, cb.je, "G12: no JobError for a transient error")
	})

	t.Run("G43/transferring-to-queued-time-slice", func(t *testing.T) {
		s := newSTWorld(t)
		a := s.newJob(tDownload, s.file(1000*stMB))
		b := s.newJob(tDownload, s.file(1000*stMB))
		require.Equal(t, abi.S_OK, a.Resume())
		require.Equal(t, abi.S_OK, b.Resume())
		s.requireState(b, sQueued, "one background job at a time (G47)")
		s.advance(latency + opts.TimeSlice - time.Millisecond)
		s.requireState(a, sTransferring, "inside its slice")
		s.requireState(b, sQueued, "inside a's slice")
		s.advance(time.Millisecond)
		require.Equal(t, latency+opts.TimeSlice, s.transition(a, sTransferring, sQueued).T, "slice end (ambiguity 14: TimeSlice)")
		s.requireState(b, sConnecting, "round-robin: b's turn")
		s.advance(opts.TimeSlice + latency)
		s.requireState(a, sConnecting, "and back to a")
	})

	t.Run("G43/transferring-to-queued-preempted", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sTransferring, tDownload, nil)
		s.blocker()
		s.requireState(j, sQueued, "G47: a HIGH job preempts a NORMAL one")
		s.transition(j, sTransferring, sQueued)
	})

	t.Run("G43/transferring-to-transferred-JT", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.file(1*stMB), s.file(2*stMB))
		cb := registerOK(t, j)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(3 * time.Second)
		s.requireState(j, sTransferred, "every file done")
		s.transition(j, sTransferring, sTransferred)
		require.Equal(t, 1, cb.jt, "G11: JobTransferred")
		require.Equal(t, 1, s.calls(j, trace.JobTransferred))
	})

	// G11 / G43: an upload-reply job is TRANSFERRED only once the reply has
	// arrived, even when it was interrupted while waiting for it.
	for _, interrupt := range []string{"suspend", "network"} {
		t.Run("G43/upload-reply-waits-for-reply-after-"+interrupt, func(t *testing.T) {
			s := newSTWorld(t)
			j := s.newJob(tUploadReply, s.file(2*stMB))
			require.Equal(t, abi.S_OK, j.Resume())
			s.advance(1200 * time.Millisecond) // upload done at 1.1 s, reply due at 1.6 s
			s.requireState(j, sTransferring, "waiting for the reply")
			if interrupt == "suspend" {
				require.Equal(t, abi.S_OK, j.Suspend())
				require.Equal(t, abi.S_OK, j.Resume())
			} else {
				s.svc.SetNetwork(false)
				s.advance(time.Second)
				s.svc.SetNetwork(true)
			}
			t0 := s.w.Now()
			s.advance(latency + opts.ReplyLatency - time.Nanosecond)
			s.requireState(j, sTransferring, "no reply yet")
			s.advance(time.Nanosecond)
			s.requireState(j, sTransferred, "the reply arrived")
			require.Equal(t, t0+latency+opts.ReplyLatency, s.lastTransition(j, sTransferring, sTransferred).T)
		})
	}

	t.Run("G43/transferring-to-transient-error", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.plan(tDownload, func(f *scheduler.FileSpec) {
			f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true}}
		})...)
		cb := registerOK(t, j)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(3 * time.Second)
		s.requireState(j, sTransient, "recoverable error")
		s.transition(j, sTransferring, sTransient)
		require.Zero(t, cb.je, "G12: no JobError for TRANSIENT_ERROR")
	})

	t.Run("G43/transferring-to-error-JE", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.plan(tDownload, func(f *scheduler.FileSpec) {
			f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_HTTP_ERROR(503)}}
		})...)
		cb := registerOK(t, j)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(3 * time.Second)
		s.requireState(j, sError, "fatal error")
		s.transition(j, sTransferring, sError)
		require.Equal(t, 1, cb.je, "G12: JobError")
	})

	t.Run("G43/transient-error-to-queued-after-retry-delay", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.plan(tDownload, func(f *scheduler.FileSpec) {
			f.Size = 20 * stMB
			f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true}}
		})...)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(7))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(3 * time.Second)
		te := s.transition(j, sTransferring, sTransient).T
		s.advance(te + 7*time.Second - time.Nanosecond - s.w.Now())
		s.requireState(j, sTransient, "G45: not before the minimum retry delay")
		s.advance(time.Nanosecond)
		require.Equal(t, te+7*time.Second, s.transition(j, sTransient, sQueued).T, "retry exactly after MinimumRetryDelay")
		s.advance(10 * time.Second)
		s.requireState(j, sTransferred, "the retry resumed the transfer")
		p, _ := j.GetProgress()
		require.Equal(t, uint64(21*stMB), p.BytesTransferred)
	})

	t.Run("G43/transient-error-to-error-after-no-progress-timeout-JE", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(1 * stMB)
		f.Failures = []scheduler.Failure{{HR: abi.BG_E_CONNECT_FAILURE, Context: abi.BG_ERROR_CONTEXT_GENERAL_TRANSPORT, Transient: true, Times: 1000}}
		j := s.newJob(tDownload, f)
		cb := registerOK(t, j)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(5))
		require.Equal(t, abi.S_OK, j.SetNoProgressTimeout(30))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(latency)
		te := s.transition(j, sConnecting, sTransient).T
		s.advance(te + 30*time.Second - time.Nanosecond - s.w.Now())
		require.NotEqual(t, sError, s.state(j), "G46: not before the no-progress timeout")
		s.advance(time.Nanosecond)
		s.requireState(j, sError, "G46: no progress for NoProgressTimeout")
		require.Equal(t, te+30*time.Second, s.transition(j, sTransient, sError).T)
		s.advance(time.Second)
		require.Equal(t, 1, cb.je, "G12: JobError after the timeout")
		n, _ := j.GetErrorCount()
		require.Equal(t, uint32(6), n, "errors at 0.1, 5.2, 10.3, 15.4, 20.5, 25.6 s (G45: retry 5 s after each)")
	})

	for _, st := range []abi.JobState{sError, sTransferred} {
		t.Run("G44/"+stName(st)+"-cancelled-after-job-inactivity-timeout", func(t *testing.T) {
			// Table 2.10 / G44: BITS cancels a job with no activity for
			// JobInactivityTimeout (90 days); a property change restarts
			// the timer. Options.InactivityTimeout models the policy.
			opts := scheduler.DefaultOptions()
			opts.InactivityTimeout = abi.JobInactivityTimeout
			s := newSTWorldOpts(t, opts)
			j := s.reach(st, tDownload, nil)
			rested := s.w.Now()
			s.advance(10 * 24 * time.Hour)
			require.Equal(t, abi.S_OK, j.SetDescription("still wanted")) // activity
			touched := s.w.Now()
			s.advance(rested + abi.JobInactivityTimeout - s.w.Now())
			s.requireState(j, st, "the property change restarted the inactivity timer")
			s.advance(touched + abi.JobInactivityTimeout - time.Nanosecond - s.w.Now())
			s.requireState(j, st, "not before JobInactivityTimeout")
			s.advance(time.Nanosecond)
			s.requireState(j, sCancelled, "G44: cancelled after JobInactivityTimeout without activity")
			require.Equal(t, touched+abi.JobInactivityTimeout, s.transition(j, st, sCancelled).T)
		})
	}

	for _, st := range []abi.JobState{sError, sTransferred, sAcknowledged, sCancelled} {
		t.Run("G42/"+stName(st)+"-no-automatic-transition", func(t *testing.T) {
			s := newSTWorld(t)
			j := s.reach(st, tDownload, nil)
			before := s.snap(j)
			s.advance(30 * 24 * time.Hour)
			s.requireUnchanged(j, before, "no automatic transition out of "+st.String())
		})
	}
}

// ---------------------------------------------------------------------------
// Rules G37–G50 beyond the table.

func TestG37InitialState(t *testing.T) {
	s := newSTWorld(t)
	for _, typ := range []abi.JobType{tDownload, tUpload, tUploadReply} {
		t.Run("G37/"+typ.String(), func(t *testing.T) {
			j, res := s.app.CreateJob("new", typ)
			require.Equal(t, abi.S_OK, res)
			v := s.snap(j)
			require.Equal(t, sSuspended, v.State)
			require.Equal(t, abi.JobProgress{}, v.Progress, "G37: all-zero progress")
			require.Equal(t, abi.BG_JOB_PRIORITY_NORMAL, v.Priority)
			require.Equal(t, uint32(600), v.RetryDelay)
			require.Equal(t, uint32(1_209_600), v.NoProg)
			require.Equal(t, abi.NotifyFlagsDefault, v.Flags, "G1")
			require.Equal(t, abi.BG_E_ERROR_INFORMATION_UNAVAILABLE, v.ErrorHR, "G49")
			require.Zero(t, v.ErrorCount)
			require.Equal(t, "alice", v.Owner)
			require.Equal(t, "new", v.Display)
			require.Equal(t, 0, v.StateRecords, "created SUSPENDED, no transition")
			typGot, res := j.GetType()
			require.Equal(t, abi.S_OK, res)
			require.Equal(t, typ, typGot)
		})
	}
	t.Run("G37/bad-type", func(t *testing.T) {
		_, res := s.app.CreateJob("bad", abi.JobType(3))
		require.Equal(t, abi.E_INVALIDARG, res)
	})
}

// TestG42FinalStatesAbsorbing: every setter on a CANCELLED or ACKNOWLEDGED
// job returns BG_E_INVALID_STATE and changes nothing (G6, G42); the job is
// gone from GetJob and EnumJobs.
func TestG42FinalStatesAbsorbing(t *testing.T) {
	setters := []struct {
		name string
		call func(s *stWorld, j *scheduler.JobRef) hresult
	}{
		{"Resume", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.Resume() }},
		{"Suspend", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.Suspend() }},
		{"Cancel", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.Cancel() }},
		{"Complete", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.Complete() }},
		{"SetPriority", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetPriority(abi.BG_JOB_PRIORITY_HIGH) }},
		{"SetNotifyFlags", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNotifyFlags(abi.BG_NOTIFY_JOB_MODIFICATION) }},
		{"SetNotifyInterface", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNotifyInterface(&okCB{}) }},
		{"SetNotifyInterface(nil)", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNotifyInterface(nil) }},
		{"SetNotifyCmdLine", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNotifyCmdLine(`C:\n.exe`, "") }},
		{"SetMinimumRetryDelay", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetMinimumRetryDelay(60) }},
		{"SetNoProgressTimeout", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNoProgressTimeout(60) }},
		{"SetDisplayName", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetDisplayName("x") }},
		{"SetDescription", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetDescription("x") }},
		{"AddFileSpec", func(s *stWorld, j *scheduler.JobRef) hresult { return j.AddFileSpec(s.file(1)) }},
		{"TakeOwnership(admin)", func(s *stWorld, j *scheduler.JobRef) hresult { return s.adm.Job(j).TakeOwnership() }},
	}
	for _, st := range []abi.JobState{sAcknowledged, sCancelled} {
		for _, m := range setters {
			t.Run("G42/"+stName(st)+"/"+m.name, func(t *testing.T) {
				s := newSTWorld(t)
				j := s.reach(st, tDownload, nil)
				before := s.snap(j)
				require.Equal(t, abi.BG_E_INVALID_STATE, m.call(s, j), "G6")
				s.requireUnchanged(j, before, m.name)
			})
		}
		t.Run("G42/"+stName(st)+"/gone-from-enumeration", func(t *testing.T) {
			s := newSTWorld(t)
			other := s.newJob(tDownload)
			j := s.reach(st, tDownload, nil)
			id, _ := j.GetId()
			_, res := s.app.GetJob(id)
			require.Equal(t, abi.BG_E_NOT_FOUND, res)
			jobs, res := s.app.EnumJobs(false)
			require.Equal(t, abi.S_OK, res)
			require.Len(t, jobs, 1)
			require.Equal(t, other.Name(), jobs[0].Name())
			all, res := s.adm.EnumJobs(true)
			require.Equal(t, abi.S_OK, res)
			for _, r := range all {
				require.NotEqual(t, j.Name(), r.Name(), "a final job is not enumerated")
			}
		})
	}
}

// TestG44Network: losing the network puts every active job in
// TRANSIENT_ERROR with BG_E_NETWORK_DISCONNECTED; they are not retried on
// the retry-delay schedule but resume when the network comes back.
func TestG44Network(t *testing.T) {
	t.Run("G44/disconnect-active-jobs-only", func(t *testing.T) {
		s := newSTWorld(t)
		// The idle jobs first: each fixture runs alone.
		var idle []*scheduler.JobRef
		for _, st := range []abi.JobState{sSuspended, sError, sTransferred, sTransient} {
			idle = append(idle, s.reach(st, tDownload, nil))
		}
		transferring := s.reach(sTransferring, tDownload, nil)
		queued := s.newJob(tDownload, s.file(stMB))
		require.Equal(t, abi.S_OK, queued.Resume())
		s.requireState(queued, sQueued, "behind the transferring job")
		var snaps []jobSnap
		for _, j := range idle {
			snaps = append(snaps, s.snap(j))
		}
		s.svc.SetNetwork(false)
		for _, j := range []*scheduler.JobRef{transferring, queued} {
			v := s.snap(j)
			require.Equal(t, sTransient, v.State, "%s\n%s", j.Name(), s.dump(j))
			require.Equal(t, abi.S_OK, v.ErrorHR)
			require.Equal(t, abi.BG_E_NETWORK_DISCONNECTED, v.ErrorCode)
			require.Equal(t, abi.BG_ERROR_CONTEXT_GENERAL_TRANSPORT, v.ErrorCtx)
		}
		for i, j := range idle {
			s.requireUnchanged(j, snaps[i], "a "+snaps[i].State.String()+" job is not touched by a disconnect")
		}
	})

	t.Run("G44/disconnect-not-retried-on-delay-schedule", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sTransferring, tDownload, nil)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(5))
		s.svc.SetNetwork(false)
		before := s.snap(j)
		require.Equal(t, sTransient, before.State)
		s.advance(time.Hour)
		s.requireUnchanged(j, before, "G44: no retry while the network is down")
		s.svc.SetNetwork(true)
		require.Contains(t, []abi.JobState{sQueued, sConnecting}, s.state(j), "back when the condition clears")
		s.transition(j, sTransient, sQueued)
		s.advance(time.Minute)
		s.requireState(j, sTransferred, "and finishes")
	})

	t.Run("G44/resume-while-disconnected", func(t *testing.T) {
		s := newSTWorld(t)
		s.svc.SetNetwork(false)
		j := s.newJob(tDownload, s.file(stMB))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Second)
		s.requireState(j, sTransient, "connecting without a network")
		s.transition(j, sConnecting, sTransient)
		e, res := j.GetError()
		require.Equal(t, abi.S_OK, res)
		_, code, _ := e.GetError()
		require.Equal(t, abi.BG_E_NETWORK_DISCONNECTED, code)
	})

	t.Run("G46/disconnect-then-no-progress-timeout", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sTransferring, tDownload, nil)
		cb := registerOK(t, j)
		// (A retry delay above the timeout no longer matters for a network
		// loss, which is not retried on the delay schedule: limits_test.go.)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(5))
		require.Equal(t, abi.S_OK, j.SetNoProgressTimeout(60))
		s.svc.SetNetwork(false)
		t0 := s.w.Now()
		s.advance(60*time.Second - time.Nanosecond)
		s.requireState(j, sTransient, "before the timeout")
		s.advance(time.Nanosecond)
		s.requireState(j, sError, "G46: the no-progress timer runs while disconnected")
		require.Equal(t, t0+60*time.Second, s.transition(j, sTransient, sError).T)
		s.advance(time.Second)
		require.Equal(t, 1, cb.je, "G12")
	})
}

func TestG45MinimumRetryDelay(t *testing.T) {
	for _, c := range []struct {
		set, want uint32
	}{{0, 5}, {1, 5}, {4, 5}, {5, 5}, {7, 7}, {3600, 3600}} {
		t.Run(fmt.Sprintf("G45/set-%d-reads-%d", c.set, c.want), func(t *testing.T) {
			s := newSTWorld(t)
			j := s.newJob(tDownload)
			require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(c.set))
			got, res := j.GetMinimumRetryDelay()
			require.Equal(t, abi.S_OK, res)
			require.Equal(t, c.want, got, "values below 5 s are raised to 5 s")
		})
	}
	t.Run("G45/clamped-delay-is-the-retry-delay", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(stMB)
		f.Failures = []scheduler.Failure{{HR: abi.BG_E_CONNECT_FAILURE, Transient: true}}
		j := s.newJob(tDownload, f)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(1))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(20 * time.Second)
		te := s.transition(j, sConnecting, sTransient).T
		require.Equal(t, te+5*time.Second, s.transition(j, sTransient, sQueued).T)
	})
	t.Run("G45/delay-longer-than-no-progress-timeout-goes-to-error", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.plan(tDownload, func(f *scheduler.FileSpec) {
			f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true}}
		})...)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(120))
		require.Equal(t, abi.S_OK, j.SetNoProgressTimeout(60))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(3 * time.Second)
		s.requireState(j, sError, "BITS does not retry, the job goes to ERROR")
		s.transition(j, sTransferring, sError)
		for _, r := range s.states(j) {
			require.NotEqual(t, sTransient, r.To, "never TRANSIENT_ERROR")
		}
	})
}

func TestG46NoProgressTimeout(t *testing.T) {
	t.Run("G46/zero-sends-every-error-to-error", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.plan(tDownload, func(f *scheduler.FileSpec) {
			f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true}}
		})...)
		require.Equal(t, abi.S_OK, j.SetNoProgressTimeout(0))
		got, _ := j.GetNoProgressTimeout()
		require.Zero(t, got)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(3 * time.Second)
		s.requireState(j, sError, "0 disables retries")
		s.transition(j, sTransferring, sError)
	})
	t.Run("G46/progress-resets-the-timer", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(100 * stMB)
		// Errors at 5 MB (t≈1.1 s) and at 45 MB (t≈10.2 s): the second is
		// more than 8 s after the first, but bytes moved in between.
		f.Failures = []scheduler.Failure{
			{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true},
			{AtByte: 45 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true},
		}
		j := s.newJob(tDownload, f)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(5))
		require.Equal(t, abi.S_OK, j.SetNoProgressTimeout(8))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Minute)
		recs := s.states(j)
		var te []time.Duration
		for _, r := range recs {
			require.NotEqual(t, sError, r.To, "progress between the errors resets the timer\n%s", s.dump(j))
			if r.To == sTransient {
				te = append(te, r.T)
			}
		}
		require.Len(t, te, 2)
		require.Greater(t, te[1]-te[0], 8*time.Second, "the test is meaningful only if the errors are further apart than the timeout")
		s.requireState(j, sTransferred, "")
	})
}

func TestG47Priorities(t *testing.T) {
	t.Run("G47/foreground-jobs-run-alongside-one-background-job", func(t *testing.T) {
		s := newSTWorld(t)
		var fg, bg []*scheduler.JobRef
		for range 2 {
			j := s.newJob(tDownload, s.file(1000*stMB))
			require.Equal(t, abi.S_OK, j.SetPriority(abi.BG_JOB_PRIORITY_FOREGROUND))
			fg = append(fg, j)
		}
		for range 2 {
			bg = append(bg, s.newJob(tDownload, s.file(1000*stMB)))
		}
		for _, j := range append(append([]*scheduler.JobRef{}, bg...), fg...) {
			require.Equal(t, abi.S_OK, j.Resume())
		}
		s.advance(5 * time.Second)
		for _, j := range fg {
			s.requireState(j, sTransferring, "every foreground job runs")
		}
		s.requireState(bg[0], sTransferring, "one background job runs")
		s.requireState(bg[1], sQueued, "only one background job runs")
	})
	t.Run("G47/higher-priority-first-lower-waits", func(t *testing.T) {
		s := newSTWorld(t)
		low := s.newJob(tDownload, s.file(10*stMB))
		normal := s.newJob(tDownload, s.file(10*stMB))
		high := s.newJob(tDownload, s.file(10*stMB))
		require.Equal(t, abi.S_OK, low.SetPriority(abi.BG_JOB_PRIORITY_LOW))
		require.Equal(t, abi.S_OK, high.SetPriority(abi.BG_JOB_PRIORITY_HIGH))
		for _, j := range []*scheduler.JobRef{low, normal, high} {
			require.Equal(t, abi.S_OK, j.Resume())
		}
		s.advance(5 * time.Minute)
		s.transition(low, sConnecting, sQueued)    // preempted by NORMAL ...
		s.transition(normal, sConnecting, sQueued) // ... and NORMAL by HIGH
		done := func(j *scheduler.JobRef) time.Duration { return s.transition(j, sTransferring, sTransferred).T }
		start := func(j *scheduler.JobRef) time.Duration { return s.lastTransition(j, sQueued, sConnecting).T }
		require.LessOrEqual(t, done(high), start(normal), "NORMAL gets no time until HIGH is done")
		require.LessOrEqual(t, done(normal), start(low), "LOW gets no time until NORMAL is done")
		for _, j := range []*scheduler.JobRef{low, normal, high} {
			s.requireState(j, sTransferred, "")
		}
	})
	t.Run("G47/lowering-priority-yields", func(t *testing.T) {
		s := newSTWorld(t)
		a := s.reach(sTransferring, tDownload, nil)
		b := s.newJob(tDownload, s.file(stMB))
		require.Equal(t, abi.S_OK, b.Resume())
		s.requireState(b, sQueued, "")
		require.Equal(t, abi.S_OK, a.SetPriority(abi.BG_JOB_PRIORITY_LOW))
		s.requireState(a, sQueued, "a LOW job yields to a queued NORMAL one")
		s.requireState(b, sConnecting, "")
	})
	t.Run("G47/files-first-in-first-out", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.file(3*stMB), s.file(1*stMB), s.file(2*stMB))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Minute)
		var order []int64
		for _, r := range s.log.Records() {
			if r.Ev == trace.EvFileDone && r.Job == j.Name() {
				order = append(order, r.File)
			}
		}
		require.Equal(t, []int64{0, 1, 2}, order)
	})
	t.Run("G47/set-priority-invalid-value", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sTransferring, tDownload, nil)
		before := s.snap(j)
		require.Equal(t, abi.E_NOTIMPL, j.SetPriority(abi.JobPriority(4)), "table 2.3 / S-SPRI")
		s.requireUnchanged(j, before, "")
	})
}

func TestG48RangeSupport(t *testing.T) {
	cases := []struct {
		name    string
		size    uint64
		noHead  bool
		fg      bool
		want    abi.JobState
		rangeHR bool // the job's error is BG_E_INSUFFICIENT_RANGE_SUPPORT
	}{
		{"G48/background-no-ranges-fails", 10 * stMB, false, false, sError, true},
		{"G48/foreground-1GB-no-ranges-transfers", 1 << 30, false, true, sTransferred, false},
		{"G48/foreground-exactly-2GB-transfers", abi.TwoGB, false, true, sTransferred, false},
		{"G48/foreground-2GB-plus-1-fails", abi.TwoGB + 1, false, true, sError, true},
		{"G48/foreground-unknown-size-fails", 10 * stMB, true, true, sError, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSTWorld(t)
			f := s.file(c.size)
			f.NoRanges, f.NoHeadSize = true, c.noHead
			j := s.newJob(tDownload, f)
			if c.fg {
				require.Equal(t, abi.S_OK, j.SetPriority(abi.BG_JOB_PRIORITY_FOREGROUND))
			}
			require.Equal(t, abi.S_OK, j.Resume())
			s.advance(10 * time.Minute)
			s.requireState(j, c.want, "")
			if !c.rangeHR {
				return
			}
			e, res := j.GetError()
			require.Equal(t, abi.S_OK, res)
			ctx, code, _ := e.GetError()
			require.Equal(t, abi.BG_E_INSUFFICIENT_RANGE_SUPPORT, code)
			require.Equal(t, abi.BG_ERROR_CONTEXT_REMOTE_FILE, ctx)
			ef, res := e.GetFile()
			require.Equal(t, abi.S_OK, res)
			name, _ := ef.GetRemoteName()
			require.Equal(t, f.RemoteURL, name)
			p, _ := ef.GetProgress()
			if c.noHead {
				require.Equal(t, abi.BG_SIZE_UNKNOWN, p.BytesTotal, "no HEAD size: unknown (G48, G50)")
			} else {
				require.Equal(t, c.size, p.BytesTotal, "the HEAD reported the size before the range failure (G48)")
			}
		})
	}
	t.Run("G48/foreground-no-ranges-interrupted-fails", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(100 * stMB)
		f.NoRanges = true
		f.Failures = []scheduler.Failure{{AtByte: 5 * stMB, HR: abi.BG_E_CONNECTION_CLOSED, Transient: true}}
		j := s.newJob(tDownload, f)
		require.Equal(t, abi.S_OK, j.SetPriority(abi.BG_JOB_PRIORITY_FOREGROUND))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Minute)
		s.requireState(j, sError, "a restart would need a range request (S-BP)")
		e, _ := j.GetError()
		_, code, _ := e.GetError()
		require.Equal(t, abi.BG_E_INSUFFICIENT_RANGE_SUPPORT, code)
	})
	t.Run("G48/ranges-only-matter-for-downloads", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(5 * stMB)
		f.NoRanges = true
		j := s.newJob(tUpload, f)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Minute)
		s.requireState(j, sTransferred, "")
	})
}

func TestG49GetError(t *testing.T) {
	t.Run("G49/unavailable-outside-error-states", func(t *testing.T) {
		for _, st := range []abi.JobState{sSuspended, sQueued, sConnecting, sTransferring, sTransferred, sAcknowledged, sCancelled} {
			s := newSTWorld(t)
			j := s.reach(st, tDownload, nil)
			_, res := j.GetError()
			require.Equal(t, abi.BG_E_ERROR_INFORMATION_UNAVAILABLE, res, "in %v", st)
		}
	})
	t.Run("G49/http-error-in-error", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(stMB)
		f.RemoteURL = "https://srv/missing"
		f.Failures = []scheduler.Failure{scheduler.HTTPError(404)}
		j := s.newJob(tDownload, s.file(stMB), f)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Minute)
		s.requireState(j, sError, "")
		e, res := j.GetError()
		require.Equal(t, abi.S_OK, res)
		ctx, code, res := e.GetError()
		require.Equal(t, abi.S_OK, res)
		require.Equal(t, hresult(-0x7fe6fe6c), code, "BG_E_HTTP_ERROR_404 = 0x80190194")
		require.Equal(t, abi.BG_E_HTTP_ERROR(404), code)
		require.Equal(t, abi.BG_ERROR_CONTEXT_REMOTE_FILE, ctx)
		ef, res := e.GetFile()
		require.Equal(t, abi.S_OK, res)
		name, _ := ef.GetRemoteName()
		require.Equal(t, "https://srv/missing", name, "the error names the second file")
		proto, res := e.GetProtocol()
		require.Equal(t, abi.S_OK, res)
		require.Equal(t, "https", proto)
		desc, res := e.GetErrorDescription(0x409)
		require.Equal(t, abi.S_OK, res)
		require.NotEmpty(t, desc)
		n, _ := j.GetErrorCount()
		require.Equal(t, uint32(1), n)
		// Resume: the error object is gone once the job left ERROR.
		require.Equal(t, abi.S_OK, j.Resume())
		_, res = j.GetError()
		require.Equal(t, abi.BG_E_ERROR_INFORMATION_UNAVAILABLE, res, "after Resume")
		// The error object handed out earlier is a snapshot.
		_, code, _ = e.GetError()
		require.Equal(t, abi.BG_E_HTTP_ERROR(404), code)
	})
	t.Run("G49/network-error-has-no-file", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.reach(sTransferring, tDownload, nil)
		s.svc.SetNetwork(false)
		e, res := j.GetError()
		require.Equal(t, abi.S_OK, res)
		ctx, code, _ := e.GetError()
		require.Equal(t, abi.BG_E_NETWORK_DISCONNECTED, code)
		require.Equal(t, abi.BG_ERROR_CONTEXT_GENERAL_TRANSPORT, ctx)
		_, res = e.GetFile()
		require.Equal(t, abi.BG_E_FILE_NOT_AVAILABLE, res)
		_, res = e.GetProtocol()
		require.Equal(t, abi.BG_E_PROTOCOL_NOT_AVAILABLE, res)
		s.svc.SetNetwork(true)
		s.advance(time.Minute)
		s.requireState(j, sTransferred, "")
		_, res = j.GetError()
		require.Equal(t, abi.BG_E_ERROR_INFORMATION_UNAVAILABLE, res, "W-TEST test_HttpOptions: after a successful transfer")
	})
	t.Run("G49/error-count-counts-every-error", func(t *testing.T) {
		s := newSTWorld(t)
		f := s.file(stMB)
		f.Failures = []scheduler.Failure{{HR: abi.BG_E_CONNECT_FAILURE, Transient: true, Times: 3}}
		j := s.newJob(tDownload, f)
		require.Equal(t, abi.S_OK, j.SetMinimumRetryDelay(5))
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(time.Minute)
		s.requireState(j, sTransferred, "")
		n, _ := j.GetErrorCount()
		require.Equal(t, uint32(3), n)
	})
}

func TestG50Progress(t *testing.T) {
	t.Run("G50/size-unknown-until-determined", func(t *testing.T) {
		s := newSTWorld(t)
		known := s.file(2 * stMB)
		dyn := s.file(3 * stMB)
		dyn.NoHeadSize = true
		j := s.newJob(tDownload, known, dyn)
		p, _ := j.GetProgress()
		require.Equal(t, abi.BG_SIZE_UNKNOWN, p.BytesTotal, "nothing determined before the job connects")
		require.Equal(t, uint32(2), p.FilesTotal)
		require.Equal(t, abi.S_OK, j.Resume())
		s.advance(1200 * time.Millisecond) // connected, first chunk of file 0
		files, _ := j.EnumFiles()
		fp, _ := files[0].GetProgress()
		require.Equal(t, uint64(2*stMB), fp.BytesTotal, "HEAD gave file 0's size")
		p, _ = j.GetProgress()
		require.Equal(t, abi.BG_SIZE_UNKNOWN, p.BytesTotal, "file 1 is still undetermined")
		s.advance(time.Minute)
		s.requireState(j, sTransferred, "")
		p, _ = j.GetProgress()
		require.Equal(t, abi.JobProgress{BytesTotal: 5 * stMB, BytesTransferred: 5 * stMB, FilesTotal: 2, FilesTransferred: 2}, p)
		fp, _ = files[1].GetProgress()
		require.Equal(t, abi.FileProgress{BytesTotal: 3 * stMB, BytesTransferred: 3 * stMB}, fp, "known once done; not Completed before Complete")
		require.Equal(t, abi.S_OK, j.Complete())
		fp, _ = files[1].GetProgress()
		require.True(t, fp.Completed, "Completed once Complete made it available")
	})
	t.Run("G50/bytes-and-files-monotone-during-transfer", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload, s.file(25*stMB), s.file(7*stMB), s.file(18*stMB))
		require.Equal(t, abi.S_OK, j.Resume())
		var last abi.JobProgress
		for range 12 {
			s.advance(time.Second)
			p, _ := j.GetProgress()
			require.GreaterOrEqual(t, p.BytesTransferred, last.BytesTransferred)
			require.GreaterOrEqual(t, p.FilesTransferred, last.FilesTransferred)
			require.LessOrEqual(t, p.FilesTransferred, p.FilesTotal)
			if p.BytesTotal != abi.BG_SIZE_UNKNOWN {
				require.LessOrEqual(t, p.BytesTransferred, p.BytesTotal)
			}
			last = p
		}
		require.Equal(t, uint64(50*stMB), last.BytesTransferred)
		s.requireState(j, sTransferred, "")
	})
}

// TestBadInput: every misuse returns the documented HRESULT and leaves the
// job exactly as it was (issue 3, "Bad input").
func TestBadInput(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // runes, not bytes
	cases := []struct {
		name string
		call func(s *stWorld, j *scheduler.JobRef) hresult
		want hresult
	}{
		{"G2/set-notify-flags-undefined-bit", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNotifyFlags(0x40) }, abi.E_NOTIMPL},
		{"G47/set-priority-out-of-range", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetPriority(abi.JobPriority(^uint32(0))) }, abi.E_NOTIMPL},
		{"MODEL/display-name-257-characters", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetDisplayName(long(257)) }, abi.BG_E_STRING_TOO_LONG},
		{"MODEL/description-1025-characters", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetDescription(long(1025)) }, abi.BG_E_STRING_TOO_LONG},
		{"G30/cmdline-program-too-long", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNotifyCmdLine(long(261), "") }, abi.BG_E_STRING_TOO_LONG},
		{"G30/cmdline-parameters-without-program", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.SetNotifyCmdLine("", "x") }, abi.E_INVALIDARG},
		{"S-TO/take-ownership-not-admin", func(_ *stWorld, j *scheduler.JobRef) hresult { return j.TakeOwnership() }, abi.E_ACCESSDENIED},
		{"AddFile/empty-url", func(_ *stWorld, j *scheduler.JobRef) hresult {
			return j.AddFileSpec(scheduler.FileSpec{LocalName: `C:\x`})
		}, abi.E_INVALIDARG},
		{"AddFile/ftp-url", func(_ *stWorld, j *scheduler.JobRef) hresult {
			return j.AddFileSpec(scheduler.FileSpec{RemoteURL: "ftp://h/x", LocalName: `C:\x`})
		}, abi.E_INVALIDARG},
		{"AddFile/no-local-name", func(_ *stWorld, j *scheduler.JobRef) hresult {
			return j.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/x"})
		}, abi.E_INVALIDARG},
		{"AddFile/failure-with-success-code", func(_ *stWorld, j *scheduler.JobRef) hresult {
			return j.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/x", LocalName: `C:\x`, Failures: []scheduler.Failure{{HR: abi.S_FALSE}}})
		}, abi.E_INVALIDARG},
		{"AddFile/failure-negative-times", func(_ *stWorld, j *scheduler.JobRef) hresult {
			return j.AddFileSpec(scheduler.FileSpec{RemoteURL: "http://h/x", LocalName: `C:\x`, Failures: []scheduler.Failure{{HR: abi.E_FAIL, Times: -1}}})
		}, abi.E_INVALIDARG},
	}
	for _, st := range []abi.JobState{sSuspended, sTransferring, sError} {
		for _, c := range cases {
			t.Run(c.name+"/"+stName(st), func(t *testing.T) {
				s := newSTWorld(t)
				j := s.reach(st, tDownload, nil)
				before := s.snap(j)
				require.Equal(t, c.want, c.call(s, j))
				s.requireUnchanged(j, before, c.name)
			})
		}
	}
	t.Run("G41/upload-second-file", func(t *testing.T) {
		s := newSTWorld(t)
		for _, typ := range []abi.JobType{tUpload, tUploadReply} {
			j := s.newJob(typ, s.file(stMB))
			before := s.snap(j)
			require.Equal(t, abi.BG_E_TOO_MANY_FILES, j.AddFileSpec(s.file(stMB)))
			s.requireUnchanged(j, before, "")
		}
	})
	t.Run("MODEL/limits-are-inclusive", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload)
		require.Equal(t, abi.S_OK, j.SetDisplayName(long(256)))
		require.Equal(t, abi.S_OK, j.SetDescription(long(1024)))
		require.Equal(t, abi.S_OK, j.SetNotifyCmdLine(long(260), long(4000)))
	})
}

// TestPolicyLimits: MaxJobsPerUser 60, MaxJobsPerMachine 300 and
// MaxFilesPerJob 200 (S-GP), not for administrators; only non-final jobs
// count.
func TestPolicyLimits(t *testing.T) {
	t.Run("S-GP/max-jobs-per-user", func(t *testing.T) {
		s := newSTWorld(t)
		var first *scheduler.JobRef
		for i := range 60 {
			j, res := s.app.CreateJob("j", tDownload)
			require.Equal(t, abi.S_OK, res, "job %d", i+1)
			if first == nil {
				first = j
			}
		}
		_, res := s.app.CreateJob("61st", tDownload)
		require.Equal(t, abi.BG_E_TOO_MANY_JOBS_PER_USER, res)
		require.Equal(t, abi.S_OK, first.Cancel())
		_, res = s.app.CreateJob("after a cancel", tDownload)
		require.Equal(t, abi.S_OK, res, "a final job no longer counts")
		for i := range 70 {
			_, res := s.adm.CreateJob("admin", tDownload)
			require.Equal(t, abi.S_OK, res, "administrators are exempt (job %d)", i+1)
		}
	})
	t.Run("S-GP/max-jobs-per-machine", func(t *testing.T) {
		s := newSTWorld(t)
		for u := range 5 {
			c := s.svc.StartClient(fmt.Sprintf("c%d", u), s.svc.AddUser(fmt.Sprintf("u%d", u), false), scheduler.MTA)
			for range 60 {
				_, res := c.CreateJob("j", tDownload)
				require.Equal(t, abi.S_OK, res)
			}
		}
		c := s.svc.StartClient("c5", s.svc.AddUser("u5", false), scheduler.MTA)
		_, res := c.CreateJob("301st", tDownload)
		require.Equal(t, abi.BG_E_TOO_MANY_JOBS_PER_MACHINE, res)
	})
	t.Run("S-GP/max-files-per-job", func(t *testing.T) {
		s := newSTWorld(t)
		j := s.newJob(tDownload)
		for range 200 {
			require.Equal(t, abi.S_OK, j.AddFileSpec(s.file(1)))
		}
		before := s.snap(j)
		require.Equal(t, abi.BG_E_TOO_MANY_FILES_IN_JOB, j.AddFileSpec(s.file(1)))
		s.requireUnchanged(j, before, "")
		root := s.adm.Job(j)
		require.Equal(t, abi.S_OK, root.TakeOwnership())
		require.Equal(t, abi.S_OK, j.AddFileSpec(s.file(1)), "an administrator's job is exempt")
	})
	t.Run("S-GP/limits-off", func(t *testing.T) {
		opts := scheduler.DefaultOptions()
		opts.EnforcePolicyLimits = false
		s := newSTWorldOpts(t, opts)
		for range 61 {
			_, res := s.app.CreateJob("j", tDownload)
			require.Equal(t, abi.S_OK, res)
		}
	})
}

// TestTakeOwnership: G10 — the administrator becomes the owner, the command
// line is removed, the state is untouched.
func TestTakeOwnership(t *testing.T) {
	s := newSTWorld(t)
	j := s.reach(sTransferring, tDownload, nil)
	require.Equal(t, abi.S_OK, j.SetNotifyCmdLine(`C:\n.exe`, "/x"))
	require.Equal(t, abi.S_OK, s.adm.Job(j).TakeOwnership())
	v := s.snap(j)
	require.Equal(t, "root", v.Owner)
	require.Equal(t, sTransferring, v.State)
	require.Empty(t, v.CmdProgram, "G10: TakeOwnership removes the command line")
	require.Empty(t, v.CmdArgs)
	jobs, _ := s.app.EnumJobs(false)
	require.Empty(t, jobs, "alice no longer owns it")
	id, _ := j.GetId()
	_, res := s.app.GetJob(id)
	require.Equal(t, abi.E_ACCESSDENIED, res, "another user's job")
}
